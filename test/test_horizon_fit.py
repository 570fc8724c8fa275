# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The horizon stage's fast paths give exactly what the plain definitions give (issue 16's speed-up).

Each fast piece is checked against the straightforward computation it replaced, on made-up inputs
chosen to hit its corners: ties between splits, runs of "other", NaN and inf, quantised values.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from seasky_ros.horizon import DEFAULT_SETTINGS, HorizonSettings, boundary_points, image_has_contrast
from seasky_ros.horizon_fit import _median, even_picks


def plain_boundary_points(labels, sky=0, sea=1, other=2, ignore=255, settings=DEFAULT_SETTINGS):
    """The definition: score every split of every column, first best split, last tie within 2c+1 rows."""
    height, width = labels.shape
    code = (labels == sky).astype(np.int64) - (labels == sea)
    score = np.vstack([np.zeros((1, width), np.int64), np.cumsum(code, axis=0)])  # split r: rows above it
    c = settings.clearance_px
    xs, ys = [], []
    for x in range(width):
        best = score[:, x].max()
        ties = np.flatnonzero(score[:, x] == best)
        first = ties[0]
        near = ties[ties <= first + 2 * c + 1]
        last = near[-1]
        if first < 1 or last > height - 1 or ties[-1] > first + 2 * c + 1:
            continue
        ok = True
        for split in (first, last):
            r = min(max(split, 1), height - 1)
            ok &= labels[r - 1, x] == sky and labels[r, x] == sea
            rows = np.clip(np.arange(r - c - 1, r + c + 1), 0, height - 1)
            ok &= not np.isin(labels[rows, x], (other, ignore)).any()
        if ok:
            xs.append(float(x))
            ys.append(0.5 * (first + last) + settings.boundary_offset_px)
    return np.array(xs), np.array(ys)


@pytest.mark.parametrize("clearance", [0, 2, 3])
def test_boundary_points_by_runs_equal_the_per_split_definition(clearance):
    rng = np.random.default_rng(clearance)
    settings = HorizonSettings(clearance_px=clearance)
    for trial in range(300):
        height, width = int(rng.integers(1, 40)), int(rng.integers(1, 9))
        values = np.array([[0, 1], [0, 1, 2], [0, 1, 2, 255, 3]][trial % 3], np.uint8)
        if trial % 2:  # a few runs per column: sky, other, sea in some order, ties between splits
            mask = np.empty((height, width), np.uint8)
            for x in range(width):
                runs = np.repeat(rng.choice(values, 8), rng.integers(0, 6, 8))
                mask[:, x] = np.concatenate([runs, np.full(height, rng.choice(values), np.uint8)])[:height]
        else:
            mask = rng.choice(values, (height, width))
        expected = plain_boundary_points(mask, settings=settings)
        for labels in (mask, mask.astype(np.int32)):
            xs, ys = boundary_points(labels, settings=settings)
            np.testing.assert_array_equal(xs, expected[0])
            np.testing.assert_array_equal(ys, expected[1])


def test_a_tie_at_the_window_edge_counts_and_one_beyond_makes_the_column_ambiguous():
    """Splits tied 2c+1 rows apart give their midpoint; 2c+2 apart, no point (clearance 2; 3 is a neutral label)."""
    sky, sea, neutral = 0, 1, 3
    at_edge = [sky] * 3 + [sea, sky, neutral, sea, sky] + [sea] * 4  # ties at rows 3 and 8
    beyond = [sky] * 3 + [sea, sky, neutral, neutral, sea, sky] + [sea] * 4  # ties at rows 3 and 9
    for column, expected in ((at_edge, [5.5]), (beyond, [])):
        mask = np.array(column, np.uint8)[:, None].repeat(3, axis=1)
        xs, ys = boundary_points(mask)
        assert list(ys) == expected * 3 and list(ys) == list(plain_boundary_points(mask)[1])


def test_median_equals_numpy_median_bit_for_bit():
    rng = np.random.default_rng(0)
    arrays = [rng.random(5000).astype(np.float32), np.abs(rng.normal(0, 5, 20001)).round().astype(np.float32),
              rng.integers(0, 3, 4096).astype(np.float32), rng.normal(size=3001), np.full(2048, np.float32(3e38)),
              rng.random((37, 3)).astype(np.float32), np.array([2.5])]
    with_nan = rng.random(6000).astype(np.float32)
    with_nan[17] = np.nan
    with_inf = rng.random(6000).astype(np.float32)
    with_inf[::50] = np.inf
    for values in [*arrays, with_nan, with_inf]:
        with np.errstate(invalid="ignore", over="ignore"):  # NaN, and 3e38 + 3e38 in the mean of the middle two
            expected = float(np.median(values))
            got = _median(values)
        assert got == expected or (math.isnan(got) and math.isnan(expected)), values.size


def test_even_picks_equal_linspace():
    for n in range(1, 700, 7):
        for count in (0, 1, 2, 64, 160, n):
            np.testing.assert_array_equal(even_picks(n, count), np.linspace(0, n - 1, count).astype(np.int64))


def test_contrast_check_agrees_with_its_percentiles():
    """The counting shortcut may only say "contrast" where the 0.5th and 99.5th percentiles differ."""
    rng = np.random.default_rng(4)
    for trial in range(400):
        image = np.full((int(rng.integers(4, 60)), int(rng.integers(4, 60))), rng.choice([0.0, 1.0, 65535.0]),
                        np.float32)
        kind = trial % 4
        if kind == 1:  # one hot pixel: no contrast
            image[0, 0] = 1e4
        elif kind == 2:  # a step: contrast
            image[: image.shape[0] // 2] += rng.choice([1e-7, 1e-3, 10.0])
        elif kind == 3:
            image += rng.normal(0.0, rng.choice([1e-9, 1e-5, 1.0]), image.shape).astype(np.float32)
        lo, hi = np.percentile(image[::4, ::4].astype(np.float32), [0.5, 99.5])
        assert image_has_contrast(image) == bool(hi - lo > 1e-6 * max(1.0, abs(float(hi))))
