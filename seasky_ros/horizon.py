# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Horizon line from a sky/sea/other label mask, optionally sharpened on the infrared image.

Why this way:

- The network runs at a fraction of the camera resolution, but a straight line fitted to
  hundreds of per-column sky->sea boundary points is accurate far below one pixel: the
  staircase of the mask averages out.
- Vessels and coastlines sit *on* the horizon without being it. Columns where "other" (or
  "ignore") touches the boundary are skipped, and RANSAC rejects the columns that still
  disagree (speckles, misclassified haze).
- A coarse mask cannot place the line better than its own resolution allows where the
  boundary is systematically off (haze, upsampling). A search for the strongest intensity
  step in a narrow band around the fitted line lets the image have the last word, but only
  when that step is consistent along the line; otherwise the mask line is kept, so a
  featureless image cannot make things worse than the mask.
- On a hazy horizon the step is lopsided and its peak sits above the horizon, by about the same
  amount all along, so its *slope* is trusted (on infml-hdd-dev this halves the angle bias of
  the mask line: median error 0.20 -> 0.12 deg) and the line is placed ``hazy_peak_offset_px``
  below the peak. Where the labels put the horizon on the haze ramp was measured: 1.1 px below
  the peak on infml-hdd-dev's training half (288 rows), 0.6 px on synthetic scenes with exact
  labels (512 rows); 0.8 lies between. The network's mask, the alternative, drifts on hazy
  horizons from one set of weights to the next (0.4-3.4 px low on the sample bag over the
  shipped run's last five epochs), the image's edge does not.
- A network draws a confident line on anything, a lens cap or fog included, so the image has a
  veto (``find_horizon``): too few valid pixels, no contrast, or no sharp edge across the line
  means no horizon, with the reason. And a horizon has sea below it: a line along a skyline or
  a coast's top, with land below, is refused.
- Behind a distant coast the horizon is the coast's waterline (``horizon_waterline``: its rules
  tell it from a near waterfront's).

Conventions: pixel coordinates with pixel centres at integers, x right, y down (pixel ``r``
covers rows ``r - 0.5 .. r + 0.5``). By default a mask marks a pixel as sea when its area
reaches below the line (``r + 0.5 > y``; the sea side, at any roll), so the first sea row of
a column is the pixel that contains the line and the boundary estimate is that row itself. This is what the synthetic
generator writes, and it is the closest fit to the labelled real data (``infml-hdd-dev``):
there the first sea row is ``round(y)`` in 78 % of the columns and ``ceil(y)`` in 67 %.
Masks that mark pixel *centres* on/below the line as sea should set
``HorizonSettings.boundary_offset_px = -0.5``.

The search above works on a mask with the sky up; ``find_horizon`` turns the mask by quarter
turns so that it is, and turns the line back, so any roll works. The line's form (its two
border points, the sky on the left from the first to the second; ``angle_deg`` over the full
circle) and the attitude are in ``horizon_line``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .horizon_fit import _median, _robust_line, _scratch, even_picks
from .horizon_line import (  # noqa: F401  (re-exported: the horizon's public names live here too)
    SOURCE_CODES,
    SOURCE_SKY_SEA,
    SOURCE_WATERLINE,
    Horizon,
    camera_attitude,
    horizon_from_points,
    line_through,
)

DEFAULT_MIN_SUPPORT = 0.12
"""Share of the image columns that must show a usable sky->sea boundary for a horizon to count."""

DEFAULT_MIN_CONFIDENCE = 0.3
"""Default ``min_horizon_confidence`` of the node, the bag tool and the Segmenter. Measured with
the shipped int8 weights (2026-12-02): every line on infml-hdd-dev's 186 frames scores >= 0.38 and
every line within 2 px / 1 deg of the truth there and on synthetic frames (191) >= 0.3, while
12 of the 73 wrong lines that the image veto and the sea-below rule leave (coast tops on MAR-DCT,
off lines on synthetic scenes) fall below it. 0.5 would drop 32 of them, but also 3 good lines
and two (wrong) infml lines."""

