# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The segmenter node given bad input over real DDS, and refusing to start on bad weights or parameters."""

from __future__ import annotations

import time

import numpy as np
import pytest

rclpy = pytest.importorskip("rclpy")

from node_harness import NODE, H, W, send, stamp_of, start_node_process, wait_until  # noqa: E402
from rclpy.parameter import Parameter  # noqa: E402
from sensor_msgs.msg import CameraInfo, CompressedImage, Image  # noqa: E402

from seasky_ros.horizon import camera_attitude, horizon_from_points  # noqa: E402
from seasky_ros.node import SegmentNode  # noqa: E402
from seasky_ros.ros_image import numpy_to_compressed  # noqa: E402

pytestmark = pytest.mark.ros


# ---------------------------------------------------------------------------------------- bad input


def test_bad_frames_are_skipped_and_good_ones_still_answered(ros, outputs, camera, scenes):
    stats = ros.node.stats
    good = scenes[0].image
    truncated = ros.frame(good)
    truncated.data = truncated.data[: len(truncated.data) // 2]
    bad_frames = [
        Image(header=ros.header(), height=4, width=4, step=8, encoding="yuv422", data=bytes(32)),
        truncated,
        Image(header=ros.header(), height=0, width=0, step=0, encoding="mono16"),
        Image(header=ros.header(), height=4, width=4, step=2, encoding="mono16", data=bytes(32)),
    ]
    for msg in bad_frames:
        errors = stats.snapshot().errors
        camera.publish(msg)
        assert wait_until(lambda e=errors: stats.snapshot().errors > e, 10.0), f"{msg.encoding} frame not rejected"
        assert stamp_of(msg) not in outputs["mask"].messages
    assert "frame skipped" in ros.node._last_error

    nan_frame = good.astype(np.float32)
    nan_frame[:20] = np.nan
    nan_frame[300:310, 100:110] = np.inf
    mask = send(ros, camera, ros.frame(nan_frame, "32FC1"), outputs["mask"])
    assert mask is not None and (mask.height, mask.width) == (H, W)

    import cv2

    small = cv2.resize(good, (W // 2, H // 2), interpolation=cv2.INTER_AREA)
    mask = send(ros, camera, ros.frame(small), outputs["mask"])
    assert mask is not None and (mask.height, mask.width) == (H // 2, W // 2)

    for image, encoding in ((good, "mono16"), (cv2.cvtColor((good >> 6).astype(np.uint8), cv2.COLOR_GRAY2BGR), "bgr8")):
        msg = ros.frame(image, encoding)
        mask = send(ros, camera, msg, outputs["mask"])
        assert mask is not None and (mask.height, mask.width) == (H, W)
        assert len(outputs["horizon"].get(stamp_of(msg)).polygon.points) == 2


def test_bad_camera_info_is_warned_once_ignored_and_reported(ros, outputs, camera, scenes, capfd):
    scene = scenes[1]
    info_pub = ros.publisher("/camera_info", reliable=True, msg_type=CameraInfo)
    good = CameraInfo(width=W, height=H, k=[float(v) for v in scene.K.ravel()])
    bad = CameraInfo(width=W, height=H, k=[*good.k[:8], 0.0])  # K[2,2] = 0: pitch -17 deg, roll -180 deg
    info_pub.publish(good)
    assert wait_until(lambda: ros.node._camera_info is not None and not ros.node._camera_info_problem, 5.0)
    for _ in range(5):
        info_pub.publish(bad)
        time.sleep(0.05)
    assert wait_until(lambda: "pinhole" in ros.node._camera_info_state(), 5.0)
    assert "earlier one is in use" in ros.node._camera_info_state()
    msg = ros.frame(scene.image)
    assert send(ros, camera, msg, outputs["mask"]) is not None
    attitude = outputs["attitude"].get(stamp_of(msg), timeout=3.0)
    points = outputs["horizon"].get(stamp_of(msg)).polygon.points
    expected = camera_attitude(horizon_from_points(points[0].x, points[0].y, points[1].x, points[1].y, W, H), scene.K)
    assert attitude is not None and attitude.vector.x == pytest.approx(expected[0], abs=1e-6)  # the good K
    warnings = [line for line in capfd.readouterr().err.splitlines() if "camera_info ignored" in line]
    assert len(warnings) == 1, warnings
    info_pub.publish(good)
    assert wait_until(lambda: ros.node._camera_info_state() == "received", 5.0)
    ros.client.destroy_publisher(info_pub)


def test_resolution_changes_are_logged_at_most_once_per_period(ros, outputs, camera, scenes, capfd):
    import cv2

    small = cv2.resize(scenes[0].image, (W // 2, H // 2), interpolation=cv2.INTER_AREA)
    for image in (scenes[0].image, small, scenes[0].image, small, scenes[0].image):
        assert send(ros, camera, ros.frame(image), outputs["mask"]) is not None
    lines = [line for line in capfd.readouterr().err.splitlines() if "input resolution changed" in line]
    assert len(lines) <= 1, lines


def test_a_rejected_parameter_request_changes_nothing(ros):
    node, seg = ros.node, ros.node.segmenter
    before = (seg.normalization.low_pct, seg.normalization.high_pct)
    results = ros.set_parameters(NODE, normalization__low_pct=90.0, normalization__high_pct=10.0)
    assert len(results) == 2 and not any(r.successful for r in results)
    assert "nothing in this request was changed" in results[0].reason
    assert (seg.normalization.low_pct, seg.normalization.high_pct) == before
    assert node.get_parameter("normalization.low_pct").value == before[0]
    results = ros.set_parameters(NODE, publish_overlay=False, min_horizon_confidence=1.5)  # the second is invalid
    assert not any(r.successful for r in results) and node.publish_overlay is True
    assert node.get_parameter("publish_overlay").value is True
    # judged as a whole: both ends move above the old high end in one call, which one at a time could not
    assert all(r.successful for r in ros.set_parameters(NODE, normalization__low_pct=99.2,
                                                        normalization__high_pct=99.8))
    assert (seg.normalization.low_pct, seg.normalization.high_pct) == (99.2, 99.8)
    assert all(r.successful for r in ros.set_parameters(NODE, normalization__low_pct=before[0],
                                                        normalization__high_pct=before[1]))
    assert (seg.normalization.low_pct, seg.normalization.high_pct) == before


def test_compressed_topic_follows_the_image_remapping_and_large_frames_are_refused(ros, scenes, trained_weights):
    """image_transport's convention (``-r image:=X`` -> ``X/compressed``) and max_frame_pixels over DDS."""
    params = {"weights": str(trained_weights), "input_compressed": True, "max_frame_pixels": H * W}
    node = SegmentNode(context=ros.context, namespace="bounded",
                       cli_args=["--ros-args", "-r", "image:=/bounded_cam/raw"],
                       parameter_overrides=[Parameter(k, value=v) for k, v in params.items()])
    ros.executor.add_node(node)
    try:
        assert node.image_sub.topic_name == "/bounded_cam/raw/compressed"
        masks = ros.collector(Image, f"/bounded/{NODE}/mask")
        pub = ros.publisher("/bounded_cam/raw/compressed", reliable=True, msg_type=CompressedImage, node=node)
        bomb = numpy_to_compressed(np.zeros((2 * H, W), np.uint8), "png", ros.header())  # a few KB, twice the limit
        assert len(bomb.data) < 20_000
        errors = node.stats.snapshot().errors
        pub.publish(bomb)
        assert wait_until(lambda: node.stats.snapshot().errors > errors, 10.0)
        assert f"{W}x{2 * H}" in node._last_error and f"{H * W}-pixel limit" in node._last_error
        assert stamp_of(bomb) not in masks.messages
        assert send(ros, pub, numpy_to_compressed(scenes[0].image, "png", ros.header()), masks) is not None
    finally:
        ros.stop_node(node)


# ---------------------------------------------------------------------------------------- start-up


def test_missing_weights_is_a_clear_fatal_error(tmp_path):
    missing = tmp_path / "no_such_weights.pt"
    proc, log = start_node_process(tmp_path, "missing", "-p", f"weights:={missing}")
    code = proc.wait(timeout=60.0)
    text = log.read_text()
    assert code != 0
    assert str(missing) in text and "not found" in text
    assert "Traceback" not in text


def test_missing_params_file_is_one_line(tmp_path):
    missing = tmp_path / "no_such_params.yaml"
    proc, log = start_node_process(tmp_path, "noparams", "--params-file", str(missing))
    code = proc.wait(timeout=60.0)
    text = log.read_text().strip()
    assert code != 0 and str(missing) in text and "Traceback" not in text
    assert len(text.splitlines()) == 1, text


def test_invalid_parameter_is_a_clear_fatal_error(tmp_path, trained_weights):
    proc, log = start_node_process(tmp_path, "invalid", "-p", f"weights:={trained_weights}",
                                   "-p", "min_horizon_confidence:=1.5")
    code = proc.wait(timeout=60.0)
    text = log.read_text()
    assert code != 0 and "min_horizon_confidence" in text and "Traceback" not in text


def test_corrupt_weights_is_a_clear_fatal_error(tmp_path):
    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"this is not a weights file")
    proc, log = start_node_process(tmp_path, "corrupt", "-p", f"weights:={corrupt}")
    code = proc.wait(timeout=60.0)
    text = log.read_text()
    assert code != 0 and str(corrupt) in text and "Traceback" not in text
