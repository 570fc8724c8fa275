# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""seasky-bag process --imu-topic: each frame judged with the IMU's attitude, as the node with use_imu."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("rclpy")
pytest.importorskip("rosbags")

from seasky_ros import bag as bagtool  # noqa: E402
from seasky_ros.attitude import quaternion_from_rpy  # noqa: E402
from seasky_ros.bag_io import BagReader, BagWriter, deserialize  # noqa: E402
from seasky_ros.bag_sample import imu_msg  # noqa: E402
from seasky_ros.horizon_line import horizon_from_points  # noqa: E402
from seasky_ros.horizon_prior import REASON_OUT_OF_VIEW  # noqa: E402
from seasky_ros.outputs import line_points  # noqa: E402

TOPICS = bagtool.SAMPLE_TOPICS
FRAMES = 6


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """Six full-size frames of the sample bag (the shipped network's size), its IMU exact."""
    return bagtool.make_sample(tmp_path_factory.mktemp("imu") / "sample", frames=FRAMES, seed=0, progress=False)


def with_imu(source: Path, out: Path, orientation, has_orientation: bool = True) -> Path:
    """``source`` with every IMU message's orientation replaced (a wrong or absent attitude)."""
    with BagReader(source) as reader, BagWriter(out, "sqlite3") as writer:
        imu_class = bagtool.message_class("sensor_msgs/msg/Imu")
        for name, msgtype, timestamp, data in reader.messages():
            if name == TOPICS["imu"]:
                msg = imu_msg(deserialize(data, imu_class).header, orientation)
                if not has_orientation:
                    msg.orientation_covariance[0] = -1.0
                writer.write(name, timestamp, msg)
            else:
                writer.write(name, timestamp, deserialize(data, bagtool.message_class(msgtype)))
    return out


def run(bag: Path, out: Path, *extra: str) -> tuple[int, list[dict]]:
    csv_path = out.with_suffix(".csv")
    code = bagtool.main(["process", str(bag), str(out), "--image-topic", TOPICS["image"], "--no-progress",
                         "--csv", str(csv_path), *extra])
    return code, list(csv.DictReader(csv_path.open())) if csv_path.exists() else []


def test_true_attitude_keeps_every_open_sea_line(sample, tmp_path, capsys):
    code, rows = run(sample, tmp_path / "true", "--imu-topic", TOPICS["imu"])
    assert code == 0
    out = capsys.readouterr().out
    assert f"{FRAMES} of {FRAMES} frames judged with the IMU's attitude" in out
    with BagReader(sample) as reader:
        cls = bagtool.message_class("geometry_msgs/msg/PolygonStamped")
        truths = [line_points(deserialize(data, cls)) for _, _, _, data in reader.messages([TOPICS["truth"]])]
    assert len(rows) == len(truths) == FRAMES  # both in frame order
    xs = np.arange(640, dtype=np.float64)
    for row, points in zip(rows, truths, strict=True):
        assert row["x0"] != "", f"frame {row['stamp']}: {row['no_horizon_reason']}"
        found = horizon_from_points(*(float(row[k]) for k in ("x0", "y0", "x1", "y1")), 640, 512)
        truth = horizon_from_points(*points, 640, 512)
        assert np.median(np.abs(found.y_at(xs) - truth.y_at(xs))) < 3.0


def test_an_attitude_looking_up_refuses_every_line(sample, tmp_path):
    """The same frames with an IMU that says the camera looks 40 deg up: no horizon in view, none published."""
    wrong = with_imu(sample, tmp_path / "up", quaternion_from_rpy(0.0, -40.0, 0.0))
    code, alone = run(wrong, tmp_path / "alone")
    assert code == 0 and all(r["x0"] != "" for r in alone)  # without --imu-topic the IMU is not read
    code, rows = run(wrong, tmp_path / "judged", "--imu-topic", TOPICS["imu"])
    assert code == 0 and len(rows) == FRAMES
    assert all(r["x0"] == "" and r["no_horizon_reason"] == REASON_OUT_OF_VIEW for r in rows)


