# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The segmenter node's outputs over real DDS: content, headers, horizon, attitude, QoS, parameters."""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np
import pytest

rclpy = pytest.importorskip("rclpy")

from diagnostic_msgs.msg import DiagnosticArray  # noqa: E402
from geometry_msgs.msg import PolygonStamped, Vector3Stamped  # noqa: E402
from node_harness import NODE, H, W, qos, send, stamp_of, wait_until  # noqa: E402
from sensor_msgs.msg import CameraInfo, CompressedImage, Image  # noqa: E402
from std_msgs.msg import Header  # noqa: E402

from seasky_ros.horizon import camera_attitude, horizon_from_points  # noqa: E402
from seasky_ros.labels import OTHER  # noqa: E402
from seasky_ros.outputs import (  # noqa: E402
    HorizonSmoother,
    attitude_msg,
    build_outputs,
    camera_info_problem,
    camera_matrix,
    horizon_from_msg,
    horizon_msg,
    horizon_state,
)
from seasky_ros.ros_image import numpy_to_compressed  # noqa: E402
from seasky_ros.segmenter import Result, Segmenter  # noqa: E402
from seasky_ros.weights import default_int8_path, default_weights_path  # noqa: E402

pytestmark = pytest.mark.ros


# ---------------------------------------------------------------------------------------- messages (no DDS)


def _header(sec: int = 5, nanosec: int = 250, frame_id: str = "ir") -> Header:
    header = Header(frame_id=frame_id)
    header.stamp.sec, header.stamp.nanosec = sec, nanosec
    return header


def test_output_messages_are_pure_functions_of_result_and_header():
    labels = np.zeros((48, 64), np.uint8)
    labels[20:] = 1
    labels[30:35, 5:9] = 2
    line = horizon_from_points(0, 19.6, 63, 20.4, 64, 48)
    K = np.array([[60.0, 0, 31.5], [0, 60.0, 23.5], [0, 0, 1]])
    frame = np.linspace(7000, 9000, 48 * 64).reshape(48, 64).astype(np.uint16)
    header = _header()
    out = build_outputs(Result(labels, line), header, frame, "mono16", K=K, want_overlay=True)
    assert set(out) == {"result", "mask", "horizon", "attitude", "overlay", "overlay_bgr"}
    for key in ("mask", "horizon", "attitude", "overlay"):
        assert out[key].header == header, key
    assert (out["mask"].encoding, out["mask"].height, out["mask"].width) == ("mono8", 48, 64)
    np.testing.assert_array_equal(np.frombuffer(out["mask"].data, np.uint8).reshape(48, 64), labels)
    points = [c for p in out["horizon"].polygon.points for c in (p.x, p.y, p.z)]  # Point32: float32
    assert points == pytest.approx([0, 19.6, 1.0, 63, 20.4, 0], abs=1e-5)  # z: confidence 1, source 0 (sky->sea)
    back = horizon_from_msg(out["horizon"], 64, 48)
    assert (back.y0, back.y1) == pytest.approx((19.6, 20.4), abs=1e-5)
    assert (back.confidence, back.source) == (1.0, "sky-sea")
    waterline = dataclasses.replace(line, confidence=0.625, source="waterline")
    back = horizon_from_msg(build_outputs(Result(labels, waterline), header, frame, "mono16")["horizon"], 64, 48)
    assert (back.confidence, back.source) == (0.625, "waterline")
    assert horizon_state(Result(labels, waterline)) == "waterline, confidence 0.62"  # diagnostics' `horizon`
    roll, pitch = camera_attitude(line, K)
    assert (out["attitude"].vector.x, out["attitude"].vector.y, out["attitude"].vector.z) == \
        pytest.approx((roll, pitch, 0.0))
    assert (out["overlay"].encoding, out["overlay"].height, out["overlay"].width) == ("bgr8", 48, 64)
    again = build_outputs(Result(labels, line), header, frame, "mono16", K=K, want_overlay=True)
    assert bytes(again["overlay"].data) == bytes(out["overlay"].data)  # no state: same input, same bytes

    plain = build_outputs(Result(labels, None), header, frame, "mono16")
    assert plain["overlay"] is None and plain["attitude"] is None
    assert len(plain["horizon"].polygon.points) == 0 and plain["horizon"].header == header
    assert horizon_from_msg(plain["horizon"], 64, 48) is None
    assert attitude_msg(line, None, header) is None and attitude_msg(None, K, header) is None
    assert horizon_msg(None, header).polygon.points == []


