# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The horizon at any roll: frames turned about their centre (no invented border), the line, its sky side, the roll."""

from __future__ import annotations

import math

import numpy as np
import pytest
from seasky_training.augment import roll_crop, roll_crop_size

from seasky_ros.dataset_folder import DatasetFolder
from seasky_ros.horizon import (
    REASON_NO_BOUNDARY,
    REASON_NO_SKY_BEYOND,
    HorizonSettings,
    camera_attitude,
    find_horizon,
    horizon_from_points,
)
from seasky_ros.horizon_turns import sky_up_turns
from seasky_ros.preprocess import to_gray
from seasky_ros.synthetic import SceneParams, render_scene

ROLLS = (0, 15, 30, 45, 60, 90, 135, 180, -15, -30, -45, -60, -90, -135)


def wrapped(deg: float) -> float:
    return (deg + 180.0) % 360.0 - 180.0


def check_rolled(image: np.ndarray, mask: np.ndarray, horizon: tuple, roll: float) -> None:
    """Turned by ``roll``: the line within 0.5 deg of the truth, its sky on the truth's side, the roll right.

    The masks are the true ones, so their position is exact and the line is kept there on a hazy
    edge (``hazy_peak_offset_px=None``): what is checked is the turning, not where on a haze ramp
    a network's line belongs (test_horizon.py).
    """
    gray, labels, truth = roll_crop(image, mask, horizon, roll)
    height, width = labels.shape
    truth = horizon_from_points(*truth, width, height)
    search = find_horizon(labels, gray, settings=HorizonSettings(hazy_peak_offset_px=None))
    found = search.horizon
    assert found is not None, (roll, search.reason)
    assert abs(wrapped(found.angle_deg - truth.angle_deg)) < 0.5, (roll, found.angle_deg, truth.angle_deg)
    assert np.dot(found.up, truth.up) > 0.99  # the sky on the same side
    assert abs(found.signed_distance((width - 1) / 2, (height - 1) / 2)
               - truth.signed_distance((width - 1) / 2, (height - 1) / 2)) < 1.5
    f = 0.9 * width
    K = np.array([[f, 0.0, (width - 1) / 2], [0.0, f, (height - 1) / 2], [0.0, 0.0, 1.0]])
    upright = horizon_from_points(*roll_crop(image, mask, horizon, 0.0)[2], width, height)
    expected = math.degrees(camera_attitude(upright, K)[0]) + roll
    assert abs(wrapped(math.degrees(camera_attitude(found, K)[0]) - expected)) < 0.5, roll


def synthetic_scene(vessels: bool):
    params = SceneParams.random(np.random.default_rng(7), roll_deg=2.0, pitch_deg=0.5, coast="none",
                                bridge=False, own_hull=False, haze_strength=0.3,
                                **({} if vessels else {"vessels": ()}))
    return render_scene(params, 512, 640)


@pytest.fixture(scope="module")
def scenes():
    return [synthetic_scene(False), synthetic_scene(True)]


@pytest.mark.parametrize("roll", ROLLS)
def test_synthetic_frames_at_any_roll(scenes, roll):
    for frame in scenes:
        assert frame.horizon is not None
        check_rolled(to_gray(frame.image), frame.mask, frame.horizon, roll)


@pytest.mark.parametrize("roll", ROLLS)
def test_a_real_frame_at_any_roll(real_data, roll):
    folder = DatasetFolder(real_data / "infml-hdd-dev")
    for index in (0, len(folder) - 1):
        item = folder[index]
        check_rolled(to_gray(item.image), item.mask, item.horizon, roll)


def test_the_crop_is_the_same_at_every_angle_and_invents_no_border():
    assert roll_crop_size(640, 512) == (399, 319)
    ones = np.ones((288, 384), np.uint8)
    for roll in (0, 33, 45, 90, 135, 180, -100):
        _, turned, line = roll_crop(ones.astype(np.float32), ones, None, roll)
        assert turned.shape == (172, 230)[::1] and turned.all() and line is None


def test_sky_up_turns_follow_the_sky():
    mask = np.zeros((96, 128), np.uint8)
    mask[50:] = 1
    assert sky_up_turns(mask) == (0,)
    assert sky_up_turns(np.ascontiguousarray(np.rot90(mask, 1))) == (3,)  # the sky on the left: a quarter turn right
    assert sky_up_turns(np.ascontiguousarray(np.rot90(mask, 2))) == (2,)
    assert sky_up_turns(np.ascontiguousarray(np.rot90(mask, 3))) == (1,)
    diagonal = (np.add.outer(np.arange(96), np.arange(128)) > 110).astype(np.uint8)  # 45 deg, sky top left
    assert sorted(sky_up_turns(diagonal)) == [0, 3]
    assert sky_up_turns(np.zeros((96, 128), np.uint8)) == (0,)  # all sky: the search says why there is none
    assert find_horizon(np.zeros((96, 128), np.uint8)).reason == REASON_NO_BOUNDARY
    both = mask.copy()
    both[80:] = 0  # sky under the sea as well
    assert sky_up_turns(both) == (0,)
    both[:50, :40] = 2  # a little more sky under the sea than over it: still the usual way up first
    assert sky_up_turns(both) == (0, 2)


def test_a_strip_of_sky_under_the_sea_is_no_upside_down_horizon():
    """Networks trained upright leave a thin band of "sky" between the sea and the own bow; turned, it is refused."""
    strip = np.ones((288, 384), np.uint8)
    strip[:20] = 0  # a little sky at the top, too little to hold a line
    strip[:20, 60:] = 2
    strip[240:246] = 0  # the band of sky
    strip[246:] = 2  # the bow
    search = find_horizon(strip)
    assert search.horizon is None and search.reason == REASON_NO_SKY_BEYOND
    strip[246:] = 0  # open sky under the sea: a camera upside down
    assert find_horizon(strip).horizon.angle_deg == 180.0
