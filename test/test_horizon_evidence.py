# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The image's veto and the confidence: frames that hold no horizon get none, whatever the mask says."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from seasky_ros.horizon import (
    BLANK_IMAGE_REASONS,
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_SETTINGS,
    REASON_FEW_VALID,
    REASON_NO_BOUNDARY,
    REASON_NO_CONTRAST,
    REASON_NO_EDGE,
    REASON_NO_SEA_BELOW,
    SOURCE_WATERLINE,
    find_horizon,
)

H, W = 512, 640
SKY, SEA = 0, 1
ROWS = np.arange(H, dtype=np.float32)[:, None]


def confident_mask(y: float = 212.4) -> np.ndarray:
    """A clean, level sky/sea mask: what a network may well draw on any frame."""
    return np.broadcast_to(np.where(y < ROWS + 0.5, SEA, SKY).astype(np.uint8), (H, W)).copy()


def horizon_frame(y: float = 212.4, step: float = 30.0, noise: float = 2.0, seed: int = 0) -> np.ndarray:
    """Sky at 7000 counts, sea ``step`` warmer below row ``y``, a little cooler with height, sensor noise."""
    rng = np.random.default_rng(seed)
    image = 7000.0 + 0.05 * ROWS + step * (y < ROWS + 0.5) + rng.normal(0, noise, (H, W))
    return image.astype(np.float32)


def hot_pixel() -> np.ndarray:
    image = np.zeros((H, W), np.float32)
    image[100, 200] = 65535.0
    return image


NOISE = np.random.default_rng(3).normal(0, 2, (H, W)).astype(np.float32)
BLANK_FRAMES = {
    "all zero": (np.zeros((H, W), np.float32), REASON_NO_CONTRAST),
    "constant": (np.full((H, W), 7000.0, np.float32), REASON_NO_CONTRAST),
    "black with one hot pixel": (hot_pixel(), REASON_NO_CONTRAST),
    "sensor noise only": (7000.0 + NOISE, REASON_NO_CONTRAST),
    "fog: linear vertical gradient": (7000.0 + 4.0 * ROWS + NOISE, REASON_NO_EDGE),
    "fog: smooth sigmoid gradient": (7000.0 + 300.0 * np.tanh((ROWS - 230.0) / 120.0) + NOISE, REASON_NO_EDGE),
}


@pytest.mark.parametrize("kind", list(BLANK_FRAMES))
def test_a_frame_without_a_horizon_vetoes_a_confident_mask(kind):
    image, reason = BLANK_FRAMES[kind]
    search = find_horizon(confident_mask(), np.broadcast_to(image, (H, W)).astype(np.float32))
    assert search.horizon is None
    assert search.reason == reason
    assert reason in BLANK_IMAGE_REASONS


