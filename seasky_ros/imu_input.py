# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The node's optional IMU input: its parameters, its subscription and the orientation at a frame's stamp.

Why apart from ``node.py``: the node stays a thin shell of its image path, and everything the
attitude adds (five parameters, one subscription, one diagnostics line) is read here in one place.
The geometry is ``seasky_ros.attitude``; how the horizon stage uses it, ``seasky_ros.horizon_prior``.

With ``use_imu`` the node subscribes to ``imu`` (sensor_msgs/Imu; remap it to your AHRS's topic)
and needs ``camera_info`` for the intrinsics. An IMU that sends no orientation (REP-145:
``orientation_covariance[0] == -1``) or a zero quaternion is refused, with a throttled warning.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import Imu

from .attitude import DEFAULT_MAX_AGE_S, DEFAULT_SIGMA_DEG, AttitudeBuffer
from .outputs import imu_orientation, stamp_seconds
from .params import ATTITUDE_SIGMA_RANGE_DEG, CAMERA_HEIGHT_RANGE_M, ParameterError, attitude_settings, descriptor

IMU_TOPIC = "imu"
WARN_EVERY_S = 5.0
PARAMETERS = ("camera_mount_rpy_deg", "camera_height_m", "attitude_sigma_deg", "imu_max_age")


class ImuInput:
    """Declares the attitude parameters on ``node``, and with ``use_imu`` subscribes to ``imu``."""

    def __init__(self, node: Any) -> None:
        self.node = node
        declare = node.declare_parameter
        self.enabled = bool(declare("use_imu", False, descriptor(
            f"Subscribe to {IMU_TOPIC} (sensor_msgs/Imu orientation, REP-145) and use the attitude to refuse lines "
            "far from the horizon and find faint ones along it; needs camera_info (seasky_ros.horizon_prior)",
            read_only=True)).value)
        mount = declare("camera_mount_rpy_deg", [0.0, 0.0, 0.0], descriptor(
            "Roll, pitch, yaw (deg, fixed axes x y z) of the camera body frame (x forward, y left, z up) in the "
            "IMU's frame", dynamic_typing=True)).value
        height = declare("camera_height_m", 0.0, descriptor(
            "Camera height above the sea (m) for the horizon's dip; 0 = ignore the dip (0.1 deg at 10 m)",
            float_range=CAMERA_HEIGHT_RANGE_M)).value
        sigma = declare("attitude_sigma_deg", DEFAULT_SIGMA_DEG, descriptor(
            "Error of the IMU's roll/pitch and the mount, 1 sigma (deg); lines within 3 sigma (at least 2.3 % of "
            "the height) of the expected horizon are kept", float_range=ATTITUDE_SIGMA_RANGE_DEG)).value
        max_age = declare("imu_max_age", DEFAULT_MAX_AGE_S, descriptor(
            "Newest IMU orientation may be this far (s) from a frame's stamp; else the frame goes without",
            float_range=(0.001, 5.0))).value
        self.values = {"camera_mount_rpy_deg": list(mount), "camera_height_m": height, "attitude_sigma_deg": sigma}
        self.settings = attitude_settings(self.values)  # ParameterError for a mount that is no rotation
        self._lock = threading.Lock()
        self._buffer = AttitudeBuffer(max_age_s=float(max_age))
        self._refused = ""
        self._state = "off (use_imu false)" if not self.enabled else f"waiting for {IMU_TOPIC}"
        self.subscription = None
        if self.enabled:
            self.subscription = node.create_subscription(Imu, IMU_TOPIC, self._on_imu, qos_profile_sensor_data)

    def _changed(self, params: list[Any]) -> dict[str, Any]:
        return {**self.values, **{p.name: p.value for p in params if p.name in self.values}}

    def check(self, params: list[Any]) -> str | None:
        """Why a live change of these parameters is refused, or None."""
        try:
            attitude_settings(self._changed(params))
        except ParameterError as exc:
            return str(exc)
        return None

    def apply(self, params: list[Any]) -> None:
        """Take live changes of the attitude parameters (checked by ``check``)."""
        self.values = self._changed(params)
        self.settings = attitude_settings(self.values)
        for p in params:
            if p.name == "imu_max_age":
                with self._lock:
                    self._buffer.max_age_s = float(p.value)

    def _on_imu(self, msg: Imu) -> None:
        q = imu_orientation(msg)
        if q is None:
            self._refuse(f"{self.subscription.topic_name} carries no orientation (orientation_covariance[0] == -1)")
            return
        try:
            with self._lock:
                self._buffer.add(stamp_seconds(msg.header), q)
            self._refused = ""
        except ValueError as exc:
            self._refuse(f"IMU message ignored: {exc}")

    def _refuse(self, why: str) -> None:
        self._refused = why
        self.node.get_logger().warning(why, throttle_duration_sec=WARN_EVERY_S)

    def orientation_at(self, stamp_s: float, have_intrinsics: bool) -> np.ndarray | None:
        """The orientation (x, y, z, w) for a frame, or None (and why, in ``state``)."""
        if not self.enabled:
            return None
        with self._lock:
            held = len(self._buffer)
            q = self._buffer.at(stamp_s)
            max_age = self._buffer.max_age_s
        if q is None:
            self._state = self._refused or (f"no IMU orientation within {max_age:g} s of the last frame's stamp"
                                            if held else f"no messages on {self.subscription.topic_name}")
        elif not have_intrinsics:
            self._state = "unused: no camera_info (the expected line needs the intrinsics)"
            return None
        else:
            self._state = "used"
        return q

    def state(self) -> str:
        """For /diagnostics: off, used, or why the last frame went without."""
        return self._state