def test_camera_matrix_scales_to_the_frame_and_rejects_uncalibrated_info():
    info = CameraInfo(width=640, height=512, k=[500.0, 0, 320, 0, 510.0, 256, 0, 0, 1])
    np.testing.assert_allclose(camera_matrix(info, 640, 512), np.reshape(info.k, (3, 3)))
    np.testing.assert_allclose(camera_matrix(info, 320, 256), [[250, 0, 160], [0, 255, 128], [0, 0, 1]])
    assert camera_matrix(CameraInfo(width=640, height=512), 640, 512) is None  # all-zero K: uncalibrated
    assert camera_matrix(None, 640, 512) is None


@pytest.mark.parametrize(("k", "size", "words"), [
    ([0.0] * 9, (640, 512), "uncalibrated"),
    ([-500.0, 0, 320, 0, 500, 256, 0, 0, 1], (640, 512), "positive"),
    ([math.nan, 0, 320, 0, 500, 256, 0, 0, 1], (640, 512), "NaN or inf"),
    ([math.inf, 0, 320, 0, 500, 256, 0, 0, 1], (640, 512), "NaN or inf"),
    ([500.0, 0, 320, 0, 500, 256, 0, 0, 0], (640, 512), "pinhole"),
    ([500.0, 0, 320, 0, 500, 256, 0, 0, 2], (640, 512), "pinhole"),
    ([500.0, 300, 320, 0, 500, 256, 0, 0, 1], (640, 512), "skew"),
    ([1e308, 0, 0.5, 0, 1e308, 0.5, 0, 0, 1], (1, 1), "absurd"),
    ([500.0, 0, 5000, 0, 500, 256, 0, 0, 1], (640, 512), "principal point"),
])
def test_camera_info_that_cannot_give_an_attitude_is_named(k, size, words):
    info = CameraInfo(width=size[0], height=size[1], k=k)
    problem = camera_info_problem(info)
    assert problem is not None and words in problem
    assert camera_matrix(info, *size) is None
    line = horizon_from_points(0.0, 200.0, 639.0, 230.0, 640, 512)
    raw = attitude_msg(line, np.reshape(info.k, (3, 3)), _header())  # if K were used anyway: never a NaN angle
    assert raw is None or (math.isfinite(raw.vector.x) and math.isfinite(raw.vector.y))
    assert camera_info_problem(CameraInfo(width=640, height=512, k=[500.0, 0, 320, 0, 510, 256, 0, 0, 1])) is None


def test_horizon_smoother():
    size = (100, 200)
    low, high = horizon_from_points(0, 40, 199, 40, 200, 100), horizon_from_points(0, 60, 199, 60, 200, 100)
    off = HorizonSmoother(0.0)
    assert off(low, size, 0.0) is low and off(high, size, 0.1) is high
    smoother = HorizonSmoother(0.5, reset_after_s=1.0)
    assert smoother(low, size, 0.0).y0 == 40
    smoothed = smoother(high, size, 0.1)
    assert (smoothed.y0, smoothed.y1) == pytest.approx((50, 50)) and smoothed.confidence == high.confidence
    assert smoother(high, size, 0.2).y0 == pytest.approx(55)
    assert smoother(None, size, 0.3) is None  # never invents a line
    assert smoother(low, size, 0.4).y0 == pytest.approx(47.5)  # a short gap keeps the state
    assert smoother(high, size, 2.0).y0 == 60  # lost for longer than reset_after_s: starts afresh
    assert smoother(low, size, 1.0).y0 == 40  # stamps going back (a bag restarting): afresh
    assert smoother(horizon_from_points(0, 20, 99, 20, 100, 50), (50, 100), 1.1).y0 == 20  # new resolution
    tilted = HorizonSmoother(0.5)  # upside down, rolling through 180 deg: smoothed through 180, not through 0
    tilted(horizon_from_points(99, 20, 0, 30, 100, 50), (50, 100), 0.0)
    across = tilted(horizon_from_points(99, 30, 0, 20, 100, 50), (50, 100), 0.1)
    assert across.angle_deg == 180.0 and across.y0 == pytest.approx(25.0, abs=0.01) and across.x0 == 99.0


