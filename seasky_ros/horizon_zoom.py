# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""A second network pass at a finer scale on the band around a found horizon (``horizon_zoom``).

Why: the network sees a 640x512 frame at 208x160, so one of its pixels spans about 3x3 frame
pixels and its sky/sea boundary is placed to about one of them (synthetic held-out median 3.3 px).
Segmenting a window around the found line, ``zoom`` times smaller than the frame, gives the
boundary at ``zoom`` times the resolution. Only the rows within ``BAND_FRACTION`` of the frame's
height of the first line are taken from the zoomed pass: far from the line the window lacks the
context (the whole sky, the whole sea) the first pass had. The horizon is then searched again on
the merged mask; where that search finds no line above the confidence threshold the first pass
stands, so the zoom can move a line but never lose one. Measured in docs/HORIZON.md.
"""

from __future__ import annotations

import math

import numpy as np

from .horizon_line import Horizon
from .labels import OTHER

DEFAULT_HORIZON_ZOOM = 0.0
"""The zoom factor, up to ``MAX_HORIZON_ZOOM``; 1 or less is off. 1.75 is the measured choice."""

MEASURED_HORIZON_ZOOM = 1.75
"""The factor measured best on the synthetic held-out set and infml's gap third (docs/HORIZON.md)."""

MAX_HORIZON_ZOOM = 4.0
"""Past this the window holds so little of the frame that the network loses the scene."""

MAX_LEAN_DEG = 30.0
"""Lines leaning further (rolled frames) keep the first pass: an upright window cuts them short."""

BAND_FRACTION = 0.05
"""Half-height of the band taken from the zoomed pass, as a share of the frame's height (26 px at 512)."""


def check_zoom(zoom: float) -> float:
    """``zoom`` if it is in 0..``MAX_HORIZON_ZOOM`` (1 or less: off); ValueError otherwise."""
    if not (math.isfinite(zoom) and 0.0 <= zoom <= MAX_HORIZON_ZOOM):
        raise ValueError(f"horizon_zoom ({zoom}) must be in 0..{MAX_HORIZON_ZOOM} (1 or less: off)")
    return float(zoom)


def zoom_window(horizon: Horizon, shape_hw: tuple[int, int], zoom: float) -> tuple[int, int, int, int] | None:
    """(top, left, height, width) of the window centred on the line at the centre column; None when not to zoom."""
    height, width = shape_hw
    if zoom <= 1.0 or abs(horizon.angle_deg) > MAX_LEAN_DEG or not math.isfinite(horizon.center_row):
        return None
    h, w = int(round(height / zoom)), int(round(width / zoom))
    top = int(np.clip(round(horizon.center_row - h / 2), 0, height - h))
    return top, (width - w) // 2, h, w


def merged_labels(labels: np.ndarray, window_labels: np.ndarray, window: tuple[int, int, int, int],
                  horizon: Horizon) -> np.ndarray:
    """``labels`` with the window's sky/sea within the band around ``horizon``; the rest stays the first pass's.

    "Other" is never taken from or given to the zoomed pass: it may move the sky/sea boundary, not
    add or remove obstacles (the window's sea near the line held small "other" blobs the full view
    did not: infml gap third 0.03 -> 0.32 false blobs a frame when it could).
    """
    top, left, h, w = window
    if window_labels.shape != (h, w):
        raise ValueError(f"window labels {window_labels.shape} differ from the window {(h, w)}")
    half = BAND_FRACTION * labels.shape[0]
    rows = np.arange(top, top + h, dtype=np.float32)[:, None]
    line = np.asarray(horizon.y_at(np.arange(left, left + w, dtype=np.float32)), dtype=np.float32)[None, :]
    band = np.abs(rows - line) <= half
    out = labels.copy()
    view = out[top:top + h, left:left + w]
    band &= (view != OTHER) & (window_labels != OTHER)
    view[band] = window_labels[band]
    return out