# Why a frame gave no horizon. The first three mean the *image* holds no horizon (lens cap, a
# stalled or zero-filled driver buffer, NaN temperatures, fog), which a user should hear about;
# the others are ordinary views without an open horizon (sky only, sea only, land).
REASON_FEW_VALID = "too few valid pixels"
REASON_NO_CONTRAST = "no contrast"
REASON_NO_EDGE = "no edge across the line"
REASON_NO_BOUNDARY = "no sky-to-sea boundary"
REASON_NOT_STRAIGHT = "boundary not a straight line"
REASON_NO_SEA_BELOW = "no sea below the line (a skyline, a waterfront or a coast's top)"
REASON_NO_SKY_BEYOND = "no open sky beyond the line (a turned frame's line along a strip of sky)"
REASON_LOW_CONFIDENCE = "confidence below min_horizon_confidence"
BLANK_IMAGE_REASONS = frozenset({REASON_FEW_VALID, REASON_NO_CONTRAST, REASON_NO_EDGE})


@dataclass(frozen=True)
class HorizonSettings:
    """Thresholds of the estimator; the defaults suit masks from about 288 to 1024 rows."""

    boundary_offset_px: float = 0.0  # line position relative to the centre of the first sea row
    clearance_px: int = 2  # rows on each side of a boundary that must hold neither "other" nor "ignore"
    min_points: int = 8  # boundary points (and inliers) needed at all
    min_inlier_share: float = 0.3  # share of the usable columns the line must explain
    full_support: float = 0.5  # support from which the confidence is no longer scaled down
    ransac_threshold_px: float = 1.5  # inlier distance; at least this ...
    ransac_threshold_rel: float = 0.004  # ... and at least this share of the image height
    ransac_max_iterations: int = 256
    ransac_batch: int = 32  # hypotheses scored at once; RANSAC stops early once it is sure
    ransac_certainty: float = 0.999  # wanted probability of having drawn one all-inlier pair
    ransac_seed: int = 0  # fixed, so that the same mask always gives the same line
    refine_band_px: float = 3.0  # half-width of the refinement band: at least this ...
    refine_band_rel: float = 0.012  # ... and at least this share of the image height
    refine_blur_sigma: float = 1.0  # Gaussian smoothing of the image before differentiating
    refine_min_snr: float = 3.0  # edge peak over the noise of the derivative along the line
    refine_threshold_px: float = 1.0  # RANSAC inlier distance for the image edge points
    refine_flank_px: float = 3.0  # distance from an edge peak at which its two flanks are compared ...
    refine_max_asymmetry: float = 0.15  # ... and the most their median difference may be, as a share of the peak
    refine_slope_on_haze: bool = True  # a lopsided (hazy) edge still gives the slope ...
    hazy_peak_offset_px: float | None = 0.8  # ... and the position this far below its peak (None: the mask's)
    refine_min_share: float = 0.5  # share of the mask line's inlier columns that must agree
    min_valid_share: float = 0.5  # share of finite pixels a frame needs to be looked at
    sea_below_rel: float = 0.05  # depth of the band below the line that must be sea, as a share of the height ...
    sea_below_share: float = 0.8  # ... in a column: this share of the band is sea ...
    min_sea_below: float = 0.5  # ... and this share of the columns must be such columns
    evidence_half_px: float = 12.0  # half-length of the intensity profile across the line: at least this ...
    evidence_half_rel: float = 0.1  # ... and at least this share of the image height
    evidence_scale_px: float = 8.0  # the wide slope that an edge's sharpness is measured against: at least ...
    evidence_scale_rel: float = 0.03  # ... this and this share of the image height
    evidence_near_px: float = 3.0  # the edge must peak within this distance of the line: at least this ...
    evidence_near_rel: float = 0.015  # ... and at least this share of the image height (a mask line is that rough)
    evidence_columns: int = 160  # columns sampled for the profile (evenly among the line's inliers)
    min_contrast_snr: float = 2.0  # step across the line over the pixel noise along it
    min_edge_sharpness: float = 1.3  # the profile must be this sharp somewhere (a fog gradient is 1)
    full_edge_sharpness: float = 2.2  # sharpness at the line from which the confidence is not scaled down
    second_turn_share: float = 0.5  # horizon_turns.sky_up_turns: a further turn's steps, as a share of the first's
    unchecked_edge: float = 0.5  # confidence factor of a line too near the border for the image to check it


