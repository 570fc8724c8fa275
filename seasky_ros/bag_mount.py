# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""``seasky-bag mount``: the camera's mount on its IMU (``camera_mount_rpy_deg``) from a bag of open sea.

Why: the attitude (``use_imu``) helps only while the mount is right to a fraction of a degree
(docs/HORIZON.md: at 1 deg of error it no longer does), and a tape measure does not give that.
The horizon does: every frame of open sea measures the camera's roll and pitch, and the IMU
says its own at the same instant. Frames are segmented as the node segments them without the
attitude; a line is used when it is the sky->sea boundary (not a waterline) and sure
(``--min-confidence``), paired with the IMU's orientation interpolated to its stamp (within
``imu_max_age``), and ``attitude.fit_mount`` finds the rotation between the two.
"""

from __future__ import annotations

import argparse
import math
import os
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .attitude import (
    DEFAULT_MAX_AGE_S,
    MountFit,
    camera_up_from_attitude,
    fit_mount,
    horizon_dip_rad,
    orientations_at,
    rotation_from_quaternion,
)
from .bag_io import CAMERA_INFO, IMU, BagError, BagReader, deserialize, message_class, stamp_ns
from .horizon_line import SOURCE_SKY_SEA, Horizon, camera_attitude
from .outputs import camera_matrix, imu_orientation
from .params import ParameterError, attitude_settings, node_parameters, segmenter_from_parameters
from .preprocess import FrameError
from .ros_image import message_to_numpy

MIN_PAIRS = 20
"""Fewer frames than this give a mount, with a warning: the fit's error is not yet averaged down."""


@dataclass
class MountReport:
    """What ``mount_from_bag`` found: the fit (None with too few pairs) and how many frames went into it."""

    fit: MountFit | None
    frames: int  # segmented
    lines: int  # of those, sure sky->sea lines with intrinsics (from a CameraInfo anywhere in the bag)
    pairs: int  # of those, with an IMU orientation near their stamp


def mount_from_bag(
    bag: str | os.PathLike,
    image_topic: str,
    imu_topic: str,
    *,
    camera_info_topic: str | None = None,
    params_file: str | os.PathLike | None = None,
    every: int = 1,
    min_confidence: float = 0.5,
    segmenter=None,
    progress: bool = True,
) -> MountReport:
    """Segment every ``every``-th frame of ``image_topic`` and fit the mount to the IMU on ``imu_topic``.

    The IMU's samples are kept as flat arrays (an hour at 1 kHz is about 150 MB) and each frame is
    paired with them once the whole bag is read, so an IMU recorded after its frames still counts;
    a frame's intrinsics are the last CameraInfo before it, else the bag's first.
    """
    from tqdm import tqdm

    if every < 1:
        raise ValueError(f"every must be 1 or more, got {every}")
    try:
        params = node_parameters(params_file)
        settings = attitude_settings(params)
    except ParameterError as exc:
        raise BagError(str(exc)) from exc
    seg = segmenter or segmenter_from_parameters({**params, "min_horizon_confidence": min_confidence})
    imu_stamps, imu_quats = array("d"), array("d")
    lines: list[tuple[float, Horizon, tuple[int, int], int]] = []  # stamp, line, (h, w), CameraInfo index
    infos: list = []
    frames = 0
    with BagReader(bag) as reader:
        available = {t.name: t.msgtype for t in reader.topics}
        if available.get(imu_topic) != IMU:
            raise BagError(f"{bag}: {imu_topic} is not a sensor_msgs/msg/Imu topic")
        if image_topic not in available:
            raise BagError(f"{bag}: no topic {image_topic} (topics: {', '.join(sorted(available))})")
        info_topic = camera_info_topic or next((t for t, m in sorted(available.items()) if m == CAMERA_INFO), None)
        if info_topic is None:
            raise BagError(f"{bag}: no sensor_msgs/msg/CameraInfo topic: the camera's attitude needs its intrinsics")
        if available.get(info_topic) != CAMERA_INFO:
            raise BagError(f"{bag}: {info_topic} is not a sensor_msgs/msg/CameraInfo topic")
        compressed = available[image_topic].endswith("CompressedImage")
        classes = {name: message_class(available[name]) for name in (image_topic, imu_topic, info_topic)}
        seen = 0
        bar = tqdm(total=reader.count(image_topic), desc="mount", unit="frame", disable=not progress)
        for name, _, _, data in reader.messages([image_topic, imu_topic, info_topic]):
            msg = deserialize(data, classes[name])
            if name == imu_topic:
                q = imu_orientation(msg)
                stamp = stamp_ns(msg.header.stamp) / 1e9
                if q is not None and all(map(math.isfinite, (stamp, *q))):
                    imu_stamps.append(stamp)
                    imu_quats.extend(q)
            elif name == info_topic:
                infos.append(msg)
            else:
                bar.update(1)
                seen += 1
                if (seen - 1) % every:
                    continue
                frames += 1
                found = _sure_line(seg, msg, compressed)
                if found is not None:
                    lines.append((stamp_ns(msg.header.stamp) / 1e9, *found, len(infos) - 1))
        bar.close()
    stamps = np.frombuffer(imu_stamps, dtype=float)
    order = np.argsort(stamps, kind="stable")
    quats = np.frombuffer(imu_quats, dtype=float).reshape(-1, 4)[order]
    at = orientations_at(stamps[order], quats, np.array([t for t, *_ in lines]),
                         float(params.get("imu_max_age", DEFAULT_MAX_AGE_S)))
    cams, imus, with_k = [], [], 0
    for (_, line, (height, width), info), q in zip(lines, at, strict=True):
        K = camera_matrix(infos[max(info, 0)], width, height) if infos else None
        if K is None:
            continue
        with_k += 1
        if np.isnan(q).any() or np.linalg.norm(q) < 1e-6:
            continue
        roll, pitch = camera_attitude(line, K)
        cams.append(camera_up_from_attitude(roll, pitch - horizon_dip_rad(settings.camera_height_m)))
        imus.append(rotation_from_quaternion(q).T @ np.array([0.0, 0.0, 1.0]))
    fit = fit_mount(np.array(cams), np.array(imus), settings.mount_rpy_deg[2]) if len(cams) >= 3 else None
    return MountReport(fit, frames, with_k, len(cams))