# ---------------------------------------------------------------------------------------- outputs


def test_outputs_content_headers_and_horizon(ros, outputs, camera, scenes, offline):
    """The node publishes exactly what the Segmenter computes offline from the same frame and weights.

    How accurate that is belongs to the shipped weights' gate (test_accuracy_gate.py); the 4-epoch
    test model is rough (about 20 px off on these scenes). Here every pixel and the line must agree.
    """
    latencies = []
    for scene in scenes:
        msg = ros.frame(scene.image)
        sent = time.monotonic()
        mask = send(ros, camera, msg, outputs["mask"])
        assert mask is not None, "no mask for a frame"
        latencies.append(outputs["mask"].receipts[stamp_of(msg)] - sent)
        horizon = outputs["horizon"].get(stamp_of(msg))
        assert horizon is not None
        for out in (mask, horizon):
            assert out.header.stamp == msg.header.stamp and out.header.frame_id == "ir_camera"
        assert (mask.encoding, mask.height, mask.width, mask.step) == ("mono8", H, W, W)
        expected = offline.segment(scene.image, "mono16")
        np.testing.assert_array_equal(np.frombuffer(mask.data, np.uint8).reshape(H, W), expected.labels)
        assert expected.horizon is not None
        points = horizon.polygon.points
        assert len(points) == 2 and (points[0].x, points[1].x) == (0.0, W - 1)
        assert (points[0].y, points[1].y) == pytest.approx((expected.horizon.y0, expected.horizon.y1), abs=1e-4)
        # confidence in the first point's z, the source in the second's (0: the sky->sea boundary)
        assert points[0].z == pytest.approx(expected.horizon.confidence, abs=1e-6) and 0.0 < points[0].z <= 1.0
        assert points[1].z == 0.0
    print(f"publish->mask latency ms: {[round(1e3 * t, 1) for t in latencies]}")
    assert outputs["attitude"].order == []  # no camera_info yet: no attitude


def test_no_horizon_in_view_gives_an_empty_polygon(ros, outputs, camera, offline):
    sky_only = np.full((H, W), 7000, np.uint16) + np.random.default_rng(1).integers(0, 4, (H, W), dtype=np.uint16)
    assert offline.segment(sky_only, "mono16").horizon is None, "the test model finds a horizon in a blank sky"
    msg = ros.frame(sky_only)
    assert send(ros, camera, msg, outputs["mask"]) is not None
    horizon = outputs["horizon"].get(stamp_of(msg))
    assert horizon is not None, "no horizon message: 'no horizon' must still be sent"
    assert len(horizon.polygon.points) == 0
    assert horizon.header.stamp == msg.header.stamp and horizon.header.frame_id == "ir_camera"
    assert stamp_of(msg) not in outputs["attitude"].messages


