# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The MAR-DCT coast labels and the tools that made them: waterline finder, edge follower, label tree."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from seasky_training.coast_metrics import HAZE_GAP, HAZE_ROWS, coast_regions
from seasky_training.label_coast import SEA, apply_corrections, follow_edge, read_rows, run
from seasky_training.waterline import WaterlineSettings, find_waterline

from seasky_ros.dataset_folder import VALID_LABELS, DatasetError, DatasetFolder, read_horizon_csv, resolve_images_dir

REPO = Path(__file__).resolve().parents[1]
TREE = REPO / "data" / "mardct-coast"
FOLDERS = ("train", "heldout", "tirsd-val")


def distant_coast(line_left: float, line_right: float, height: int = 512, width: int = 640,
                  seed: int = 0) -> np.ndarray:
    """A hazy coast on a straight waterline over darker water, the step area-exact, blurred and noisy."""
    rng = np.random.default_rng(seed)
    xs = np.arange(width)
    line = line_left + (line_right - line_left) * xs / (width - 1)
    rows = np.arange(height)[:, None]
    top = line - 90 + 12 * np.sin(xs / 37.0) + 6 * np.sin(xs / 11.0)
    sky = 110.0 + 0.05 * rows + np.zeros((1, width))
    coast = 140.0 + 6.0 * np.sin(xs / 5.0)[None, :] * np.cos(rows / 7.0)
    sea = 85.0 - 0.02 * (rows - line[None, :])
    above = np.clip(line[None, :] - (rows - 0.5), 0.0, 1.0)  # share of each pixel's area above the waterline
    land = np.where(rows >= top[None, :], coast, sky)
    image = above * land + (1.0 - above) * sea
    image = cv2.GaussianBlur(image.astype(np.float32), (0, 0), 1.5)
    return image + rng.normal(0.0, 2.0, image.shape).astype(np.float32)


@pytest.mark.parametrize("left,right", [(240.3, 227.8), (300.0, 300.0), (180.7, 201.2)])
def test_waterline_found_to_a_fraction_of_a_pixel(left: float, right: float) -> None:
    wl = find_waterline(distant_coast(left, right))
    assert wl is not None
    assert abs(wl.y0 - left) < 0.15 and abs(wl.y1 - right) < 0.15
    assert wl.confidence > 0.8
    assert math.degrees(math.atan2(right - left, 639)) == pytest.approx(wl.angle_deg, abs=0.02)


def test_cold_coast_needs_the_other_polarity() -> None:
    cold = 255.0 - distant_coast(250.2, 244.6)  # a coast colder than the water (night, or a snowy coast)
    wl = find_waterline(cold, WaterlineSettings(polarity=-1))
    assert wl is not None and abs(wl.y0 - 250.2) < 0.15 and abs(wl.y1 - 244.6) < 0.15
    assert find_waterline(cold) is None  # with the default polarity no long straight step is left


def test_no_waterline_in_a_featureless_frame() -> None:
    rng = np.random.default_rng(1)
    sky_only = 100.0 + 0.05 * np.arange(512)[:, None] + rng.normal(0.0, 2.0, (512, 640))
    assert find_waterline(sky_only) is None


def test_edge_follower_finds_the_coast_top_from_a_rough_guide() -> None:
    image = distant_coast(260.0, 250.0, seed=3)
    xs = np.arange(640)
    truth = 260.0 - 10 * xs / 639 - 90 + 12 * np.sin(xs / 37.0) + 6 * np.sin(xs / 11.0)
    rough = np.interp(xs, xs[::40], truth[::40]) + 3.0  # a guide clicked every 40 columns, 3 px low
    top = follow_edge(image, rough)
    error = np.abs(top - truth)
    reachable = np.abs(rough - truth) <= 6  # the true edge lies in the band searched around the guide
    assert reachable.mean() > 0.7
    assert np.median(error[reachable]) <= 0.7 and np.mean(error[reachable] <= 1.5) > 0.9


def test_guide_corrections_move_with_the_camera() -> None:
    mask = np.zeros((20, 20), np.uint8)
    apply_corrections(mask, [{"key": "k", "scope": "guide", "label": "255", "x0": "2", "y0": "3", "x1": "4",
                              "y1": "5"}], dx=6.4, dy=-1.2)
    assert set(zip(*np.nonzero(mask == 255), strict=True)) == {(y, x) for y in (2, 3, 4) for x in (8, 9, 10)}


