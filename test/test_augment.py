# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Augmentations keep image, mask and horizon line in agreement."""

from __future__ import annotations

import math

import numpy as np
import pytest
from seasky_training.augment import AugmentConfig, augment, transform_horizon

from seasky_ros.horizon import horizon_from_points
from seasky_ros.synthetic import SceneParams, render_scene

H, W = 96, 128
GEOMETRY_ONLY = dict(p_gain=0, p_gamma=0, p_noise=0, p_blur=0, p_invert=0)


def scene(roll=3.0, pitch=0.0):
    params = SceneParams.random(np.random.default_rng(1), roll_deg=roll, pitch_deg=pitch, coast="none", vessels=(),
                                bridge=False, own_hull=False, bit_depth=14, polarity="white_hot",
                                sea_horizon_k=5.0, haze_strength=0.0)
    f = render_scene(params, H, W)
    return f.image.astype(np.float32), f.mask, f.horizon


def boundary_error(mask, horizon):
    """Largest distance between the sky->sea step of each clean column and the line."""
    x0, y0, x1, y1 = horizon
    worst, n = 0.0, 0
    for x in range(mask.shape[1]):
        col = mask[:, x]
        sea = np.nonzero(col == 1)[0]
        sky = np.nonzero(col == 0)[0]
        if sea.size == 0 or sky.size == 0:
            continue
        first = int(sea[0])
        if first == 0 or col[first - 1] != 0:
            continue
        worst = max(worst, abs(first - (y0 + (y1 - y0) * (x - x0) / (x1 - x0))))
        n += 1
    return worst, n


def wrong_side(mask: np.ndarray, horizon) -> tuple[int, int, int]:
    """(sky pixels more than 1 px on the line's sea side or sea pixels more than 1 px on its sky side, sky, sea)."""
    line = horizon_from_points(*horizon, mask.shape[1], mask.shape[0])
    rows, cols = np.mgrid[:mask.shape[0], :mask.shape[1]]
    up = line.signed_distance(cols, rows)
    wrong = ((mask == 0) & (up < -1.0)) | ((mask == 1) & (up > 1.0))
    return int(wrong.sum()), int((mask == 0).sum()), int((mask == 1).sum())


def test_flip_moves_horizon_with_mask():
    image, mask, horizon = scene(roll=6.0)
    cfg = AugmentConfig(p_flip=1.0, p_rotate=0, p_scale=0, **GEOMETRY_ONLY)
    img2, mask2, hz2 = augment(image, mask, horizon, np.random.default_rng(0), cfg)
    assert np.array_equal(mask2, mask[:, ::-1]) and np.allclose(img2, image[:, ::-1])
    assert hz2 == pytest.approx((0.0, horizon[3], W - 1.0, horizon[1]))
    err, n = boundary_error(mask2, hz2)
    assert n > W * 0.9 and err <= 1.0


@pytest.mark.parametrize("seed", range(6))
def test_rotation_and_zoom_keep_mask_and_line_consistent(seed):
    image, mask, horizon = scene(roll=float(seed - 3), pitch=float(seed % 3 - 1))
    cfg = AugmentConfig(p_flip=0.5, p_rotate=1.0, max_rotate_deg=10, p_scale=0.5, **GEOMETRY_ONLY)
    _, mask2, hz2 = augment(image, mask, horizon, np.random.default_rng(seed), cfg)
    assert hz2 is not None
    err, n = boundary_error(mask2, hz2)
    assert n > W * 0.5 and err <= 2.0  # nearest-neighbour resampling of a zoomed mask: ~1 px each way
    angle_before = math.degrees(math.atan2(horizon[3] - horizon[1], W - 1))
    angle_after = math.degrees(math.atan2(hz2[3] - hz2[1], W - 1))
    assert abs(angle_after) <= abs(angle_before) + 10.5


def test_rotation_border_is_ignore():
    image, mask, horizon = scene()
    cfg = AugmentConfig(p_flip=0, p_rotate=1.0, max_rotate_deg=10, p_scale=0, **GEOMETRY_ONLY)
    rng = np.random.default_rng(2)
    _, mask2, _ = augment(image, mask, horizon, rng, cfg)
    assert set(np.unique(mask2).tolist()) <= {0, 1, 255}
    corners = [mask2[0, 0], mask2[0, -1], mask2[-1, 0], mask2[-1, -1]]
    assert all(c == 255 for c in corners)
    assert (mask2 == 255).mean() < 0.2


def test_zoom_out_border_is_ignore_and_line_none_when_it_leaves():
    image, mask, horizon = scene(pitch=-6.0)  # horizon near the top
    matrix = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 200.0]])  # shift far down: line leaves at the bottom
    assert transform_horizon(horizon, matrix, W, H) is None
    assert transform_horizon(None, matrix, W, H) is None
    cfg = AugmentConfig(p_flip=0, p_rotate=0, p_scale=1.0, scale_range=(0.7, 0.7), max_shift_frac=0, **GEOMETRY_ONLY)
    _, mask2, _ = augment(image, mask, horizon, np.random.default_rng(0), cfg)
    assert (mask2[:, 0] == 255).all() and (mask2[0] == 255).all()


