# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The waterline of a distant coast, found in the infrared image alone (no mask, no network).

Why: behind a coast several km away the true horizon is hidden, but the coast's waterline lies
within a fraction of a pixel of it (dip geometry), so it is the horizon such a frame has. Its
look is consistent in LWIR: a long, nearly straight step from the warm, bright coast down to the
colder, darker water, spanning the view. A detector that needs nothing but the image is what
the coast labels are made with and what a network's reported line is measured against, so it
must not share the network's mistakes.

How: the frame is averaged into narrow column strips (noise down, the step kept), each strip's
vertical derivative is scaled by its own noise, and a coarse search over lines (angle and
offset) picks the one along which most strips step down strongly (each strip's vote is
clipped, so a few glints cannot outvote a coastline). Then each strip's step is located to a
fraction of a pixel (parabola through the derivative peak, i.e. the steepest point of the
blurred step, which for a symmetric blur is the 50 % point) near that line, and a robust line
fit through the strips' steps gives the waterline.

What it is not: an open-sea horizon detector. A sky-to-sea transition in LWIR is often a gentle
haze ramp, weaker than the bands of waves below it; on infml-hdd-dev (open sea) the strongest
straight step is a wave band 40-60 px below the labelled horizon. The mask-based estimator in
``seasky_ros.horizon`` is the tool there.

