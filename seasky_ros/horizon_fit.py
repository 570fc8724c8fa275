# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The numerics under the horizon search: the robust line fit, the median, even picks, work arrays.

Why a module of its own: the horizon stage runs once per frame within a 3 ms budget (issue 16), and
these pieces are where numpy's general-purpose paths cost more than the work (a generator seeded per
fit, ``np.median``'s full partition, ``np.linspace``'s wrapping, fresh full-frame arrays and their
page faults). Each gives exactly what the general path gives (tools/horizon_speed.py compares the
stage's answers before and after a change); ``seasky_ros.horizon`` and ``horizon_waterline`` use them.
"""

from __future__ import annotations

import functools
import math
import threading
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .horizon import HorizonSettings

_WORK = threading.local()


def _scratch(name: str, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """A work array kept for reuse (per thread, per name and shape), its contents undefined.

    Why: at 640x512 a fresh full-frame array costs more in page faults than the arithmetic done
    on it (about 0.7 ms a frame in the horizon stage, measured: tools/horizon_speed.py).
    """
    arrays = _WORK.__dict__.setdefault("arrays", {})
    key = (name, shape, np.dtype(dtype))
    array = arrays.get(key)
    if array is None:
        if len(arrays) > 64:  # frame sizes changing all the time: start over rather than grow
            arrays.clear()
        array = arrays[key] = np.empty(shape, dtype)
    return array


def _scratch_flat(name: str, size: int, dtype: type) -> np.ndarray:
    """A 1-D work array of at least ``size`` elements (``_scratch`` for arrays whose size varies from call to call)."""
    arrays = _WORK.__dict__.setdefault("flat", {})
    array = arrays.get((name, np.dtype(dtype)))
    if array is None or array.size < size:
        array = arrays[(name, np.dtype(dtype))] = np.empty(max(size, 2 * (0 if array is None else array.size)), dtype)
    return array


@functools.lru_cache(maxsize=16)
def _seeded_state(seed: int) -> dict:
    """The state of ``np.random.default_rng(seed)``'s bit generator, computed once (seeding costs more than a batch)."""
    return np.random.default_rng(seed).bit_generator.state


def _seeded_rng(seed: int) -> np.random.Generator:
    """A generator in the state ``np.random.default_rng(seed)`` starts in (per thread, reset on every call)."""
    bits = _WORK.__dict__.get("bits")
    if bits is None:
        bits = _WORK.bits = np.random.PCG64()
        _WORK.rng = np.random.Generator(bits)
    bits.state = _seeded_state(seed)
    return _WORK.rng


def _median(values: np.ndarray) -> float:
    """``float(np.median(values))`` of a float array, at a fraction of its cost on the horizon stage's arrays.

    np.median partitions the whole array; on quantised image differences (many equal values) that
    costs 0.2 ms for 15k values. Here a 1-in-16 sample brackets the middle, three counts check that
    the middle ranks lie in the bracket, and only the values inside it are partitioned (none where
    the bracket holds one value). The middle values are the same, and so is their mean, computed as
    np.median computes it; where the bracket misses, or a NaN is present, the whole array is used.
    """
    flat = values.ravel()
    n = flat.size
    if n == 0 or flat.dtype.kind != "f":
        return float(np.median(flat))
    low, high = (n - 1) // 2, n // 2  # the middle ranks (one for odd n)
    if n >= 1024:
        sample = flat[::16]
        m, r = sample.size, 2 * math.isqrt(sample.size)
        ranks = [max(0, m // 2 - r), min(m - 1, m // 2 + r)]
        lo_val, hi_val = np.partition(sample, ranks)[ranks]
        below = np.count_nonzero(flat < lo_val)
        upto = np.count_nonzero(flat <= hi_val)
        if below <= low and high < upto and upto + np.count_nonzero(flat > hi_val) == n:  # no NaN either
            if lo_val == hi_val:
                middle = np.full(high - low + 1, lo_val)
            else:
                inside = flat[(flat >= lo_val) & (flat <= hi_val)]
                middle = np.partition(inside, [low - below, high - below])[low - below:high - below + 1]
            return float(middle.mean())
    part = np.partition(flat, [low, high, n - 1])
    if np.isnan(part[-1]):
        return math.nan
    return float(part[low:high + 1].mean())


def even_picks(n: int, count: int) -> np.ndarray:
    """``np.linspace(0, n - 1, count).astype(np.int64)``: ``count`` indices spread evenly over ``n``.

    The same arithmetic as np.linspace (so the same indices) without its wrapping, which costs
    more than the gathers it serves.
    """
    if count < 2:
        return np.linspace(0, n - 1, count).astype(np.int64)
    spread = np.arange(count, dtype=np.float64)
    spread *= (n - 1) / (count - 1)
    spread[-1] = n - 1
    return spread.astype(np.int64)


def _fit_least_squares(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float]:
    """y = a x + b through the points (vertical residuals: the data are one row per column)."""
    xm, ym = xs.mean(), ys.mean()
    dx = xs - xm
    denom = float(dx @ dx)
    a = float(dx @ (ys - ym)) / denom if denom > 0 else 0.0
    return a, float(ym - a * xm)


def _distances(xs: np.ndarray, ys: np.ndarray, a: np.ndarray | float, b: np.ndarray | float) -> np.ndarray:
    """Perpendicular distances of the points from the line(s) y = a x + b."""
    return np.abs(ys - (a * xs + b)) / np.sqrt(1.0 + a * a)


def _robust_line(xs: np.ndarray, ys: np.ndarray, threshold: float,
                 settings: HorizonSettings) -> tuple[np.ndarray, float, float]:
    """RANSAC over point pairs, then least squares on the inliers: (inlier mask, a, b).

    Deterministic (fixed seed); hypotheses are scored in vectorised batches, and sampling
    stops as soon as the best inlier share so far makes an all-inlier pair near certain.
    """
    n = xs.size
    best_count, best_a, best_b = -1, 0.0, math.nan
    drawn, needed = 0, settings.ransac_max_iterations
    rng = _seeded_rng(settings.ransac_seed)
    residual = _scratch_flat("ransac_residual", settings.ransac_batch * n, np.float64)
    close = _scratch_flat("ransac_close", settings.ransac_batch * n, np.bool_)
    while drawn < needed:
        i = rng.integers(0, n, settings.ransac_batch)
        j = rng.integers(0, n, settings.ransac_batch)
        drawn += settings.ransac_batch
        keep = xs[i] != xs[j]
        if not keep.any():
            continue
        i, j = i[keep], j[keep]
        a = (ys[j] - ys[i]) / (xs[j] - xs[i])
        b = ys[i] - a * xs[i]
        # |vertical residual| < threshold * sqrt(1 + a^2): the perpendicular test without a division per point
        # (|ys - (a xs + b)|, the same operations in work arrays)
        r = np.multiply(a[:, None], xs[None, :], out=residual[:a.size * n].reshape(a.size, n))
        r += b[:, None]
        np.subtract(ys[None, :], r, out=r)
        np.abs(r, out=r)
        counts = np.less(r, (threshold * np.sqrt(1.0 + a * a))[:, None],
                         out=close[:a.size * n].reshape(a.size, n)).sum(axis=1)
        k = int(np.argmax(counts))
        if counts[k] > best_count:
            best_count, best_a, best_b = int(counts[k]), float(a[k]), float(b[k])
            w = best_count / n
            if w >= 1.0:
                break
            needed = min(needed, math.ceil(math.log(1.0 - settings.ransac_certainty) / math.log(1.0 - w * w)))
    if best_count < 0:  # no pair of distinct columns was drawn: a level line through the median
        best_b = float(np.median(ys))
    inliers = _distances(xs, ys, best_a, best_b) < threshold
    a, b = best_a, best_b
    for _ in range(2):  # polish: least squares on the inliers, then choose the inliers again
        if inliers.sum() < 2:
            break
        a, b = _fit_least_squares(xs[inliers], ys[inliers])
        inliers = _distances(xs, ys, a, b) < threshold
    return inliers, a, b
