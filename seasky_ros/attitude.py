# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Where an attitude sensor puts the sea horizon in the image: an IMU's orientation, the camera's mount, K.

Why: one frame cannot tell a coast's waterline 500 m away from the horizon, nor a skyline from
one, and a network may paint a boundary into a view with no horizon at all (docs/HORIZON.md).
The robot's IMU (or AHRS) knows which way is up. With the camera's mounting on the IMU and the
camera's intrinsics, that gives the line the horizon must lie on, to within the sensor's error;
``seasky_ros.horizon_prior`` uses it to refuse lines far from it and to look for a faint
horizon along it.

Conventions (REP-103/145): the IMU's orientation is that of its frame in a world frame with z
up (x, y, z, w); the camera's mount is the roll, pitch, yaw (fixed axes x, y, z, degrees) of the
camera body frame (x forward, y left, z up, as ``camera_link``) in the IMU's frame; the image's
optical frame is x right, y down, z forward. The pitch of ``horizon_line.camera_attitude`` is
positive looking up (REP-103's pitch about y is positive nose down).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .horizon_line import Horizon, line_through

EARTH_RADIUS_M = 6_371_000.0

SOURCE_ATTITUDE_EXPECTED = "attitude-expected"
"""``Horizon.source`` of the expected line itself (never published as the horizon)."""


DEFAULT_SIGMA_DEG = 0.25
"""The attitude's error (1 sigma) assumed by default: a marine AHRS's roll/pitch plus a mount calibration."""
DEFAULT_MAX_AGE_S = 0.05
"""How far (s) from a frame's stamp the nearest orientation may be (``imu_max_age``)."""
FLOOR_REL = 0.023
"""The least tolerance, as a share of the height: the network's own line lies within it (p95 12 px at 512 rows)."""


@dataclass(frozen=True)
class AttitudeSettings:
    """How the IMU's orientation becomes the line the horizon must lie near (the node's parameters)."""

    mount_rpy_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)  # the camera body in the IMU's frame
    camera_height_m: float = 0.0  # above the sea; 0 ignores the dip (0.1 deg at 10 m)
    sigma_deg: float = DEFAULT_SIGMA_DEG
    floor_rel: float = FLOOR_REL


def rotation_from_rpy(roll_deg: float, pitch_deg: float, yaw_deg: float) -> np.ndarray:
    """3x3 rotation R = Rz(yaw) Ry(pitch) Rx(roll), as tf2 and URDF read roll, pitch, yaw."""
    r, p, y = (math.radians(v) for v in (roll_deg, pitch_deg, yaw_deg))
    cr, sr, cp, sp, cy, sy = math.cos(r), math.sin(r), math.cos(p), math.sin(p), math.cos(y), math.sin(y)
    return np.array([
        [cy * cp, cy * sp * sr - sy * cr, cy * sp * cr + sy * sr],
        [sy * cp, sy * sp * sr + cy * cr, sy * sp * cr - cy * sr],
        [-sp, cp * sr, cp * cr],
    ])


def rotation_from_quaternion(xyzw: Sequence[float]) -> np.ndarray:
    """3x3 rotation of a quaternion (x, y, z, w); ValueError for one that is not finite or near zero."""
    q = np.asarray(xyzw, dtype=float)
    norm = float(np.linalg.norm(q)) if q.shape == (4,) else 0.0
    if not (math.isfinite(norm) and norm > 1e-6):
        raise ValueError(f"orientation {list(np.ravel(q))} is not a rotation (x, y, z, w)")
    x, y, z, w = q / norm
    return np.array([
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ])


def quaternion_from_rpy(roll_deg: float, pitch_deg: float, yaw_deg: float) -> tuple[float, float, float, float]:
    """(x, y, z, w) of ``rotation_from_rpy``: what an IMU at that attitude reports."""
    r, p, y = (math.radians(v) / 2.0 for v in (roll_deg, pitch_deg, yaw_deg))
    cr, sr, cp, sp, cy, sy = math.cos(r), math.sin(r), math.cos(p), math.sin(p), math.cos(y), math.sin(y)
    return (sr * cp * cy - cr * sp * sy, cr * sp * cy + sr * cp * sy, cr * cp * sy - sr * sp * cy,
            cr * cp * cy + sr * sp * sy)


