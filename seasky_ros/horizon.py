"""Horizon line from a sky/sea/other label mask, sharpened on the infrared image.

Why this way:
- The network runs at a fraction of the camera resolution, but a line fitted to hundreds of
  per-column sky->sea boundary points is accurate far below one pixel: the staircase of the
  mask averages out.
- Vessels and coastlines sit *on* the horizon without being it. Columns where "other" touches
  the boundary are skipped, and RANSAC rejects the columns that still disagree.
- Near the horizon, haze makes the network's boundary soft; a final search for the strongest
  edge of the image in a narrow band around the fitted line recovers what the image itself
  says, and is only accepted when it is consistent along the line.

Conventions: pixel coordinates with pixel centres at integers, x right, y down (pixel ``r``
covers rows ``r - 0.5 .. r + 0.5``). A mask marks a pixel as sea when its area reaches below
the line (``r + 0.5 > y``), so the first sea row of a column is the pixel that contains the
line, and the boundary estimate is that row itself. The real labelled data
(``infml-hdd-dev``) and the synthetic generator both follow this.
``angle_deg = degrees(atan2(y1 - y0, x1 - x0))``: positive when the line descends towards the
right of the image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Horizon:
    """A horizon line given by its points on the left (x0 = 0) and right (x1 = W-1) image borders."""

    x0: float
    y0: float
    x1: float
    y1: float
    angle_deg: float
    center_row: float
    confidence: float
    inlier_share: float = 1.0
    support: float = 1.0

    def y_at(self, x: float | np.ndarray) -> float | np.ndarray:
        """Row of the line at column ``x``."""
        slope = (self.y1 - self.y0) / (self.x1 - self.x0) if self.x1 != self.x0 else 0.0
        return self.y0 + slope * (x - self.x0)


@dataclass(frozen=True)
class HorizonSettings:
    """Thresholds of the estimator; the defaults suit masks from 288 to 1024 rows."""

    min_support: float = 0.12  # share of image columns with an inlying boundary point
    min_points: int = 8  # boundary points needed at all
    clearance_px: int = 2  # rows around a boundary that must hold neither "other" nor "ignore"
    ransac_iterations: int = 256
    ransac_threshold_px: float = 1.5  # also scaled with height below
    ransac_threshold_rel: float = 0.004  # of the image height
    refine_band_rel: float = 0.012  # half-width of the refinement band, share of the height
    refine_band_min_px: float = 3.0
    refine_blur_sigma: float = 1.0
    refine_min_share: float = 0.5  # share of the mask line's inliers that must agree after refining


DEFAULT_SETTINGS = HorizonSettings()


def _line_through(x0: float, y0: float, x1: float, y1: float, width: int, confidence: float,
                  inlier_share: float, support: float) -> Horizon:
    slope = (y1 - y0) / (x1 - x0)
    left = y0 - slope * x0
    right = left + slope * (width - 1)
    centre = left + slope * (width - 1) / 2.0
    angle = math.degrees(math.atan2(right - left, width - 1))
    return Horizon(0.0, float(left), float(width - 1), float(right), angle, float(centre), float(confidence),
                   float(inlier_share), float(support))


def horizon_from_points(x0: float, y0: float, x1: float, y1: float, width: int, height: int) -> Horizon:
    """A Horizon through two given points (e.g. ground truth), extended to the image borders."""
    if x1 == x0:
        raise ValueError("a vertical line cannot be a horizon in this parameterisation")
    return _line_through(x0, y0, x1, y1, width, 1.0, 1.0, 1.0)


def boundary_points(labels: np.ndarray, sky: int = 0, sea: int = 1,
                    settings: HorizonSettings = DEFAULT_SETTINGS) -> tuple[np.ndarray, np.ndarray]:
    """Per column, the sub-pixel row of the main sky->sea boundary; columns without one are left out.

    The main boundary is the split row that best explains the column as "sky above, sea below"
    (most sky pixels above plus sea pixels below), so speckles elsewhere in the column do not
    matter. A column counts only if that split is a real sky->sea step with no "other" or
    ignored pixels within ``clearance_px`` of it.
    """
    height, width = labels.shape
    is_sky = labels == sky
    is_sea = labels == sea
    sky_above = np.zeros((height + 1, width), np.int32)
    np.cumsum(is_sky, axis=0, out=sky_above[1:])
    sea_total = is_sea.sum(axis=0, dtype=np.int32)
    sea_above = np.zeros((height + 1, width), np.int32)
    np.cumsum(is_sea, axis=0, out=sea_above[1:])
    score = sky_above + (sea_total[None, :] - sea_above)
    split = np.argmax(score, axis=0)  # first sea row of the best split, 0..height
    cols = np.arange(width)
    inside = (split >= 1) & (split <= height - 1)
    r = np.clip(split, 1, height - 1)
    ok = inside & is_sky[r - 1, cols] & is_sea[r, cols]
    c = settings.clearance_px
    clean = np.ones(width, bool)
    for offset in range(-c - 1, c + 1):
        rows = np.clip(r + offset, 0, height - 1)
        clean &= is_sky[rows, cols] | is_sea[rows, cols]
    ok &= clean
    xs = cols[ok].astype(np.float64)
    ys = r[ok].astype(np.float64)
    return xs, ys


def _fit_least_squares(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float]:
    """y = a x + b through the points (x centred for numerical stability)."""
    xm = xs.mean()
    dx = xs - xm
    denom = float(np.dot(dx, dx))
    a = float(np.dot(dx, ys - ys.mean()) / denom) if denom > 0 else 0.0
    return a, float(ys.mean() - a * xm)


def _ransac_line(xs: np.ndarray, ys: np.ndarray, threshold: float, iterations: int) -> np.ndarray:
    """Boolean inlier mask of the best line; deterministic (fixed seed), vectorised over hypotheses."""
    n = xs.size
    rng = np.random.default_rng(12345)
    i = rng.integers(0, n, iterations)
    j = rng.integers(0, n, iterations)
    keep = xs[i] != xs[j]
    i, j = i[keep], j[keep]
    if i.size == 0:
        return np.ones(n, bool)
    a = (ys[j] - ys[i]) / (xs[j] - xs[i])
    b = ys[i] - a * xs[i]
    residuals = np.abs(ys[None, :] - (a[:, None] * xs[None, :] + b[:, None])) * (1.0 / np.sqrt(1.0 + a * a))[:, None]
    counts = (residuals < threshold).sum(axis=1)
    best = int(np.argmax(counts))
    inliers = residuals[best] < threshold
    for _ in range(2):  # polish: least squares on the inliers, then re-select them
        if inliers.sum() < 2:
            break
        a_ls, b_ls = _fit_least_squares(xs[inliers], ys[inliers])
        inliers = np.abs(ys - (a_ls * xs + b_ls)) / math.sqrt(1 + a_ls * a_ls) < threshold
    return inliers


def _refine_on_image(image: np.ndarray, a: float, b: float, xs: np.ndarray,
                     settings: HorizonSettings) -> tuple[float, float] | None:
    """Move the line onto the strongest consistent intensity step within a narrow band.

    Returns the refined (a, b), or None when the image gives no consistent edge there.
    """
    height, width = image.shape
    band = max(settings.refine_band_min_px, settings.refine_band_rel * height)
    half = int(math.ceil(band)) + 1
    smooth = cv2.GaussianBlur(image.astype(np.float32, copy=False), (0, 0), settings.refine_blur_sigma)
    cols = xs.astype(np.int64)
    centre = a * xs + b
    base = np.round(centre).astype(np.int64)
    offsets = np.arange(-half, half + 1)
    rows = base[None, :] + offsets[:, None]
    valid_cols = (rows.min(axis=0) >= 1) & (rows.max(axis=0) <= height - 2)
    if valid_cols.sum() < settings.min_points:
        return None
    rows, cols, centre = rows[:, valid_cols], cols[valid_cols], centre[valid_cols]
    grad = 0.5 * (smooth[rows + 1, cols] - smooth[rows - 1, cols])  # d/dy at each row of the band
    step_sign = 1.0 if float(np.median(grad.sum(axis=0))) >= 0 else -1.0
    signed = grad * step_sign
    inner = signed[1:-1]
    peak = np.argmax(inner, axis=0) + 1
    k = np.arange(signed.shape[1])
    g_minus, g_0, g_plus = signed[peak - 1, k], signed[peak, k], signed[peak + 1, k]
    curvature = g_minus - 2 * g_0 + g_plus
    with np.errstate(divide="ignore", invalid="ignore"):
        delta = np.where(curvature < 0, 0.5 * (g_minus - g_plus) / curvature, 0.0)
    y_edge = rows[peak, k] + np.clip(delta, -0.5, 0.5)
    strong = g_0 > 0
    if strong.sum() < settings.min_points:
        return None
    noise = np.median(np.abs(np.diff(smooth[rows[0], cols]))) + 1e-6
    strong &= g_0 > 2.0 * noise
    inside = np.abs(y_edge - centre) <= band
    candidates = strong & inside
    if candidates.sum() < max(settings.min_points, settings.refine_min_share * xs.size):
        return None
    xe, ye = cols[candidates].astype(np.float64), y_edge[candidates]
    inliers = _ransac_line(xe, ye, 1.0, settings.ransac_iterations)
    if inliers.sum() < max(settings.min_points, settings.refine_min_share * xs.size):
        return None
    a_r, b_r = _fit_least_squares(xe[inliers], ye[inliers])
    ends = np.array([0.0, width - 1.0])
    if np.max(np.abs((a_r * ends + b_r) - (a * ends + b))) > band:
        return None
    return a_r, b_r


def estimate_horizon(
    labels: np.ndarray,
    image: np.ndarray | None = None,
    *,
    sky: int = 0,
    sea: int = 1,
    refine: bool = True,
    settings: HorizonSettings = DEFAULT_SETTINGS,
) -> Horizon | None:
    """The horizon in a label mask, or None when none is in view (all sky, all sea, too little support).

    With ``image`` (the gray frame at the mask's resolution) and ``refine``, the line is
    sharpened on the image's own edge where that edge is consistent.
    """
    if labels.ndim != 2 or labels.shape[0] < 3 or labels.shape[1] < 3:
        raise ValueError(f"labels must be a 2-D mask of at least 3x3, got shape {labels.shape}")
    height, width = labels.shape
    xs, ys = boundary_points(labels, sky, sea, settings)
    if xs.size < settings.min_points:
        return None
    threshold = max(settings.ransac_threshold_px, settings.ransac_threshold_rel * height)
    inliers = _ransac_line(xs, ys, threshold, settings.ransac_iterations)
    n_in = int(inliers.sum())
    support = n_in / width
    if n_in < settings.min_points or support < settings.min_support:
        return None
    a, b = _fit_least_squares(xs[inliers], ys[inliers])
    if refine and image is not None:
        if image.shape != labels.shape:
            raise ValueError(f"image {image.shape} and labels {labels.shape} differ in size")
        refined = _refine_on_image(image, a, b, xs[inliers], settings)
        if refined is not None:
            a, b = refined
    inlier_share = n_in / xs.size
    confidence = inlier_share * min(1.0, support / 0.5)
    return _line_through(0.0, b, width - 1.0, a * (width - 1) + b, width, confidence, inlier_share, support)


def camera_attitude(horizon: Horizon, K: np.ndarray) -> tuple[float, float]:
    """Camera roll and pitch (radians) relative to the sea horizon, from pinhole intrinsics K (3x3).

    The horizon is taken as the vanishing line of the horizontal plane (the dip of the true
    horizon below it, a few milliradians for a camera some metres above the sea, is ignored).
    That line ``l`` gives the world's up direction in camera coordinates as ``K^T l``.
    Camera frame: x right, y down, z along the optical axis.

    - pitch > 0: the optical axis points above the horizon (the horizon moves down in the image);
    - roll > 0: the camera is rotated right side down about its optical axis (clockwise as seen
      from behind it), so the horizon rises towards the right of the image.
    """
    K = np.asarray(K, dtype=float).reshape(3, 3)
    p0 = np.array([horizon.x0, horizon.y0, 1.0])
    p1 = np.array([horizon.x1, horizon.y1, 1.0])
    line = np.cross(p0, p1)
    up = K.T @ line
    up /= np.linalg.norm(up)
    xc = 0.5 * (horizon.x0 + horizon.x1)
    above = np.linalg.solve(K, np.array([xc, horizon.y_at(xc) - 10.0, 1.0]))  # a ray into the sky
    if float(up @ above) < 0:
        up = -up
    pitch = math.asin(max(-1.0, min(1.0, float(up[2]))))
    roll = math.atan2(-float(up[0]), -float(up[1]))
    return roll, pitch