def test_pointer_folder_holds_only_its_labelled_frames(tmp_path: Path) -> None:
    images = tmp_path / "camera"
    images.mkdir()
    for stem in ("a", "b", "c"):
        cv2.imwrite(str(images / f"{stem}.png"), np.full((8, 8), 100, np.uint8))
    labels = tmp_path / "labels"
    (labels / "masks").mkdir(parents=True)
    (labels / "images.path").write_text("../camera\n")
    cv2.imwrite(str(labels / "masks" / "b.png"), np.ones((8, 8), np.uint8))
    folder = DatasetFolder(labels)
    assert folder.stems == ["b"]
    assert folder[0].image.shape == (8, 8) and int(folder[0].mask[0, 0]) == 1
    (labels / "images.path").write_text("../elsewhere\n")
    with pytest.raises(DatasetError, match="images.path: names .*elsewhere, which is not a directory"):
        DatasetFolder(labels)


def _coast_tree(real_data: Path) -> None:
    for name in FOLDERS:
        try:
            resolve_images_dir(TREE / name)
        except Exception as exc:  # the pointer assumes ../shared beside the repo
            pytest.skip(f"MAR-DCT images not reachable from {TREE / name}: {exc}")


def test_coast_labels_load_and_agree_with_their_waterlines(real_data: Path) -> None:
    _coast_tree(real_data)
    listed = read_rows(TREE / "frames.csv", ("stem", "folder", "guide"))
    for name in FOLDERS:
        folder = DatasetFolder(TREE / name)
        assert sorted(r["stem"] for r in listed if r["folder"] == name) == folder.stems
        horizons = read_horizon_csv(TREE / name / "horizon.csv")
        assert set(horizons) == set(folder.stems)
        for i in range(len(folder)):
            item = folder[i]
            assert item.mask is not None and set(np.unique(item.mask).tolist()) <= VALID_LABELS
            x0, y0, x1, y1 = item.horizon
            width = item.mask.shape[1]
            line = y0 + (y1 - y0) * (np.arange(width) - x0) / (x1 - x0)
            expected = np.floor(line - 0.5) + 1  # first row whose area reaches below the line
            # the coast stands where the row above the first sea row is "other"
            is_sea = item.mask == SEA
            first_sea = np.array([np.argmax(is_sea[int(e) - 4:, x]) + int(e) - 4 for x, e in enumerate(expected)])
            coast = item.mask[first_sea - 1, np.arange(width)] == 2
            assert coast.mean() > 0.9, item.stem
            agree = np.abs(first_sea[coast] - expected[coast]) <= 1
            assert agree.mean() > 0.98, (item.stem, agree.mean())


def test_labelling_procedure_reproduces_the_committed_masks(real_data: Path, tmp_path: Path) -> None:
    _coast_tree(real_data)
    tree = tmp_path / "tree"
    shutil.copytree(TREE, tree / "data" / "mardct-coast", ignore=shutil.ignore_patterns("masks", "horizon.csv"))
    copy = tree / "data" / "mardct-coast"
    for name in FOLDERS:  # the pointers are relative: aim them at the same images from the copy
        (copy / name / "images.path").write_text(str(resolve_images_dir(TREE / name)) + "\n")
    run(copy, None)
    for name in FOLDERS:
        ours = DatasetFolder(TREE / name)
        again = DatasetFolder(copy / name)
        assert again.stems == ours.stems
        for i in range(len(ours)):
            assert np.array_equal(ours[i].mask, again[i].mask), ours.stems[i]
        assert read_horizon_csv(copy / name / "horizon.csv") == read_horizon_csv(TREE / name / "horizon.csv")


def test_coast_regions_are_the_coast_above_the_waterline_and_the_sky_just_above_it() -> None:
    mask = np.zeros((100, 4), np.uint8)
    mask[40:42] = 255  # the uncertain edge of the coast's top
    mask[42:70] = 2
    mask[70:] = 1
    mask[80:83, 1] = 2  # a vessel on the water: not coast
    coast, haze = coast_regions(mask, np.full(4, 69.6))
    assert coast.sum() == 4 * 28 and not coast[70:].any()
    rows = np.flatnonzero(haze[:, 0])
    assert rows.min() == 40 - HAZE_GAP - HAZE_ROWS and rows.max() == 40 - HAZE_GAP - 1