def test_camera_info_gives_attitude(ros, outputs, camera, scenes):
    """CameraInfo calibrated at 1280x2048 (x2 across, x4 down) for the 640x512 stream: the node scales
    each axis by its own factor, so the attitude equals the one from the stream's own K."""
    scene = scenes[1]
    info_pub = ros.publisher("/camera_info", reliable=True, msg_type=CameraInfo)
    calibrated = scene.K * np.array([[2.0], [4.0], [1.0]])
    attitude = None
    for _ in range(10):
        info = CameraInfo(width=2 * W, height=4 * H, k=[float(v) for v in calibrated.ravel()])
        info.header = ros.header()
        info_pub.publish(info)
        time.sleep(0.1)
        msg = ros.frame(scene.image)
        camera.publish(msg)
        attitude = outputs["attitude"].get(stamp_of(msg), timeout=3.0)
        if attitude is not None:
            break
    assert attitude is not None, "no horizon_attitude after camera_info"
    assert attitude.header.frame_id == "ir_camera" and attitude.header.stamp == msg.header.stamp
    horizon = outputs["horizon"].get(stamp_of(msg))
    points = horizon.polygon.points
    expected = camera_attitude(horizon_from_points(points[0].x, points[0].y, points[1].x, points[1].y, W, H), scene.K)
    assert attitude.vector.x == pytest.approx(expected[0], abs=1e-6)
    assert attitude.vector.y == pytest.approx(expected[1], abs=1e-6)
    assert attitude.vector.z == 0.0
    ros.client.destroy_publisher(info_pub)


def warm_sea_network(path) -> None:
    """A real U-Net whose weights are set by hand to label by temperature alone: cold sky, warm sea, either way up.

    The trained test model (and the shipped one) has learnt that the sky is at the top; a network
    trained for roll labels an upside-down frame right, and this one stands in for it, so the node's
    part (line, sky side, attitude over DDS) is checked on its own. Input -> the identity path
    (``inc``, then the decoder's skip), lifted by BIAS through the ReLUs; logits sea - sky = 2 x input.
    """
    import torch

    from seasky_ros.model import UNet, UNetConfig
    from seasky_ros.preprocess import Normalization
    from seasky_ros.weights import build_meta, save_weights

    config = UNetConfig(in_channels=1, num_classes=3, base=1, depth=1, bilinear=True)
    model = UNet(config).eval()
    bias = 10.0
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.zero_()
        for block, channel in ((model.inc.block, 0), (model.ups[0].conv.block, 0)):
            block[0].weight[0, channel, 1, 1] = 1.0  # the input (or the skip: channel 0 of the join)
            block[1].weight.fill_(1.0)
            block[1].bias.fill_(bias)
            block[3].weight[0, 0, 1, 1] = 1.0
            block[4].weight.fill_(1.0)
        for block in (model.downs[0].conv.block,):
            block[1].weight.fill_(1.0)
            block[4].weight.fill_(1.0)
        model.ups[0].conv.block[1].bias.fill_(0.0)  # the skip carries the lift already
        model.outc.weight[:2, 0, 0, 0] = torch.tensor([-1.0, 1.0])  # sky, sea
        model.outc.bias[:] = torch.tensor([bias, -bias, -100.0])
    save_weights(path, model, build_meta(config, (128, 160), Normalization()))


