# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""``seasky-bag make-sample``: a synthetic IR camera bag to try everything on.

mono16 frames of a ship rolling and pitching in a swell (``seasky_ros.synthetic``), CameraInfo, the
true horizon as a PolygonStamped and an IMU (its frame the camera body's) reporting the exact
attitude at each frame's stamp, written atomically: a pure function of its options.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .bag_io import CAMERA_INFO, IMAGE, IMU, POLYGON, BagWriter, set_stamp
from .outputs import line_msg

SAMPLE_TOPICS = {
    "image": "/camera/image_raw",
    "camera_info": "/camera/camera_info",
    "truth": "/camera/horizon_truth",
    "imu": "/imu/data",
}
SAMPLE_FRAME_ID = "ir_camera"
SAMPLE_IMU_FRAME_ID = "imu"
SAMPLE_START_NS = 1_700_000_000 * 10**9  # fixed, so a sample bag is a pure function of its options


def camera_info_msg(header, width: int, height: int, k: np.ndarray):
    from sensor_msgs.msg import CameraInfo

    msg = CameraInfo()
    msg.header = header
    msg.width, msg.height = int(width), int(height)
    msg.distortion_model = "plumb_bob"
    msg.d = [0.0] * 5
    msg.k = [float(v) for v in k.reshape(-1)]
    msg.r = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    msg.p = [float(k[0, 0]), 0.0, float(k[0, 2]), 0.0, 0.0, float(k[1, 1]), float(k[1, 2]), 0.0, 0.0, 0.0, 1.0, 0.0]
    return msg


def imu_msg(header, orientation_xyzw: tuple[float, float, float, float]):
    """A sensor_msgs/Imu carrying only an orientation (rates and accelerations marked unknown, REP-145)."""
    from sensor_msgs.msg import Imu

    msg = Imu()
    msg.header = header
    msg.orientation.x, msg.orientation.y, msg.orientation.z, msg.orientation.w = orientation_xyzw
    msg.angular_velocity_covariance[0] = -1.0
    msg.linear_acceleration_covariance[0] = -1.0
    return msg


def make_sample(
    out: str | os.PathLike,
    frames: int = 300,
    rate_hz: float = 30.0,
    seed: int = 0,
    storage: str = "sqlite3",
    height: int = 512,
    width: int = 640,
    overwrite: bool = False,
    progress: bool = True,
) -> Path:
    """Write the synthetic sample bag atomically; returns its path."""
    from std_msgs.msg import Header
    from tqdm import tqdm

    from .ros_image import numpy_to_image
    from .synthetic import render_sequence

    if frames < 1 or rate_hz <= 0:
        raise ValueError(f"need frames >= 1 and rate > 0, got {frames} frames at {rate_hz} Hz")
    out = Path(out)
    period_ns = round(1e9 / rate_hz)
    sequence = render_sequence(frames, rate_hz, seed, height=height, width=width)
    with BagWriter(out, storage, atomic=True, overwrite=overwrite) as bag:
        for topic, msgtype in ((SAMPLE_TOPICS["image"], IMAGE), (SAMPLE_TOPICS["camera_info"], CAMERA_INFO),
                               (SAMPLE_TOPICS["truth"], POLYGON), (SAMPLE_TOPICS["imu"], IMU)):
            bag.add_topic(topic, msgtype)
        k = None
        for i, frame in enumerate(tqdm(sequence, total=frames, desc="make-sample", unit="frame", disable=not progress)):
            t = SAMPLE_START_NS + i * period_ns
            header = Header(frame_id=SAMPLE_FRAME_ID)
            set_stamp(header.stamp, t)
            h, w = frame.image.shape[:2]
            if k is None:
                k = frame.params.camera_matrix(h, w)  # one scene: the intrinsics never change
            imu_header = Header(frame_id=SAMPLE_IMU_FRAME_ID)
            set_stamp(imu_header.stamp, t)
            bag.write(SAMPLE_TOPICS["imu"], t, imu_msg(imu_header, frame.params.imu_orientation()))
            bag.write(SAMPLE_TOPICS["camera_info"], t, camera_info_msg(header, w, h, k))
            bag.write(SAMPLE_TOPICS["image"], t, numpy_to_image(frame.image, frame.encoding, header))
            bag.write(SAMPLE_TOPICS["truth"], t, line_msg(frame.horizon, header))
    return out
