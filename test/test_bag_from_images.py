# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""seasky-bag from-images (real bags written and read with rosbags, then processed), and the node's default
Fast DDS profile when started by its console script."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

pytest.importorskip("rclpy")
pytest.importorskip("rosbags")

from seasky_ros import bag as bagtool  # noqa: E402
from seasky_ros.bag_io import BagReader, deserialize  # noqa: E402
from seasky_ros.fastdds import use_shipped_fastdds_profile  # noqa: E402
from seasky_ros.interface import FASTDDS_PROFILE  # noqa: E402
from seasky_ros.ros_image import image_to_numpy  # noqa: E402
from seasky_ros.synthetic import render_sequence  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
H, W = 96, 128
CALIBRATION = f"""image_width: {W}
image_height: {H}
camera_name: ir
camera_matrix: {{rows: 3, cols: 3, data: [150.0, 0, 63.5, 0, 150.0, 47.5, 0, 0, 1]}}
distortion_model: plumb_bob
distortion_coefficients: {{rows: 1, cols: 5, data: [0.1, 0, 0, 0, 0]}}
"""


def _messages(path: Path) -> dict[str, list]:
    out: dict[str, list] = {}
    with BagReader(path) as reader:
        for topic, msgtype, timestamp, data in reader.messages():
            out.setdefault(topic, []).append((timestamp, deserialize(data, bagtool.message_class(msgtype))))
    return out


@pytest.fixture(scope="module")
def frames(tmp_path_factory) -> tuple[Path, list[np.ndarray]]:
    """Four 16-bit synthetic frames named so that name order is time order."""
    root = tmp_path_factory.mktemp("frames")
    images = [f.image for f in render_sequence(4, 10.0, 5, height=H, width=W)]
    for i, image in enumerate(images):
        cv2.imwrite(str(root / f"frame_{i:03d}.png"), image)
    (root / "notes.txt").write_text("not a frame")
    return root, images


def test_an_image_folder_becomes_a_camera_bag_the_node_code_reads(frames, tmp_path, trained_weights):
    root, images = frames
    (tmp_path / "ir.yaml").write_text(CALIBRATION)
    out = tmp_path / "bag"
    assert bagtool.main(["from-images", str(root), str(out), "--rate", "10", "--camera-info", str(tmp_path / "ir.yaml"),
                         "--topic", "/ir/image_raw"]) == 0
    got = _messages(out)
    assert sorted(got) == ["/ir/camera_info", "/ir/image_raw"]
    stamps = [t for t, _ in got["/ir/image_raw"]]
    assert np.diff(stamps).tolist() == [100_000_000] * 3, "one frame every 1/rate s, in name order"
    for (t, msg), image in zip(got["/ir/image_raw"], images, strict=True):
        array, encoding = image_to_numpy(msg)
        assert encoding == "mono16" and msg.header.stamp.sec * 10**9 + msg.header.stamp.nanosec == t
        np.testing.assert_array_equal(array, image)
    info = got["/ir/camera_info"][0][1]
    assert (info.width, info.height) == (W, H) and list(info.k) == [150.0, 0, 63.5, 0, 150.0, 47.5, 0, 0, 1]
    assert list(info.d)[0] == pytest.approx(0.1) and list(info.p)[:3] == [150.0, 0, 63.5]
    processed = tmp_path / "processed"
    assert bagtool.main(["process", str(out), str(processed), "--image-topic", "/ir/image_raw", "--weights",
                         str(trained_weights), "--no-progress"]) == 0
    result = _messages(processed)
    masks = result[bagtool.OUTPUT_TOPICS["mask"]]
    assert [t for t, _ in masks] == stamps and image_to_numpy(masks[0][1])[0].shape == (H, W)
    assert len(result[bagtool.OUTPUT_TOPICS["attitude"]]) > 0, "CameraInfo reached the node's code"


def test_eight_bit_frames_as_mono16_and_the_refusals(frames, tmp_path, capsys):
    root, images = frames
    eight = tmp_path / "eight"
    eight.mkdir()
    small = (images[0] >> 8).astype(np.uint8)
    cv2.imwrite(str(eight / "a.png"), small)
    assert bagtool.main(["from-images", str(eight), str(tmp_path / "b16"), "--rate", "5", "--encoding", "mono16"]) == 0
    (_, msg), = _messages(tmp_path / "b16")["/camera/image_raw"]
    np.testing.assert_array_equal(image_to_numpy(msg)[0], small.astype(np.uint16) * 257)
    capsys.readouterr()
    refusals = [
        ([str(root), str(tmp_path / "x1"), "--rate", "5", "--encoding", "mono8"], "16-bit"),
        ([str(tmp_path / "nothing"), str(tmp_path / "x2"), "--rate", "5"], "not a directory"),
        ([str(root), str(tmp_path / "x3"), "--rate", "0"], "--rate"),
        ([str(root), str(tmp_path / "b16"), "--rate", "5"], "exists"),
    ]
    (tmp_path / "wrong.yaml").write_text(CALIBRATION.replace(f"image_width: {W}", "image_width: 640"))
    refusals.append(([str(root), str(tmp_path / "x4"), "--rate", "5", "--camera-info", str(tmp_path / "wrong.yaml")],
                     "calibrated for 640x96"))
    for args, words in refusals:
        assert bagtool.main(["from-images", *args]) == 1, args
        err = capsys.readouterr().err
        assert words in err and len(err.strip().splitlines()) == 1, err
    assert not any((tmp_path / f"x{i}").exists() for i in range(1, 5)), "nothing half-written"