def test_an_upside_down_camera_publishes_the_sky_side_and_roll_180(ros, tmp_path):
    """Mounted upside down: the polygon runs right to left (the sky on its left is below it), the roll is 180 deg."""
    warm_sea_network(tmp_path / "warm_sea.pt")
    node = ros.start_node("flipped", weights=str(tmp_path / "warm_sea.pt"))
    try:
        horizons = ros.collector(PolygonStamped, f"/flipped/{NODE}/horizon")
        attitudes = ros.collector(Vector3Stamped, f"/flipped/{NODE}/horizon_attitude")
        info_pub = ros.publisher("/flipped/camera_info", reliable=True, msg_type=CameraInfo, node=node)
        pub = ros.publisher("/flipped/image", reliable=False, node=node)
        K = np.array([[500.0, 0.0, (W - 1) / 2], [0.0, 500.0, (H - 1) / 2], [0.0, 0.0, 1.0]])
        frame = np.full((H, W), 7000, np.uint16)  # cold sky below ...
        frame[:300] = 8000  # ... the warm sea above, from row 300 up
        frame += np.random.default_rng(0).integers(0, 40, (H, W), dtype=np.uint16)
        attitude = horizon = None
        for _ in range(10):
            info = CameraInfo(width=W, height=H, k=[float(v) for v in K.ravel()])
            info.header = ros.header()
            info_pub.publish(info)
            time.sleep(0.1)
            msg = ros.frame(frame)
            horizon = send(ros, pub, msg, horizons)
            attitude = attitudes.get(stamp_of(msg), timeout=3.0)
            if attitude is not None:
                break
        assert horizon is not None and attitude is not None, "no horizon attitude for the upside-down frame"
        (x0, y0), (x1, y1) = ((p.x, p.y) for p in horizon.polygon.points)
        assert (x0, x1) == (W - 1.0, 0.0) and y0 == pytest.approx(299.5, abs=1.0) and y1 == pytest.approx(y0, abs=0.1)
        assert horizon.polygon.points[0].z > 0.5  # a clean edge: a confident line
        assert abs(attitude.vector.x) == pytest.approx(math.pi, abs=0.01)  # roll 180 deg
        # the sky below the image centre of a camera upside down: it looks down, as much as the line's offset says
        assert attitude.vector.y == pytest.approx(-math.atan((299.5 - (H - 1) / 2) / 500.0), abs=0.005)
        ros.client.destroy_publisher(pub)
        ros.client.destroy_publisher(info_pub)
    finally:
        ros.stop_node(node)


def test_a_rolled_camera_gets_its_line_and_roll_from_the_shipped_model(ros):
    """Rolled 70 deg, then -120 deg (horizon_roll_search auto): the line and the roll, the sky on its side.

    The shipped network was trained upright; the node turns the frame level first (seasky_ros.roll_search).
    The generator's roll_deg is the image horizon's tilt ("lower on the right"), the camera's roll its negative.
    """
    from node_harness import Scene

    node = ros.start_node("rolled", weights="", device="cpu")
    try:
        horizons = ros.collector(PolygonStamped, f"/rolled/{NODE}/horizon")
        attitudes = ros.collector(Vector3Stamped, f"/rolled/{NODE}/horizon_attitude")
        info_pub = ros.publisher("/rolled/camera_info", reliable=True, msg_type=CameraInfo, node=node)
        pub = ros.publisher("/rolled/image", reliable=False, node=node)
        for tilt in (70.0, -120.0):
            scene = Scene(1, tilt, 1.0)
            got = []
            for _ in range(6):
                info = CameraInfo(width=W, height=H, k=[float(v) for v in scene.K.ravel()])
                info.header = ros.header()
                info_pub.publish(info)
                time.sleep(0.05)
                msg = ros.frame(scene.image)
                horizon = send(ros, pub, msg, horizons)
                attitude = attitudes.get(stamp_of(msg), timeout=3.0)
                if horizon is not None and attitude is not None:
                    got.append((horizon, attitude))
            assert len(got) >= 3, f"{len(got)} of 6 frames gave a line and an attitude at {tilt} deg"
            for horizon, attitude in got:
                (x0, y0), (x1, y1) = ((p.x, p.y) for p in horizon.polygon.points)
                assert math.degrees(math.atan2(y1 - y0, x1 - x0)) == pytest.approx(tilt, abs=1.0)
                assert math.degrees(attitude.vector.x) == pytest.approx(-tilt, abs=1.0)
        ros.client.destroy_publisher(pub)
        ros.client.destroy_publisher(info_pub)
    finally:
        ros.stop_node(node)


# ---------------------------------------------------------------------------------------- QoS


