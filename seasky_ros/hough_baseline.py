# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""A classical horizon detector (Canny edges + Hough transform), the baseline the network must beat.

This is the textbook approach of maritime horizon detection papers: stretch the frame to
8 bits, smooth it, find edges, and vote for straight lines; the horizon is taken to be the
line with the most edge pixels among those close to horizontal. It needs no training and is
fast, but it has no idea what sky and sea look like, so wave crests, cloud banks, coast
lines and ship hulls compete with the horizon for votes. ``seasky-bench`` scores it on the
same frames as the segmenter.

Parameters (``HoughParams``), chosen once on held-out synthetic frames (never on the real
evaluation frames) and left alone:

- ``low_pct``/``high_pct`` (1/99): percentile window of the 8-bit stretch, the same window the
  network's preprocessing uses, so both see the same contrast.
- ``blur_sigma`` (1.0 px): Gaussian smoothing before Canny; suppresses sensor noise and ripples.
- ``canny_low``/``canny_high`` (10/30 on the 0..255 stretch): hysteresis thresholds, low because
  a hazy horizon is often a step of only a few percent of the frame's range.
- ``max_tilt_deg`` (30): only lines within this angle of horizontal are considered.
- ``min_votes_frac`` (0.25): a line needs edge pixels along at least this fraction of the
  frame width, otherwise no horizon is reported.
- ``theta_step_deg`` (0.25) and rho step 1 px: resolution of the Hough accumulator.

The confidence of a detection is its vote count divided by the frame width (clipped to 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from .horizon import Horizon, horizon_from_points
from .preprocess import fill_nonfinite, stretch, to_gray


@dataclass(frozen=True)
class HoughParams:
    """Tuning of the baseline; see the module docstring for what each does."""

    low_pct: float = 1.0
    high_pct: float = 99.0
    blur_sigma: float = 1.0
    canny_low: float = 10.0
    canny_high: float = 30.0
    max_tilt_deg: float = 30.0
    min_votes_frac: float = 0.25
    theta_step_deg: float = 0.25


def edges(gray: np.ndarray, params: HoughParams = HoughParams()) -> np.ndarray:
    """The Canny edge map (uint8, 255 on edges) the line vote runs on."""
    image = (stretch(gray, params.low_pct, params.high_pct) * 255.0).astype(np.uint8)
    if params.blur_sigma > 0:
        image = cv2.GaussianBlur(image, (0, 0), params.blur_sigma)
    return cv2.Canny(image, params.canny_low, params.canny_high, L2gradient=True)


def detect_horizon(
    frame: np.ndarray, encoding: str | None = None, params: HoughParams = HoughParams()
) -> Horizon | None:
    """The strongest near-horizontal straight edge of a frame, or None when there is none."""
    gray, _ = fill_nonfinite(to_gray(frame, encoding))
    height, width = gray.shape
    edge_map = edges(gray, params)
    if not edge_map.any():
        return None
    tilt = math.radians(params.max_tilt_deg)
    # theta is the angle of the line's normal: pi/2 is a horizontal line.
    found = cv2.HoughLinesWithAccumulator(
        edge_map,
        rho=1.0,
        theta=math.radians(params.theta_step_deg),
        threshold=max(2, int(params.min_votes_frac * width)),
        min_theta=math.pi / 2 - tilt,
        max_theta=math.pi / 2 + tilt,
    )
    if found is None or len(found) == 0:
        return None
    rho, theta, votes = (float(v) for v in np.asarray(found).reshape(-1, 3)[0])  # sorted by votes, strongest first
    sin_t, cos_t = math.sin(theta), math.cos(theta)
    if abs(sin_t) < 1e-6:
        return None
    x0, x1 = 0.0, float(width - 1)
    y0 = (rho - x0 * cos_t) / sin_t
    y1 = (rho - x1 * cos_t) / sin_t
    horizon = horizon_from_points(x0, y0, x1, y1, width=width, height=height)
    return replace(horizon, confidence=min(1.0, votes / width), support=min(1.0, votes / width))
