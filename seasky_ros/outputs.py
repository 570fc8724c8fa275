# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The node's output messages, built from a segmentation result: shared by the node and the bag tool.

Live (``node.py``) and offline (``bag.py process``) results are identical because both build
their messages here, as pure functions of (result, input header, frame): every output carries
the input's header unchanged, so consumers can pair it with the frame and with their TF data.

- mask: sensor_msgs/Image mono8 at the input resolution, 0 sky / 1 sea / 2 other;
- horizon: geometry_msgs/PolygonStamped with the line's two border points (x0, y0, confidence)
  and (x1, y1, source code) in pixels, ordered so the sky is on the left walking from the first
  to the second (upright: left point first; upside down: right point first), or *no* points
  when no horizon is in view (consumers test ``len(points) == 2``; a message is still sent so
  "no horizon" is distinguishable from "no frame").
  The z fields carry what a consumer needs to gate on, in the same message, with no custom
  message package: the first point's z is the confidence (0..1), the second's the source
  (``SOURCE_CODES``: 0 the sky->sea boundary, 1 a distant coast's waterline, 2 the image's edge
  along the line an IMU's attitude expects);
- attitude: geometry_msgs/Vector3Stamped, x = roll, y = pitch (radians), z = 0, from the horizon and
  the camera intrinsics; only when both are known;
- overlay: sensor_msgs/Image bgr8 for people.

``HorizonSmoother`` (exponential smoothing of the line over frames) and ``OutputBuilder`` (one
message in, all outputs out) hold the little state there is.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .attitude import AttitudeSettings
from .horizon import SOURCE_CODES, SOURCE_SKY_SEA, Horizon, camera_attitude, horizon_from_points, line_through
from .horizon_prior import prior_from_orientation
from .overlay import render_overlay
from .preprocess import FrameError, Normalization, fill_nonfinite, to_gray
from .ros_image import MAX_FRAME_PIXELS, message_to_numpy, numpy_to_image


def horizon_state(result: Any) -> str:
    """One line on the last frame's horizon for diagnostics: its source and confidence, or why none."""
    h = result.horizon
    if h is None:
        return f"none ({result.horizon_reason or 'not searched'})"
    return f"{h.source}, confidence {h.confidence:.2f}"


def mask_msg(labels: np.ndarray, header: Any) -> Any:
    """Labels (uint8 H x W) -> mono8 Image with the input's header."""
    return numpy_to_image(np.asarray(labels, dtype=np.uint8), "mono8", header)


def line_msg(points: Sequence[float] | None, header: Any, z: tuple[float, float] = (0.0, 0.0)) -> Any:
    """(x0, y0, x1, y1) -> PolygonStamped with the two points (z as given); an empty polygon for None.

    The one horizon message codec: the node's output, the sample bag's ground truth and every reader.
    """
    from geometry_msgs.msg import Point32, PolygonStamped

    msg = PolygonStamped()
    msg.header = header
    if points is not None:
        x0, y0, x1, y1 = (float(v) for v in points)
        msg.polygon.points = [Point32(x=x0, y=y0, z=float(z[0])), Point32(x=x1, y=y1, z=float(z[1]))]
    return msg


def line_points(msg: Any) -> tuple[float, float, float, float] | None:
    """Inverse of ``line_msg``: the first and last point, None for fewer than two."""
    points = msg.polygon.points
    if len(points) < 2:
        return None
    return float(points[0].x), float(points[0].y), float(points[-1].x), float(points[-1].y)


def horizon_msg(horizon: Horizon | None, header: Any) -> Any:
    """Horizon -> PolygonStamped with its two border points, z = confidence and source code; empty when none."""
    if horizon is None:
        return line_msg(None, header)
    return line_msg((horizon.x0, horizon.y0, horizon.x1, horizon.y1), header,
                    (horizon.confidence, SOURCE_CODES[horizon.source]))


def horizon_from_msg(msg: Any, width: int, height: int) -> Horizon | None:
    """Inverse of ``horizon_msg``: the line with its confidence and source (None for an empty polygon)."""
    points = line_points(msg)
    if points is None:
        return None
    line = horizon_from_points(*points, width, height)
    sources = {code: name for name, code in SOURCE_CODES.items()}
    return dataclasses.replace(line, confidence=float(msg.polygon.points[0].z),
                               source=sources.get(round(msg.polygon.points[-1].z), SOURCE_SKY_SEA))


def camera_info_problem(camera_info: Any) -> str | None:
    """Why a CameraInfo's K cannot give an attitude (None: it can).

    A driver that sends an all-zero K (uncalibrated), NaN, a broken last row or absurd values
    would otherwise turn every horizon into a nonsense roll and pitch (or NaN), silently.
    """
    K = np.asarray(camera_info.k, dtype=float)
    if K.size != 9:
        return f"K has {K.size} values, not 9"
    K = K.reshape(3, 3)
    if not np.all(np.isfinite(K)):
        return "K holds NaN or inf"
    if not np.any(K):
        return "K is all zero (the camera is uncalibrated)"
    fx, fy, skew, cx, cy = K[0, 0], K[1, 1], K[0, 1], K[0, 2], K[1, 2]
    if not (fx > 0 and fy > 0):
        return f"focal lengths must be positive, got fx {fx:g}, fy {fy:g}"
    if K[1, 0] != 0 or K[2, 0] != 0 or K[2, 1] != 0 or K[2, 2] != 1:
        return f"K is not a pinhole camera matrix (K[1,0], K[2,:] must be 0, [0, 0, 1]; got {K[1, 0]:g}, " \
               f"[{K[2, 0]:g}, {K[2, 1]:g}, {K[2, 2]:g}])"
    if abs(skew) > 0.05 * fx:
        return f"skew K[0,1] {skew:g} is absurd for fx {fx:g}"
    if not 0.2 <= fy / fx <= 5.0:
        return f"fx {fx:g} and fy {fy:g} differ absurdly"
    width, height = int(camera_info.width), int(camera_info.height)
    scale = max(width, height) if width > 0 and height > 0 else 1e4
    if not 0.01 * scale <= fx <= 1000 * scale:
        return f"fx {fx:g} is absurd for a {width}x{height} camera"
    if width > 0 and height > 0 and not (-width <= cx <= 2 * width and -height <= cy <= 2 * height):
        return f"principal point ({cx:g}, {cy:g}) lies far outside the {width}x{height} image"
    return None


def camera_matrix(camera_info: Any, width: int, height: int) -> np.ndarray | None:
    """K (3x3) of a CameraInfo, scaled to a frame of width x height; None when uncalibrated.

    A camera that reports its calibration at another resolution than it streams (binning,
    a resizing driver) still gives the right angles: fx, cx scale with the width, fy, cy with
    the height.
    """
    if camera_info is None or camera_info_problem(camera_info) is not None:
        return None
    K = np.asarray(camera_info.k, dtype=float).reshape(3, 3)
    info_w, info_h = int(camera_info.width), int(camera_info.height)
    if info_w > 0 and info_h > 0 and (info_w, info_h) != (width, height):
        K = K.copy()
        K[0, :] *= width / info_w
        K[1, :] *= height / info_h
    return K


def imu_orientation(imu: Any) -> tuple[float, float, float, float] | None:
    """A sensor_msgs/Imu's orientation (x, y, z, w), or None for an IMU that says it has none (REP-145:
    ``orientation_covariance[0] == -1``). Whether it is a rotation at all, ``AttitudeBuffer.add`` judges."""
    if imu.orientation_covariance[0] == -1.0:
        return None
    q = imu.orientation
    return float(q.x), float(q.y), float(q.z), float(q.w)


def attitude_msg(horizon: Horizon | None, K: np.ndarray | None, header: Any) -> Any | None:
    """Vector3Stamped (x roll, y pitch, z 0; radians), or None without a horizon, intrinsics or a finite angle."""
    if horizon is None or K is None:
        return None
    from geometry_msgs.msg import Vector3Stamped

    roll, pitch = camera_attitude(horizon, K)
    if not (math.isfinite(roll) and math.isfinite(pitch)):
        return None
    msg = Vector3Stamped()
    msg.header = header
    msg.vector.x, msg.vector.y, msg.vector.z = float(roll), float(pitch), 0.0
    return msg


def overlay_image(frame: np.ndarray, encoding: str | None, result: Any,
                  normalization: Normalization | None = None) -> np.ndarray:
    """The BGR picture of a result over its frame (percentile window of ``normalization``)."""
    norm = normalization or Normalization()
    gray, _ = fill_nonfinite(to_gray(frame, encoding))
    return render_overlay(gray, result.labels, result.horizon, low_pct=norm.low_pct, high_pct=norm.high_pct,
                          expected=getattr(result, "expected_horizon", None))


def overlay_msg(bgr: np.ndarray, header: Any) -> Any:
    return numpy_to_image(bgr, "bgr8", header)


def build_outputs(
    result: Any,
    header: Any,
    frame: np.ndarray,
    encoding: str | None = None,
    *,
    K: np.ndarray | None = None,
    want_overlay: bool = False,
    normalization: Normalization | None = None,
) -> dict[str, Any]:
    """All output messages for one result: keys mask, horizon, attitude, overlay, overlay_bgr, result.

    ``attitude`` / ``overlay`` / ``overlay_bgr`` are None when not available or not wanted.
    """
    outputs: dict[str, Any] = {
        "result": result,
        "mask": mask_msg(result.labels, header),
        "horizon": horizon_msg(result.horizon, header),
        "attitude": attitude_msg(result.horizon, K, header),
        "overlay": None,
        "overlay_bgr": None,
    }
    if want_overlay:
        bgr = overlay_image(frame, encoding, result, normalization)
        outputs["overlay_bgr"] = bgr
        outputs["overlay"] = overlay_msg(bgr, header)
    return outputs


class HorizonSmoother:
    """Exponential smoothing of the horizon over frames: its direction and its offset from the image centre.

    ``factor`` 0 = off, 0.9 = heavy. The direction (a unit vector, sky on its left) is averaged
    as a vector, so a line turning through 180 deg (upside down) is smoothed through 180, not
    through 0; the offset is the signed distance of the image centre from the line. The state
    resets when the resolution changes, when the horizon has been out of view for longer than
    ``reset_after_s`` (of header-stamp time, so it works with recorded data and sim time), and
    when stamps jump backwards (a bag restarting). Frames without a horizon stay without one:
    smoothing never invents a line.
    """

    def __init__(self, factor: float = 0.0, reset_after_s: float = 1.0) -> None:
        self.factor = float(factor)
        self.reset_after_s = float(reset_after_s)
        self._state: tuple[float, float, float] | None = None  # direction x, y, offset of the centre
        self._size: tuple[int, int] | None = None
        self._last_seen_s: float | None = None

    def reset(self) -> None:
        self._state = None
        self._last_seen_s = None

    def __call__(self, horizon: Horizon | None, size_hw: tuple[int, int], stamp_s: float) -> Horizon | None:
        size_hw = (int(size_hw[0]), int(size_hw[1]))
        if size_hw != self._size:
            self._size = size_hw
            self.reset()
        if self._last_seen_s is not None and (
            stamp_s < self._last_seen_s or stamp_s - self._last_seen_s > self.reset_after_s
        ):
            self.reset()
        if horizon is None:
            return None
        self._last_seen_s = stamp_s
        cx, cy = (size_hw[1] - 1) / 2.0, (size_hw[0] - 1) / 2.0
        ux, uy = horizon.up
        now = (-uy, ux, float(horizon.signed_distance(cx, cy)))
        if self.factor <= 0.0 or self._state is None:
            self._state = now
            return horizon
        a = min(max(self.factor, 0.0), 0.99)
        dx, dy = a * self._state[0] + (1.0 - a) * now[0], a * self._state[1] + (1.0 - a) * now[1]
        norm = math.hypot(dx, dy)
        dx, dy = (dx / norm, dy / norm) if norm > 1e-9 else now[:2]  # opposite directions: take the new one
        offset = a * self._state[2] + (1.0 - a) * now[2]
        self._state = (dx, dy, offset)
        line = line_through(cx - offset * dy, cy + offset * dx, dx, dy, size_hw[1], size_hw[0])
        return dataclasses.replace(horizon, x0=line.x0, y0=line.y0, x1=line.x1, y1=line.y1,
                                   angle_deg=line.angle_deg, center_row=line.center_row)


def stamp_seconds(header: Any) -> float:
    return int(header.stamp.sec) + int(header.stamp.nanosec) * 1e-9


@dataclasses.dataclass
class Begun:
    """A message after ``OutputBuilder.start``: decoded, its network run (``Segmenter.start``)."""

    msg: Any
    frame: np.ndarray
    encoding: str | None
    started: Any


class OutputBuilder:
    """One Image/CompressedImage message in, every output message out (node and bag tool alike)."""

    def __init__(self, segmenter: Any, smoothing: float = 0.0, max_pixels: int | None = MAX_FRAME_PIXELS,
                 attitude: AttitudeSettings | None = None) -> None:
        self.segmenter = segmenter
        self.attitude = attitude or AttitudeSettings()  # used for frames given an orientation
        self.smoother = HorizonSmoother(smoothing)
        self.max_pixels = max_pixels  # larger frames are refused (compressed ones before decoding)
        self.last_error: str | None = None

    def process(self, msg: Any, compressed: bool, camera_info: Any = None, want_overlay: bool = False,
                orientation: Sequence[float] | None = None) -> dict[str, Any]:
        """Like ``build`` but raises (FrameError for unusable frames, anything else for real faults)."""
        return self.finish(self.start(msg, compressed, camera_info, orientation), camera_info, want_overlay)

    def start(self, msg: Any, compressed: bool, camera_info: Any = None,
              orientation: Sequence[float] | None = None) -> Begun:
        """Decoding and the segmenter's ``start`` (its first network pass); raises as ``process``.

        ``orientation``: the IMU's (x, y, z, w) at the frame's stamp; with intrinsics from
        ``camera_info`` it places the horizon (``seasky_ros.horizon_prior``): the first pass is
        turned level by it and the line judged by it. Without intrinsics it is unused.
        """
        frame, encoding = message_to_numpy(msg, compressed, self.max_pixels)
        height, width = frame.shape[:2]
        prior = self._prior(orientation, camera_matrix(camera_info, width, height), (height, width))
        return Begun(msg, frame, encoding, self.segmenter.start(frame, encoding, prior=prior))

    def finish(self, begun: Begun, camera_info: Any = None, want_overlay: bool = False,
               orientation: Sequence[float] | None = None) -> dict[str, Any]:
        """The rest of ``process`` for a ``start``-ed message, in the stream's order (smoothing is stateful).

        ``orientation``: for a frame ``start`` had none for (an IMU that lags the camera), the line
        is still judged by it; the first pass was not turned by it.
        """
        msg, frame, encoding = begun.msg, begun.frame, begun.encoding
        height, width = begun.started.prepared.gray.shape
        K = camera_matrix(camera_info, width, height)
        prior = self._prior(orientation, K, (height, width)) if begun.started.prior is None else None
        result = self.segmenter.finish(begun.started, prior=prior)
        result.horizon = self.smoother(result.horizon, (height, width), stamp_seconds(msg.header))
        return build_outputs(
            result, msg.header, frame, encoding,
            K=K,
            want_overlay=want_overlay,
            normalization=self.segmenter.normalization,
        )

    def _prior(self, orientation: Sequence[float] | None, K: np.ndarray | None, shape_hw: tuple[int, int]):
        """The attitude's line for a frame (``horizon_prior``), or None without an orientation or intrinsics."""
        if orientation is None or K is None:
            return None
        return prior_from_orientation(np.asarray(orientation, dtype=float), K, shape_hw, self.attitude)

    def build(self, msg: Any, compressed: bool, camera_info: Any = None, want_overlay: bool = False,
              orientation: Sequence[float] | None = None) -> dict[str, Any] | None:
        """All outputs for one input message, or None (reason in ``last_error``) for an unusable frame."""
        try:
            outputs = self.process(msg, compressed, camera_info, want_overlay, orientation)
        except FrameError as exc:
            self.last_error = str(exc)
            return None
        self.last_error = None
        return outputs
