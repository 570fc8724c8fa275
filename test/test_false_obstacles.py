# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The false-obstacle measurement: open sky/sea, false "other" shares and blobs, its seasky-eval column."""

import json

import numpy as np
import pytest
from seasky_training import evaluate
from seasky_training.false_obstacles import (
    OTHER,
    SEA,
    SKY,
    FalseOtherTally,
    TruthOtherTally,
    false_other,
    main,
    open_regions,
    score,
    vessel_sequence_frames,
)

from seasky_ros.dataset_folder import DatasetFolder, save_frame
from seasky_ros.synthetic import generate_frame

H, W = 100, 200
HORIZON = 40


def truth_with_a_boat() -> np.ndarray:
    """Sky above row 40, sea below, a boat ("other") at rows 50-59, columns 150-179, an ignored patch."""
    truth = np.full((H, W), SEA, np.uint8)
    truth[:HORIZON] = SKY
    truth[50:60, 150:180] = OTHER
    truth[90:, :10] = 255
    return truth


def test_open_sky_and_sea_keep_their_distance_from_every_other_label_but_not_from_the_border():
    truth = truth_with_a_boat()
    sky, sea = open_regions(truth, margin=4)
    assert sky[0].all() and sky[:HORIZON - 4].all(), "the frame's border is no boundary"
    assert not sky[HORIZON - 4:].any(), "no open sky within 4 px of the horizon"
    assert not sea[:HORIZON + 4].any() and sea[HORIZON + 4, :140].all()
    assert not sea[46:64, 150:180].any() and not sea[50:60, 146:184].any(), "no open sea next to the boat"
    assert sea[45, 145] and sea[64, 184], "the distance is Euclidean: its corners are 5.7 px away"
    assert sea[64:86, 20:].all()
    assert not sea[86:, :10].any() and not sea[90:, :14].any(), "nor next to an ignored patch"
    sky0, sea0 = open_regions(truth, margin=0)
    assert np.array_equal(sky0, truth == SKY) and np.array_equal(sea0, truth == SEA)


def test_false_blobs_are_other_wholly_in_sky_or_sea_away_from_real_other():
    truth = truth_with_a_boat()
    pred = truth.copy()
    pred[90:, :10] = SEA  # ignored in the truth: whatever is predicted there counts for nothing
    pred[5:15, 20:40] = OTHER  # a cloud read as other: a false blob of 200 px in open sky
    pred[36:44, 80:100] = OTHER  # a phantom on the horizon: a false blob, half of it in no open region
    pred[60:63, 150:180] = OTHER  # the boat a bit too big: touches real other, no false blob
    pred[80:82, 60:62] = OTHER  # 4 px: below the smallest blob
    pred[20:30, 120:140] = SEA  # dark cloud read as sea
    frame = false_other(truth, pred, margin=4, min_blob=1e-3)  # min blob 20 px
    assert len(frame.blobs) == 2
    boxes = sorted(tuple(int(v) for v in np.concatenate([b.min(axis=(0, 1)), b.max(axis=(0, 1))]))
                   for b in frame.blobs)
    assert boxes == [(20, 5, 39, 14), (80, 36, 99, 43)]
    sky, sea = open_regions(truth, margin=4)
    assert frame.open_sky == sky.sum() and frame.open_sea == sea.sum()
    assert frame.other_in_sky == 200, "the horizon phantom's sky half lies within the margin"
    assert frame.other_in_sea == 4, "the boat's fringe lies within the margin, the 4-px speck does not"
    assert frame.sea_in_sky == 200
    assert frame.other_share == pytest.approx(204 / (sky.sum() + sea.sum()))


def test_a_perfect_prediction_has_no_false_other_and_bad_input_is_named():
    truth = truth_with_a_boat()
    frame = false_other(truth, truth)
    assert frame.other_in_sky == frame.other_in_sea == frame.sea_in_sky == 0 and frame.blobs == []
    with pytest.raises(ValueError, match="same 2-D shape"):
        false_other(truth, truth[:50])


def test_the_tally_shares_are_of_all_open_pixels_of_the_set():
    truth = truth_with_a_boat()
    noisy = truth.copy()
    noisy[5:15, 20:40] = OTHER
    tally = FalseOtherTally()
    for pred in (truth, noisy, truth):
        tally.update(false_other(truth, pred))
    s = tally.summary()
    sky, sea = open_regions(truth)
    assert s["frames"] == 3 and s["frames_with_false_blobs"] == 1
    assert s["false_blobs_per_frame"] == pytest.approx(1 / 3)
    assert s["other_in_open_sky"] == pytest.approx(200 / (3 * sky.sum()))
    assert s["other_in_open_sea"] == 0.0
    assert s["other_in_open"] == pytest.approx(200 / (3 * (sky.sum() + sea.sum())))
    assert FalseOtherTally().summary()["other_in_open"] is None


