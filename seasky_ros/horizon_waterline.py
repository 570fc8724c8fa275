# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The horizon behind a distant coast: its waterline, found where the sky->sea boundary is too scarce.

Why: from a few metres up, a coast beyond a few km has its waterline within a fraction of a pixel
of the true horizon (10 m up, 5 km away: 0.6 mrad), so when such a coast hides most of the
horizon the waterline *is* the horizon the frame shows. A near waterfront (a harbour's quays, a
beach below buildings) is not: its waterline lies well below the horizon, and is ragged in the
mask (reflections, moored boats, piers). The two are told apart by measured rules, each of which
can refuse (``WaterlineRules``, figures in docs/HORIZON.md):

- the points: per column, the top of the sea that lies under "other" (at least a few rows of
  other right above, a band of sea below), so a skyline (no sea below it) gives none;
- straight: the robust line explains enough of those points (a harbour's boundary is ragged);
- level with the open horizon: where columns show sky over sea beside the coast, they must lie
  on the waterline's line (a coast's top or a harbour has its own row, the sea horizon another);
- long: the line is seen (as waterline or agreeing sky->sea) across enough of the view;
- the image: the waterline of a distant coast is one of the sharpest straight steps in an LWIR
  frame (warm land over cold water), so the image's own edge must run along it, and the line is
  placed on that edge (the mask's boundary, a staircase of the network's coarse grid, is tilted
  and a row or two off on real coasts).

