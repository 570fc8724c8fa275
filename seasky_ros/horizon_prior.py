# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The horizon stage with an attitude sensor: lines far from where it puts the horizon are refused, and a
faint horizon is looked for along that line when the network's mask gave none.

Why: with the attitude known to a fraction of a degree (``seasky_ros.attitude``) the horizon can
only lie in a narrow band. A line outside it is something else: a near coast's waterline, a
skyline, a boundary the network painted into a view looking up at the sky. A hazy horizon the
network labelled as sky still shows as a step in the image within the band; the same image
checks as the mask's line passes (``edge_evidence``: a contrast and a sharp step) decide whether
it is there. Measured on synthetic frames with the attitude disturbed by its error in
docs/HORIZON.md ("With an attitude sensor").
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from .attitude import AttitudeSettings, expected_horizon, tolerance_px, world_up_in_camera
from .horizon import (
    DEFAULT_SETTINGS,
    REASON_FEW_VALID,
    REASON_NO_CONTRAST,
    HorizonSearch,
    HorizonSettings,
    edge_evidence,
    edge_factor,
    refine_on_image,
)
from .horizon_line import SOURCE_ATTITUDE, Horizon, angle_apart, line_through
from .horizon_turns import turn_back
from .labels import OTHER

REASON_OUT_OF_VIEW = "the attitude puts the horizon out of view"
REASON_OFF_ATTITUDE = "no line near where the attitude puts the horizon"

MIN_ANGLE_TOLERANCE_DEG = 2.0
"""A line may lean this much more than the attitude's 3 sigma from the expected one."""


@dataclasses.dataclass(frozen=True)
class HorizonPrior:
    """The line an attitude sensor expects (None: out of view) and how far the horizon may lie from it."""

    line: Horizon | None
    tolerance_px: float
    tolerance_deg: float


def prior_from_orientation(orientation_xyzw: np.ndarray, K: np.ndarray, shape_hw: tuple[int, int],
                           settings: AttitudeSettings) -> HorizonPrior:
    """The prior of an IMU orientation (x, y, z, w) for a frame of ``shape_hw`` with intrinsics ``K``."""
    up = world_up_in_camera(orientation_xyzw, settings.mount_rpy_deg)
    line = expected_horizon(up, K, shape_hw, settings.camera_height_m)
    return HorizonPrior(line, tolerance_px(K, shape_hw, settings.sigma_deg, settings.floor_rel),
                        max(MIN_ANGLE_TOLERANCE_DEG, 3.0 * settings.sigma_deg))


def agrees(line: Horizon, prior: HorizonPrior, shape_hw: tuple[int, int]) -> bool:
    """Whether ``line`` lies within the prior's band: the middle of its part in view, and its angle."""
    if prior.line is None:
        return False
    xm, ym = (line.x0 + line.x1) / 2.0, (line.y0 + line.y1) / 2.0
    height, width = shape_hw
    xm, ym = min(max(xm, 0.0), width - 1.0), min(max(ym, 0.0), height - 1.0)
    return (abs(float(prior.line.signed_distance(xm, ym))) <= prior.tolerance_px
            and angle_apart(line, prior.line) <= prior.tolerance_deg)


def with_prior(search: HorizonSearch, labels: np.ndarray, image: np.ndarray, prior: HorizonPrior,
               settings: HorizonSettings = DEFAULT_SETTINGS) -> HorizonSearch:
    """``search``'s line if the prior agrees; else the image's line along the prior's, or none and why."""
    if prior.line is None:
        return HorizonSearch(None, REASON_OUT_OF_VIEW)
    if search.horizon is not None and agrees(search.horizon, prior, labels.shape):
        return search
    if search.reason in (REASON_FEW_VALID, REASON_NO_CONTRAST):  # the frame shows nothing anywhere
        return search
    guided = guided_search(labels, image, prior, settings)
    return HorizonSearch(guided, "" if guided is not None else REASON_OFF_ATTITUDE)


def _upright_turn(line: Horizon, width: int, height: int) -> tuple[int, Horizon]:
    """The quarter turn k (``np.rot90``'s) that brings ``line`` within 45 deg of level, sky up, and the line there.

    The frame turned by k is turned back by 4 - k, so ``turn_back`` with 4 - k carries a line into it.
    """
    for k in range(4):
        tw, th = (width, height) if k % 2 == 0 else (height, width)
        turned = line if k == 0 else turn_back(line, 4 - k, tw, th)
        if abs(turned.angle_deg) <= 45.0:
            return k, turned
    raise AssertionError("one of four quarter turns brings any line within 45 deg of level")


def guided_search(labels: np.ndarray, image: np.ndarray, prior: HorizonPrior,
                  settings: HorizonSettings = DEFAULT_SETTINGS) -> Horizon | None:
    """The image's sky-to-sea step within the prior's band, where the mask shows no obstacle on the line.

    The same refinement and evidence as a mask's line gets (``refine_on_image`` with the band
    widened to the prior's tolerance, then ``edge_evidence``); the confidence is the evidence's
    factor, scaled down as a mask's line is when fewer than ``full_support`` of the columns
    could be looked at (the rest lie behind obstacles).
    """
    if prior.line is None:
        return None
    height, width = labels.shape
    k, line = _upright_turn(prior.line, width, height)
    turned_labels = labels if k == 0 else np.rot90(labels, k)
    turned_image = image if k == 0 else np.rot90(image, k)
    th, tw = turned_labels.shape
    a = (line.y1 - line.y0) / (line.x1 - line.x0)
    b = line.y0 - a * line.x0
    xs = np.arange(tw)
    ys = a * xs + b
    inside = (ys >= 1.0) & (ys <= th - 2.0)
    rows = np.clip(np.rint(ys), 0, th - 1).astype(np.int64)
    open_line = inside & (turned_labels[rows, xs] != OTHER)
    cols = xs[open_line].astype(np.float64)
    if cols.size < settings.min_points:
        return None
    wide = dataclasses.replace(settings, refine_band_px=prior.tolerance_px, refine_band_rel=0.0)
    refined = refine_on_image(turned_image, a, b, cols, wide)
    if refined is None:
        return None
    a_r, b_r, trusted = refined
    if not trusted:
        if settings.hazy_peak_offset_px is None:
            return None
        b_r += settings.hazy_peak_offset_px * math.hypot(1.0, a_r)
    evidence = edge_evidence(turned_image, a_r, b_r, cols, settings)
    if evidence is None or evidence[0] < settings.min_contrast_snr or evidence[2] < settings.min_edge_sharpness:
        return None
    support, edge = cols.size / tw, edge_factor(evidence, settings)
    found = line_through(0.0, b_r, 1.0, a_r, tw, th, confidence=float(edge * min(1.0, support / settings.full_support)),
                         inlier_share=1.0, support=float(support), edge=float(edge), source=SOURCE_ATTITUDE)
    if not agrees(found, dataclasses.replace(prior, line=line), (th, tw)):
        return None
    return found if k == 0 else turn_back(found, k, width, height)
