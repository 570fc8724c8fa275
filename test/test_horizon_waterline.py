# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The horizon behind a distant coast is its waterline; a near waterfront or a skyline gives none."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from seasky_ros.dataset_folder import DatasetFolder
from seasky_ros.horizon import SOURCE_SKY_SEA, SOURCE_WATERLINE, boundary_points, find_horizon
from seasky_ros.horizon_waterline import (
    WATERLINE_DISAGREES,
    WATERLINE_NO_EDGE,
    WATERLINE_NO_POINTS,
    WATERLINE_NOT_STRAIGHT,
    WaterlineRules,
    find_waterline_horizon,
)

H, W = 512, 640
SKY, SEA, OTHER = 0, 1, 2
ROWS = np.arange(H, dtype=np.float64)[:, None]
COLS = np.arange(W, dtype=np.float64)[None, :]


def waterline_rows(centre: float = 260.3, slope: float = -0.01) -> np.ndarray:
    return centre + slope * (COLS[0] - (W - 1) / 2.0)


def coast_scene(coast_cols: slice, centre: float = 260.3, slope: float = -0.01, horizon_above: float = 0.5,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mask, image, waterline rows): a warm hilly coast standing on cold water over ``coast_cols``,
    open sea beside it, whose horizon lies ``horizon_above`` px above the coast's waterline (a coast
    km away). Pixels are sea where their area reaches below the line, as the estimator expects."""
    rng = np.random.default_rng(seed)
    water = waterline_rows(centre, slope)
    horizon = water - horizon_above
    coast = np.zeros(W, bool)
    coast[coast_cols] = True
    top = water - 60.0 - 25.0 * np.sin(COLS[0] / 37.0) ** 2  # hills 60-85 px high
    is_sea = np.where(coast, water, horizon)[None, :] < ROWS + 0.5
    is_land = coast[None, :] & (top[None, :] <= ROWS) & ~is_sea
    mask = np.where(is_sea, SEA, SKY).astype(np.uint8)
    mask[is_land] = OTHER
    # the image sees the line to a fraction of a pixel: a pixel it crosses mixes the two sides by area
    wet = np.clip(ROWS + 0.5 - np.where(coast, water, horizon)[None, :], 0.0, 1.0)
    above = np.where(coast[None, :] & (top[None, :] <= ROWS), 7150.0 + 20.0 * rng.standard_normal((H, W)),
                     7000.0 - 0.1 * ROWS)
    image = wet * (6950.0 + 0.05 * ROWS) + (1.0 - wet) * above + rng.normal(0.0, 2.0, (H, W))
    return mask, image.astype(np.float32), water


def test_a_distant_coast_hiding_most_of_the_horizon_gives_its_waterline():
    mask, image, water = coast_scene(slice(40, 600))  # 40 + 40 columns of open sea beside it: 12.5 %, too few
    search = find_horizon(mask, image)
    h = search.horizon
    assert h is not None and h.source == SOURCE_WATERLINE, search.reason
    assert np.abs(h.y_at(np.arange(W)) - water).max() < 0.5
    assert 0.8 < h.confidence <= 1.0
    # without the image the mask's line is kept, and it is still the waterline
    h = find_horizon(mask).horizon
    assert h is not None and h.source == SOURCE_WATERLINE and np.abs(h.y_at(np.arange(W)) - water).max() < 1.0


def test_an_open_stretch_seen_on_enough_columns_keeps_the_sky_sea_line():
    """A coast over 35 % of the view, the open horizon over the rest: the sky->sea line stays."""
    mask, image, water = coast_scene(slice(0, 224))
    h = find_horizon(mask, image).horizon
    assert h is not None and h.source == SOURCE_SKY_SEA
    assert np.abs(h.y_at(np.arange(W)) - (water - 0.5)).max() < 0.5


def test_a_waterline_not_level_with_the_open_horizon_is_refused():
    """A harbour with a gap: the open horizon 40 px above the quay's waterline over 15 % of the columns."""
    mask, image, water = coast_scene(slice(0, 544), horizon_above=40.0)
    search = find_waterline_horizon(mask, image, boundary_points(mask), min_support=0.12)
    assert search.horizon is None and search.reason == WATERLINE_DISAGREES
    h = find_horizon(mask, image).horizon  # what the gap shows is the horizon
    assert h is not None and h.source == SOURCE_SKY_SEA and np.abs(h.y_at(np.arange(W)) - (water - 40.0)).max() < 1.0


def test_the_quick_refusal_refuses_only_what_the_image_cannot_save():
    """With the open horizon 40 px above the waterline no refinement (a few px) can make them agree: the
    callers' search refuses without reading the image (a fog frame would have been refused for no edge
    first). Within the refinement's reach (5 px) it must not guess: the same answer as the full search."""
    mask, image, _ = coast_scene(slice(0, 544), horizon_above=40.0)
    fog = np.full_like(image, np.nan)  # never read: NaN would otherwise reach the edge measures
    quick = find_waterline_horizon(mask, fog, boundary_points(mask), min_support=0.12, quick_refusal=True)
    assert quick.horizon is None and quick.reason == WATERLINE_DISAGREES
    for above in (0.5, 5.0):
        mask, image, _ = coast_scene(slice(0, 544), horizon_above=above)
        full = find_waterline_horizon(mask, image, boundary_points(mask), min_support=0.12)
        quick = find_waterline_horizon(mask, image, boundary_points(mask), min_support=0.12, quick_refusal=True)
        assert (quick.horizon, quick.reason) == (full.horizon, full.reason), above