The line is reported as ``Horizon(..., source=SOURCE_WATERLINE)``. ``seasky_ros.horizon`` hands
over (``WaterlineFallback``) where the sky->sea boundary gives no line, or a doubtful one: seen on
fewer than half the columns, or lying on a coast (``waterline_instead``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .horizon import (
    DEFAULT_SETTINGS,
    SOURCE_WATERLINE,
    HorizonSearch,
    HorizonSettings,
    edge_evidence,
    edge_factor,
    line_through,
    refine_on_image,
)
from .horizon_fit import _robust_line, _scratch, even_picks

WATERLINE_NO_POINTS = "waterline: too few columns with a coast over sea"
WATERLINE_NOT_STRAIGHT = "waterline: not straight"
WATERLINE_DISAGREES = "waterline: not level with the open sky->sea horizon"
WATERLINE_SHORT = "waterline: too short"
WATERLINE_NO_EDGE = "waterline: no image edge along it"


@dataclass(frozen=True)
class WaterlineRules:
    """When an other->sea boundary counts as a distant coast's waterline (measured: docs/HORIZON.md)."""

    other_above_px: int = 3  # rows right above a waterline point that must all be "other" (a coast, not a speck)
    min_inlier_share: float = 0.45  # straight: share of the waterline points the line explains
    agree_px: float = 3.0  # an open sky->sea point this close to the line agrees with it
    min_agree_share: float = 0.5  # share of the open sky->sea points that must agree, where there are ...
    open_columns: float = 0.05  # ... at least this share of the columns (the network's border columns are not)
    min_extent: float = 0.5  # long: share of the columns that see the line (waterline inliers + agreeing sky->sea)
    coast_under_share: float = 0.5  # a sky->sea line with "other" below it in this share of its columns lies on a coast
    sample_columns: int = 64  # columns of a sky->sea line looked at for that
    need_image_edge: bool = True  # with an image: refuse unless its edge runs along the line (sharp at it: as
    # sharp as HorizonSettings.min_edge_sharpness), and place the line on it


DEFAULT_RULES = WaterlineRules()


def waterline_points(labels: np.ndarray, *, sea: int = 1, other: int = 2,
                     settings: HorizonSettings = DEFAULT_SETTINGS,
                     rules: WaterlineRules = DEFAULT_RULES) -> tuple[np.ndarray, np.ndarray]:
    """Per column, the row of the top of the sea lying under "other"; columns without one are left out.

    A point is the first sea row ``r`` (as in ``boundary_points``: the line lies in that row)
    with ``rules.other_above_px`` rows of "other" right above it and a band below it that is
    sea as ``sea_below`` wants (``sea_below_rel`` deep, ``sea_below_share`` sea); of several in
    a column (a vessel on the water below a coast) the topmost.
    """
    height, width = labels.shape
    depth = max(3, round(settings.sea_below_rel * height))
    k = rules.other_above_px
    upper, lower = labels[k - 1:height - depth], labels[k:height - depth + 1]
    step = np.equal(upper, other, out=_scratch("other_above", upper.shape, np.bool_))
    step &= np.equal(lower, sea, out=_scratch("sea_below", lower.shape, np.bool_))
    rows, cols = np.divmod(np.flatnonzero(step), width)  # np.nonzero's order, at a twentieth of its cost
    rows = rows + k  # the first sea row of each other->sea step
    keep = (labels[rows[:, None] - np.arange(1, k + 1)[None, :], cols[:, None]] == other).all(axis=1)
    band = labels[rows[:, None] + np.arange(depth)[None, :], cols[:, None]] == sea
    keep &= band.sum(axis=1) >= settings.sea_below_share * depth
    rows, cols = rows[keep], cols[keep]
    order = np.lexsort((rows, cols))  # by column, then from the top
    cols, first = np.unique(cols[order], return_index=True)
    return cols.astype(np.float64), rows[order][first] + settings.boundary_offset_px


def _other_between(labels: np.ndarray, xs: np.ndarray, y_from: np.ndarray, y_to: np.ndarray, other: int) -> np.ndarray:
    """Whether "other" lies anywhere between rows ``y_from`` and ``y_to`` (either order) of each column ``xs``."""
    height = labels.shape[0]
    lo = np.clip(np.rint(np.minimum(y_from, y_to)).astype(np.int64), 0, height - 1)
    hi = np.clip(np.rint(np.maximum(y_from, y_to)).astype(np.int64), 0, height - 1)
    if lo.size == 0:
        return np.zeros(0, bool)
    span = np.arange(int((hi - lo).max()) + 1)
    rows = lo[:, None] + span[None, :]
    inside = rows <= hi[:, None]
    return ((labels[np.minimum(rows, height - 1), xs.astype(np.int64)[:, None]] == other) & inside).any(axis=1)


def _surely_disagrees(labels: np.ndarray, sky_sea: tuple[np.ndarray, np.ndarray], columns: np.ndarray,
                      line: tuple[float, float], refined: bool, other: int, settings: HorizonSettings,
                      rules: WaterlineRules) -> bool:
    """Whether the open sky->sea points refuse the line y = a x + b wherever the refinement may move it.

    The refinement (``refined``) returns a line within ``band`` of the mask's at the ends of
    ``columns`` or none (then the waterline is refused for want of an edge), so beyond those ends
    it moves at most by the slope that allows. A point farther from the line than ``agree_px`` plus
    that, with no "other" anywhere between it and where the line may lie, is kept and disagrees
    whatever the image says; when such points outnumber all others as the agreement rule needs,
    ``find_waterline_horizon`` refuses the line, with the image or without it.
    """
    sx, sy = sky_sea
    height, width = labels.shape
    a, b = line
    slack = 1e-6  # float rounding of the lines' rows
    if refined:
        band = max(settings.refine_band_px, settings.refine_band_rel * height)
        lo, hi = float(columns.min()), float(columns.max())
        if sx.size == 0 or hi <= lo:
            return False
        slack = slack + band + 2.0 * band / (hi - lo) * np.maximum(np.maximum(lo - sx, sx - hi), 0.0)
    y = a * sx + b
    far = np.abs(sy - y) > rules.agree_px + slack
    kept = far & ~_other_between(labels, sx, np.minimum(sy, y - slack), np.maximum(sy, y + slack), other)
    sure, possible = int(np.count_nonzero(kept)), int(np.count_nonzero(~far))
    return (sure >= max(settings.min_points, rules.open_columns * width)
            and possible / (possible + sure) < rules.min_agree_share)


def find_waterline_horizon(
    labels: np.ndarray,
    image: np.ndarray | None,
    sky_sea: tuple[np.ndarray, np.ndarray],
    *,
    sea: int = 1,
    other: int = 2,
    min_support: float,
    settings: HorizonSettings = DEFAULT_SETTINGS,
    rules: WaterlineRules = DEFAULT_RULES,
    quick_refusal: bool = False,
) -> HorizonSearch:
    """A distant coast's waterline as the horizon, or None with the rule that refused it.

    ``sky_sea`` are the sky->sea boundary points (``boundary_points``) that gave no line on their
    own; they still vote on the waterline (agreement and extent). ``min_support`` is the share of
    columns the points must cover at all, as for the sky->sea line. With ``quick_refusal`` a line
    that the open sky->sea points refuse wherever the image may move it (``_surely_disagrees``) is
    refused before the image is read (about 1 ms at 640x512), as not level, where the image might
    have refused it first: for callers that need the line, not the reason.
    """
    height, width = labels.shape
    xs, ys = waterline_points(labels, sea=sea, other=other, settings=settings, rules=rules)
    if xs.size < settings.min_points or xs.size < min_support * width:
        return HorizonSearch(None, WATERLINE_NO_POINTS)
    threshold = max(settings.ransac_threshold_px, settings.ransac_threshold_rel * height)
    inliers, a, b = _robust_line(xs, ys, threshold, settings)
    inlier_share = float(inliers.mean())
    if inliers.sum() < settings.min_points or inlier_share < rules.min_inlier_share:
        return HorizonSearch(None, WATERLINE_NOT_STRAIGHT)
    if quick_refusal and _surely_disagrees(labels, sky_sea, xs[inliers], (a, b), image is not None, other, settings,
                                           rules):
        return HorizonSearch(None, WATERLINE_DISAGREES)
    edge = 1.0
    if image is not None:
        columns = xs[inliers]
        evidence = edge_evidence(image, a, b, columns, settings)
        if rules.need_image_edge and (evidence is None or evidence[1] < settings.min_edge_sharpness):
            return HorizonSearch(None, WATERLINE_NO_EDGE)  # before the refinement, which cannot change that
        refined = refine_on_image(image, a, b, columns, settings)
        if rules.need_image_edge and refined is None:
            return HorizonSearch(None, WATERLINE_NO_EDGE)
        edge = edge_factor(evidence, settings)
        if refined is not None:  # the coast's step is the waterline, not a haze ramp: its position is trusted
            a, b = refined[0], refined[1]
    sx, sy = sky_sea
    agree = np.abs(sy - (a * sx + b)) <= rules.agree_px
    # a sky->sea point with "other" between it and the line is haze lying on the land, not the open horizon
    agree = agree[agree | ~_other_between(labels, sx, sy, a * sx + b, other)]
    if agree.size >= max(settings.min_points, rules.open_columns * width) and agree.mean() < rules.min_agree_share:
        return HorizonSearch(None, WATERLINE_DISAGREES)
    extent = (int(inliers.sum()) + int(agree.sum())) / width
    if extent < rules.min_extent:
        return HorizonSearch(None, WATERLINE_SHORT)
    confidence = inlier_share * min(1.0, extent / settings.full_support) * edge
    return HorizonSearch(line_through(0.0, b, 1.0, a, width, height, confidence=float(confidence),
                                      inlier_share=inlier_share, support=float(extent), edge=float(edge),
                                      source=SOURCE_WATERLINE))


def waterline_instead(
    labels: np.ndarray,
    image: np.ndarray | None,
    sky_sea: tuple[np.ndarray, np.ndarray],
    line: tuple[float, float],
    xs: np.ndarray,
    support: float,
    *,
    sea: int = 1,
    other: int = 2,
    min_support: float,
    settings: HorizonSettings = DEFAULT_SETTINGS,
    rules: WaterlineRules = DEFAULT_RULES,
) -> HorizonSearch | None:
    """The waterline horizon in place of a sky->sea line that a coast makes doubtful, or None to keep that line.

    Doubtful: the line is seen in fewer than ``full_support`` of the columns (``support``), or
    most of its columns ``xs`` have "other" below them (a band of haze over a distant coast reads
    as "sea" to a network, and the line then runs along the coast's top). The waterline must
    pass all its rules, agreement with the open sky->sea columns included.
    """
    if not np.equal(labels, other, out=_scratch("is_other", labels.shape, np.bool_)).any():
        return None
    if support >= settings.full_support:
        a, b = line
        sample = xs[even_picks(xs.size, min(xs.size, rules.sample_columns))]
        y = a * sample + b
        under = _other_between(labels, sample, y, np.full_like(y, labels.shape[0] - 1), other)
        if np.mean(under) < rules.coast_under_share:
            return None
    found = find_waterline_horizon(labels, image, sky_sea, sea=sea, other=other, min_support=min_support,
                                   settings=settings, rules=rules, quick_refusal=True)
    return found if found.horizon is not None else None


@dataclass(frozen=True)
class WaterlineFallback:
    """What ``seasky_ros.horizon.find_horizon`` hands over so that a coast's waterline can answer for it."""

    labels: np.ndarray
    image: np.ndarray | None
    sky_sea: tuple[np.ndarray, np.ndarray]
    sea: int
    other: int
    min_support: float
    settings: HorizonSettings

    def or_none(self, reason: str) -> HorizonSearch:
        """The waterline horizon where the sky->sea search gives up, else no line for ``reason``."""
        found = find_waterline_horizon(self.labels, self.image, self.sky_sea, sea=self.sea, other=self.other,
                                       min_support=self.min_support, settings=self.settings, quick_refusal=True)
        return found if found.horizon is not None else HorizonSearch(None, reason)

    def instead_of(self, a: float, b: float, xs: np.ndarray, support: float) -> HorizonSearch | None:
        """The waterline horizon in place of the sky->sea line y = a x + b (columns ``xs``), or None to keep it."""
        return waterline_instead(self.labels, self.image, self.sky_sea, (a, b), xs, support, sea=self.sea,
                                 other=self.other, min_support=self.min_support, settings=self.settings)