def world_up_in_camera(orientation_xyzw: Sequence[float], mount_rpy_deg: Sequence[float] = (0.0, 0.0, 0.0)
                       ) -> np.ndarray:
    """The world's up direction in the image's optical frame (x right, y down, z forward), unit length."""
    up_imu = rotation_from_quaternion(orientation_xyzw).T @ np.array([0.0, 0.0, 1.0])
    up_body = rotation_from_rpy(*mount_rpy_deg).T @ up_imu
    return np.array([-up_body[1], -up_body[2], up_body[0]])


def horizon_dip_rad(camera_height_m: float) -> float:
    """How far the sea horizon lies below the horizontal, seen from a height over a spherical sea."""
    if camera_height_m <= 0.0:
        return 0.0
    return math.acos(EARTH_RADIUS_M / (EARTH_RADIUS_M + camera_height_m))


def expected_horizon(up: np.ndarray, K: np.ndarray, shape_hw: tuple[int, int], camera_height_m: float = 0.0
                     ) -> Horizon | None:
    """The sea horizon's line in a ``shape_hw`` image, the sky on its left; None when it is out of view.

    The horizontal plane's vanishing line is ``l = K^-T up`` (``camera_attitude`` inverted: l . x
    > 0 on the sky side). The dip (0.1 deg at 10 m) is applied as a pitch up by that angle about
    the horizontal axis across the view: exact at the centre column, and at the edges of a
    60-degree view from 10 m 0.15 px above the true horizon, which curves down slightly there.
    """
    height, width = shape_hw
    u = np.asarray(up, dtype=float)
    u = u / np.linalg.norm(u)
    dip = horizon_dip_rad(camera_height_m)
    forward = np.array([0.0, 0.0, 1.0]) - u[2] * u  # the optical axis, made horizontal
    if dip > 0.0 and np.linalg.norm(forward) > 1e-9:
        u = math.cos(dip) * u + math.sin(dip) * forward / np.linalg.norm(forward)
    K = np.asarray(K, dtype=float).reshape(3, 3)
    a, b, c = np.linalg.solve(K.T, u)
    corners = np.array([[0.0, 0.0], [width - 1.0, 0.0], [0.0, height - 1.0], [width - 1.0, height - 1.0]])
    sides = a * corners[:, 0] + b * corners[:, 1] + c
    if np.all(sides > 0) or np.all(sides < 0) or math.hypot(a, b) < 1e-12:
        return None  # all sky or all sea
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    s = (a * cx + b * cy + c) / (a * a + b * b)
    return line_through(cx - s * a, cy - s * b, -b, a, width, height, source=SOURCE_ATTITUDE_EXPECTED)


def tolerance_px(K: np.ndarray, shape_hw: tuple[int, int], sigma_deg: float, floor_rel: float) -> float:
    """How far (px) a line may lie from the expected one: 3 sigma of the attitude, at least ``floor_rel`` of H."""
    fy = float(np.asarray(K, dtype=float).reshape(3, 3)[1, 1])
    return max(floor_rel * shape_hw[0], 3.0 * abs(fy) * math.tan(math.radians(sigma_deg)))


def camera_up_from_attitude(roll_rad: float, pitch_rad: float) -> np.ndarray:
    """The world's up in the optical frame for ``horizon_line.camera_attitude``'s (roll, pitch)."""
    return np.array([-math.sin(roll_rad) * math.cos(pitch_rad), -math.cos(roll_rad) * math.cos(pitch_rad),
                     math.sin(pitch_rad)])


def _body_from_optical(up: np.ndarray) -> np.ndarray:
    """A direction in the optical frame (x right, y down, z forward) in the camera body frame (x fwd, y left, z up)."""
    return np.stack([up[..., 2], -up[..., 0], -up[..., 1]], axis=-1)


def rpy_from_rotation(rotation: np.ndarray) -> tuple[float, float, float]:
    """(roll, pitch, yaw) in degrees of R = Rz(yaw) Ry(pitch) Rx(roll) (``rotation_from_rpy`` inverted)."""
    r = np.asarray(rotation, dtype=float)
    pitch = math.asin(max(-1.0, min(1.0, -r[2, 0])))
    return (math.degrees(math.atan2(r[2, 1], r[2, 2])), math.degrees(pitch), math.degrees(math.atan2(r[1, 0], r[0, 0])))


@dataclass(frozen=True)
class MountFit:
    """``fit_mount``'s answer: the mount, how far each pair is from it, and how much the IMU's tilt varied."""

    mount_rpy_deg: tuple[float, float, float]
    residuals_deg: np.ndarray
    tilt_spread_deg: float
    yaw_fitted: bool


