# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The network at any roll (seasky_ros.roll_search): the edge direction, the policy, the turning, the shipped model."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from seasky_training.augment import roll_crop

from seasky_ros.dataset_folder import DatasetFolder
from seasky_ros.horizon import horizon_from_points
from seasky_ros.preprocess import fill_nonfinite, to_gray
from seasky_ros.roll_search import (
    AGREE_DEG,
    MIN_EDGE_STRENGTH,
    SEARCH_BACKOFF_FRAMES,
    TILT_DEG,
    Pass,
    best_pass,
    candidate_turns,
    certainty,
    edge_direction,
    turned,
    turned_back,
)
from seasky_ros.segmenter import Segmenter


def wrapped(deg: float) -> float:
    return (deg + 180.0) % 360.0 - 180.0


def tilted_step(angle_deg: float, bright_sky: bool, size_hw=(512, 640), seed: int = 0) -> np.ndarray:
    """A sky/sea step through the centre whose line descends to the right by ``angle_deg``, with noise and waves."""
    height, width = size_hw
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    a = math.radians(angle_deg)
    across = (yy - height / 2) * math.cos(a) - (xx - width / 2) * math.sin(a)  # > 0 below the line
    sky = 160.0 if bright_sky else 40.0
    image = (sky + (100.0 - sky) * np.clip(across + 0.5, 0.0, 1.0)).astype(np.float32)  # area-exact, no staircase
    rng = np.random.default_rng(seed)
    image += rng.normal(0, 4.0, image.shape).astype(np.float32)
    image += np.where(across > 0, 3.0 * np.sin(across / 3.0), 0.0).astype(np.float32)  # waves along the line
    return cv2.GaussianBlur(image, (0, 0), 1.0)


@pytest.mark.parametrize("angle", [0.0, 7.0, -33.0, 45.0, 62.0, -80.0, 90.0])
@pytest.mark.parametrize("bright_sky", [False, True])
def test_the_edge_direction_is_the_steps_whatever_the_polarity(angle, bright_sky):
    image = tilted_step(angle, bright_sky)
    direction, strength = edge_direction(image)
    assert abs(wrapped(2 * (direction - angle)) / 2) < 0.5 and strength > MIN_EDGE_STRENGTH
    # on the network's input (208x160 for 640x512: not the same aspect), given the scale
    small = cv2.resize(image, (208, 160), interpolation=cv2.INTER_AREA)
    assert abs(wrapped(2 * (edge_direction(small, (208 / 640, 160 / 512))[0] - angle)) / 2) < 0.5


def test_a_frame_without_a_dominant_edge_has_no_direction_to_turn_by():
    assert edge_direction(np.full((64, 80), 7.0, np.float32)) == (0.0, 0.0)
    noise = np.random.default_rng(2).normal(100.0, 3.0, (512, 640)).astype(np.float32)
    assert edge_direction(noise)[1] < MIN_EDGE_STRENGTH
    for mode in ("auto", "full"):
        assert candidate_turns(mode, 45.0, MIN_EDGE_STRENGTH - 0.1, None) == []


def test_the_policy_searches_only_where_the_upright_pass_cannot_be_trusted():
    level = horizon_from_points(0, 100, 639, 110, 640, 512)  # 0.9 deg
    tilted = horizon_from_points(0, 100, 639, 450, 640, 512)  # 28.7 deg
    upside_down = horizon_from_points(639, 100, 0, 100, 640, 512)  # 180 deg: the sky below
    strong = 3 * MIN_EDGE_STRENGTH
    assert candidate_turns("upright", 50.0, strong, None) == []
    assert candidate_turns("full", 3.0, strong, None) == [3.0, 183.0]
    assert candidate_turns("auto", 1.0, strong, level) == []  # the line and the edges agree: one pass
    assert candidate_turns("auto", 1.0 + AGREE_DEG + 1.0, strong, level) == [12.0, 192.0]  # they disagree
    assert candidate_turns("auto", 28.0, strong, tilted) == [28.0, 208.0]  # the line leans too far to trust
    assert candidate_turns("auto", 0.0, strong, upside_down) == [0.0, 180.0]
    assert candidate_turns("auto", TILT_DEG - 1.0, strong, None) == []  # a level view without a line
    assert candidate_turns("auto", TILT_DEG + 1.0, strong, None) == [TILT_DEG + 1.0, TILT_DEG + 181.0]
    with pytest.raises(ValueError, match="upright, auto, full"):
        candidate_turns("sideways", 0.0, strong, None)


