# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""seasky-bag on real rosbag2 files (written and read back with rosbags), and against the live node."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("rclpy")
pytest.importorskip("rosbags")

from sensor_msgs.msg import CompressedImage, Image  # noqa: E402

from seasky_ros import bag as bagtool  # noqa: E402
from seasky_ros import bag_io  # noqa: E402
from seasky_ros.bag_io import BagReader, BagWriter, deserialize  # noqa: E402
from seasky_ros.interface import OUTPUT_TOPICS  # noqa: E402
from seasky_ros.outputs import line_points  # noqa: E402
from seasky_ros.params import node_parameters  # noqa: E402
from seasky_ros.ros_image import image_to_numpy, numpy_to_compressed  # noqa: E402
from seasky_ros.synthetic import render_sequence  # noqa: E402

IMAGE_TOPIC = bagtool.SAMPLE_TOPICS["image"]
INFO_TOPIC = bagtool.SAMPLE_TOPICS["camera_info"]
TRUTH_TOPIC = bagtool.SAMPLE_TOPICS["truth"]
IMU_TOPIC = bagtool.SAMPLE_TOPICS["imu"]
H, W = 256, 320
SEED = 5  # a scene the tiny test model segments well
LOW_CONFIDENCE = 0.0


def read_all(path: Path, topics=None) -> dict[str, list[tuple[int, object]]]:
    """topic -> [(bag timestamp, rclpy message)] for every message of the bag."""
    classes = {}
    out: dict[str, list] = {}
    with BagReader(path) as reader:
        for topic, msgtype, timestamp, data in reader.messages(topics):
            if msgtype not in classes:
                classes[msgtype] = bagtool.message_class(msgtype)
            out.setdefault(topic, []).append((timestamp, deserialize(data, classes[msgtype])))
    return out


