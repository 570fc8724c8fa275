# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""A picture a person can check at a glance: the IR frame, the labels tinted over it, the horizon.

Used by the node's ``~/overlay`` topic, the bag tool's videos and the evaluation's worst-frame
grids, so all three look the same. Everything is a few vectorised OpenCV calls (a few ms at
640x512) because the node renders it per frame while someone watches.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from .horizon import Horizon

# BGR tints per label: sky blue, sea teal-green, other orange-red; labels beyond get gray.
CLASS_COLOURS_BGR: tuple[tuple[int, int, int], ...] = ((235, 160, 50), (150, 170, 0), (20, 90, 250))
UNKNOWN_COLOUR_BGR = (128, 128, 128)
HORIZON_COLOUR_BGR = (0, 240, 255)
EXPECTED_COLOUR_BGR = (255, 0, 255)  # magenta: the IMU's line, not the image's
_SHIFT = 4  # sub-pixel bits for cv2.line


def _palette() -> np.ndarray:
    palette = np.tile(np.array(UNKNOWN_COLOUR_BGR, dtype=np.uint8), (256, 1))
    palette[: len(CLASS_COLOURS_BGR)] = CLASS_COLOURS_BGR
    return palette


_PALETTE = _palette()


def to_display_gray(gray: np.ndarray, low_pct: float = 1.0, high_pct: float = 99.0) -> np.ndarray:
    """Any-range gray (float or integer) -> uint8, stretched to the percentile window.

    The percentiles come from a 1-in-16 pixel sample: the same window to a fraction of a gray
    level, at a tenth of the cost. NaN pixels show black.
    """
    gray = np.asarray(gray)
    if gray.ndim == 3:
        gray = cv2.cvtColor(np.ascontiguousarray(gray[:, :, :3]), cv2.COLOR_BGR2GRAY)
    sample = gray[::4, ::4].astype(np.float32, copy=False)
    finite = sample[np.isfinite(sample)]
    if finite.size == 0:
        return np.zeros(gray.shape[:2], dtype=np.uint8)
    lo, hi = np.percentile(finite, [low_pct, high_pct])
    span = float(hi - lo)
    scale = 255.0 / span if span > 1e-6 * max(1.0, abs(float(hi))) else 0.0
    scaled = (gray.astype(np.float32) - np.float32(lo)) * np.float32(scale)
    np.nan_to_num(scaled, copy=False, nan=0.0, posinf=255.0, neginf=0.0)
    np.clip(scaled, 0.0, 255.0, out=scaled)
    return scaled.astype(np.uint8)


def draw_horizon(image: np.ndarray, horizon: Horizon, colour: Sequence[int] = HORIZON_COLOUR_BGR,
                 thickness: int = 2) -> np.ndarray:
    """Draw the line anti-aliased and sub-pixel exact (with a dark edge so it shows on any background).

    The line runs between its two border points, so it is drawn at any roll.
    """
    scale = 1 << _SHIFT
    limit = 1 << 20  # keep far-off lines (a true horizon out of view) inside OpenCV's integer range
    p0, p1 = ((int(round(np.clip(x * scale, -limit, limit))), int(round(np.clip(y * scale, -limit, limit))))
              for x, y in ((horizon.x0, horizon.y0), (horizon.x1, horizon.y1)))
    cv2.line(image, p0, p1, (0, 0, 0), thickness + 2, cv2.LINE_AA, _SHIFT)
    cv2.line(image, p0, p1, tuple(int(c) for c in colour), thickness, cv2.LINE_AA, _SHIFT)
    return image


def render_overlay(
    gray: np.ndarray,
    labels: np.ndarray,
    horizon: Horizon | None,
    *,
    alpha: float = 0.35,
    low_pct: float = 1.0,
    high_pct: float = 99.0,
    text: str | None = None,
    thickness: int = 2,
    expected: Horizon | None = None,
) -> np.ndarray:
    """Gray frame + tinted labels (+ horizon line, + a line of text) -> BGR uint8 at the frame's size.

    ``labels`` is resized (nearest) when its size differs from the frame's. ``expected``: where an
    IMU's attitude puts the horizon, drawn in its own colour under the found line, so that a
    mount or an IMU that is off shows as two lines apart.
    """
    base = to_display_gray(gray, low_pct, high_pct)
    height, width = base.shape
    labels = np.asarray(labels, dtype=np.uint8)
    if labels.shape != (height, width):
        labels = cv2.resize(labels, (width, height), interpolation=cv2.INTER_NEAREST_EXACT)
    base_bgr = cv2.cvtColor(base, cv2.COLOR_GRAY2BGR)
    tint = _PALETTE[labels]
    alpha = float(np.clip(alpha, 0.0, 1.0))
    out = cv2.addWeighted(base_bgr, 1.0 - alpha, tint, alpha, 0.0)
    if expected is not None:
        draw_horizon(out, expected, colour=EXPECTED_COLOUR_BGR, thickness=thickness)
    if horizon is not None:
        draw_horizon(out, horizon, thickness=thickness)
    if text:
        scale = max(0.4, height / 1000.0)
        origin = (6, int(8 + 22 * scale))
        cv2.putText(out, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (0, 0, 0), 3, cv2.LINE_AA)
        cv2.putText(out, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def tile_grid(tiles: Sequence[np.ndarray], cols: int) -> np.ndarray:
    """Same-width BGR tiles in a grid of ``cols`` columns: short tiles padded below, the last row with black."""
    height = max(t.shape[0] for t in tiles)
    padded = [cv2.copyMakeBorder(t, 0, height - t.shape[0], 0, 0, cv2.BORDER_CONSTANT) for t in tiles]
    padded += [np.zeros_like(padded[0])] * (-len(padded) % cols)
    return np.vstack([np.hstack(padded[i:i + cols]) for i in range(0, len(padded), cols)])