def test_reliable_and_best_effort_publishers_both_reach_the_default_node(ros, outputs, scenes):
    for reliable in (True, False):
        pub = ros.publisher("/image", reliable=reliable)
        msg = ros.frame(scenes[0].image)
        assert send(ros, pub, msg, outputs["mask"]) is not None, f"reliable={reliable} publisher not served"
        ros.client.destroy_publisher(pub)


def test_reliable_image_qos_refuses_best_effort_and_takes_compressed(ros, scenes, trained_weights):
    node = ros.start_node("strict", weights=str(trained_weights), image_qos="reliable", input_compressed=True)
    try:
        assert node.image_sub.topic_name == "/strict/image/compressed"
        masks = ros.collector(Image, f"/strict/{NODE}/mask")
        best_effort = ros.client.create_publisher(CompressedImage, "/strict/image/compressed", qos(False))
        reliable = ros.client.create_publisher(CompressedImage, "/strict/image/compressed", qos(True))
        assert wait_until(lambda: reliable.get_subscription_count() == 1)
        lost = numpy_to_compressed(scenes[0].image, "png", ros.header())
        for _ in range(5):
            best_effort.publish(lost)
            time.sleep(0.1)
        assert best_effort.get_subscription_count() == 0
        msg = numpy_to_compressed(scenes[0].image, "png", ros.header())
        reliable.publish(msg)
        mask = masks.get(stamp_of(msg), timeout=15.0)
        assert mask is not None and (mask.height, mask.width) == (H, W)
        assert stamp_of(lost) not in masks.messages
    finally:
        ros.stop_node(node)


def test_sim_time_node_answers_without_a_clock_and_names_its_namespace(ros, scenes, trained_weights):
    """use_sim_time with no /clock yet (a bag not playing): frames still answered, diagnostics still sent."""
    node = ros.start_node("simtime", weights=str(trained_weights), use_sim_time=True)
    try:
        assert node.get_parameter("use_sim_time").value is True
        masks = ros.collector(Image, f"/simtime/{NODE}/mask")
        diagnostics = ros.collector(DiagnosticArray, "/diagnostics")
        pub = ros.publisher("/simtime/image", reliable=False, node=node)
        msg = ros.frame(scenes[2].image)
        mask = send(ros, pub, msg, masks)
        assert mask is not None and mask.header.stamp == msg.header.stamp
        name = f"simtime/{NODE}: segmentation"
        assert wait_until(lambda: any(s.name == name for a in list(diagnostics.order) for s in a.status), 5.0)
        ros.client.destroy_publisher(pub)
    finally:
        ros.stop_node(node)


def test_empty_weights_mean_the_shipped_model(ros):
    """On a CPU the shipped weights run as their int8 model by default; int8 false runs them in float32."""
    node = ros.start_node("shipped", weights="", device="cpu")
    try:
        assert node.segmenter.source == default_int8_path() and node.segmenter.int8
    finally:
        ros.stop_node(node)
    node = ros.start_node("shipped_fp32", weights="", device="cpu", int8="false")
    try:
        assert node.segmenter.source == default_weights_path() and not node.segmenter.int8
    finally:
        ros.stop_node(node)


# ---------------------------------------------------------------------------------------- parameters