def test_labels_turned_and_back_are_the_frames_own():
    rng = np.random.default_rng(3)
    labels = cv2.resize(rng.integers(0, 3, (4, 5), dtype=np.uint8), (640, 512), interpolation=cv2.INTER_NEAREST)
    for angle in (0.0, 33.0, 90.0, 180.0, -127.0):
        canvas, matrix = turned(labels, angle)
        assert canvas.shape[0] >= 512 and canvas.shape[1] >= 512  # the whole frame fits
        back = turned_back(canvas, matrix, labels.shape, nearest=True)
        assert np.mean(back == labels) > 0.995, angle  # only pixels on the blocks' edges may move


def test_certainty_weighs_the_frame_not_the_canvas_corners():
    frame_hw = (120, 160)
    canvas, matrix = turned(np.zeros(frame_hw, np.float32), 40.0)
    covered = cv2.warpAffine(np.ones(frame_hw, np.float32), matrix, canvas.shape[::-1], flags=cv2.INTER_LINEAR)
    small_hw = (canvas.shape[0] // 4, canvas.shape[1] // 4)
    covered = cv2.resize(covered, small_hw[::-1], interpolation=cv2.INTER_AREA)  # > 0: any of the frame
    logits = np.zeros((3, *small_hw), np.float32)  # a coin toss in the corners ...
    logits[0][covered > 0] = 10.0  # ... and sure inside the frame
    assert certainty(logits) < 0.9
    assert certainty(logits, matrix, frame_hw, canvas.shape) > 0.98


@pytest.fixture(scope="module")
def shipped() -> Segmenter:
    return Segmenter.from_file(device="cpu", backend="onnxruntime")


@pytest.fixture(scope="module")
def infml_frames(real_data):
    """Ten frames of infml-hdd-dev's last third (the time-gap split), gray, with their true lines."""
    folder = DatasetFolder(real_data / "infml-hdd-dev")
    frames = []
    for index in np.linspace(2 * len(folder) // 3, len(folder) - 1, 10).astype(int):
        item = folder[int(index)]
        frames.append((fill_nonfinite(to_gray(item.image))[0], item.horizon))
    return frames


def found_right(segmenter: Segmenter, frames, roll: float) -> tuple[int, list[float]]:
    """How many of the frames turned by ``roll`` give a line within 2 deg of the truth, the sky on its side.

    infml's frames are 384x288, so the crop turned at any roll is 230x172: a short line.
    """
    right, passes = 0, []
    for gray, line in frames:
        image, _, truth = roll_crop(gray, None, line, roll)
        height, width = image.shape
        truth = horizon_from_points(*truth, width, height)
        result = segmenter.segment(image, "32FC1")
        passes.append(result.network_passes)
        right += result.horizon is not None and abs(wrapped(result.horizon.angle_deg - truth.angle_deg)) < 2.0
    return right, passes


@pytest.mark.parametrize("roll", [0.0, 60.0, -100.0, 135.0])
def test_auto_finds_the_shipped_models_line_at_a_roll_it_never_learned(shipped, infml_frames, roll):
    shipped.roll_search, shipped.track_roll = "auto", False
    right, passes = found_right(shipped, infml_frames, roll)
    assert right >= 8, (roll, right)
    assert set(passes) == ({1} if roll == 0.0 else {3})  # an upright view costs one pass


def test_a_blank_frame_is_never_turned_into_a_line(shipped):
    """Fog, a lens cap, a noisy blank sky: one upright pass in every mode, and no line."""
    blank = (7000 + np.random.default_rng(4).integers(0, 4, (512, 640))).astype(np.uint16)
    shipped.track_roll = False
    try:
        for mode in ("auto", "full"):
            shipped.roll_search = mode
            result = shipped.segment(blank, "mono16")
            assert result.network_passes == 1 and result.horizon is None, mode
    finally:
        shipped.roll_search = "auto"


def test_full_finds_an_upside_down_camera_and_auto_does_not_pretend(shipped, infml_frames):
    shipped.track_roll = False
    shipped.roll_search = "full"
    assert found_right(shipped, infml_frames, 180.0)[0] >= 9
    shipped.roll_search = "upright"
    assert found_right(shipped, infml_frames, 180.0)[0] <= 1  # upright, it reads a sky-up line: why full exists
    shipped.roll_search = "auto"


def test_a_stream_tracks_its_roll_with_one_pass_a_frame(shipped, infml_frames):
    """Turned 70 deg: the first frame searches (3 passes), the next ones try the last line first and keep it."""
    shipped.roll_search, shipped.track_roll = "auto", True
    try:
        right, passes = found_right(shipped, infml_frames, 70.0)
        assert right >= 8 and passes[0] == 3 and passes[1:] == [1] * (len(passes) - 1)
        right, passes = found_right(shipped, infml_frames, -110.0)  # the stream turns: the search takes over
        assert right >= 8 and passes[0] > 1 and passes[-1] == 1
    finally:
        shipped.track_roll = False


def test_a_stream_started_a_frame_ahead_tracks_its_roll_without_wasted_passes(shipped, infml_frames):
    """The node's two workers: frame k+1's network (``start``) runs before frame k is finished.

    Frame 1 is started before frame 0's line exists, so it searches too; from frame 2 on the
    tracked line (one frame older than in ``segment``) is tried first and holds. Every network
    pass run in ``start`` is used by ``finish``: the passes counted equal the network's runs.
    """
    runs = []
    network = shipped._run
    shipped._run = lambda x: runs.append(1) or network(x)
    shipped.roll_search, shipped.track_roll = "auto", True
    shipped._last_horizon, shipped._search_backoff = None, 0  # a new stream
    try:
        frames = []
        for gray, line in infml_frames:
            image, _, truth = roll_crop(gray, None, line, 70.0)
            frames.append((image, horizon_from_points(*truth, image.shape[1], image.shape[0])))
        results, started = [], shipped.start(frames[0][0], "32FC1")
        for image, _ in frames[1:] + [(None, None)]:
            ahead = shipped.start(image, "32FC1") if image is not None else None
            results.append(shipped.finish(started))
            started = ahead
    finally:
        shipped._run = network
        shipped.track_roll = False
    passes = [r.network_passes for r in results]
    assert passes[:2] == [3, 3] and passes[2:] == [1] * (len(passes) - 2)
    assert len(runs) == sum(passes)
    right = sum(r.horizon is not None and abs(wrapped(r.horizon.angle_deg - truth.angle_deg)) < 2.0
                for r, (_, truth) in zip(results, frames, strict=True))
    assert right >= 8


def test_a_stream_without_a_horizon_backs_off_from_the_search(tmp_path):
    """A view with strong tilted edges and no horizon (a harbour's cranes, a hull) searches once, then rests.

    The network here labels every pixel sea, as a real one does on such a view, so that the
    policy is what is tested: lone frames search every time (3 passes), a stream searches, finds
    no turned line and waits SEARCH_BACKOFF_FRAMES frames before the next search.
    """
    def all_sea(batch: np.ndarray) -> np.ndarray:
        logits = np.zeros((batch.shape[0], 3, *batch.shape[2:]), np.float32)
        logits[:, 1] = 5.0
        return logits

    meta = {"input_size": [160, 208], "classes": ["sky", "sea", "other"],
            "normalization": {"low_pct": 1.0, "high_pct": 99.0, "mean": 0.5, "std": 0.25}}
    seg = Segmenter(all_sea, meta, device="cpu", backend="onnxruntime", half=False, source=tmp_path / "all_sea")
    yy, xx = np.mgrid[0:512, 0:640]
    frame = (100.0 + 40.0 * (np.sin((xx + yy) / 9.0) > 0)).astype(np.float32)  # stripes 45 deg from level
    assert [seg.segment(frame, "32FC1").network_passes for _ in range(3)] == [3, 3, 3]
    seg.track_roll = True
    passes = [seg.segment(frame, "32FC1").network_passes for _ in range(SEARCH_BACKOFF_FRAMES + 3)]
    assert passes == [3] + [1] * SEARCH_BACKOFF_FRAMES + [3, 1]


def test_the_surest_pass_is_reported_with_a_line_first_and_without_one_too():
    """A line beats certainty; without any line the surest pass's labels are the frame's, turned or not."""
    labels = np.zeros((4, 4), np.uint8)
    line = horizon_from_points(0.0, 2.0, 3.0, 2.0, 4, 4)
    upright = Pass(None, labels, None, None, "no sky-to-sea boundary", 0.80)
    turned = Pass(60.0, labels, None, None, "no sky-to-sea boundary", 0.90)
    other_way = Pass(240.0, labels, None, None, "no sky-to-sea boundary", 0.85)
    assert best_pass([upright, turned, other_way]) is turned
    with_line = Pass(240.0, labels, None, line, "", 0.70)
    assert best_pass([upright, turned, with_line]) is with_line
    assert best_pass([upright]) is upright