def test_too_few_valid_pixels_give_no_horizon():
    """An all-NaN 32FC1 frame arrives here filled with one value and its NaN count."""
    image = horizon_frame()
    assert find_horizon(confident_mask(), image, invalid_pixels=H * W).reason == REASON_FEW_VALID
    assert find_horizon(confident_mask(), image, invalid_pixels=H * W // 2 + 1).reason == REASON_FEW_VALID
    assert find_horizon(confident_mask(), image, invalid_pixels=H * W // 4).horizon is not None


def test_a_real_step_at_the_line_keeps_full_confidence():
    search = find_horizon(confident_mask(), horizon_frame())
    assert search.reason == ""
    h = search.horizon
    assert h is not None and h.edge == 1.0 and h.confidence > 0.95
    assert abs(h.center_row - 212.4) < 1.0


def test_a_weak_edge_lowers_the_confidence_a_missing_one_vetoes():
    """A fog ramp with a small step: the line stays, with less confidence than a sharp step."""
    ramp = 7000.0 + 4.0 * ROWS + NOISE
    weak = ramp + 5.0 * (ROWS + 0.5 > 212.4)
    sharp = find_horizon(confident_mask(), horizon_frame()).horizon
    hazy = find_horizon(confident_mask(), weak.astype(np.float32)).horizon
    assert hazy is not None and 0.0 < hazy.edge < 1.0 and hazy.confidence < sharp.confidence
    assert find_horizon(confident_mask(), ramp.astype(np.float32)).reason == REASON_NO_EDGE


def test_without_a_boundary_the_reason_is_not_a_blank_frame():
    sky_only = np.zeros((H, W), np.uint8)
    search = find_horizon(sky_only, horizon_frame())
    assert search.reason == REASON_NO_BOUNDARY and REASON_NO_BOUNDARY not in BLANK_IMAGE_REASONS


def test_the_segmenter_reports_no_horizon_for_blank_frames_of_every_encoding(trained_weights):
    from seasky_ros.segmenter import Segmenter

    seg = Segmenter.from_file(trained_weights, device="cpu", warmup=0)
    nan = np.full((H, W), np.nan, np.float32)
    for frame, encoding, reason in [(np.zeros((H, W), np.uint16), "mono16", REASON_NO_CONTRAST),
                                    (np.full((H, W), 7000, np.uint16), "mono16", REASON_NO_CONTRAST),
                                    (hot_pixel().astype(np.uint16), "mono16", REASON_NO_CONTRAST),
                                    (nan, "32FC1", REASON_FEW_VALID),
                                    ((7000.0 + 4.0 * ROWS + NOISE).astype(np.uint16), "mono16", None)]:
        result = seg.segment(frame, encoding)
        assert result.horizon is None
        if reason is not None:
            assert result.horizon_reason == reason
        else:  # the fog frame: vetoed by the image, or (a rough test model) no line in its mask at all
            assert result.horizon_reason in (REASON_NO_EDGE, REASON_NO_CONTRAST, REASON_NO_BOUNDARY)


def test_real_frames_keep_their_horizons_above_the_default_threshold(real_data):
    """Shipped weights, every infml-hdd-dev frame: detection stays 100 %, confidence >= the default."""
    from seasky_ros.dataset_folder import DatasetFolder
    from seasky_ros.segmenter import Segmenter

    folder = DatasetFolder(real_data / "infml-hdd-dev")
    seg = Segmenter.from_file(device="cpu")
    assert seg.min_horizon_confidence == DEFAULT_MIN_CONFIDENCE
    confidences = []
    for i in range(len(folder)):
        result = seg.segment(folder[i].image)
        assert result.horizon is not None, (folder.stems[i], result.horizon_reason)
        confidences.append(result.horizon.confidence)
    assert min(confidences) >= DEFAULT_MIN_CONFIDENCE and math.isfinite(min(confidences))
    assert np.median(confidences) > 0.9


def test_the_params_file_carries_the_measured_default():
    import yaml

    repo = Path(__file__).resolve().parents[1]
    params = yaml.safe_load((repo / "config" / "segment.yaml").read_text())["/**"]["ros__parameters"]
    assert params["min_horizon_confidence"] == DEFAULT_MIN_CONFIDENCE


def skyline_mask(misread_rows: int) -> np.ndarray:
    """Sky over a jagged city skyline (other) to the bottom, no sea; the first ``misread_rows`` rows
    under the roofs read as "sea", the way a network misreads a warm facade."""
    cols = np.arange(W)
    roofs = (200 + 40 * ((cols // 37) % 3) - 15 * ((cols // 53) % 2)).astype(np.int64)
    mask = np.where(roofs[None, :] <= ROWS, 2, SKY).astype(np.uint8)
    mask[(roofs[None, :] <= ROWS) & (roofs[None, :] + misread_rows > ROWS)] = SEA
    return mask


def test_a_skyline_without_sea_is_no_horizon():
    assert find_horizon(skyline_mask(0)).horizon is None
    assert find_horizon(skyline_mask(4)).horizon is None


def test_a_line_along_a_coasts_top_is_no_horizon():
    """A flat coast whose top the network read as a thin strip of sea: land, not sea, lies below the line."""
    mask = confident_mask(300.3)  # the sea, below the coast
    mask[150:300] = 2
    mask[150:154] = SEA  # the misread strip along the coast's top
    search = find_horizon(mask)  # the horizon is the coast's waterline (test_horizon_waterline.py), not its top
    assert search.horizon is not None and search.horizon.source == SOURCE_WATERLINE
    assert search.horizon.center_row == pytest.approx(300.0)
    mask[300:] = 2  # land down to the bottom: no waterline either
    search = find_horizon(mask)
    assert search.horizon is None and search.reason == REASON_NO_SEA_BELOW
    mask[150:154] = 2
    assert find_horizon(mask).reason == REASON_NO_BOUNDARY


def test_a_vessel_below_an_open_horizon_does_not_hide_it():
    mask = confident_mask(212.4)
    mask[180:330, 150:450] = 2  # a near vessel across the line and far below it
    h = find_horizon(mask).horizon
    assert h is not None and abs(h.center_row - 212.4) < 0.5


@pytest.mark.parametrize("y", [30.4, 481.6])
def test_near_the_border_the_image_still_vetoes_on_the_rows_there_are(y):
    """30 rows from the top or bottom, fewer than the full profile's 52: a shortened one still sees a fog ramp."""
    mask = confident_mask(y)
    kept = find_horizon(mask, horizon_frame(y))
    assert kept.horizon is not None and kept.horizon.edge == 1.0
    fog = np.broadcast_to(7000.0 + 4.0 * ROWS + NOISE, (H, W)).astype(np.float32)
    assert find_horizon(mask, fog).reason == REASON_NO_EDGE


@pytest.mark.parametrize("y", [4.4, 507.6])
def test_a_line_at_the_border_that_the_image_cannot_check_gets_half_the_confidence(y):
    """A strip of 4 rows leaves no room for a profile: neither confirmed nor vetoed, the line's edge factor is 0.5."""
    search = find_horizon(confident_mask(y), horizon_frame(y))
    h = search.horizon
    assert h is not None and h.edge == DEFAULT_SETTINGS.unchecked_edge == 0.5
    assert h.confidence == pytest.approx(0.5 * h.inlier_share * min(1.0, h.support / DEFAULT_SETTINGS.full_support))
    assert h.confidence < 0.51
    without_image = find_horizon(confident_mask(y)).horizon
    assert without_image is not None and without_image.edge == 1.0