def test_live_parameter_updates_and_rejections(ros, outputs, camera, scenes):
    seg = ros.node.segmenter
    ok = ros.set_parameters(NODE, normalization__low_pct=2.0, normalization__high_pct=98.0)
    assert all(r.successful for r in ok)
    assert (seg.normalization.low_pct, seg.normalization.high_pct) == (2.0, 98.0)

    bad = ros.set_parameters(NODE, normalization__low_pct=99.0)
    assert not bad[0].successful and "low_pct" in bad[0].reason and "high_pct" in bad[0].reason
    assert seg.normalization.low_pct == 2.0

    read_only = ros.set_parameters(NODE, weights="/elsewhere.pt")
    assert not read_only[0].successful and "read-only" in read_only[0].reason.lower()
    out_of_range = ros.set_parameters(NODE, min_horizon_confidence=1.5)
    assert not out_of_range[0].successful

    assert seg.roll_search == "auto" and seg.track_roll  # the node segments a stream
    assert ros.set_parameters(NODE, horizon_roll_search="full")[0].successful and seg.roll_search == "full"
    sideways = ros.set_parameters(NODE, horizon_roll_search="sideways", horizon_smoothing=0.25)
    assert not sideways[0].successful and "upright, auto, full" in sideways[0].reason
    assert seg.roll_search == "full" and ros.node.builder.smoother.factor == 0.0  # the request changed nothing
    assert ros.set_parameters(NODE, horizon_roll_search="auto")[0].successful and seg.roll_search == "auto"
    assert ros.set_parameters(NODE, horizon_zoom=1.75)[0].successful and seg.horizon_zoom == 1.75
    assert not ros.set_parameters(NODE, horizon_zoom=5.0)[0].successful and seg.horizon_zoom == 1.75
    assert ros.set_parameters(NODE, horizon_zoom=0.0)[0].successful and seg.horizon_zoom == 0.0

    assert ros.set_parameters(NODE, min_horizon_confidence=1.0, horizon_smoothing=0.5)[0].successful
    assert seg.min_horizon_confidence == 1.0 and ros.node.builder.smoother.factor == 0.5
    msg = ros.frame(scenes[0].image)
    assert send(ros, camera, msg, outputs["mask"]) is not None
    assert len(outputs["horizon"].get(stamp_of(msg)).polygon.points) == 0  # nothing is that confident
    assert all(r.successful for r in ros.set_parameters(
        NODE, min_horizon_confidence=0.0, horizon_smoothing=0.0, normalization__low_pct=1.0,
        normalization__high_pct=99.0))


def test_a_flickering_blob_leaves_the_mask_by_default_and_stays_with_the_filter_off(ros):
    """The temporal filter's default reaches the node: a warm box above the horizon that the shipped
    network reads as "other" is removed from ~/mask while it has been there for fewer than N = 2 frames,
    published from its third frame on, and published at once after ``temporal_filter_frames: 0``.
    The horizon stays the network's own (fitted before the filter)."""
    from seasky_ros.synthetic import SceneParams, render_scene

    plain = render_scene(SceneParams(content_seed=7, roll_deg=1.0, pitch_deg=0.5), H, W,
                         np.random.default_rng(7)).image
    boxed = plain.copy()
    boxed[240:254, 300:340] += 600  # 14 x 40 px, just above the horizon (rows 258-269): a boat to the network
    shipped = Segmenter.from_file(None, "cpu")
    assert not (shipped.segment(plain, "mono16").labels == OTHER).any()
    assert (shipped.segment(boxed, "mono16").labels[240:254, 300:340] == OTHER).mean() > 0.9, "the network's blob"
    node = ros.start_node("temporal", weights="", device="cpu")
    try:
        assert node.get_parameter("temporal_filter_frames").value == 2
        masks = ros.collector(Image, f"/temporal/{NODE}/mask")
        horizons = ros.collector(PolygonStamped, f"/temporal/{NODE}/horizon")
        pub = ros.publisher("/temporal/image", reliable=True, node=node)

        def other_px(image: np.ndarray) -> int:
            msg = ros.frame(image)
            mask = send(ros, pub, msg, masks)
            assert mask is not None
            return int((np.frombuffer(mask.data, np.uint8) == OTHER).sum())

        assert [other_px(plain) for _ in range(3)] == [0, 0, 0]
        assert [other_px(boxed) > 0 for _ in range(3)] == [False, False, True], "shown from its third frame"
        assert node.temporal_filter.removed == 0
        assert other_px(plain) == 0
        first = ros.frame(boxed)
        mask = send(ros, pub, first, masks)
        assert not (np.frombuffer(mask.data, np.uint8) == OTHER).any() and node.temporal_filter.removed == 1
        horizon = horizons.get(stamp_of(first)).polygon.points
        line = shipped.segment(boxed, "mono16").horizon
        assert (horizon[0].y, horizon[1].y) == pytest.approx((line.y0, line.y1), abs=1e-3)

        assert ros.set_parameters(f"temporal/{NODE}", temporal_filter_frames=0)[0].successful
        assert other_px(plain) == 0
        assert other_px(boxed) >= 400, "off: the one-frame blob is published"
        ros.client.destroy_publisher(pub)
    finally:
        ros.stop_node(node)