MIN_TILT_SPREAD_DEG = 2.0
"""Below this spread of the IMU's tilt the mount's yaw cannot be told from the data: it is kept as given."""


def fit_mount(camera_ups: np.ndarray, imu_ups: np.ndarray, yaw_deg: float = 0.0) -> MountFit:
    """The camera mount that best turns the IMU's up into the camera's, from pairs seen at the same instants.

    ``camera_ups`` (N, 3): the world's up in the optical frame, from the image's horizon and K
    (``camera_up_from_attitude`` of ``camera_attitude``, the dip taken off the pitch);
    ``imu_ups`` (N, 3): the world's up in the IMU's frame (``rotation_from_quaternion(q).T @ z``).
    Why: ``camera_mount_rpy_deg`` must be right to a fraction of a degree for the attitude to
    help, and a tape measure does not give that; open-sea frames do. Wahba's problem, solved by
    SVD. A rotation about the up direction leaves every pair as it is, so the mount's yaw shows
    only through the IMU's tilt changing (a ship rolling or pitching): with less than
    ``MIN_TILT_SPREAD_DEG`` of spread (on a tenth of the pairs: one odd sample is no tilt) it stays
    ``yaw_deg`` and the roll and pitch are fitted.
    """
    b = _body_from_optical(np.asarray(camera_ups, dtype=float))
    a = np.asarray(imu_ups, dtype=float)
    if a.shape != b.shape or a.ndim != 2 or a.shape[1] != 3 or len(a) < 3:
        raise ValueError(f"need matching (N, 3) arrays with N >= 3, got {a.shape} and {b.shape}")
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    mean = a.mean(axis=0) / np.linalg.norm(a.mean(axis=0))
    spread = float(np.percentile(np.degrees(np.arccos(np.clip(a @ mean, -1.0, 1.0))), 90))  # one outlier is no tilt
    if spread >= MIN_TILT_SPREAD_DEG:
        u, _, vt = np.linalg.svd(a.T @ b)  # R a ~ b with R = (u diag(1, 1, d) vt).T
        d = np.sign(np.linalg.det(u @ vt))
        mount_t = (u @ np.diag([1.0, 1.0, d]) @ vt).T  # body <- IMU: R_mount^T
        rpy = rpy_from_rotation(mount_t.T)
    else:
        rpy = _fit_roll_pitch(a, b, yaw_deg)
    mount_t = rotation_from_rpy(*rpy).T
    residuals = np.degrees(np.arccos(np.clip(np.sum((a @ mount_t.T) * b, axis=1), -1.0, 1.0)))
    return MountFit(tuple(float(v) for v in rpy), residuals, spread, spread >= MIN_TILT_SPREAD_DEG)


def _fit_roll_pitch(a: np.ndarray, b: np.ndarray, yaw_deg: float) -> tuple[float, float, float]:
    """Roll and pitch (deg) of the mount with its yaw fixed: Gauss-Newton from level, on its side and upside
    down (a camera may be mounted any way round), the start that ends with the least residual kept."""

    def residual(v: np.ndarray) -> np.ndarray:
        return ((a @ rotation_from_rpy(v[0], v[1], yaw_deg)) - b).ravel()  # rows: (R^T a_i)^T

    best, best_cost = np.zeros(2), math.inf
    for start in ((0.0, 0.0), (90.0, 0.0), (-90.0, 0.0), (180.0, 0.0)):
        x = np.array(start)
        for _ in range(50):
            r0 = residual(x)
            jac = np.stack([(residual(x + step) - r0) / 1e-4 for step in np.eye(2) * 1e-4], axis=1)
            dx = np.linalg.lstsq(jac, -r0, rcond=None)[0]
            x = x + dx
            if np.abs(dx).max() < 1e-9:
                break
        cost = float(np.sum(residual(x) ** 2))
        if cost < best_cost:
            best, best_cost = x, cost
    roll, pitch, yaw = rpy_from_rotation(rotation_from_rpy(best[0], best[1], yaw_deg))  # in range again
    return roll, pitch, yaw


