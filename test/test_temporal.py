# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The stream's temporal filter: a flickering "other" blob goes back to sky or sea, a persistent one stays."""

import numpy as np
import pytest

from seasky_ros.labels import OTHER, SEA, SKY
from seasky_ros.temporal import MIN_GAP_S, TemporalFilter

H, W = 100, 200
HORIZON = 40
DT = 1 / 30


def scene(*boxes: tuple[int, int, int, int]) -> np.ndarray:
    """Sky above row 40, sea below, "other" in each (row0, row1, col0, col1) box."""
    labels = np.full((H, W), SEA, np.uint8)
    labels[:HORIZON] = SKY
    for r0, r1, c0, c1 in boxes:
        labels[r0:r1, c0:c1] = OTHER
    return labels


def run(temporal: TemporalFilter, frames: list[np.ndarray], start: float = 100.0) -> list[np.ndarray]:
    return [temporal(labels, start + i * DT) for i, labels in enumerate(frames)]


CLOUD = (10, 18, 60, 75)  # a blob in open sky, 120 px: 0.6 % of the frame


def test_a_one_frame_blob_in_open_sky_becomes_sky_and_nothing_else_changes():
    temporal = TemporalFilter(3)
    frames = [scene(), scene(), scene(CLOUD), scene()]
    out = run(temporal, frames)
    assert np.array_equal(out[2], scene()), "the blob is sky again, every other pixel as it was"
    assert frames[2][12, 65] == OTHER, "the input is not changed in place"
    assert [np.array_equal(o, f) for o, f in zip(out, frames, strict=True)] == [True, True, False, True]


def test_a_blob_on_the_horizon_goes_back_to_sky_above_and_sea_below():
    temporal = TemporalFilter(2)
    out = run(temporal, [scene(), scene((35, 46, 100, 110)), scene()])[1]
    assert np.array_equal(out, scene())
    assert temporal.removed == 0, "counts the last call only"


def test_a_new_blob_is_shown_after_n_frames_and_then_stays():
    """The latency a true obstacle pays: it appears in frame 3, is published from frame 3 + N on."""
    for n in (1, 2, 3, 5):
        temporal = TemporalFilter(n)
        frames = [scene()] * 3 + [scene(CLOUD)] * 10
        shown = [bool((o == OTHER).any()) for o in run(temporal, frames)]
        assert shown == [False] * (3 + n) + [True] * (10 - n), f"N={n}: {shown}"


def test_a_blob_seen_in_only_some_of_the_last_n_frames_is_removed():
    temporal = TemporalFilter(3)
    on, off = scene(CLOUD), scene()
    out = run(temporal, [off, on, on, off, on, on, on, on])
    shown = [bool((o == OTHER).any()) for o in out]
    assert shown == [False, False, False, False, False, False, False, True]


@pytest.mark.parametrize("step", [1, 2])
def test_a_vessel_moving_a_few_px_a_frame_is_kept(step):
    """A small vessel on the water drifting sideways (and bobbing) by up to the motion allowance per frame."""
    temporal = TemporalFilter(5, motion_px=2.0)
    frames = [scene((50 + (i % 2), 56 + (i % 2), 20 + step * i, 32 + step * i)) for i in range(40)]
    out = run(temporal, frames)
    assert all(np.array_equal(o, f) for o, f in zip(out, frames, strict=True))


def test_a_vessel_jumping_further_than_the_allowance_counts_as_new():
    temporal = TemporalFilter(2, motion_px=2.0)
    frames = [scene((50, 56, 20 + 10 * i, 32 + 10 * i)) for i in range(5)]
    out = run(temporal, frames)
    assert np.array_equal(out[0], frames[0]), "no history: kept"
    assert all(not (o == OTHER).any() for o in out[1:]), "its 10 px steps are beyond 2 px a frame"


def test_blobs_at_the_border_and_large_blobs_are_never_removed():
    border = [(0, 8, 90, 100), (45, 60, 0, 10), (92, 100, 150, 170), (50, 55, 195, 200)]
    large = (45, 70, 60, 110)  # 1250 px, 6 % of the frame
    temporal = TemporalFilter(3, max_blob_share=0.02)
    for i in range(4):
        temporal(scene(), 100.0 + i * DT)
    for i, box in enumerate([*border, large]):
        flicker = scene(box)
        assert np.array_equal(temporal(flicker, 101.0 + i * DT), flicker), box
        temporal(scene(), 101.0 + (i + 0.5) * DT)
    interior = temporal(scene((60, 70, 60, 70)), 101.0 + 5 * DT)
    assert interior[65, 65] == SEA, "a small interior one in the same stream is removed"


def test_a_blob_touching_a_large_one_is_part_of_it():
    temporal = TemporalFilter(2)
    run(temporal, [scene((45, 70, 60, 110))] * 3)
    both = scene((45, 70, 60, 110), (60, 64, 110, 116))
    assert np.array_equal(temporal(both, 100.0 + 3 * DT), both)


def test_a_new_frame_size_starts_a_new_stream():
    temporal = TemporalFilter(3)
    run(temporal, [scene()] * 4)
    wider = np.pad(scene(CLOUD), ((0, 0), (0, 40)), mode="edge")
    assert np.array_equal(temporal(wider, 100.0 + 4 * DT), wider), "no history at the new size: the blob stays"
    plain = np.pad(scene(), ((0, 0), (0, 40)), mode="edge")
    assert not (temporal(plain, 100.0 + 5 * DT) == OTHER).any()
    assert not (temporal(wider, 100.0 + 6 * DT) == OTHER).any(), "the new stream's history is in use"


@pytest.mark.parametrize("jump", [-5.0, -DT, MIN_GAP_S + 0.1, 60.0])
def test_a_time_jump_or_gap_starts_a_new_stream(jump):
    last = 100.0 + 3 * DT
    control = TemporalFilter(3)
    run(control, [scene()] * 4)
    assert not (control(scene(CLOUD), last + DT) == OTHER).any(), "in the stream the blob is a flicker"
    temporal = TemporalFilter(3)
    run(temporal, [scene()] * 4)
    flicker = scene(CLOUD)
    assert np.array_equal(temporal(flicker, last + jump), flicker), f"a jump of {jump} s forgets the history"


def test_a_slow_camera_is_one_stream():
    """At 1 Hz every interval is longer than MIN_GAP_S; the limit follows the frame rate (after its first interval)."""
    temporal = TemporalFilter(2)
    for i in range(4):
        temporal(scene(), 100.0 + i)
    assert not (temporal(scene(CLOUD), 104.0) == OTHER).any()


def test_off_changes_nothing_and_a_changed_n_restarts_the_history():
    temporal = TemporalFilter(0)
    flicker = scene(CLOUD)
    assert temporal(flicker, 1.0) is flicker
    temporal.frames = 2
    run(temporal, [scene()] * 3, start=2.0)
    assert not (temporal(flicker, 2.0 + 3 * DT) == OTHER).any()
    temporal.frames = 3  # the next frame has no history of the new length: kept
    assert np.array_equal(temporal(flicker, 2.0 + 4 * DT), flicker)


def test_stamps_may_be_missing_or_all_zero():
    for stamps in ([None] * 4, [0.0] * 4):
        temporal = TemporalFilter(2)
        for stamp in stamps[:3]:
            temporal(scene(), stamp)
        assert not (temporal(scene(CLOUD), stamps[3]) == OTHER).any()


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="frames >= 0"):
        TemporalFilter(-1)
    with pytest.raises(ValueError, match="2-D"):
        TemporalFilter(2)(np.zeros((4, 4, 3), np.uint8))
