# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""IR preprocessing: every encoding, the percentile window, and bad frames."""

import numpy as np
import pytest

from seasky_ros.preprocess import (
    SUPPORTED_ENCODINGS,
    FrameError,
    Normalization,
    fill_nonfinite,
    infer_encoding,
    prepare,
    stretch,
    to_gray,
)


def ramp(h=48, w=64):
    """A vertical ramp 0..1: cold sky at the top, warm sea at the bottom."""
    return np.repeat(np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None], w, axis=1)


def encode(base, encoding):
    if encoding in ("mono8", "8UC1"):
        return (base * 255).astype(np.uint8)
    if encoding in ("mono16", "16UC1"):
        return (8000 + base * 4000).astype(np.uint16)  # 14-bit counts with an offset
    if encoding == "32FC1":
        return (270.0 + base * 15.0).astype(np.float32)  # kelvin
    g = (base * 255).astype(np.uint8)
    planes = {"bgr8": [g, g, g], "rgb8": [g, g, g], "bgra8": [g, g, g, np.full_like(g, 255)],
              "rgba8": [g, g, g, np.full_like(g, 255)]}[encoding]
    return np.dstack(planes)


@pytest.mark.parametrize("encoding", SUPPORTED_ENCODINGS)
def test_every_encoding_gives_the_same_normalised_picture(encoding):
    base = ramp()
    frame = encode(base, encoding)
    gray = to_gray(frame, encoding)
    assert gray.shape == base.shape and gray.dtype == np.float32
    x = stretch(gray, 0.0, 100.0)
    np.testing.assert_allclose(x, base, atol=1.0 / 250)


def test_colour_conversion_respects_channel_order():
    frame = np.zeros((4, 4, 3), np.uint8)
    frame[..., 2] = 200  # red in bgr, blue in rgb
    assert to_gray(frame, "bgr8").mean() == pytest.approx(0.299 * 200, abs=1)
    assert to_gray(frame, "rgb8").mean() == pytest.approx(0.114 * 200, abs=1)


def test_dead_and_hot_pixels_do_not_change_the_window():
    base = encode(ramp(96, 128), "mono16")
    spoiled = base.copy()
    rng = np.random.default_rng(0)
    idx = rng.choice(base.size, 60, replace=False)
    spoiled.flat[idx[:30]] = 0
    spoiled.flat[idx[30:]] = 65535
    clean = stretch(base.astype(np.float32))
    dirty = stretch(spoiled.astype(np.float32))
    unaffected = np.ones(base.size, bool)
    unaffected[idx] = False
    assert np.abs(clean.ravel()[unaffected] - dirty.ravel()[unaffected]).max() < 0.02


def test_16bit_offset_does_not_matter():
    base = ramp()
    low = (1000 + base * 3000).astype(np.uint16)
    high = (40000 + base * 3000).astype(np.uint16)
    np.testing.assert_allclose(stretch(low.astype(np.float32)), stretch(high.astype(np.float32)), atol=1e-6)


def test_constant_frame_gives_zeros_not_nan():
    for frame in (np.full((20, 30), 7, np.uint8), np.full((20, 30), 9000, np.uint16),
                  np.full((20, 30), 288.5, np.float32)):
        p = prepare(frame, (16, 16), Normalization(mean=0.0, std=1.0))
        assert np.isfinite(p.tensor).all()
        assert np.all(p.tensor == 0.0)


def test_black_hot_is_the_mirror_of_white_hot():
    base = encode(ramp(), "mono16").astype(np.float32)
    white_hot = stretch(base, 0, 100)
    black_hot = stretch(base.max() + base.min() - base, 0, 100)
    np.testing.assert_allclose(black_hot, 1.0 - white_hot, atol=1e-6)


def test_nan_pixels_are_filled_and_counted():
    frame = encode(ramp(), "32FC1")
    frame[5, :10] = np.nan
    frame[6, 3] = np.inf
    p = prepare(frame, (24, 32), encoding="32FC1")
    assert p.nonfinite_pixels == 11
    assert np.isfinite(p.tensor).all() and np.isfinite(p.gray).all()
    all_nan = np.full((8, 8), np.nan, np.float32)
    cleaned, bad = fill_nonfinite(all_nan)
    assert bad == 64 and np.all(cleaned == 0)


def test_prepare_resizes_and_normalises():
    frame = encode(ramp(512, 640), "mono16")
    norm = Normalization(low_pct=1, high_pct=99, mean=0.5, std=0.25)
    p = prepare(frame, (160, 208), norm)
    assert p.tensor.shape == (1, 1, 160, 208) and p.tensor.dtype == np.float32
    assert p.gray.shape == (512, 640)
    assert p.tensor.min() == pytest.approx(-2.0) and p.tensor.max() == pytest.approx(2.0)
    assert p.tensor[0, 0, 0].mean() < p.tensor[0, 0, -1].mean()


@pytest.mark.parametrize(
    ("frame", "encoding", "words"),
    [
        (np.zeros((4, 4), np.uint8), "yuv422", "unsupported encoding"),
        (np.zeros((0, 4), np.uint8), "mono8", "empty"),
        (np.zeros((4, 4), np.uint8), "mono16", "dtype"),
        (np.zeros((4, 4, 3), np.uint8), "mono8", "single-channel"),
        (np.zeros((4, 4), np.uint8), "bgr8", "3 channels"),
        (np.zeros((4, 4), np.int64), None, "cannot infer"),
    ],
)
def test_bad_frames_raise_a_clear_error(frame, encoding, words):
    with pytest.raises(FrameError, match=words):
        to_gray(frame, encoding)


def test_encoding_inference():
    assert infer_encoding(np.zeros((2, 2), np.uint8)) == "mono8"
    assert infer_encoding(np.zeros((2, 2), np.uint16)) == "mono16"
    assert infer_encoding(np.zeros((2, 2), np.float32)) == "32FC1"
    assert infer_encoding(np.zeros((2, 2, 3), np.uint8)) == "bgr8"


def test_normalization_rejects_a_bad_window():
    with pytest.raises(ValueError, match="percentile"):
        Normalization(low_pct=99, high_pct=1)
    with pytest.raises(ValueError, match="std"):
        Normalization(std=0)
