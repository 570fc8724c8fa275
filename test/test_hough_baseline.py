# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The classical baseline finds an obvious horizon and reports none where there is no edge."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from seasky_ros.horizon import horizon_from_points
from seasky_ros.hough_baseline import HoughParams, detect_horizon, edges
from seasky_ros.metrics import horizon_errors
from seasky_ros.synthetic import SceneParams, render_scene


def _clear_synthetic_frames(count: int) -> list:
    """Synthetic scenes with a clear horizon: sharp, 5 K of contrast, nothing on or across it."""
    frames = []
    for seed in range(count):
        rng = np.random.default_rng(seed)
        params = SceneParams.random(rng)
        params = replace(
            params,
            sea_horizon_k=5.0 if params.sea_horizon_k >= 0 else -5.0,
            haze_strength=0.0, haze_width_deg=0.1, cloud_cover=0.0, streaks=0, glint_k=0.0, wave_amp_k=0.2,
            sky_gradient_k=0.0, coast="none", vessels=(), bridge=False, own_hull=False,
            pitch_deg=float(rng.uniform(-3, 3)), roll_deg=float(rng.uniform(-8, 8)),
        )
        frames.append(render_scene(params, 240, 320, np.random.default_rng(seed)))
    return frames


def test_finds_a_clean_step_edge_horizon():
    height, width = 240, 320
    truth = horizon_from_points(0, 100.0, width - 1, 130.0, width=width, height=height)
    rows = np.arange(height)[:, None]
    image = np.where(rows < truth.y_at(np.arange(width))[None, :], 9000, 7000).astype(np.uint16)
    image = image + np.random.default_rng(0).integers(0, 40, image.shape, dtype=np.uint16)
    found = detect_horizon(image, "mono16")
    assert found is not None
    position, angle = horizon_errors(truth, found, width, height)
    assert position < 2.0 and angle < 0.5
    assert 0.0 < found.confidence <= 1.0


def test_finds_synthetic_horizons_within_a_few_pixels():
    errors = []
    for frame in _clear_synthetic_frames(10):
        height, width = frame.image.shape[:2]
        truth = horizon_from_points(*frame.horizon, width=width, height=height)
        found = detect_horizon(frame.image, frame.encoding)
        errors.append(horizon_errors(truth, found, width, height) if found is not None else (np.inf, np.inf))
    positions = sorted(e[0] for e in errors)
    assert positions[7] < 3.0, errors  # 8 of 10 within 3 px: a baseline, not the product
    assert np.median([e[1] for e in errors]) < 0.5


@pytest.mark.parametrize("value", [0, 1234])
def test_no_horizon_without_edges(value):
    flat = np.full((120, 160), value, dtype=np.uint16)
    assert not edges(flat.astype(np.float32)).any()
    assert detect_horizon(flat, "mono16") is None


def test_vertical_edges_are_not_a_horizon():
    image = np.zeros((120, 160), dtype=np.uint8)
    image[:, 80:] = 200
    assert detect_horizon(image, "mono8", HoughParams(max_tilt_deg=30)) is None