Conventions as in ``seasky_ros.horizon``: pixel centres at integers, x right, y down; a step
between rows ``k`` (bright) and ``k + 1`` (dark) lies at ``y = k + 0.5``, so the mask's first sea
row is the one whose area reaches below the line (``r + 0.5 > y``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from seasky_ros.atomic_write import write_bytes_atomic
from seasky_ros.dataset_folder import DatasetError, load_image


@dataclass(frozen=True)
class WaterlineSettings:
    """Thresholds of the finder; the defaults suit 640x512 LWIR frames of a coast km away."""

    strip_px: int = 8  # width of the column strips that are averaged into one profile
    max_angle_deg: float = 10.0  # steepest line searched for
    blur_sigma_px: float = 0.7  # vertical smoothing of the strip profiles before differentiating
    vote_clip: float = 12.0  # most a strip can add to a line's score, in noise units
    peak_band_px: float = 3.0  # half-width of the band around the line where a strip's step is sought
    min_snr: float = 4.0  # a strip's step must exceed this many noise units to count
    inlier_px: float = 1.0  # a strip's step within this distance of the line explains it
    full_snr: float = 12.0  # median step strength (noise units) from which confidence is not scaled down
    min_inlier_share: float = 0.25  # fewer strips on the line than this: no waterline
    polarity: int = 1  # 1: bright (warm coast) above dark water; -1: the reverse (a cold coast, or sky over warmer sea)


@dataclass(frozen=True)
class Waterline:
    """A waterline given by its rows at the left (x = 0) and right (x = W-1) borders.

    ``confidence`` (0..1) is ``inlier_share`` scaled down when the median step is weaker than
    ``WaterlineSettings.full_snr``; ``xs``/``ys`` hold every strip's step (NaN where it had none)
    and ``inliers`` which of them the line explains, so a caller can see where the coast stands.
    """

    x0: float
    y0: float
    x1: float
    y1: float
    confidence: float
    inlier_share: float
    rms_px: float
    snr: float
    contrast: float
    xs: np.ndarray = field(repr=False)
    ys: np.ndarray = field(repr=False)
    inliers: np.ndarray = field(repr=False)

    @property
    def slope(self) -> float:
        return (self.y1 - self.y0) / (self.x1 - self.x0)

    @property
    def angle_deg(self) -> float:
        """Positive when the line descends to the right (as ``seasky_ros.horizon.Horizon``)."""
        return math.degrees(math.atan2(self.y1 - self.y0, self.x1 - self.x0))

    def y_at(self, x: float | np.ndarray) -> float | np.ndarray:
        """Row of the line at column ``x``."""
        return self.y0 + self.slope * (np.asarray(x, dtype=np.float64) - self.x0)


DEFAULT_SETTINGS = WaterlineSettings()


def _strip_profiles(gray: np.ndarray, strip: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean of each column strip per row (H x S) and the strips' centre columns."""
    height, width = gray.shape
    count = max(1, width // strip)
    used = count * strip
    offset = (width - used) // 2
    profiles = gray[:, offset:offset + used].reshape(height, count, strip).mean(axis=2)
    centres = offset + strip * np.arange(count) + (strip - 1) / 2.0
    return profiles, centres


def _step_strength(profiles: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Downward step per row (bright above, dark below: positive) and each strip's noise level."""
    if sigma > 0:
        size = 2 * int(math.ceil(3.0 * sigma)) + 1
        profiles = cv2.GaussianBlur(profiles, (1, size), sigmaX=0.0, sigmaY=sigma)
    deriv = np.zeros_like(profiles)
    deriv[1:-1] = (profiles[:-2] - profiles[2:]) / 2.0
    mad = np.median(np.abs(deriv[1:-1] - np.median(deriv[1:-1], axis=0)), axis=0)
    noise = np.maximum(1.4826 * mad, 1e-6 * max(1.0, float(np.abs(profiles).max())))
    return deriv, noise


def _coarse_line(votes: np.ndarray, centres: np.ndarray, width: int, max_angle_deg: float,
                 rows: tuple[int, int]) -> tuple[float, float, float]:
    """The line (slope, row at the centre column, score) along which the strips vote most."""
    height, count = votes.shape
    # tolerate the one-row rounding of a coarse grid: a strip votes with its best of three rows
    spread = np.maximum(votes, np.maximum(np.roll(votes, 1, axis=0), np.roll(votes, -1, axis=0)))
    xc = (width - 1) / 2.0
    dx = centres - xc
    span = max(1.0, float(np.abs(dx).max()))
    max_slope = math.tan(math.radians(max_angle_deg))
    slopes = np.arange(-max_slope, max_slope + 1e-12, 1.0 / span)
    offsets = np.arange(rows[0], rows[1])
    cols = np.arange(count)
    best = (0.0, float(height) / 2.0, -1.0)
    for slope in slopes:
        r = np.rint(offsets[:, None] + slope * dx[None, :]).astype(np.int64)
        inside = (r >= 1) & (r < height - 1)
        score = np.where(inside, spread[np.clip(r, 0, height - 1), cols[None, :]], 0.0).sum(axis=1)
        i = int(np.argmax(score))
        if score[i] > best[2]:
            best = (float(slope), float(offsets[i]), float(score[i]))
    return best


def _peaks_near(deriv: np.ndarray, noise: np.ndarray, centres: np.ndarray, slope: float, yc: float, xc: float,
                band: float, min_snr: float) -> tuple[np.ndarray, np.ndarray]:
    """Each strip's step near the line, sub-pixel (NaN where none is strong enough), and its strength."""
    height, count = deriv.shape
    ys = np.full(count, np.nan)
    snr = np.zeros(count)
    for s in range(count):
        line_y = yc + slope * (centres[s] - xc)
        lo = max(1, int(math.floor(line_y - band)))
        hi = min(height - 2, int(math.ceil(line_y + band)))
        if hi - lo < 2:
            continue
        seg = deriv[lo:hi + 1, s]
        k = int(np.argmax(seg))
        if k == 0 or k == len(seg) - 1:
            continue  # the strongest step is at the band's edge: not a peak inside it
        strength = seg[k] / noise[s]
        if strength < min_snr:
            continue
        a, b, c = seg[k - 1], seg[k], seg[k + 1]
        denom = a - 2.0 * b + c
        frac = 0.5 * (a - c) / denom if denom < 0 else 0.0
        ys[s] = lo + k + float(np.clip(frac, -0.5, 0.5))
        snr[s] = strength
    return ys, snr


def _step_height(profiles: np.ndarray, centres: np.ndarray, ys: np.ndarray, inl: np.ndarray,
                 near: int = 2, far: int = 5) -> float:
    """Median over the inlier strips of (mean a few rows above the step) - (mean a few rows below)."""
    height = profiles.shape[0]
    heights = []
    for s in np.flatnonzero(inl):
        k = int(round(ys[s]))
        if k - far < 0 or k + far >= height:
            continue
        heights.append(profiles[k - far:k - near + 1, s].mean() - profiles[k + near:k + far + 1, s].mean())
    return float(np.median(heights)) if heights else 0.0


def _robust_fit(xs: np.ndarray, ys: np.ndarray, slope: float, yc: float, xc: float, threshold: float,
                iterations: int = 6) -> tuple[float, float, np.ndarray]:
    """Least squares on the points within ``threshold`` of the current line, repeated."""
    ok = np.isfinite(ys)
    inl = ok.copy()
    for _ in range(iterations):
        resid = np.where(ok, ys - (yc + slope * (xs - xc)), np.inf)
        new = np.abs(resid) <= threshold
        if new.sum() < 2:
            return slope, yc, new
        slope, yc = np.polyfit(xs[new] - xc, ys[new], 1)
        if np.array_equal(new, inl):
            break
        inl = new
    resid = np.where(ok, ys - (yc + slope * (xs - xc)), np.inf)
    return float(slope), float(yc), np.abs(resid) <= threshold


def find_waterline(image: np.ndarray, settings: WaterlineSettings = DEFAULT_SETTINGS,
                   rows: tuple[int, int] | None = None) -> Waterline | None:
    """The long, straight bright-to-dark step of a coast over water, or None if there is none.

    ``image`` is a 2-D gray frame (any numeric type). ``rows`` limits the rows the line's centre
    may take (default: the whole frame). The result's confidence says how much of the width the
    step spans and how clear it is; a caller decides what to accept.
    """
    gray = np.asarray(image, dtype=np.float32)
    if gray.ndim != 2 or min(gray.shape) < 8:
        raise ValueError(f"need a 2-D gray image of at least 8x8 pixels, got shape {gray.shape}")
    height, width = gray.shape
    profiles, centres = _strip_profiles(gray, max(1, settings.strip_px))
    deriv, noise = _step_strength(profiles, settings.blur_sigma_px)
    deriv *= settings.polarity
    votes = np.clip(deriv / noise[None, :], 0.0, settings.vote_clip)
    lo, hi = rows if rows is not None else (1, height - 1)
    lo, hi = max(1, int(lo)), min(height - 1, int(hi))
    if hi <= lo:
        raise ValueError(f"empty row range {rows} for an image of {height} rows")
    xc = (width - 1) / 2.0
    slope, yc, _ = _coarse_line(votes, centres, width, settings.max_angle_deg, (lo, hi))
    ys = snr = inl = None
    for band in (settings.peak_band_px + 1.0, settings.peak_band_px):
        ys, snr = _peaks_near(deriv, noise, centres, slope, yc, xc, band, settings.min_snr)
        if np.isfinite(ys).sum() < 2:
            return None
        slope, yc, inl = _robust_fit(centres, ys, slope, yc, xc, settings.inlier_px)
    count = len(centres)
    share = float(inl.sum()) / count
    if share < settings.min_inlier_share or inl.sum() < 3:
        return None
    resid = ys[inl] - (yc + slope * (centres[inl] - xc))
    median_snr = float(np.median(snr[inl]))
    contrast = _step_height(profiles, centres, ys, inl)
    confidence = share * min(1.0, median_snr / settings.full_snr)
    left = yc + slope * (0.0 - xc)
    right = yc + slope * (width - 1 - xc)
    return Waterline(0.0, float(left), float(width - 1), float(right), float(confidence), share,
                     float(np.sqrt(np.mean(resid ** 2))), median_snr, contrast, centres, ys, inl)


_SHIFT = 4  # sub-pixel bits of the figure's drawing


def _fixed(x: float, y: float, scale: float, x_off: float, y_off: float) -> tuple[int, int]:
    """Pixel-centre coordinates -> OpenCV fixed point in an image scaled by ``scale`` from offset (x_off, y_off)."""
    return (int(round((scale * (x - x_off) + (scale - 1) / 2) * (1 << _SHIFT))),
            int(round((scale * (y - y_off) + (scale - 1) / 2) * (1 << _SHIFT))))


def figure(paths: list[Path], scale: float = 1.5, zoom: int = 6, inset_px: tuple[int, int] = (160, 20)) -> np.ndarray:
    """Per frame: a caption, the coast band with the waterline (yellow) and each strip's step (green on
    the line, red off it), and below it a ``zoom``-times inset of the boxed part, contrast-stretched."""
    rows = []
    for path in paths:
        image = load_image(path)
        wl = find_waterline(image)
        height, width = image.shape
        display = cv2.normalize(image.astype(np.float32), None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
        centre = int(round(float(wl.y_at((width - 1) / 2.0)))) if wl else height // 2
        lo = int(np.clip(centre - 90, 0, height - 120))
        big = cv2.cvtColor(cv2.resize(display[lo:lo + 120], None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC),
                           cv2.COLOR_GRAY2BGR)
        iw, ih = inset_px
        x_in, y_in = width // 2 - iw // 2, centre - ih // 2
        patch = image[y_in:y_in + ih, x_in:x_in + iw].astype(np.float32)
        patch = cv2.normalize(patch, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
        inset = cv2.cvtColor(cv2.resize(patch, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_NEAREST),
                             cv2.COLOR_GRAY2BGR)
        caption = f"{path.stem}: no waterline"
        if wl is not None:
            ends = (-0.5, width - 0.5)
            cv2.line(big, _fixed(ends[0], float(wl.y_at(ends[0])), scale, 0, lo),
                     _fixed(ends[1], float(wl.y_at(ends[1])), scale, 0, lo), (0, 220, 255), 1, cv2.LINE_AA, _SHIFT)
            for x, y, ok in zip(wl.xs, wl.ys, wl.inliers, strict=True):
                if np.isfinite(y):
                    cv2.circle(big, _fixed(x, y, scale, 0, lo), 3 << _SHIFT, (0, 200, 0) if ok else (0, 0, 255), 1,
                               cv2.LINE_AA, _SHIFT)
            ends = (x_in - 0.5, x_in + iw - 0.5)
            cv2.line(inset, _fixed(ends[0], float(wl.y_at(ends[0])), zoom, x_in, y_in),
                     _fixed(ends[1], float(wl.y_at(ends[1])), zoom, x_in, y_in), (0, 220, 255), 1, cv2.LINE_AA, _SHIFT)
            corner = (int(scale * x_in), int(scale * (y_in - lo)))
            cv2.rectangle(big, corner, (int(scale * (x_in + iw)), int(scale * (y_in + ih - lo))), (255, 160, 0), 1)
            caption = (f"{path.stem}: waterline rows {wl.y0:.2f} (left) to {wl.y1:.2f} (right), "
                       f"{wl.angle_deg:+.2f} deg; confidence {wl.confidence:.2f}, "
                       f"{100 * wl.inlier_share:.0f} % of strips on it, rms {wl.rms_px:.2f} px")
        banner = np.zeros((24, big.shape[1], 3), dtype=np.uint8)
        cv2.putText(banner, caption, (6, 17), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA)
        pad = np.zeros((inset.shape[0], big.shape[1], 3), dtype=np.uint8)
        pad[:, :min(inset.shape[1], big.shape[1])] = inset[:, :big.shape[1]]
        rows.extend([banner, big, pad])
    return np.vstack(rows)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m seasky_training.waterline", description=__doc__.split("\n\n")[0])
    parser.add_argument("images", type=Path, nargs="+", help="gray IR frames")
    parser.add_argument("--figure", type=Path, help="also draw the waterlines of these frames into one PNG")
    args = parser.parse_args(argv)
    try:
        for path in args.images:
            wl = find_waterline(load_image(path))
            print(f"{path}: " + ("no waterline" if wl is None else
                                 f"{wl.x0:.0f},{wl.y0:.3f},{wl.x1:.0f},{wl.y1:.3f} confidence {wl.confidence:.2f}"))
        if args.figure:
            ok, data = cv2.imencode(".png", figure(args.images), [cv2.IMWRITE_PNG_COMPRESSION, 9])
            if not ok:
                raise OSError(f"could not encode the figure for {args.figure}")
            write_bytes_atomic(args.figure, data.tobytes())
    except (DatasetError, OSError) as exc:
        raise SystemExit(f"waterline: {exc}") from None
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
