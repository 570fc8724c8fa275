# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The overlay picture: tint per class, the horizon where it belongs, any input range (its speed: seasky-bench)."""

from __future__ import annotations

import numpy as np
import pytest

from seasky_ros.horizon import horizon_from_points
from seasky_ros.overlay import CLASS_COLOURS_BGR, HORIZON_COLOUR_BGR, render_overlay, to_display_gray

H, W = 512, 640


def scene(dtype=np.float32, offset: float = 8000.0) -> tuple[np.ndarray, np.ndarray]:
    rows = np.arange(H, dtype=np.float32)[:, None]
    gray = np.broadcast_to(offset + rows, (H, W)).astype(dtype)
    labels = np.zeros((H, W), np.uint8)
    labels[300:] = 1
    labels[350:400, 100:200] = 2
    return gray, labels


@pytest.mark.parametrize(("dtype", "offset"), [(np.float32, 8000.0), (np.float32, -3.5), (np.uint16, 8000.0),
                                               (np.uint8, 0.0), (np.float64, 1e6)])
def test_any_gray_range_gives_full_8_bit_image(dtype, offset):
    gray, labels = scene(dtype, offset)
    if dtype == np.uint8:
        gray = (np.arange(H)[:, None] * 255 // H).astype(np.uint8).repeat(W, axis=1)
    out = render_overlay(gray, labels, None, alpha=0.0)
    assert out.shape == (H, W, 3) and out.dtype == np.uint8
    assert out[5].mean() < 20 and out[-5].mean() > 235  # stretched to the percentile window


def test_classes_are_tinted_with_their_colours():
    gray = np.full((H, W), 100.0, np.float32)
    _, labels = scene()
    out = render_overlay(gray, labels, None, alpha=1.0).astype(int)
    for label, (row, col) in enumerate([(100, 320), (450, 320), (375, 150)]):
        assert tuple(out[row, col]) == CLASS_COLOURS_BGR[label]


def test_horizon_line_drawn_where_the_line_is():
    gray, labels = scene()
    line = horizon_from_points(0, 200.25, W - 1, 260.75, W, H)
    out = render_overlay(gray, labels, line, alpha=0.0).astype(int)
    yellow = np.all(np.abs(out - np.array(HORIZON_COLOUR_BGR)) < 40, axis=2)
    for x in (10, 320, 600):
        rows = np.flatnonzero(yellow[:, x])
        assert rows.size > 0 and abs(rows.mean() - line.y_at(x)) < 1.0
    assert yellow[:150].sum() == 0 and yellow[320:].sum() == 0


def test_nan_pixels_labels_of_other_size_and_text():
    gray, labels = scene()
    gray[:10] = np.nan
    out = render_overlay(gray, labels[::2, ::2], None, text="12.3 ms", alpha=0.0)
    assert out.shape == (H, W, 3)
    assert out[5, 300:].max() == 0  # NaN rows show black (the text sits at the left)
    plain = render_overlay(gray, labels, None, alpha=0.0)
    assert np.any(out[:40, :120] != plain[:40, :120])


def test_constant_and_all_nan_frames():
    _, labels = scene()
    assert render_overlay(np.full((H, W), 5.0), labels, None).shape == (H, W, 3)
    assert to_display_gray(np.full((H, W), np.nan)).max() == 0