def test_imu_without_orientation_is_ignored_and_said(sample, tmp_path, capsys):
    absent = with_imu(sample, tmp_path / "absent", (0.0, 0.0, 0.0, 1.0), has_orientation=False)
    code, rows = run(absent, tmp_path / "out", "--imu-topic", TOPICS["imu"])
    assert code == 0 and all(r["x0"] != "" for r in rows)
    err = capsys.readouterr().err
    assert f"0 of {FRAMES} frames judged with the IMU's attitude" in err
    assert f"{FRAMES} IMU message(s) without orientation ignored" in err


def test_a_topic_that_is_not_an_imu_is_a_clear_error(sample, tmp_path, capsys):
    code, _ = run(sample, tmp_path / "out", "--imu-topic", TOPICS["camera_info"])
    assert code != 0
    assert f"{TOPICS['camera_info']} is not a sensor_msgs/msg/Imu topic" in capsys.readouterr().err


def _quaternion(rotation: np.ndarray) -> tuple[float, float, float, float]:
    """(x, y, z, w) of a rotation matrix (its trace is large for the small rotations used here)."""
    w = math.sqrt(max(0.0, 1.0 + np.trace(rotation))) / 2.0
    return ((rotation[2, 1] - rotation[1, 2]) / (4 * w), (rotation[0, 2] - rotation[2, 0]) / (4 * w),
            (rotation[1, 0] - rotation[0, 1]) / (4 * w), w)


@pytest.fixture(scope="module")
def swell(tmp_path_factory) -> Path:
    """Nine seconds of the sample ship rolling 4 and pitching 1.5 deg, at 10 Hz: the IMU tilts both ways."""
    return bagtool.make_sample(tmp_path_factory.mktemp("swell") / "s", frames=90, rate_hz=10.0, seed=0,
                               progress=False)


def test_mount_of_the_sample_is_level(swell, capsys):
    """The sample's IMU is the camera body itself: the mount comes out within 0.3 deg of level (yaw 2 deg)."""
    assert bagtool.main(["mount", str(swell), "--image-topic", TOPICS["image"], "--imu-topic", TOPICS["imu"],
                         "--no-progress"]) == 0
    out = capsys.readouterr().out
    mount = [float(v) for v in out.split("camera_mount_rpy_deg: [")[1].split("]")[0].split(",")]
    assert abs(mount[0]) < 0.3 and abs(mount[1]) < 0.3 and abs(mount[2]) < 2.0, out
    assert "90 frames paired with the IMU" in out and "yaw fitted" in out


def test_mount_found_for_a_camera_turned_on_its_imu(swell, tmp_path):
    """The same frames with an IMU mounted so that the camera sits 2 deg rolled, 5 deg down and 10 deg to port on
    it: the mount comes back within 0.3 deg (roll, pitch) and 3 deg (yaw)."""
    from seasky_ros.attitude import rotation_from_quaternion, rotation_from_rpy
    from seasky_ros.bag_mount import mount_from_bag

    mount = rotation_from_rpy(2.0, 5.0, 10.0)
    imu_class = bagtool.message_class("sensor_msgs/msg/Imu")
    out = tmp_path / "mounted"
    with BagReader(swell) as reader, BagWriter(out, "sqlite3") as writer:
        for name, msgtype, timestamp, data in reader.messages():
            msg = deserialize(data, bagtool.message_class(msgtype))
            if name == TOPICS["imu"]:
                q = msg.orientation
                camera = rotation_from_quaternion((q.x, q.y, q.z, q.w))  # the camera body in the world
                msg = imu_msg(deserialize(data, imu_class).header, _quaternion(camera @ mount.T))
            writer.write(name, timestamp, msg)
    report = mount_from_bag(out, TOPICS["image"], TOPICS["imu"], every=2, progress=False)
    assert report.pairs == report.frames == 45 and report.fit.yaw_fitted
    roll, pitch, yaw = report.fit.mount_rpy_deg
    assert roll == pytest.approx(2.0, abs=0.3) and pitch == pytest.approx(5.0, abs=0.3)
    assert yaw == pytest.approx(10.0, abs=3.0)