def test_overlay_only_while_subscribed(ros, outputs, camera, scenes):
    node = ros.node
    assert node.overlay_pub.get_subscription_count() == 0
    start = node.overlays_published
    assert send(ros, camera, ros.frame(scenes[0].image), outputs["mask"]) is not None
    assert node.overlays_published == start

    overlays = ros.collector(Image, f"/{NODE}/overlay")
    assert wait_until(lambda: node.overlay_pub.get_subscription_count() == 1)
    msg = ros.frame(scenes[1].image)
    overlay = send(ros, camera, msg, overlays)
    assert overlay is not None
    assert (overlay.encoding, overlay.height, overlay.width) == ("bgr8", H, W)
    assert overlay.header.stamp == msg.header.stamp and overlay.header.frame_id == "ir_camera"

    assert ros.set_parameters(NODE, publish_overlay=False)[0].successful
    count = node.overlays_published
    assert send(ros, camera, ros.frame(scenes[2].image), outputs["mask"]) is not None
    assert node.overlays_published == count
    assert ros.set_parameters(NODE, publish_overlay=True)[0].successful
    ros.client.destroy_subscription(overlays.sub)


# ---------------------------------------------------------------------------------------- frames without a horizon


def test_blank_frames_publish_an_empty_horizon_and_no_attitude(ros, outputs, camera, scenes):
    """Lens cap (all zero), NaN temperatures, fog: an empty polygon, no attitude, the reason in diagnostics.

    Each blank frame is followed by a real scene: its attitude arriving proves the camera_info is
    in place, and since one publisher's reliable messages arrive in order, a blank frame's
    attitude would have arrived before it.
    """
    from seasky_ros.horizon import BLANK_IMAGE_REASONS

    diagnostics = ros.collector(DiagnosticArray, "/diagnostics")
    info_pub = ros.publisher("/camera_info", reliable=True, msg_type=CameraInfo)
    rows = np.arange(H, dtype=np.float32)[:, None]
    blanks = [(np.zeros((H, W), np.uint16), "mono16"), (np.full((H, W), np.nan, np.float32), "32FC1"),
              (np.broadcast_to(7000.0 + 4.0 * rows, (H, W)).astype(np.uint16), "mono16")]
    for image, encoding in blanks:
        info = CameraInfo(width=W, height=H, k=[float(v) for v in scenes[1].K.ravel()])
        info.header = ros.header()
        info_pub.publish(info)
        time.sleep(0.1)
        blank = ros.frame(image, encoding)
        horizon = send(ros, camera, blank, outputs["horizon"])
        assert horizon is not None and len(horizon.polygon.points) == 0
        good = ros.frame(scenes[1].image)
        assert send(ros, camera, good, outputs["attitude"]) is not None
        assert stamp_of(blank) not in outputs["attitude"].messages
    reasons = tuple(f"none ({r}" for r in BLANK_IMAGE_REASONS)

    def reported() -> bool:
        for array in diagnostics.order:
            for status in array.status:
                values = {kv.key: kv.value for kv in status.values}
                if status.name == f"{NODE}: segmentation" and values.get("horizon", "").startswith(reasons):
                    return True
        return False

    camera.publish(ros.frame(*blanks[0]))  # the diagnostics show the last frame's state
    assert wait_until(reported, 10.0), "diagnostics never named why there was no horizon"
    ros.client.destroy_publisher(info_pub)
    ros.client.destroy_subscription(diagnostics.sub)