DEFAULT_SETTINGS = HorizonSettings()


def boundary_points(
    labels: np.ndarray,
    *,
    sky: int = 0,
    sea: int = 1,
    other: int = 2,
    ignore: int = 255,
    settings: HorizonSettings = DEFAULT_SETTINGS,
) -> tuple[np.ndarray, np.ndarray]:
    """Per column, the sub-pixel row of the main sky->sea boundary; columns without one are left out.

    The main boundary is the split that best explains the column as "sky above, sea below"
    (most sky pixels above it plus sea pixels below it), so speckles elsewhere in the column
    do not matter. Where noise makes several splits tie, the midpoint of the first and last
    is used, so that ragged boundaries are not biased up or down. A column counts only if
    those splits are real steps from a sky pixel to a sea pixel, close together, with no
    ``other`` or ``ignore`` pixel within ``clearance_px`` rows of them.
    """
    height, width = labels.shape
    # The split's score, "sky - sea above it", changes only by +1 (sky), -1 (sea) or 0 per row, so
    # over a run of equal labels it is linear and peaks (or ties) at the run's ends: scoring the
    # runs alone is exact, and reads the mask once instead of filling a score per pixel.
    run_start = _scratch("run_start", (height, width), np.bool_)  # a run starts here (row 0 always)
    run_start[0] = True
    np.not_equal(labels[1:], labels[:-1], out=run_start[1:])
    rs, rc = np.divmod(run_start.ravel().nonzero()[0], width)  # by row, then column
    order = rc.astype(np.int32).argsort(kind="stable")  # by column; a column's runs stay top to bottom
    rc, rs = rc[order], rs[order]
    start = (rs == 0).nonzero()[0]  # each column's first run
    last_run = np.empty_like(start)
    last_run[:-1] = start[1:] - 1
    last_run[-1] = rs.size - 1
    re = np.empty_like(rs)  # where each run ends (the next one starts)
    re[:-1] = rs[1:]
    re[last_run] = height
    label = labels[rs, rc]
    gain = ((label == sky).astype(np.int64) - (label == sea)) * (re - rs)
    f_end = np.add.accumulate(gain)
    f_end -= (f_end[start] - gain[start])[rc]  # the score at each run's end, per column
    f_start = f_end - gain
    best = np.maximum.reduceat(np.maximum(f_start, f_end), start)
    at_best = f_start == best[rc]
    first = np.minimum.reduceat(np.where(at_best, rs, height), start)  # first sea row below the best split
    # Tied splits more than 2c+1 rows apart leave the column ambiguous (and rows between unchecked):
    # the last tie is looked for in that window. A run that ties at its start ties all along when
    # it neither gains nor loses (a run of "other"), else there only; the column's end may tie too.
    c = settings.clearance_px
    reach = first + 2 * c + 1
    window_end = np.minimum(reach, height)
    tie_end = np.where(gain == 0, re, rs)
    last = np.maximum.reduceat(np.where(at_best & (rs <= window_end[rc]), np.minimum(tie_end, window_end[rc]), -1),
                               start)
    end_ties = f_end[last_run] == best
    last = np.where(end_ties & (height <= window_end), height, last)
    farther = np.logical_or.reduceat(at_best & (tie_end > reach[rc]), start) | (end_ties & (height > reach))
    usable = (first >= 1) & (last <= height - 1) & ~farther
    # rows r - c - 1 .. r + c around both splits r (clipped into 1..height - 1), gathered at once:
    # a sky pixel right above r, a sea pixel at r, and neither "other" nor "ignore" anywhere there
    cols = np.arange(width)
    splits = np.empty((width, 2), np.int64)
    splits[:, 0], splits[:, 1] = first, last
    np.minimum(np.maximum(splits, 1, out=splits), height - 1, out=splits)
    rows = splits[:, :, None] + np.arange(-c - 1, c + 1)
    near = labels[np.minimum(np.maximum(rows, 0, out=rows), height - 1, out=rows), cols[:, None, None]]
    usable &= ((near[:, :, c] == sky) & (near[:, :, c + 1] == sea)).all(axis=1)
    usable &= ((near != other) & (near != ignore)).all(axis=(1, 2))
    ys = 0.5 * (first[usable] + last[usable]) + settings.boundary_offset_px
    return cols[usable].astype(np.float64), ys