def _sure_line(seg, msg, compressed: bool) -> tuple[Horizon, tuple[int, int]] | None:
    """This frame's sky->sea line and the frame's size, or None (an unusable frame, no sure line)."""
    try:
        frame, encoding = message_to_numpy(msg, compressed)
        result = seg.segment(frame, encoding=encoding)
    except FrameError:  # an unusable frame is no pair, as the node skips it
        return None
    line = result.horizon
    if line is None or line.source != SOURCE_SKY_SEA:
        return None
    return line, result.labels.shape


def _cmd_mount(args) -> int:
    report = mount_from_bag(args.bag, args.image_topic, args.imu_topic, camera_info_topic=args.camera_info_topic,
                            params_file=args.params_file, every=args.every, min_confidence=args.min_confidence,
                            progress=not args.no_progress)
    fit = report.fit
    counts = (f"{report.pairs} frames paired with the IMU, of {report.lines} with a sure sky->sea line, "
              f"of {report.frames} segmented")
    if fit is None:
        print(f"seasky-bag: error: no mount: {counts}; need at least 3 (open sea in view, CameraInfo, "
              "the IMU's orientation within imu_max_age of the frames)")
        return 1
    r, p, y = fit.mount_rpy_deg
    how = ("yaw fitted" if fit.yaw_fitted else
           f"yaw kept from the params file: the IMU tilted only {fit.tilt_spread_deg:.1f} deg")
    print(f"camera_mount_rpy_deg: [{r:.2f}, {p:.2f}, {y:.1f}]")
    print(f"# {counts}; residual median {np.median(fit.residuals_deg):.3f} deg, p95 "
          f"{np.percentile(fit.residuals_deg, 95):.3f} deg; {how} (IMU tilt spread {fit.tilt_spread_deg:.1f} deg)")
    print(f"# attitude_sigma_deg: {max(0.05, float(np.percentile(fit.residuals_deg, 68))):.2f}  "
          "(the residuals' 68th percentile: this camera and IMU's error together)")
    if report.pairs < MIN_PAIRS:
        print(f"seasky-bag: warning: only {report.pairs} pairs; record more open sea for a mount to trust")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The ``mount`` sub-command of seasky-bag."""
    mo = sub.add_parser("mount", help="the camera's mount on its IMU (camera_mount_rpy_deg) from a bag of open sea")
    mo.add_argument("bag", type=Path)
    mo.add_argument("--image-topic", required=True, help="sensor_msgs/Image or CompressedImage topic")
    mo.add_argument("--imu-topic", required=True, help="sensor_msgs/Imu topic with orientation")
    mo.add_argument("--camera-info-topic", default=None, help="default: the bag's CameraInfo topic")
    mo.add_argument("--params-file", type=Path, default=None,
                    help="the node's parameters (weights, camera_height_m, the mount's yaw if it cannot be fitted)")
    mo.add_argument("--every", type=int, default=1, help="segment every N-th frame (default 1)")
    mo.add_argument("--min-confidence", type=float, default=0.5, help="lines below it are not used (default 0.5)")
    mo.add_argument("--no-progress", action="store_true")
    mo.set_defaults(func=_cmd_mount)
