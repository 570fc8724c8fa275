# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The horizon line at any roll: where it crosses the image border, which side the sky is on, the attitude.

Why this form: a line given by its rows on the left and right borders cannot be steeper than
the image is wide, and says nothing about which side the sky is on, so it cannot hold a camera
rolled past 45 deg or mounted upside down. Two points where the line crosses the image border,
*ordered so the sky is on the left when walking from the first to the second* (image
coordinates, y down), hold any angle and the sky side in four numbers. For an upright frame
this is exactly the left-to-right order on the left and right borders, so upright lines keep
their numbers, and every labelled ``horizon.csv`` written before (left point first, sky above)
reads the same.

Conventions: pixel centres at integers, x right, y down; the image border is the rectangle of
the outer pixel centres, ``0 <= x <= W-1``, ``0 <= y <= H-1``. ``angle_deg`` is the direction
from the first point to the second, ``atan2(y1 - y0, x1 - x0)`` in (-180, 180]: 0 for a level
horizon with the sky above, positive when it descends towards the right, 180 upside down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SOURCE_SKY_SEA = "sky-sea"
"""``Horizon.source`` of a line fitted to the sky->sea boundary."""
SOURCE_WATERLINE = "waterline"
"""``Horizon.source`` of a line along the waterline of a distant coast that hides the horizon
(``seasky_ros.horizon_waterline``)."""
SOURCE_ATTITUDE = "attitude-guided"
"""``Horizon.source`` of a line found on the image along the line an attitude sensor expects
(``seasky_ros.horizon_prior``), where the network's mask gave none near it."""
SOURCE_CODES = {SOURCE_SKY_SEA: 0, SOURCE_WATERLINE: 1, SOURCE_ATTITUDE: 2}
"""Numeric codes of the sources, as the ``~/horizon`` message carries them (second point's z)."""


@dataclass(frozen=True)
class Horizon:
    """A horizon line: the two points where it crosses the image border, the sky on the left from 0 to 1.

    A line that misses the image (a true horizon out of view) keeps its points on the extended
    left/right borders (or top/bottom when it is steeper than 45 deg). ``angle_deg`` is in
    (-180, 180] (module docstring). ``center_row`` is the row of the line at the centre column
    (NaN for a vertical line; like ``y_at`` it means little past about 60 deg of roll, where
    ``signed_distance`` is the measure to use).

    ``confidence`` (0..1) is ``inlier_share``, scaled down when the boundary was seen in less
    than ``HorizonSettings.full_support`` of the columns and when the image's own edge at the
    line is weak or spread out (``edge``); ``support`` is the share of image columns that gave a
    usable sky->sea boundary (for a waterline: the share on the line, ``horizon_waterline``),
    ``inlier_share`` the share of those the line explains, ``edge``
    the image evidence (1 = a sharp step at the line, 0 = no more change there than anywhere
    near it; 1 when no image was given). "Columns" are those of the frame turned so the sky is
    up. ``source`` says which boundary the line follows.
    """

    x0: float
    y0: float
    x1: float
    y1: float
    angle_deg: float
    center_row: float
    confidence: float
    inlier_share: float = 1.0
    support: float = 1.0
    edge: float = 1.0
    source: str = SOURCE_SKY_SEA

    @property
    def slope(self) -> float:
        """dy/dx of the line (inf for a vertical line); its sign does not say which side the sky is on."""
        dx = self.x1 - self.x0
        return (self.y1 - self.y0) / dx if dx != 0 else math.inf

    def y_at(self, x: float | np.ndarray) -> float | np.ndarray:
        """Row of the line at column ``x`` (meaningful while the line is far from vertical)."""
        return self.y0 + self.slope * (x - self.x0)

    @property
    def up(self) -> tuple[float, float]:
        """Unit vector in the image (x right, y down) across the line towards the sky: (0, -1) when upright."""
        dx, dy = self.x1 - self.x0, self.y1 - self.y0
        norm = math.hypot(dx, dy)
        return dy / norm, -dx / norm

    def signed_distance(self, x: float | np.ndarray, y: float | np.ndarray) -> float | np.ndarray:
        """Perpendicular distance of the point(s) (x, y) from the line in pixels, > 0 on the sky side."""
        ux, uy = self.up
        return (x - self.x0) * ux + (y - self.y0) * uy