def test_console_script_node_takes_the_shipped_fastdds_profile_when_none_is_set(tmp_path):
    env = {"ROS_DISTRO": "kilted"}
    line = use_shipped_fastdds_profile(env)
    assert env["FASTDDS_DEFAULT_PROFILES_FILE"].endswith(FASTDDS_PROFILE) and Path(env[
        "FASTDDS_DEFAULT_PROFILES_FILE"]).is_file() and "FASTRTPS_DEFAULT_PROFILES_FILE" not in env
    assert FASTDDS_PROFILE in line
    wheels = {}  # no ROS_DISTRO: the pip wheels (Kilted, Fast DDS 3), which warn about the old name
    use_shipped_fastdds_profile(wheels)
    assert list(wheels) == ["FASTDDS_DEFAULT_PROFILES_FILE"]
    humble = {"ROS_DISTRO": "humble"}
    use_shipped_fastdds_profile(humble)
    assert list(humble) == ["ROS_DISTRO", "FASTRTPS_DEFAULT_PROFILES_FILE"]
    for chosen in ({"FASTDDS_DEFAULT_PROFILES_FILE": ""}, {"FASTRTPS_DEFAULT_PROFILES_FILE": "/mine.xml"},
                   {"RMW_IMPLEMENTATION": "rmw_cyclonedds_cpp"}):
        before = dict(chosen)
        assert use_shipped_fastdds_profile(chosen) is None and chosen == before
    # the real process: the start-up log says which profile it took
    env = {k: v for k, v in os.environ.items() if k not in ("FASTDDS_DEFAULT_PROFILES_FILE",
                                                            "FASTRTPS_DEFAULT_PROFILES_FILE")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env["ROS_DOMAIN_ID"] = "87"
    cmd = [sys.executable, "-m", "seasky_ros.node", "--ros-args", "-p", f"weights:={tmp_path / 'none.pt'}"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    text = proc.stdout + proc.stderr
    assert proc.returncode == 1 and "Fast DDS profile: the shipped" in text and FASTDDS_PROFILE in text, text
    assert "deprecated" not in text, text
    env["FASTDDS_DEFAULT_PROFILES_FILE"] = ""
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "Fast DDS profile" not in proc.stdout + proc.stderr


def test_a_distant_coasts_waterline_reaches_the_bag_and_the_csv_as_such(real_data, tmp_path):
    """Real MAR-DCT frames (a coast km away hides the horizon) through a real bag and the shipped weights:
    the ~/horizon polygon says waterline (second point's z = 1) and so does the CSV's source column."""
    import csv
    import shutil

    frames = tmp_path / "frames"
    frames.mkdir()
    for stem in ("ir-3_264", "ir-3_279", "ir-3_297"):  # held-out labelled frames (data/mardct-coast/heldout)
        shutil.copy(real_data / "mardct-coast-train" / "images" / f"{stem}.png", frames / f"{stem}.png")
    camera, out = tmp_path / "camera", tmp_path / "out"
    assert bagtool.main(["from-images", str(frames), str(camera), "--rate", "10", "--topic", "/ir/image_raw"]) == 0
    assert bagtool.main(["process", str(camera), str(out), "--image-topic", "/ir/image_raw",
                         "--csv", str(tmp_path / "horizons.csv"), "--no-progress"]) == 0
    lines = [msg for _, msg in _messages(out)[bagtool.OUTPUT_TOPICS["horizon"]]]
    rows = list(csv.DictReader((tmp_path / "horizons.csv").open()))
    assert len(lines) == len(rows) == 3
    for msg, row in zip(lines, rows, strict=True):
        assert len(msg.polygon.points) == 2 and msg.polygon.points[1].z == 1.0
        assert row["source"] == "waterline" and row["no_horizon_reason"] == ""
        assert float(row["confidence"]) == pytest.approx(msg.polygon.points[0].z, abs=1e-3)
        assert 0.3 <= float(row["confidence"]) <= 1.0
        assert 225.0 < 0.5 * (float(row["y0"]) + float(row["y1"])) < 240.0  # the waterline, not the coast's top