def _sample_columns(profile: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """``profile[pos[k], k]`` for fractional row indices, by linear interpolation."""
    k = np.arange(profile.shape[1])
    i = np.minimum(np.maximum(np.floor(pos).astype(np.int64), 0), profile.shape[0] - 2)
    f = np.minimum(np.maximum(pos - i, 0.0), 1.0)
    return profile[i, k] * (1.0 - f) + profile[i + 1, k] * f


def refine_on_image(image: np.ndarray, a: float, b: float, xs: np.ndarray,
                     settings: HorizonSettings) -> tuple[float, float, bool] | None:
    """Move the line y = a x + b onto the image's intensity step within a narrow band around it.

    ``xs`` are the columns to search (the mask line's inliers, so vessels and coast are left
    out). Per column, the edge is the sub-pixel peak of the smoothed derivative across the
    line. Returns the edge line (a, b) and whether its position can be trusted, or None when
    the image gives no edge the line can trust: too weak, too few columns, not straight, or
    leaving the band. A lopsided peak is what hazy infrared horizons look like (a long warm
    ramp of sky down to a flat sea): its maximum lies above the horizon, which humans and
    masks put at the foot of the ramp, so its position is not to be trusted, only its slope.
    """
    height, width = image.shape
    band = max(settings.refine_band_px, settings.refine_band_rel * height)
    reach = math.ceil(band) + 1  # peak search; one row beyond the band so a peak at its edge is a local peak
    half = reach + math.ceil(settings.refine_flank_px)  # rows sampled on each side: also the flanks of any peak
    cols = xs.astype(np.int64)
    base = np.rint(a * xs + b).astype(np.int64)
    inside = (base - half - 1 >= 0) & (base + half + 1 <= height - 1) & (cols >= 1) & (cols <= width - 2)
    needed = max(settings.min_points, settings.refine_min_share * xs.size)
    if inside.sum() < needed:
        return None
    cols, base = cols[inside], base[inside]
    margin = math.ceil(3 * settings.refine_blur_sigma)
    top = max(0, int(base.min()) - half - 1 - margin)
    bottom = min(height, int(base.max()) + half + 2 + margin)
    strip = np.ascontiguousarray(image[top:bottom], dtype=np.float32)  # the image may be a turned view
    strip = cv2.GaussianBlur(strip, (0, 0), settings.refine_blur_sigma)
    flat, step = strip.ravel(), strip.shape[1]
    at = (base[None, :] + np.arange(-half, half + 1)[:, None] - top) * step + cols  # strip[rows, cols], flattened
    gy = 0.5 * (flat[at + step] - flat[at - step])
    gx = 0.5 * (flat[at + 1] - flat[at - 1])
    norm = math.hypot(1.0, a)
    across = (gy - a * gx) / norm  # derivative along the line's downward normal
    along = (gx + a * gy) / norm  # derivative along the line: zero for a clean step, so it measures noise
    noise = 1.4826 * _median(np.abs(along))
    polarity = 1.0 if _median(across.sum(axis=0)) >= 0 else -1.0  # sea warmer or colder than sky
    profile = polarity * across
    k = np.arange(cols.size)
    peak = np.argmax(profile[half - reach:half + reach + 1], axis=0) + (half - reach)
    interior = (peak > half - reach) & (peak < half + reach)
    g_minus, g_0, g_plus = profile[peak - 1, k], profile[peak, k], profile[peak + 1, k]
    curvature = g_minus - 2.0 * g_0 + g_plus
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.where(curvature < 0, 0.5 * (g_minus - g_plus) / curvature, 0.0)
    pos = peak + np.clip(delta, -0.5, 0.5)  # fractional row index into the profile
    y_edge = base - half + pos
    good = interior & (g_0 > 0) & (g_0 > settings.refine_min_snr * noise) & (np.abs(y_edge - (a * cols + b)) <= band)
    if good.sum() < needed:
        return None
    flank = settings.refine_flank_px
    sky_side = _sample_columns(profile, pos - flank)[good]
    sea_side = _sample_columns(profile, pos + flank)[good]
    symmetric = abs(_median((sky_side - sea_side) / g_0[good])) <= settings.refine_max_asymmetry
    if not (symmetric or settings.refine_slope_on_haze):
        return None
    xe, ye = cols[good].astype(np.float64), y_edge[good]
    inliers, a_r, b_r = _robust_line(xe, ye, settings.refine_threshold_px, settings)
    if inliers.sum() < needed:
        return None
    ends = np.array([xs.min(), xs.max()])
    if np.max(np.abs((a_r - a) * ends + (b_r - b))) > band:
        return None
    return a_r, b_r, symmetric


def sea_below(labels: np.ndarray, a: float, b: float, sea: int = 1, other: int = 2,
              settings: HorizonSettings = DEFAULT_SETTINGS) -> float | None:
    """Share of the columns open above the line y = a x + b whose band just below it is sea.

    A horizon has sea below it wherever it has open sky above it; a line along a skyline or a
    coast's top has land below. Columns where "other" crosses the line (a vessel, land reaching
    above it) say nothing either way and are left out. None when too few columns are left.
    Measured on the shipped weights' masks: on infml-hdd-dev frames never below
    0.6; below 0.5 for the line along the top of MAR-DCT's coast on 118 of 136 frames.
    """
    height, width = labels.shape
    depth = max(3, round(settings.sea_below_rel * height))
    clearance = settings.clearance_px + 1
    xs = np.arange(width)
    ys = np.rint(a * xs + b).astype(np.int64)
    inside = (ys - clearance >= 0) & (ys + 2 + depth <= height)
    xs, ys = xs[inside], ys[inside]
    open_above = labels[ys - clearance, xs] != other
    if open_above.sum() < settings.min_points:
        return None
    xs, ys = xs[open_above], ys[open_above]
    band = labels[ys[None, :] + 2 + np.arange(depth)[:, None], xs] == sea
    # the share of sea per column, as band.mean(axis=0) computes it (float64 count / depth) in fewer steps
    seaward = np.count_nonzero(band, axis=0) / depth >= settings.sea_below_share
    return float(np.count_nonzero(seaward) / seaward.size)


@dataclass(frozen=True)
class HorizonSearch:
    """What the search gave: the line, or None and the reason (one of the ``REASON_*`` texts)."""

    horizon: Horizon | None
    reason: str = ""


def image_has_contrast(image: np.ndarray) -> bool:
    """False for a frame whose pixels nearly all hold one value: all zero, constant, one hot pixel.

    Percentiles of a 1-in-16 sample, so a few outlier pixels (a hot pixel on a lens cap) do not
    count as contrast.
    """
    sample = np.ascontiguousarray(image[::4, ::4], dtype=np.float32)
    if _surely_spread(sample):
        return True
    lo, hi = np.percentile(sample, [0.5, 99.5])
    return bool(hi - lo > 1e-6 * max(1.0, abs(float(hi))))


def _surely_spread(sample: np.ndarray) -> bool:
    """True only where ``image_has_contrast``'s percentiles surely differ by more than its bound: counts, no sort.

    With at least ``low_rank + 2`` values below ``low``, the 0.5th percentile lies below it; with at
    least ``n - high_rank`` above ``high``, the 99.5th lies above that; ``high - low`` is over twice
    the bound, which leaves room for float rounding. Where that fails (NaN, inf, a nearly constant
    frame, a frame of two values) the percentiles decide; the answer is the same either way
    (0.25 ms a frame saved at 640x512).
    """
    n = sample.size
    if n < 2:
        return False
    low_rank, high_rank = math.floor(0.005 * (n - 1)), math.floor(0.995 * (n - 1))
    smallest, largest = float(sample.min()), float(sample.max())
    if not (math.isfinite(smallest) and math.isfinite(largest)):
        return False
    bound = 2e-6 * max(1.0, abs(smallest), abs(largest))  # twice image_has_contrast's
    pivot = float(sample.mean(dtype=np.float64))
    low, high = np.float32(pivot - 2.0 * bound), np.float32(pivot)  # rounded to float32, as the comparisons are
    return (float(high) - float(low) > bound
            and np.count_nonzero(sample < low) >= low_rank + 2
            and np.count_nonzero(sample > high) >= n - high_rank)


ALONG_MIN_SLOPE = 0.1
"""``edge_evidence`` follows the line's slope when differencing along it only past this (about 6 deg):
nearer level, the edge's share of the samples is too small to move their median, and plain neighbours
cost half as much."""


def _shifted(flat: np.ndarray, step: int, at: np.ndarray, rows: np.ndarray, shift: float) -> np.ndarray:
    """``strip[rows + shift, cols]`` for a fractional ``shift``, interpolated linearly (clipped at the ends).

    ``flat`` is the strip flattened, ``step`` its width, ``at`` the flat indices of ``strip[rows, cols]``
    (one gather from a flat array costs half a gather by rows and columns).
    """
    if abs(shift) <= ALONG_MIN_SLOPE:
        return flat[at]
    whole = math.floor(shift)
    frac = np.float32(shift - whole)
    below = at + whole * step
    if whole < -int(rows.min()) or int(rows.max()) + whole + 1 > flat.size // step - 1:  # rare: clip
        below = at + (np.minimum(np.maximum(rows + whole, 0), flat.size // step - 2) - rows) * step
    lower = flat[below]
    return lower + frac * (flat[below + step] - lower)


def edge_evidence(image: np.ndarray, a: float, b: float, xs: np.ndarray,
                  settings: HorizonSettings = DEFAULT_SETTINGS) -> tuple[float, float, float] | None:
    """(contrast SNR, sharpness at the line, sharpness anywhere) of the image across y = a x + b.

    The mean intensity profile across the line (over the sampled columns ``xs``) is what a
    horizon must show: a change of level from sky to sea (contrast: the step over +-2
    near-widths, in units of the pixel noise along the line) that is *sharp*: its slope over a
    pixel or two is well above its slope over ``evidence_scale_*`` rows around it. A fog
    gradient, however curved, changes over hundreds of rows, so both slopes agree (sharpness
    about 1); a horizon, even a hazy one, adds a step of a few rows (sharpness several). The
    sharpness is taken at the line (within ``evidence_near_*``) and anywhere on the profile (a
    rough mask line may miss the edge by more). Near the image's top or bottom the profile is
    shortened to the rows there are, down to what the two measures need; None when even that has
    no room (a line within about 5 % of the height of the border): the image cannot tell then.
    """
    height, width = image.shape
    near = math.ceil(max(settings.evidence_near_px, settings.evidence_near_rel * height))
    scale = math.ceil(max(settings.evidence_scale_px, settings.evidence_scale_rel * height))
    least = scale + near + 2
    half = math.ceil(max(settings.evidence_half_px, settings.evidence_half_rel * height, least))
    cols = xs.astype(np.int64)
    if cols.size > settings.evidence_columns:
        cols = cols[even_picks(cols.size, settings.evidence_columns)]
    base = np.rint(a * cols + b).astype(np.int64)
    room = np.minimum(base - 1, height - 2 - base)  # the longest half-profile each column allows
    room[(cols < 1) | (cols > width - 2)] = -1
    k = room.size - settings.min_points
    if k < 0:
        return None
    half = min(half, int(np.partition(room, k)[k]))  # the longest that min_points columns allow
    if half < least:
        return None
    inside = room >= half
    cols, base = cols[inside], base[inside]
    top, bottom = int(base.min()) - half - 1, int(base.max()) + half + 2
    strip = np.ascontiguousarray(image[top:bottom], dtype=np.float32)
    flat, step = strip.ravel(), strip.shape[1]
    rows = base[None, :] + np.arange(-half, half + 1)[:, None] - top
    at = rows * step + cols  # strip[rows, cols], flattened
    across = flat[at]
    along = _shifted(flat, step, at + 1, rows, a) - _shifted(flat, step, at - 1, rows, -a)  # along the line: no edge
    # robust pixel noise; the mean absolute difference where quantised (8-bit) video makes the median 0
    noise = (1.4826 * _median(np.abs(along)) or 1.2533 * float(np.mean(np.abs(along)))) / math.sqrt(2.0)
    profile = across.mean(axis=1).astype(np.float64)  # offsets -half .. half; a mean sees below 8-bit steps
    step = float(profile[half + 2 * near] - profile[half - 2 * near])
    if step == 0.0:
        return 0.0, 0.0, 0.0
    snr = abs(step) / noise if noise > 0 else math.inf
    signed = math.copysign(1.0, step) * profile  # rising from sky to sea
    k = np.arange(scale, 2 * half + 1 - scale)  # profile indices with a full wide window
    fine = 0.5 * (signed[k + 1] - signed[k - 1])
    wide = (signed[k + scale] - signed[k - scale]) / (2 * scale)
    floor = 2.0 * noise / math.sqrt(cols.size) + 1e-9 * max(1.0, float(np.abs(profile).max()))
    sharpness = np.maximum(fine, 0.0) / np.maximum(np.abs(wide), floor)
    at_line = np.abs(k - half) <= near
    return snr, float(sharpness[at_line].max()), float(sharpness.max())


def edge_factor(evidence: tuple[float, float, float] | None, settings: HorizonSettings = DEFAULT_SETTINGS) -> float:
    """The confidence's image factor from ``edge_evidence``: 0..1 by the sharpness at the line.

    None (a line at the border, where the image can neither confirm nor refuse it) gives
    ``unchecked_edge``.
    """
    if evidence is None:
        return settings.unchecked_edge
    full = settings.full_edge_sharpness
    return min(1.0, max(0.0, (evidence[1] - 1.0) / (full - 1.0))) if full > 1.0 else 1.0


def find_horizon(
    labels: np.ndarray,
    image: np.ndarray | None = None,
    *,
    sky: int = 0,
    sea: int = 1,
    other: int = 2,
    ignore: int = 255,
    min_support: float = DEFAULT_MIN_SUPPORT,
    refine: bool = True,
    invalid_pixels: int = 0,
    settings: HorizonSettings = DEFAULT_SETTINGS,
) -> HorizonSearch:
    """The horizon in a label mask at any roll, or None with the reason; see ``estimate_horizon``.

    The mask (and image) are turned by quarter turns so the sky is up (``horizon_turns``), the
    upright search runs there (it holds lines up to about 45 deg either way), and the line is
    turned back. When the first turn finds nothing and the line lies nearly between two turns,
    the second is tried; the first's reason is reported if neither finds a line. A sky->sea line
    found in a turned mask must also have open sky beyond it (``_open_sky``; a waterline has the
    coast beyond it and its own rules).
    """
    if labels.ndim != 2 or labels.shape[0] < 3 or labels.shape[1] < 3:
        raise ValueError(f"labels must be a 2-D mask of at least 3x3, got shape {labels.shape}")
    if image is not None and image.shape != labels.shape:
        raise ValueError(f"image {image.shape} and labels {labels.shape} differ in size")
    from .horizon_turns import search_turned  # it builds on this module

    return search_turned(labels, image, sky=sky, sea=sea, other=other, ignore=ignore, min_support=min_support,
                         refine=refine, invalid_pixels=invalid_pixels, settings=settings)


def _find_upright(
    labels: np.ndarray,
    image: np.ndarray | None = None,
    *,
    sky: int = 0,
    sea: int = 1,
    other: int = 2,
    ignore: int = 255,
    min_support: float = DEFAULT_MIN_SUPPORT,
    refine: bool = True,
    invalid_pixels: int = 0,
    settings: HorizonSettings = DEFAULT_SETTINGS,
) -> HorizonSearch:
    """The horizon in a mask with the sky up (|roll| up to about 45 deg), or None with the reason.

    With ``image``, the image has a veto: a frame with too few valid pixels (``invalid_pixels``
    of NaN/inf replaced upstream), without contrast, or without a change of level or an edge
    across the mask's line holds no horizon, whatever a network made of it.
    """
    height, width = labels.shape
    if invalid_pixels > (1.0 - settings.min_valid_share) * labels.size:
        return HorizonSearch(None, REASON_FEW_VALID)
    if image is not None and not image_has_contrast(image):
        return HorizonSearch(None, REASON_NO_CONTRAST)
    xs, ys = boundary_points(labels, sky=sky, sea=sea, other=other, ignore=ignore, settings=settings)
    support = xs.size / width
    from .horizon_waterline import WaterlineFallback  # it builds on this module

    waterline = WaterlineFallback(labels, image, (xs, ys), sea, other, min_support, settings)
    if xs.size < settings.min_points or support < min_support:
        return waterline.or_none(REASON_NO_BOUNDARY)
    threshold = max(settings.ransac_threshold_px, settings.ransac_threshold_rel * height)
    inliers, a, b = _robust_line(xs, ys, threshold, settings)
    n_in = int(inliers.sum())
    inlier_share = n_in / xs.size
    if n_in < settings.min_points or inlier_share < settings.min_inlier_share:
        return waterline.or_none(REASON_NOT_STRAIGHT)
    below = sea_below(labels, a, b, sea, other, settings)
    if below is not None and below < settings.min_sea_below:
        return waterline.or_none(REASON_NO_SEA_BELOW)
    if (coast := waterline.instead_of(a, b, xs[inliers], support)) is not None:  # a coast hides most of the view
        return coast
    edge = 1.0
    if image is not None:
        evidence = edge_evidence(image, a, b, xs[inliers], settings)
        if evidence is not None:
            snr, _, anywhere = evidence
            if snr < settings.min_contrast_snr:
                return HorizonSearch(None, REASON_NO_CONTRAST)
            if anywhere < settings.min_edge_sharpness:
                return HorizonSearch(None, REASON_NO_EDGE)
        edge = edge_factor(evidence, settings)
        if refine:
            refined = refine_on_image(image, a, b, xs[inliers], settings)
            if refined is not None:
                a_r, b_r, trusted = refined
                if trusted:
                    a, b = a_r, b_r
                elif settings.hazy_peak_offset_px is not None:  # hazy edge: a set distance below its peak
                    a, b = a_r, b_r + settings.hazy_peak_offset_px * math.hypot(1.0, a_r)
                else:  # hazy edge: its slope, pivoting on the mask line at the centre of its evidence
                    pivot = float(xs[inliers].mean())
                    a, b = a_r, a * pivot + b - a_r * pivot
    confidence = inlier_share * min(1.0, support / settings.full_support) * edge
    return HorizonSearch(line_through(0.0, b, 1.0, a, width, height, confidence=float(confidence),
                                      inlier_share=float(inlier_share), support=float(support), edge=float(edge)))


def estimate_horizon(
    labels: np.ndarray,
    image: np.ndarray | None = None,
    *,
    sky: int = 0,
    sea: int = 1,
    other: int = 2,
    ignore: int = 255,
    min_support: float = DEFAULT_MIN_SUPPORT,
    refine: bool = True,
    invalid_pixels: int = 0,
    settings: HorizonSettings = DEFAULT_SETTINGS,
) -> Horizon | None:
    """The horizon in a label mask, or None when none is in view.

    None means: no usable sky->sea boundary in at least ``min_support`` of the columns (all
    sky, all sea, all other, horizon hidden by vessels or land), or no line that explains
    enough of the boundary points, or (with ``image``) an image that shows no horizon there.
    With ``image`` (the gray frame at the mask's resolution) and ``refine``, the line is moved
    onto the image's own edge where that edge is consistent along the line, or only turned to
    its slope where the edge is hazy. ``find_horizon`` also says why there is none.
    """
    return find_horizon(labels, image, sky=sky, sea=sea, other=other, ignore=ignore, min_support=min_support,
                        refine=refine, invalid_pixels=invalid_pixels, settings=settings).horizon