def _clip(px: float, py: float, dx: float, dy: float, width: int, height: int
          ) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The two points where the line p + t d crosses the border rectangle, in the order of d; None if it misses."""
    lo, hi = -math.inf, math.inf
    lo_side = hi_side = ""
    for p, d, top, side in ((px, dx, width - 1.0, "x"), (py, dy, height - 1.0, "y")):
        if d == 0.0:
            if not 0.0 <= p <= top:
                return None
            continue
        ta, tb = (0.0 - p) / d, (top - p) / d
        if ta > tb:
            ta, tb = tb, ta
        if ta > lo:
            lo, lo_side = ta, side
        if tb < hi:
            hi, hi_side = tb, side
    if lo > hi:
        return None
    return (_on_border(px, py, dx, dy, lo, lo_side, width, height),
            _on_border(px, py, dx, dy, hi, hi_side, width, height))


def _on_border(px: float, py: float, dx: float, dy: float, t: float, side: str, width: int, height: int
               ) -> tuple[float, float]:
    """The point at t, its coordinate on the border it lies on set exactly (so upright lines give x = 0, W-1)."""
    if side == "x":
        x = 0.0 if abs(px + t * dx) < abs(px + t * dx - (width - 1.0)) else width - 1.0
        return x, py + (x - px) * dy / dx
    y = 0.0 if abs(py + t * dy) < abs(py + t * dy - (height - 1.0)) else height - 1.0
    return px + (y - py) * dx / dy, y


def line_through(px: float, py: float, dx: float, dy: float, width: int, height: int, **fields) -> Horizon:
    """The Horizon through (px, py) along (dx, dy), the sky on the left of (dx, dy); ``fields`` as in Horizon.

    The two points are where the line crosses the image border; a line that misses the image
    (or only touches a corner) gets its points on the extended borders across which it runs
    (left/right when |dx| >= |dy|, else top/bottom).
    """
    if width < 2 or height < 2:
        raise ValueError(f"image size {width}x{height} is too small for a horizon")
    if not (math.isfinite(px) and math.isfinite(py) and math.isfinite(dx) and math.isfinite(dy)) or dx == dy == 0:
        raise ValueError(f"not a line: point ({px}, {py}), direction ({dx}, {dy})")
    ends = _clip(px, py, dx, dy, width, height)
    if ends is None or ends[0] == ends[1]:  # misses the image, or only touches a corner
        if abs(dx) >= abs(dy):
            xs = (0.0, width - 1.0) if dx > 0 else (width - 1.0, 0.0)
            ends = tuple((x, py + (x - px) * dy / dx) for x in xs)
        else:
            ys = (0.0, height - 1.0) if dy > 0 else (height - 1.0, 0.0)
            ends = tuple((px + (y - py) * dx / dy, y) for y in ys)
    (x0, y0), (x1, y1) = ends
    angle = math.degrees(math.atan2(y1 - y0, x1 - x0))
    angle = 180.0 if angle == -180.0 else angle
    xc = (width - 1) / 2.0
    centre = py + (xc - px) * dy / dx if dx != 0 else math.nan
    fields.setdefault("confidence", 1.0)
    return Horizon(float(x0), float(y0), float(x1), float(y1), float(angle), float(centre), **fields)


def horizon_from_points(x0: float, y0: float, x1: float, y1: float, width: int, height: int) -> Horizon:
    """The Horizon through two points (e.g. ground truth), the sky on the left walking from the first to the second.

    For an upright line that is the left point first (y down: walking right, the left is up).
    The result's points are where the line crosses the image border (``line_through``).
    """
    if (x0, y0) == (x1, y1):
        raise ValueError(f"the two points ({x0}, {y0}) coincide: they give no line")
    return line_through(float(x0), float(y0), float(x1) - float(x0), float(y1) - float(y0), width, height)


def angle_apart(a: Horizon, b: Horizon) -> float:
    """Angle between two lines in degrees, 0..180, the way up counting (the same line upside down is 180 apart)."""
    return abs((a.angle_deg - b.angle_deg + 180.0) % 360.0 - 180.0)


def camera_attitude(horizon: Horizon, K: np.ndarray) -> tuple[float, float]:
    """Camera (roll, pitch) in radians relative to the sea horizon, from pinhole intrinsics K.

    ``K`` is the 3x3 camera matrix (a flat 9-list such as ``CameraInfo.k`` works too), for the
    image the horizon was found in; the image should be free of lens distortion.

    The horizon is taken as the vanishing line ``l`` of the horizontal plane, signed so that
    ``l . (x, y, 1) > 0`` on its sky side, so ``K^T l`` is the world's up direction ``u`` in
    camera coordinates (x right, y down, z along the optical axis). The sky side comes from the
    line's point order, not from "above", so the roll covers the full circle. The dip of the
    true sea horizon below that line (about ``sqrt(2 h / R_earth)``: 1.8 mrad for a camera 10 m
    above the sea) is ignored, so the pitch reads high by that much. Angles are defined by
    ``u = (-sin(roll) cos(pitch), -cos(roll) cos(pitch), sin(pitch))``:

    - pitch: elevation of the optical axis above the horizontal, in [-90, 90] deg; > 0 when the
      camera looks up, which moves the sky side of the image's horizon away from the centre;
    - roll: rotation about the optical axis, in (-180, 180] deg; > 0 when the camera's right
      side is down (clockwise as seen from behind the camera), which makes an upright horizon
      rise towards the right of the image; 180 when the camera is upside down. For square
      pixels and no pitch, roll = -angle_deg.
    """
    K = np.asarray(K, dtype=float).reshape(3, 3)
    ux, uy = horizon.up
    line = np.array([ux, uy, -(ux * horizon.x0 + uy * horizon.y0)])
    up = K.T @ line
    up /= np.linalg.norm(up)
    pitch = math.asin(max(-1.0, min(1.0, float(up[2]))))
    roll = math.atan2(-float(up[0]), -float(up[1]))
    return (math.pi if roll <= -math.pi else roll), pitch