def test_seasky_eval_reports_what_the_measurement_gives_on_its_labels(tmp_path):
    """The shipped weights on three synthetic frames: seasky-eval's figures are the module's own."""
    from seasky_ros.segmenter import Segmenter

    frames = [generate_frame(seed, 128, 160) for seed in (3, 11, 42)]
    for i, frame in enumerate(frames):
        save_frame(tmp_path / "data", f"f{i}", frame.image, frame.mask)
    segmenter = Segmenter.from_file()
    summary, _ = evaluate.evaluate(DatasetFolder(tmp_path / "data"), segmenter, progress=False)
    tally = FalseOtherTally()
    for frame in frames:
        tally.update(false_other(frame.mask, segmenter.segment(frame.image, frame.encoding).labels))
    assert summary["false_obstacles"] == tally.summary()
    assert "False obstacles" in evaluate.markdown_report(summary, None)


def test_cli_scores_folders_and_draws_the_worst_frames(tmp_path, capsys):
    truth = truth_with_a_boat()
    image = np.where(truth == SKY, 60, 150).astype(np.uint8)
    save_frame(tmp_path / "data", "a", image, truth)
    out = tmp_path / "out"
    assert main(["--synthetic", "2", "--bag-step", "0", "--data", str(tmp_path / "data"), "--out", str(out)]) == 0
    payload = json.loads((out / "summary.json").read_text())
    assert list(payload["sources"]) == ["synthetic 2 (seed 424242)", "data"]
    assert payload["sources"]["synthetic 2 (seed 424242)"]["frames"] == 2
    assert (out / "worst_frames.png").stat().st_size > 1000
    assert "data: other in open sky+sea" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--margin", "-1"])
    with pytest.raises(SystemExit, match="weights file not found"):
        main(["--weights", str(tmp_path / "missing.pt"), "--synthetic", "1"])


def test_truth_other_tally_counts_the_vessels_kept():
    truth = truth_with_a_boat()  # a 300-px boat, an ignored patch
    pred = truth.copy()
    pred[50:60, 150:165] = SEA  # half the boat lost
    pred[5:15, 20:40] = OTHER  # a 200-px phantom
    pred[90:, :10] = OTHER  # in the ignored patch: counts for nothing
    tally = TruthOtherTally()
    tally.update(truth, pred)
    tally.update(truth, truth)
    s = tally.summary()
    assert s["truth_other_px"] == 600
    assert s["other_recall"] == pytest.approx(450 / 600)
    assert s["other_iou"] == pytest.approx(450 / (600 + 200))  # union: the truth and the phantom
    assert TruthOtherTally().summary() == {"other_iou": None, "other_recall": None, "truth_other_px": 0}


def test_cli_runs_sequences_through_the_temporal_filter(tmp_path, capsys):
    """--temporal: N = 0 is the network's own figures for those frames; the filter removes blobs, never adds."""
    from seasky_ros.segmenter import Segmenter

    out = tmp_path / "out"
    assert main(["--temporal", "0,2", "--vessel-seeds", "6", "--sequence-frames", "6", "--out", str(out),
                 "--tile-width", "64"]) == 0
    payload = json.loads((out / "summary.json").read_text())["temporal"]
    assert list(payload) == ["sample bag (6 frames)", "vessels, seed 6 (6 frames)"]
    tally, _ = score(vessel_sequence_frames(6, 6), Segmenter.from_file(None, "cpu", "onnxruntime"), 4, 1e-4)
    vessels = payload["vessels, seed 6 (6 frames)"]
    assert {k: vessels["0"][k] for k in tally.summary()} == tally.summary()
    assert vessels["0"]["truth_other_px"] > 0 and vessels["2"]["truth_other_px"] == vessels["0"]["truth_other_px"]
    for name in payload:
        assert payload[name]["2"]["false_blobs_per_frame"] <= payload[name]["0"]["false_blobs_per_frame"]
        assert payload[name]["2"]["other_in_open"] <= payload[name]["0"]["other_in_open"]
    assert payload["sample bag (6 frames)"]["0"]["truth_other_px"] == 0
    assert "vessels, seed 6 (6 frames), N=2:" in capsys.readouterr().out
    assert (out / "worst_frames.png").stat().st_size > 1000
    with pytest.raises(SystemExit):
        main(["--temporal", "0,2", "--data", str(tmp_path)])
    with pytest.raises(SystemExit):
        main(["--vessel-seeds", "1"])
    with pytest.raises(SystemExit):
        main(["--temporal", "2,2"])