def test_mount_needs_an_imu_topic_and_camera_info(swell, tmp_path):
    from seasky_ros.bag_mount import mount_from_bag

    with pytest.raises(bagtool.BagError, match="is not a sensor_msgs/msg/Imu topic"):
        mount_from_bag(swell, TOPICS["image"], TOPICS["camera_info"], progress=False)
    uncalibrated = tmp_path / "no_info"
    with BagReader(swell) as reader, BagWriter(uncalibrated, "sqlite3") as writer:
        for name, msgtype, timestamp, data in reader.messages([TOPICS["image"], TOPICS["imu"]]):
            writer.write(name, timestamp, deserialize(data, bagtool.message_class(msgtype)))
    with pytest.raises(bagtool.BagError, match="no sensor_msgs/msg/CameraInfo topic"):
        mount_from_bag(uncalibrated, TOPICS["image"], TOPICS["imu"], progress=False)


def test_mount_names_a_camera_info_topic_that_is_not_one(swell):
    from seasky_ros.bag_mount import mount_from_bag

    for topic in ("/nope", TOPICS["truth"]):
        with pytest.raises(bagtool.BagError, match=f"{topic} is not a sensor_msgs/msg/CameraInfo topic"):
            mount_from_bag(swell, TOPICS["image"], TOPICS["imu"], camera_info_topic=topic, progress=False)


def test_mount_pairs_frames_whose_camera_info_and_imu_come_after_them(swell, tmp_path):
    """A bag written topic by topic (images first, then CameraInfo, then the IMU): every frame still pairs."""
    from seasky_ros.bag_mount import mount_from_bag

    late = tmp_path / "late"
    with BagReader(swell) as reader:
        by_topic = {}
        for name, msgtype, timestamp, data in reader.messages():
            by_topic.setdefault(name, []).append((msgtype, timestamp, data))
    with BagWriter(late, "sqlite3") as writer:
        offset = 0
        for name in (TOPICS["image"], TOPICS["camera_info"], TOPICS["imu"]):
            for msgtype, _, data in by_topic[name]:
                # bag time in write order; the header stamps, which the pairing uses, are the originals
                writer.write(name, 10**9 * offset, deserialize(data, bagtool.message_class(msgtype)))
                offset += 1
    report = mount_from_bag(late, TOPICS["image"], TOPICS["imu"], every=3, progress=False)
    assert report.frames == report.lines == report.pairs == 30
    assert max(abs(v) for v in report.fit.mount_rpy_deg[:2]) < 0.3


def test_a_frame_the_imu_reached_too_late_for_the_network_pass_is_still_judged(sample):
    """OutputBuilder.start without an orientation (the IMU lags the camera), finish with one: the line is judged
    by it (an attitude looking 40 deg up: none), as the node does when the IMU message comes in between."""
    from seasky_ros.outputs import OutputBuilder
    from seasky_ros.segmenter import Segmenter

    with BagReader(sample) as reader:
        msgs = {}
        for name, msgtype, _, data in reader.messages([TOPICS["image"], TOPICS["camera_info"]]):
            msgs.setdefault(name, deserialize(data, bagtool.message_class(msgtype)))
    builder = OutputBuilder(Segmenter.from_file(device="cpu"))
    image, info = msgs[TOPICS["image"]], msgs[TOPICS["camera_info"]]
    alone = builder.finish(builder.start(image, False, info), info)
    assert alone["result"].horizon is not None
    begun = builder.start(image, False, info)  # no orientation yet
    assert begun.started.prior is None
    judged = builder.finish(begun, info, orientation=quaternion_from_rpy(0.0, -40.0, 0.0))
    assert judged["result"].horizon is None and judged["result"].horizon_reason == REASON_OUT_OF_VIEW