@pytest.fixture(scope="module")
def sample_bag(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "camera"
    return bagtool.make_sample(path, frames=12, rate_hz=30.0, seed=SEED, height=H, width=W, progress=False)


def low_confidence_params(folder: Path) -> Path:
    """A params file keeping every line: the 4-epoch test model's lines are rough, their confidence low.
    Every run compared with ``processed`` (offline, compressed, live) uses it too."""
    path = folder / "params.yaml"
    path.write_text(f"/**:\n  ros__parameters:\n    min_horizon_confidence: {LOW_CONFIDENCE}\n")
    return path


@pytest.fixture(scope="module")
def processed(sample_bag, trained_weights, tmp_path_factory) -> tuple[Path, Path, Path, int]:
    out = tmp_path_factory.mktemp("processed")
    params = low_confidence_params(out)
    code = bagtool.main([
        "process", str(sample_bag), str(out / "bag"), "--image-topic", IMAGE_TOPIC, "--weights", str(trained_weights),
        "--csv", str(out / "horizons.csv"), "--video", str(out / "overlay.mp4"), "--no-progress",
        "--params-file", str(params),
    ])
    return out / "bag", out / "horizons.csv", out / "overlay.mp4", code


# ------------------------------------------------------------------------------------------ make-sample


@pytest.mark.parametrize("storage", ["sqlite3", "mcap"])
def test_make_sample_is_a_readable_camera_bag(tmp_path, storage):
    frames, rate = 10, 20.0
    path = bagtool.make_sample(tmp_path / "s", frames=frames, rate_hz=rate, seed=3, storage=storage,
                               height=96, width=128, progress=False)
    with BagReader(path) as reader:
        types = {t.name: (t.msgtype, t.count) for t in reader.topics}
    assert types == {
        IMAGE_TOPIC: ("sensor_msgs/msg/Image", frames),
        INFO_TOPIC: ("sensor_msgs/msg/CameraInfo", frames),
        TRUTH_TOPIC: ("geometry_msgs/msg/PolygonStamped", frames),
        IMU_TOPIC: ("sensor_msgs/msg/Imu", frames),
    }
    assert list(path.glob("*.mcap" if storage == "mcap" else "*.db3"))
    msgs = read_all(path)
    truth_frames = list(render_sequence(frames, rate, 3, height=96, width=128))
    stamps = [t for t, _ in msgs[IMAGE_TOPIC]]
    assert np.allclose(np.diff(stamps), 1e9 / rate, atol=1)
    for (t, image), (ti, info), (tt, truth), (tm, imu), frame in zip(
            msgs[IMAGE_TOPIC], msgs[INFO_TOPIC], msgs[TRUTH_TOPIC], msgs[IMU_TOPIC], truth_frames, strict=True):
        assert t == ti == tt == tm == bagtool.stamp_ns(image.header.stamp) == bagtool.stamp_ns(truth.header.stamp)
        assert bagtool.stamp_ns(imu.header.stamp) == t
        q = imu.orientation
        assert (q.x, q.y, q.z, q.w) == pytest.approx(frame.params.imu_orientation())
        assert image.header.frame_id == info.header.frame_id == bagtool.SAMPLE_FRAME_ID
        array, encoding = image_to_numpy(image)
        assert encoding == frame.encoding == "mono16"
        np.testing.assert_array_equal(array, frame.image)
        np.testing.assert_allclose(np.reshape(info.k, (3, 3)), frame.params.camera_matrix(96, 128))
        assert (info.width, info.height) == (128, 96)
        assert line_points(truth) == pytest.approx(frame.horizon)


def test_make_sample_is_atomic(tmp_path, monkeypatch):
    import seasky_ros.synthetic

    real = seasky_ros.synthetic.render_sequence

    def interrupted(*args, **kwargs):
        for i, frame in enumerate(real(*args, **kwargs)):
            if i == 3:
                raise KeyboardInterrupt
            yield frame

    monkeypatch.setattr(seasky_ros.synthetic, "render_sequence", interrupted)
    with pytest.raises(KeyboardInterrupt):
        bagtool.make_sample(tmp_path / "s", frames=8, height=64, width=80, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_make_sample_refuses_to_overwrite(tmp_path, capsys):
    path = tmp_path / "s"
    assert bagtool.main(["make-sample", str(path), "--frames", "2", "--height", "48", "--width", "64",
                         "--no-progress"]) == 0
    assert bagtool.main(["make-sample", str(path), "--frames", "2", "--no-progress"]) == 1
    assert "exists already" in capsys.readouterr().err
    assert bagtool.main(["info", str(path)]) == 0
    assert "/camera/image_raw" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------ process


def test_process_writes_the_node_outputs_with_input_stamps(sample_bag, processed):
    out, csv_path, video, code = processed
    assert code == 0
    msgs = read_all(out)
    for topic in (IMAGE_TOPIC, INFO_TOPIC, TRUTH_TOPIC):
        assert len(msgs[topic]) == 12, topic  # copied through
    inputs = {t: m for t, m in msgs[IMAGE_TOPIC]}
    lined = [t for t, m in msgs[OUTPUT_TOPICS["horizon"]] if m.polygon.points]
    assert lined, "no frame with a horizon to check the attitude on"
    for key in ("mask", "horizon", "attitude"):
        got = msgs[OUTPUT_TOPICS[key]]
        # bag time = the input's receive time; an attitude only where there is a horizon
        expected = sorted(inputs) if key != "attitude" else sorted(lined)
        assert [t for t, _ in got] == expected, key
        for t, msg in got:
            assert msg.header == inputs[t].header, key
    for t, mask in msgs[OUTPUT_TOPICS["mask"]]:
        assert (mask.height, mask.width, mask.encoding) == (inputs[t].height, inputs[t].width, "mono8")
        assert set(np.unique(image_to_numpy(mask)[0])) <= {0, 1, 2}
    assert OUTPUT_TOPICS["overlay"] not in msgs


def test_process_horizon_is_the_segmenters_and_the_csv_says_the_same(processed, sample_bag, trained_weights):
    """Every written line is the one the Segmenter finds in that frame (as configured by the node's
    params file); accuracy against the truth is the shipped weights' gate's job (test_accuracy_gate.py),
    the 4-epoch test model is rough."""
    from seasky_ros.segmenter import Segmenter

    out, csv_path, _, _ = processed
    params = node_parameters(out.parent / "params.yaml")
    segmenter = Segmenter.from_file(trained_weights, min_horizon_confidence=float(params["min_horizon_confidence"]))
    frames = read_all(sample_bag, [IMAGE_TOPIC])[IMAGE_TOPIC]
    found = read_all(out, [OUTPUT_TOPICS["horizon"]])[OUTPUT_TOPICS["horizon"]]
    assert len(found) == len(frames) == 12
    found_lines = []
    for (_, frame), (_, line) in zip(frames, found, strict=True):
        expected = segmenter.segment(*image_to_numpy(frame)).horizon
        if expected is None:  # below the params file's confidence threshold: an empty polygon
            assert len(line.polygon.points) == 0
            found_lines.append(None)
            continue
        points = line_points(line)
        assert points == pytest.approx((expected.x0, expected.y0, expected.x1, expected.y1), abs=1e-4)
        found_lines.append(points)
    assert sum(line is not None for line in found_lines) >= 3, "too few lines to compare"
    rows = list(csv.DictReader(csv_path.open()))
    assert len(rows) == 12 and list(rows[0]) == list(bagtool._CsvSink.HEADER)
    assert float(rows[0]["stamp"]) == pytest.approx(bagtool.SAMPLE_START_NS / 1e9)
    for row, line, (_, msg) in zip(rows, found_lines, found, strict=True):
        if line is None:
            assert [row[k] for k in ("x0", "y0", "x1", "y1", "confidence", "source")] == [""] * 6
            assert row["no_horizon_reason"] != ""
        else:
            assert [float(row[k]) for k in ("x0", "y0", "x1", "y1")] == pytest.approx(line, abs=2e-3)
            # confidence and source ride in the polygon's z (first and second point) and in the CSV alike;
            # with min_horizon_confidence 0 a line without an image edge under it (confidence 0) is kept too
            assert 0.0 <= float(row["confidence"]) <= 1.0
            assert float(row["confidence"]) == pytest.approx(msg.polygon.points[0].z, abs=1e-3)
            assert row["source"] == "sky-sea" and msg.polygon.points[1].z == 0.0 and row["no_horizon_reason"] == ""


def test_process_video(processed):
    import cv2

    video = processed[2]
    capture = cv2.VideoCapture(str(video))
    count = 0
    while capture.read()[0]:
        count += 1
    assert count == 12


def test_compressed_input_gives_the_same_outputs(sample_bag, processed, trained_weights, tmp_path):
    compressed = tmp_path / "compressed"
    with BagWriter(compressed, "mcap") as writer:
        for t, msg in read_all(sample_bag, [IMAGE_TOPIC])[IMAGE_TOPIC]:
            array, _ = image_to_numpy(msg)
            writer.write(IMAGE_TOPIC + "/compressed", t, numpy_to_compressed(array, "png", msg.header))
    out = tmp_path / "out"
    assert bagtool.main(["process", str(compressed), str(out), "--image-topic", IMAGE_TOPIC, "--compressed",
                         "--weights", str(trained_weights), "--overlay", "--no-progress",
                         "--params-file", str(low_confidence_params(tmp_path))]) == 0
    got = read_all(out)
    assert len(got[IMAGE_TOPIC + "/compressed"]) == 12
    assert isinstance(got[IMAGE_TOPIC + "/compressed"][0][1], CompressedImage)
    assert OUTPUT_TOPICS["attitude"] not in got or not got[OUTPUT_TOPICS["attitude"]]
    overlay = got[OUTPUT_TOPICS["overlay"]]
    assert len(overlay) == 12 and overlay[0][1].encoding == "bgr8"
    reference = read_all(processed[0], [OUTPUT_TOPICS["mask"], OUTPUT_TOPICS["horizon"]])
    for key in ("mask", "horizon"):
        assert [m for _, m in got[OUTPUT_TOPICS[key]]] == [m for _, m in reference[OUTPUT_TOPICS[key]]]


def test_bgr8_and_mono8_input(tmp_path, trained_weights):
    import cv2

    path = tmp_path / "colour"
    frames = list(render_sequence(3, 10.0, SEED, height=64, width=80))
    with BagWriter(path, "sqlite3") as writer:
        for i, frame in enumerate(frames):
            mono8 = cv2.normalize(frame.image, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
            for topic, array, encoding in (("/bgr", cv2.cvtColor(mono8, cv2.COLOR_GRAY2BGR), "bgr8"),
                                           ("/mono8", mono8, "mono8")):
                msg = Image(height=64, width=80, encoding=encoding, step=array.strides[0], data=array.tobytes())
                msg.header.stamp.sec = i
                writer.write(topic, i * 10**9, msg)
    for topic in ("/bgr", "/mono8"):
        out = tmp_path / topic.strip("/")
        assert bagtool.main(["process", str(path), str(out), "--image-topic", topic, "--weights",
                             str(trained_weights), "--no-progress", "--no-copy"]) == 0
        masks = read_all(out)[OUTPUT_TOPICS["mask"]]
        assert [(m.height, m.width) for _, m in masks] == [(64, 80)] * 3


def test_unusable_frames_are_skipped_like_the_node_does(tmp_path, trained_weights, capsys):
    path = tmp_path / "mixed"
    good = next(iter(render_sequence(1, 10.0, SEED, height=64, width=80))).image
    with BagWriter(path, "sqlite3") as writer:
        for i in range(3):
            data = good.tobytes() if i != 1 else good.tobytes()[:1000]  # frame 1 is truncated
            msg = Image(height=64, width=80, encoding="mono16", step=160, data=data)
            msg.header.stamp.sec = i
            writer.write(IMAGE_TOPIC, i * 10**9, msg)
    assert bagtool.main(["process", str(path), str(tmp_path / "out"), "--image-topic", IMAGE_TOPIC, "--weights",
                         str(trained_weights), "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert "1 frame(s) skipped" in captured.err and "truncated frame" in captured.err
    assert "2 frames segmented" in captured.out
    got = read_all(tmp_path / "out")
    assert [m.header.stamp.sec for _, m in got[OUTPUT_TOPICS["mask"]]] == [0, 2]
    assert len(got[IMAGE_TOPIC]) == 3


@pytest.mark.parametrize("storage", ["sqlite3", "mcap"])
def test_topics_of_unknown_types_are_copied_through(tmp_path, trained_weights, storage):
    from rosbags.rosbag2 import StoragePlugin, Writer

    path = tmp_path / "custom"
    frame = next(iter(render_sequence(1, 10.0, SEED, height=64, width=80))).image
    plugin = StoragePlugin.MCAP if storage == "mcap" else StoragePlugin.SQLITE3
    writer = Writer(path, version=9, storage_plugin=plugin)
    writer.open()
    custom = writer.add_connection("/vendor/status", "vendor_msgs/msg/Status", msgdef="int32 code\n",
                                   rihs01="RIHS01_" + "ab" * 32)
    images = writer.add_connection(IMAGE_TOPIC, "sensor_msgs/msg/Image", typestore=bag_io.typestore())
    for i in range(2):
        msg = Image(height=64, width=80, encoding="mono16", step=160, data=frame.tobytes())
        writer.write(images, i * 10**9, bag_io.serialize(msg))
        writer.write(custom, i * 10**9 + 1, b"\x00\x01\x00\x00" + i.to_bytes(4, "little"))
    writer.close()
    out = tmp_path / "out"
    assert bagtool.main(["process", str(path), str(out), "--image-topic", IMAGE_TOPIC, "--weights",
                         str(trained_weights), "--no-progress"]) == 0
    with BagReader(out) as reader:
        assert reader.msgtype("/vendor/status") == "vendor_msgs/msg/Status"
        copied = [(t, data) for _, _, t, data in reader.messages(["/vendor/status"])]
    assert copied == [(1, b"\x00\x01\x00\x00\x00\x00\x00\x00"), (10**9 + 1, b"\x00\x01\x00\x00\x01\x00\x00\x00")]


def test_wrong_topic_is_a_clear_error(sample_bag, tmp_path, capsys):
    assert bagtool.main(["process", str(sample_bag), str(tmp_path / "o"), "--image-topic", "/nope",
                         "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "no topic /nope" in err and IMAGE_TOPIC in err and "Traceback" not in err
    assert bagtool.main(["process", str(sample_bag), str(tmp_path / "o"), "--image-topic", INFO_TOPIC,
                         "--no-progress"]) == 1
    assert "not an Image" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


# ------------------------------------------------------------------------------------------ damaged input


def test_damaged_sqlite_keeps_a_valid_partial_output(tmp_path, trained_weights, capsys):
    source = bagtool.make_sample(tmp_path / "in", frames=40, seed=SEED, height=160, width=200, progress=False)
    db = next(source.glob("*.db3"))
    size = db.stat().st_size
    with db.open("r+b") as f:  # wipe one page in the middle: message data the reader only meets part-way
        f.seek(size // 2 // 4096 * 4096)
        f.write(b"\xff" * 4096)
    out = tmp_path / "out"
    code = bagtool.main(["process", str(source), str(out), "--image-topic", IMAGE_TOPIC, "--weights",
                         str(trained_weights), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1
    assert str(source) in err and "damaged or truncated" in err and "Traceback" not in err
    made_it = int(err.split(" frame(s) made it")[0].rsplit(" ", 1)[-1])
    assert 0 < made_it < 40
    got = read_all(out)  # finalised: metadata and all, readable
    assert len(got[OUTPUT_TOPICS["mask"]]) == made_it
    assert len(got[OUTPUT_TOPICS["horizon"]]) == made_it
    assert len(got[IMAGE_TOPIC]) >= made_it


def test_truncated_mcap_is_a_clear_error(sample_bag, tmp_path, capsys):
    source = bagtool.make_sample(tmp_path / "in", frames=6, seed=SEED, height=64, width=80, storage="mcap",
                                 progress=False)
    mcap = next(source.glob("*.mcap"))
    os.truncate(mcap, mcap.stat().st_size // 2)
    out = tmp_path / "out"
    assert bagtool.main(["process", str(source), str(out), "--image-topic", IMAGE_TOPIC, "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert str(source) in err and "cannot open bag" in err and "Traceback" not in err
    assert not out.exists()


# ------------------------------------------------------------------------------------------ live node parity


@pytest.mark.slow
@pytest.mark.ros
def test_live_node_gives_what_process_wrote(sample_bag, processed, trained_weights, tmp_path):
    """The node over real DDS (reliable, 5 Hz: nothing dropped) and ``process`` agree bit for bit."""
    from seasky_ros.live import pick_domain_id, run_live

    live = run_live(
        sample_bag, tmp_path / "live", rate_scale=5.0 / 30.0, qos="reliable", restamp=False,
        node_params={"weights": str(trained_weights), "image_qos": "reliable",
                     "min_horizon_confidence": LOW_CONFIDENCE}, use_launch=False, mask_stride=1,
        domain_id=pick_domain_id(offset=37), log=lambda _msg: None,
    )
    assert live.node_exit_code == 0, Path(live.node_log).read_text()
    assert live.frames_in == 12 and live.frames_out == 12, Path(live.node_log).read_text()
    reference = read_all(processed[0], [OUTPUT_TOPICS["mask"], OUTPUT_TOPICS["horizon"]])
    masks = dict(reference[OUTPUT_TOPICS["mask"]])
    horizons = dict(reference[OUTPUT_TOPICS["horizon"]])
    assert sorted(live.masks) == sorted(masks) == sorted(live.received)
    for stamp, mask in masks.items():
        assert live.masks[stamp] == mask  # header, size, encoding and every label
        assert live.received[stamp].horizon == line_points(horizons[stamp])


def test_blank_frames_get_an_empty_horizon_and_their_reason_in_the_csv(tmp_path, trained_weights):
    """A lens cap (all zero) between two scenes: empty polygon in the bag, the reason in the CSV."""
    from seasky_ros.horizon import REASON_NO_CONTRAST

    path = tmp_path / "capped"
    good = next(iter(render_sequence(1, 10.0, SEED, height=64, width=80))).image
    with BagWriter(path, "sqlite3") as writer:
        for i, image in enumerate((good, np.zeros_like(good), good)):
            msg = Image(height=64, width=80, encoding="mono16", step=160, data=image.tobytes())
            msg.header.stamp.sec = i
            writer.write(IMAGE_TOPIC, i * 10**9, msg)
    csv_path = tmp_path / "horizons.csv"
    assert bagtool.main(["process", str(path), str(tmp_path / "out"), "--image-topic", IMAGE_TOPIC, "--weights",
                         str(trained_weights), "--no-progress", "--csv", str(csv_path)]) == 0
    horizons = [m for _, m in read_all(tmp_path / "out")[bagtool.OUTPUT_TOPICS["horizon"]]]
    assert len(horizons) == 3 and horizons[1].polygon.points == []
    rows = list(csv.DictReader(csv_path.open()))
    assert rows[1]["no_horizon_reason"] == REASON_NO_CONTRAST and rows[1]["x0"] == rows[1]["source"] == ""


def test_process_filters_a_flickering_blob_like_the_node(tmp_path):
    """seasky-bag process applies the node's temporal filter (default on) by header stamps: a warm box the shipped
    network reads as "other" in one frame of five is not in the output mask, unless the params file turns it off."""
    from seasky_ros.labels import OTHER
    from seasky_ros.synthetic import SceneParams, render_scene
    from seasky_ros.temporal import DEFAULT_FRAMES

    assert DEFAULT_FRAMES > 0
    plain = render_scene(SceneParams(content_seed=7, roll_deg=1.0, pitch_deg=0.5), 512, 640,
                         np.random.default_rng(7)).image
    boxed = plain.copy()
    boxed[240:254, 300:340] += 600  # just above the horizon: a boat to the network (test_node.py)
    path = tmp_path / "flicker"
    with BagWriter(path, "sqlite3") as writer:
        for i, image in enumerate([plain, plain, plain, boxed, plain]):
            msg = Image(height=512, width=640, encoding="mono16", step=1280, data=image.tobytes())
            msg.header.stamp.sec, msg.header.stamp.nanosec = 100, i * 33_333_333
            writer.write("/ir", 100 * 10**9 + i * 33_333_333, msg)
    off = tmp_path / "off.yaml"
    off.write_text("/**:\n  ros__parameters:\n    temporal_filter_frames: 0\n")
    other = {}
    for name, extra in (("default", []), ("off", ["--params-file", str(off)])):
        assert bagtool.main(["process", str(path), str(tmp_path / name), "--image-topic", "/ir", "--no-progress",
                             "--no-copy", *extra]) == 0
        masks = [image_to_numpy(m)[0] for _, m in read_all(tmp_path / name)[OUTPUT_TOPICS["mask"]]]
        other[name] = [int((m == OTHER).sum()) for m in masks]
    assert other["default"] == [0, 0, 0, 0, 0]
    assert other["off"][3] >= 400 and other["off"][:3] + other["off"][4:] == [0, 0, 0, 0]