def test_a_waterline_the_image_does_not_show_is_refused():
    """The mask draws a coast, the image holds a smooth gradient (fog) or a step elsewhere: no waterline."""
    mask, _, _ = coast_scene(slice(40, 600))
    rng = np.random.default_rng(2)
    fog = (7000.0 + 2.0 * ROWS + rng.normal(0.0, 2.0, (H, W))).astype(np.float32)
    elsewhere = (7000.0 + 60.0 * (ROWS > 330) + rng.normal(0.0, 2.0, (H, W))).astype(np.float32)
    for image in (fog, elsewhere):
        search = find_waterline_horizon(mask, image, boundary_points(mask), min_support=0.12)
        assert search.horizon is None and search.reason == WATERLINE_NO_EDGE


def near_waterfront(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Quays and piers at different rows, moored boats and buildings towering over them, reflections
    read as "other" below some of them: what a network makes of a harbour (MassMIND)."""
    rng = np.random.default_rng(seed)
    quay = np.empty(W)
    x = 0
    while x < W:  # quay sections 20-90 px long, each at its own row (piers, boats alongside)
        n = int(rng.integers(20, 90))
        quay[x:x + n] = rng.uniform(250.0, 330.0)
        x += n
    quay += rng.normal(0.0, 1.5, W)  # and ragged at the pixel level
    roofs = 120.0 + 80.0 * rng.random(W // 16).repeat(16)
    mask = np.where(quay[None, :] < ROWS + 0.5, SEA, SKY).astype(np.uint8)
    mask[(roofs[None, :] <= ROWS) & (quay[None, :] >= ROWS + 0.5)] = OTHER
    image = np.where(mask == OTHER, 7200.0, np.where(mask == SEA, 6950.0, 7000.0)) + rng.normal(0.0, 2.0, (H, W))
    return mask, image.astype(np.float32)


def test_a_near_waterfront_gives_no_horizon():
    mask, image = near_waterfront()
    search = find_waterline_horizon(mask, image, boundary_points(mask), min_support=0.12)
    assert search.horizon is None and search.reason == WATERLINE_NOT_STRAIGHT
    assert find_horizon(mask, image).horizon is None
    assert find_horizon(mask).horizon is None


def test_a_skyline_without_sea_below_gives_no_waterline():
    """Buildings standing to the bottom of the frame, their lower rows misread as sea in places."""
    mask = np.where(ROWS >= 200 + 40 * ((COLS // 37) % 3), OTHER, SKY).astype(np.uint8)
    mask[300:304] = SEA  # a strip of "sea" across the facades: land again right below it
    image = np.where(mask == OTHER, 7200.0, 7000.0).astype(np.float32)
    search = find_waterline_horizon(mask, image, boundary_points(mask), min_support=0.12)
    assert search.horizon is None and search.reason == WATERLINE_NO_POINTS
    assert find_horizon(mask, image).horizon is None


MEASURED_WITHIN_3PX = 39  # of the 40 labelled MAR-DCT frames, shipped weights (2026-12-02, docs/HORIZON.md)


def test_labelled_distant_coast_frames_get_their_waterline(real_data):
    """The shipped weights on the labelled MAR-DCT coast frames: the reported line on the waterline."""
    from pathlib import Path

    from seasky_ros.segmenter import Segmenter

    root = Path(__file__).resolve().parents[1] / "data" / "mardct-coast"
    segmenter = Segmenter.from_file()
    frames = within = 0
    for name in ("train", "heldout", "tirsd-val"):
        folder = DatasetFolder(root / name)
        labels = {row["stem"]: row for row in csv.DictReader((root / name / "horizon.csv").open())}
        for i in range(len(folder)):
            item = folder[i]
            width = item.image.shape[1]
            x0, y0, x1, y1 = item.horizon
            truth = y0 + (y1 - y0) * ((width - 1) / 2.0 - x0) / (x1 - x0)
            h = segmenter.segment(item.image).horizon
            frames += 1
            if h is not None and abs(float(h.y_at((width - 1) / 2.0)) - truth) <= 3.0:
                assert h.source == SOURCE_WATERLINE
                within += 1
        assert len(labels) == len(folder)
    assert frames == 40
    assert within >= MEASURED_WITHIN_3PX - 1, f"{within} of {frames} within 3 px"


@pytest.mark.parametrize("kind", ["distant", "open"])
def test_the_waterline_search_leaves_open_sea_frames_alone(kind):
    """A frame whose sky->sea line is seen on most columns never takes the waterline path."""
    mask, image, water = coast_scene(slice(0, 0) if kind == "open" else slice(500, 640))
    h = find_horizon(mask, image).horizon
    assert h is not None and h.source == SOURCE_SKY_SEA


def test_a_waterline_too_near_the_border_for_the_image_is_refused_or_gets_half_the_confidence():
    """14 rows from the top the image cannot check it: refused by default, half confidence where no edge is asked."""
    mask, image, water = coast_scene(slice(40, 600), centre=14.3, slope=0.0)
    points = boundary_points(mask)
    strict = find_waterline_horizon(mask, image, points, min_support=0.12)
    assert strict.horizon is None and strict.reason == WATERLINE_NO_EDGE
    lenient = find_waterline_horizon(mask, image, points, min_support=0.12,
                                     rules=WaterlineRules(need_image_edge=False))
    h = lenient.horizon
    assert h is not None and h.source == SOURCE_WATERLINE, lenient.reason
    assert h.edge == 0.5 and h.confidence <= 0.5
    assert np.abs(h.y_at(np.arange(W)) - water).max() < 1.0
