# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Copy-paste augmentation: pasted objects are labelled "other", the rest of the frame keeps its labels."""

import numpy as np
import pytest
import torch
from seasky_training.paste import OTHER, SEA, SKY, PasteConfig, paste_objects
from seasky_training.samples import FolderSamples

from seasky_ros.dataset_folder import DatasetFolder, save_frame
from seasky_ros.preprocess import Normalization

H, W = 120, 160
HORIZON_ROW = 50

ONLY_COAST = PasteConfig(p_coast=1.0, p_skyline=0.0, vessels_mean=0.0, p_own_hull=0.0, p_bridge=0.0,
                         p_reflection=0.0)


def sky_sea_frame(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Cold sky over warmer textured sea, horizon flat at HORIZON_ROW (8-bit values)."""
    rng = np.random.default_rng(seed)
    image = np.empty((H, W), np.float32)
    image[:HORIZON_ROW] = 80.0 + np.linspace(0, 10, HORIZON_ROW, dtype=np.float32)[:, None]
    image[HORIZON_ROW:] = 140.0 + 6.0 * rng.standard_normal((H - HORIZON_ROW, W)).astype(np.float32)
    mask = np.full((H, W), SEA, np.uint8)
    mask[:HORIZON_ROW] = SKY
    return image, mask


def test_pasted_pixels_are_other_and_the_rest_keeps_its_labels():
    image, mask = sky_sea_frame()
    pasted_any = 0
    for seed in range(40):
        out_img, out_mask = paste_objects(image, mask, np.random.default_rng(seed))
        assert out_img.shape == image.shape and out_mask.dtype == np.uint8
        assert set(np.unique(out_mask).tolist()) <= {SKY, SEA, OTHER}
        kept = out_mask != OTHER
        assert np.array_equal(out_mask[kept], mask[kept]), "a paste relabelled sky or sea"
        pasted_any += int((out_mask == OTHER).any())
    assert pasted_any >= 30, "with the default probabilities most frames get something pasted"


def test_sky_away_from_the_pastes_and_the_horizon_is_untouched():
    image, mask = sky_sea_frame()
    no_haze = PasteConfig(p_haze_band=0.0)
    for seed in range(20):
        out_img, out_mask = paste_objects(image, mask, np.random.default_rng(seed), no_haze)
        other = (out_mask == OTHER).astype(np.uint8)
        near = np.zeros_like(other, bool)
        ys, xs = np.nonzero(other)
        for dy in range(-7, 8):  # the soft edge reaches 4 sigma = 6 px at most
            for dx in range(-7, 8):
                near[np.clip(ys + dy, 0, H - 1), np.clip(xs + dx, 0, W - 1)] = True
        far_sky = (out_mask == SKY) & ~near
        far_sky[HORIZON_ROW - 4:] = False  # the restyled sea's soft edge reaches 3 px into the sky
        assert np.array_equal(out_img[far_sky], image[far_sky]), f"seed {seed}: sky changed away from the pastes"


def test_a_coast_stands_on_the_water_it_hides():
    """In every column with coast: sky above it, the coast, then sea below (it meets the water)."""
    image, mask = sky_sea_frame()
    for seed in range(20):
        out_img, out_mask = paste_objects(image, mask, np.random.default_rng(seed), ONLY_COAST)
        cols = np.flatnonzero((out_mask == OTHER).any(axis=0))
        if cols.size == 0:
            continue
        for c in cols:
            col = out_mask[:, c]
            rows = np.flatnonzero(col == OTHER)
            assert rows.max() >= HORIZON_ROW - 1, f"seed {seed} column {c}: coast floats above the horizon"
            assert np.all(col[rows.max() + 1:] == SEA), f"seed {seed} column {c}: not sea below the coast"
            assert np.all(col[: rows.min()] == SKY), f"seed {seed} column {c}: not sky above the coast"
        region = out_mask == OTHER
        assert not np.allclose(out_img[region], image[region]), "the coast must change the image"


def test_a_haze_band_warms_the_sky_over_its_lower_edge_and_keeps_the_labels():
    image, mask = sky_sea_frame()
    haze_only = PasteConfig(p_coast=0.0, vessels_mean=0.0, p_own_hull=0.0, p_bridge=0.0, p_rough_sea=0.0,
                            p_restyle_sea=0.0, p_haze_band=1.0, p_glint_path=0.0)
    changed = 0
    for seed in range(10):
        out_img, out_mask = paste_objects(image, mask, np.random.default_rng(seed), haze_only)
        assert np.array_equal(out_mask, mask), "haze is still sky"
        assert np.array_equal(out_img[HORIZON_ROW:], image[HORIZON_ROW:]), "haze touches the sky only"
        delta = np.abs(out_img[:HORIZON_ROW] - image[:HORIZON_ROW]).mean(axis=1)
        assert delta[-1] > delta[0], f"seed {seed}: the band is strongest at the sky's lower edge"
        changed += int(delta[-1] > 1.0)
    assert changed >= 8


def test_same_seed_same_result_and_limits_clip():
    image, mask = sky_sea_frame()
    a = paste_objects(image, mask, np.random.default_rng(3), limits=(0.0, 255.0))
    b = paste_objects(image, mask, np.random.default_rng(3), limits=(0.0, 255.0))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert a[0].min() >= 0.0 and a[0].max() <= 255.0
    hot = image + 200.0
    out, _ = paste_objects(hot, mask, np.random.default_rng(3), limits=(0.0, 255.0))
    assert out.max() <= 255.0


def test_frames_without_a_horizon_come_back_unchanged():
    image, _ = sky_sea_frame()
    all_sea = np.full((H, W), SEA, np.uint8)
    out_img, out_mask = paste_objects(image, all_sea, np.random.default_rng(0))
    assert np.array_equal(out_img, image) and np.array_equal(out_mask, all_sea)
    with pytest.raises(ValueError, match="same 2-D shape"):
        paste_objects(image, all_sea[:10], np.random.default_rng(0))


def test_folder_samples_paste_share(tmp_path):
    for i in range(3):
        image, mask = sky_sea_frame(i)
        save_frame(tmp_path, f"f{i}", np.clip(image, 0, 255).astype(np.uint8), mask)
    folder = DatasetFolder(tmp_path)
    norm = Normalization()

    def other_share(share: float) -> float:
        samples = FolderSamples(folder, (60, 80), norm, None, repeat=10, seed=1, paste_share=share)
        labels = torch.stack([samples[i][1] for i in range(len(samples))])
        return float((labels == OTHER).any(dim=(1, 2)).float().mean())

    assert other_share(0.0) == 0.0
    assert other_share(1.0) >= 0.7
    samples = FolderSamples(folder, (60, 80), norm, None, repeat=2, seed=1, paste_share=1.0)
    assert torch.equal(samples[4][0], samples[4][0]), "a sample is a pure function of (seed, epoch, index)"
    with pytest.raises(ValueError, match="paste share"):
        FolderSamples(folder, (60, 80), norm, paste_share=1.5)


def test_wakes_and_glint_paths_stay_sea_and_change_only_the_water():
    """Drawn last and on the water only: the same seed without them pastes the same objects and labels."""
    image, mask = sky_sea_frame()
    boats = dict(p_coast=0.0, vessels_mean=2.0, p_own_hull=0.0, p_bridge=0.0, p_rough_sea=0.0,
                 p_restyle_sea=0.0, p_haze_band=0.0)
    with_both = PasteConfig(**boats, p_wake=1.0, p_glint_path=1.0)
    without = PasteConfig(**boats, p_wake=0.0, p_glint_path=0.0)
    wake_only = PasteConfig(**boats, p_wake=1.0, p_glint_path=0.0)
    changed = waked = 0
    for seed in range(12):
        a_img, a_mask = paste_objects(image, mask, np.random.default_rng(seed), without)
        b_img, b_mask = paste_objects(image, mask, np.random.default_rng(seed), with_both)
        assert np.array_equal(a_mask, b_mask), f"seed {seed}: a wake or glint changed a label"
        diff = np.abs(b_img - a_img) > 1e-3
        assert not diff[b_mask != SEA].any(), f"seed {seed}: a wake or glint touched sky or a vessel"
        changed += int(diff.sum() > 20)
        w_img, _ = paste_objects(image, mask, np.random.default_rng(seed), wake_only)
        waked += int((np.abs(w_img - a_img) > 0.5).sum() > 20)
    assert changed == 12, "every frame gets a glint path"
    assert waked >= 6, "most frames have a boat, and each boat a wake"
