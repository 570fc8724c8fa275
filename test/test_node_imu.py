# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The node with an IMU over real DDS: a near coast's waterline refused, the IMU's state in diagnostics,
live attitude parameters, and an IMU without orientation refused without losing a frame."""

from __future__ import annotations

import time

import pytest

rclpy = pytest.importorskip("rclpy")

from diagnostic_msgs.msg import DiagnosticArray  # noqa: E402
from geometry_msgs.msg import PolygonStamped  # noqa: E402
from node_harness import NODE, qos, send, wait_until  # noqa: E402
from sensor_msgs.msg import CameraInfo, Image, Imu  # noqa: E402

from seasky_ros.horizon import SOURCE_CODES, SOURCE_WATERLINE  # noqa: E402
from seasky_ros.synthetic import generate_frame  # noqa: E402

pytestmark = pytest.mark.ros

NS = "imu"


def imu_msg(header, orientation, has_orientation: bool = True) -> Imu:
    msg = Imu()
    msg.header = header
    msg.orientation.x, msg.orientation.y, msg.orientation.z, msg.orientation.w = orientation
    if not has_orientation:
        msg.orientation_covariance[0] = -1.0
    return msg


def diagnostics_value(diagnostics, key: str) -> str | None:
    for array in reversed(list(diagnostics.order)):
        for status in array.status:
            if status.name.startswith(f"{NS}/{NODE}"):
                return next((v.value for v in status.values if v.key == key), None)
    return None


def test_imu_refuses_a_near_coasts_waterline_and_says_so(ros):
    """Synthetic seed 515151 frame 48 (a coast ~1 km off hides the horizon; test_attitude has the figures):
    without an IMU message the node reports the waterline; with the true attitude (0.25 deg sigma) none;
    with attitude_sigma_deg 5 (a 3-sigma band of 37 px) the waterline again; an IMU without orientation is
    refused, named in diagnostics, and the frames still come."""
    frame = generate_frame(515151 * 1_000_003 + 48)
    h, w = frame.image.shape[:2]
    p = frame.params
    attitude = p.imu_orientation()  # camera body = IMU frame
    node = ros.start_node(NS, weights="", device="cpu", use_imu=True)
    try:
        horizons = ros.collector(PolygonStamped, f"/{NS}/{NODE}/horizon")
        diagnostics = ros.collector(DiagnosticArray, "/diagnostics")
        info_pub = ros.client.create_publisher(CameraInfo, f"/{NS}/camera_info", qos(True))
        imu_pub = ros.client.create_publisher(Imu, f"/{NS}/imu", qos(True, depth=10))
        image_pub = ros.client.create_publisher(Image, f"/{NS}/image", qos(False))
        assert wait_until(lambda: imu_pub.get_subscription_count() > 0 and image_pub.get_subscription_count() > 0)
        assert wait_until(lambda: info_pub.get_subscription_count() > 0)
        info = CameraInfo(width=w, height=h, k=[float(v) for v in p.camera_matrix(h, w).ravel()])

        def one(orientation=None, has_orientation: bool = True):
            info.header = ros.header()
            info_pub.publish(info)
            msg = ros.frame(frame.image, frame.encoding)
            if orientation is not None:
                imu_pub.publish(imu_msg(msg.header, orientation, has_orientation))
                time.sleep(0.05)
            out = send(ros, image_pub, msg, horizons)
            assert out is not None, "no horizon message"
            return out

        alone = one()
        assert len(alone.polygon.points) == 2
        assert alone.polygon.points[1].z == SOURCE_CODES[SOURCE_WATERLINE]
        assert wait_until(lambda: (diagnostics_value(diagnostics, "attitude (imu)") or "").startswith(
            f"no messages on /{NS}/imu"), 5.0)

        refused = one(attitude)
        assert len(refused.polygon.points) == 0, "the waterline 29 px below the attitude's horizon was published"
        assert wait_until(lambda: diagnostics_value(diagnostics, "attitude (imu)") == "used", 5.0)

        results = ros.set_parameters(f"{NS}/{NODE}", attitude_sigma_deg=5.0)
        assert all(r.successful for r in results)
        assert len(one(attitude).polygon.points) == 2  # within 3 x 5 deg: kept
        results = ros.set_parameters(f"{NS}/{NODE}", attitude_sigma_deg=0.25)
        assert all(r.successful for r in results)

        ros._stamp += 5 * 10**9  # 5 s on: every orientation received so far is older than imu_max_age
        no_orientation = one((0.0, 0.0, 0.0, 1.0), has_orientation=False)
        assert len(no_orientation.polygon.points) == 2  # the frame still comes, judged without the IMU
        assert wait_until(lambda: "carries no orientation" in (diagnostics_value(diagnostics, "attitude (imu)")
                                                               or ""), 5.0)
        for pub in (info_pub, imu_pub, image_pub):
            ros.client.destroy_publisher(pub)
    finally:
        ros.stop_node(node)


def test_bad_mount_stops_the_node_with_one_line(ros):
    from seasky_ros.node import SegmentNode, StartupError

    with pytest.raises(StartupError, match=r"camera_mount_rpy_deg must be three finite numbers"):
        SegmentNode(context=ros.context, namespace="badmount", parameter_overrides=[
            rclpy.parameter.Parameter("weights", value=""),
            rclpy.parameter.Parameter("camera_mount_rpy_deg", value=[0.0, 5.0])])


def test_mount_changes_live_as_ros2_param_set_sends_it(ros):
    """``ros2 param set`` sends arrays as DOUBLE_ARRAY / INTEGER_ARRAY (rclpy hands them over as array.array):
    both are taken, a two-number mount is refused with the reason and changes nothing."""
    node = ros.start_node("mount", weights="", device="cpu", use_imu=True)
    try:
        name = f"mount/{NODE}"
        assert all(r.successful for r in ros.set_parameters(name, camera_mount_rpy_deg=[0.0, 5.0, 90.0]))
        assert node.builder.attitude.mount_rpy_deg == (0.0, 5.0, 90.0)
        assert all(r.successful for r in ros.set_parameters(name, camera_mount_rpy_deg=[1, 2, 3]))
        assert node.builder.attitude.mount_rpy_deg == (1.0, 2.0, 3.0)
        refused = ros.set_parameters(name, camera_mount_rpy_deg=[0.0, 5.0])
        assert not refused[0].successful and "three finite numbers" in refused[0].reason
        assert node.builder.attitude.mount_rpy_deg == (1.0, 2.0, 3.0)
    finally:
        ros.stop_node(node)