def test_line_leaving_the_frame_follows_the_mask_convention():
    identity = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    rows = np.arange(H)[:, None]
    for y, in_view in ((0.4, False), (0.6, True), (H - 0.6, True), (H - 0.5, False)):
        mask = np.broadcast_to(rows + 0.5 > y, (H, W))  # sea where the pixel reaches below the line
        assert bool(mask.any() and not mask.all()) == in_view  # sky and sea both present
        found = transform_horizon((0.0, y, W - 1.0, y), identity, W, H)
        assert (found is not None) == in_view, y


def test_polarity_inversion_swaps_sky_and_sea():
    image, mask, horizon = scene()
    cfg = AugmentConfig(p_flip=0, p_rotate=0, p_scale=0, p_gain=0, p_gamma=0, p_noise=0, p_blur=0, p_invert=1.0)
    img2, mask2, hz2 = augment(image, mask, horizon, np.random.default_rng(0), cfg)
    assert image[mask == 1].mean() > image[mask == 0].mean()
    assert img2[mask == 1].mean() < img2[mask == 0].mean()
    assert np.array_equal(mask2, mask) and hz2 == horizon


def test_photometric_output_and_determinism():
    image, mask, horizon = scene()
    cfg = AugmentConfig()
    a = augment(image, mask, horizon, np.random.default_rng(9), cfg)
    b = augment(image, mask, horizon, np.random.default_rng(9), cfg)
    assert a[0].dtype == np.float32 and a[0].shape == image.shape and np.isfinite(a[0]).all()
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) and a[2] == b[2]
    assert image.dtype == np.float32  # input untouched
    with pytest.raises(ValueError, match="mask shape"):
        augment(image, mask[1:], horizon, np.random.default_rng(0), cfg)


def rotation(deg: float) -> np.ndarray:
    import cv2

    return cv2.getRotationMatrix2D(((W - 1) / 2.0, (H - 1) / 2.0), deg, 1.0)


@pytest.mark.parametrize("deg", [-170.0, -90.0, -43.0, -30.0, 0.0, 15.0, 43.0, 50.0, 90.0, 135.0, 180.0])
def test_a_roll_anywhere_keeps_the_line_and_its_sky_side(deg):
    """cv2's positive angle turns the image counter-clockwise: the line's direction changes by -deg, and a
    level line's sky, above it, stays on the left of its direction (its upside-down line reads 180 deg)."""
    horizon = (0.0, 46.0, W - 1.0, 50.0)
    found = transform_horizon(horizon, rotation(deg), W, H)
    before = math.degrees(math.atan2(4.0, W - 1))
    after = math.degrees(math.atan2(found[3] - found[1], found[2] - found[0]))
    assert (after - (before - deg) + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=1e-6)
    assert transform_horizon(None, rotation(deg), W, H) is None


def test_full_roll_turns_mask_alike_and_ignores_what_comes_from_outside():
    """With p_full_roll 1 the rolls span the circle: some frames upside down (sea above sky), the
    mask turned with the image, outside pixels 255, and the line turned with them, the sky on its side."""
    image, mask, horizon = scene(roll=0.0)
    cfg = AugmentConfig(p_flip=0.5, p_full_roll=1.0, p_scale=0, **GEOMETRY_ONLY)
    upside_down = 0
    for seed in range(40):
        img2, mask2, hz2 = augment(image, mask, horizon, np.random.default_rng(seed), cfg)
        assert set(np.unique(mask2).tolist()) <= {0, 1, 255}
        sky_rows, sea_rows = np.nonzero(mask2 == 0)[0], np.nonzero(mask2 == 1)[0]
        if sky_rows.size and sea_rows.size and sea_rows.mean() < sky_rows.mean():
            upside_down += 1
            assert mask2[0, 0] == 255 or mask2[-1, -1] == 255  # the corners came from outside
        assert hz2 is not None
        wrong, sky, sea = wrong_side(mask2, hz2)
        assert wrong == 0 and sky > 0.1 * mask2.size and sea > 0.1 * mask2.size, seed
    assert 10 <= upside_down <= 30


def test_full_roll_off_draws_exactly_as_before():
    """p_full_roll 0 takes no random draw, so runs without it render what they always did."""
    image, mask, horizon = scene()
    a = augment(image, mask, horizon, np.random.default_rng(4), AugmentConfig())
    b = augment(image, mask, horizon, np.random.default_rng(4), AugmentConfig(p_full_roll=0.0))
    c = augment(image, mask, horizon, np.random.default_rng(4), AugmentConfig(p_full_roll=1e-9))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0]), "an active full roll takes a draw of its own"