class AttitudeBuffer:
    """Recent orientations by time; the one at an image's stamp, interpolated (slerp) or held briefly.

    Why: an IMU runs at 50-400 Hz and its messages arrive before or after the frame they belong
    to; the attitude at the frame's stamp is what places its horizon (at 10 deg/s of roll, 10 ms
    is 0.1 deg).
    """

    MAX_SAMPLES = 4096
    """At most this many kept (2 s at 2 kHz): a driver whose stamps never advance cannot grow it."""

    def __init__(self, max_age_s: float = DEFAULT_MAX_AGE_S, keep_s: float = 2.0) -> None:
        self.max_age_s = max_age_s
        self.keep_s = keep_s
        self._stamps: list[float] = []
        self._quats: list[np.ndarray] = []
        self._jumped: list[tuple[float, np.ndarray]] = []  # a stamp off the clock, waiting for a second

    def add(self, stamp_s: float, xyzw: Sequence[float]) -> None:
        """Store one orientation; ValueError for one that is no rotation (an IMU without orientation sends zeros).

        A stamp more than ``keep_s`` before the oldest or after the newest kept is a glitch when it
        comes alone (dropped), a jump of the clock (a bag played again, a simulation reset, a
        restarted driver) when the next one agrees with it: then what was kept is dropped and the
        buffer starts again from the two.
        """
        rotation_from_quaternion(xyzw)
        if not math.isfinite(stamp_s):
            raise ValueError(f"stamp {stamp_s} is not a time")
        q = np.asarray(xyzw, dtype=float)
        q = q / np.linalg.norm(q)
        if self._stamps and not self._stamps[0] - self.keep_s <= stamp_s <= self._stamps[-1] + self.keep_s:
            self._jumped.append((stamp_s, q))
            if len(self._jumped) < 2 or abs(self._jumped[-1][0] - self._jumped[-2][0]) > self.keep_s:
                self._jumped = self._jumped[-1:]
                return  # a lone stamp off the clock (a glitch) is dropped; a second one near it confirms a jump
            pair = sorted(self._jumped, key=lambda sample: sample[0])
            self._stamps, self._quats = [t for t, _ in pair], [v for _, v in pair]
            self._jumped = []
            return
        self._jumped = []
        i = bisect.bisect_right(self._stamps, stamp_s)
        self._stamps.insert(i, stamp_s)
        self._quats.insert(i, q)
        drop = max(bisect.bisect_left(self._stamps, self._stamps[-1] - self.keep_s),
                   len(self._stamps) - self.MAX_SAMPLES)
        del self._stamps[:drop], self._quats[:drop]

    def __len__(self) -> int:
        return len(self._stamps)

    def at(self, stamp_s: float) -> np.ndarray | None:
        """The orientation (x, y, z, w) at ``stamp_s``, or None when no sample lies within ``max_age_s`` of it."""
        return orientation_at(self._stamps, self._quats, stamp_s, self.max_age_s)


def orientation_at(stamps: Sequence[float], quats: Sequence[np.ndarray], t: float, max_age_s: float
                   ) -> np.ndarray | None:
    """The orientation at ``t`` from samples sorted by time: slerp between the neighbours when they lie
    within 2 ``max_age_s`` of each other, else the nearest sample within ``max_age_s``; None where none."""
    if len(stamps) == 0:
        return None
    i = bisect.bisect_left(stamps, t)
    if 0 < i < len(stamps) and stamps[i] - stamps[i - 1] <= 2.0 * max_age_s:
        t0, t1 = stamps[i - 1], stamps[i]
        return _slerp(quats[i - 1], quats[i], (t - t0) / (t1 - t0) if t1 > t0 else 0.0)
    near = min((j for j in (i - 1, i) if 0 <= j < len(stamps)), key=lambda j: abs(stamps[j] - t))
    return quats[near] if abs(stamps[near] - t) <= max_age_s else None


def orientations_at(stamps: np.ndarray, quats: np.ndarray, at: np.ndarray, max_age_s: float) -> np.ndarray:
    """(M, 4) ``orientation_at`` for each time of ``at``, NaN rows where none. For a whole recording read
    offline: two flat arrays instead of a buffer of objects."""
    out = np.full((len(at), 4), np.nan)
    for k, t in enumerate(at):
        q = orientation_at(stamps, quats, float(t), max_age_s)
        if q is not None:
            out[k] = q
    return out


def _slerp(q0: np.ndarray, q1: np.ndarray, t: float) -> np.ndarray:
    dot = float(np.dot(q0, q1))
    if dot < 0.0:
        q1, dot = -q1, -dot
    if dot > 0.9995:
        q = q0 + t * (q1 - q0)
        return q / np.linalg.norm(q)
    theta = math.acos(dot)
    return (math.sin((1 - t) * theta) * q0 + math.sin(t * theta) * q1) / math.sin(theta)
