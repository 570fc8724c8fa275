# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Your own camera (issue 13): pre-labels, the checker inside seasky-train, the epoch-0 score, the comparison."""

from __future__ import annotations

import csv
import json

import cv2
import numpy as np
import pytest
import torch
from seasky_training import compare, evaluate, predict, train
from seasky_training.check import check_folder
from seasky_training.named_weights import resolve_named

from seasky_ros.dataset_folder import DatasetFolder, read_horizon_csv, save_frame
from seasky_ros.segmenter import Segmenter
from seasky_ros.synthetic import write_dataset_folder
from seasky_ros.weights import default_weights_path, load_weights, save_weights

TINY = ["--base", "4", "--depth", "2", "--input-size", "48x64", "--batch-size", "4", "--workers", "0",
        "--no-progress", "--lr", "3e-3"]


@pytest.fixture(scope="module")
def synth_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    write_dataset_folder(root, count=8, seed=5, height=96, width=128, harbour_share=0.0, progress=False)
    return root


# ------------------------------------------------------------------------------------------ pre-labels


def test_prelabels_round_trip_as_a_dataset_folder(trained_weights, synth_folder, tmp_path):
    """A plain folder of frames in, a dataset folder out that DatasetFolder and seasky-check read,
    with the Segmenter's own labels and lines, the frames byte for byte, and an overlay per frame."""
    plain = synth_folder / "images"
    out = tmp_path / "mine"
    assert predict.main(["--input", str(plain), "--output", str(out), "--weights", str(trained_weights),
                         "--no-progress"]) == 0
    folder = DatasetFolder(out)
    assert folder.stems == sorted(p.stem for p in plain.iterdir())
    segmenter = Segmenter.from_file(trained_weights)
    lines = read_horizon_csv(out / "horizon.csv")
    for i, stem in enumerate(folder.stems):
        item = folder[i]
        assert (out / "images" / f"{stem}.png").read_bytes() == (plain / f"{stem}.png").read_bytes()
        result = segmenter.segment(item.image)
        np.testing.assert_array_equal(item.mask, result.labels)
        h = result.horizon
        assert lines[stem] == (None if h is None else pytest.approx((h.x0, h.y0, h.x1, h.y1), abs=1e-3))
        overlay = cv2.imread(str(out / "overlays" / f"{stem}.png"))
        assert overlay.shape == (*item.image.shape, 3)
    report = check_folder(out, require_masks=True)
    assert (report.frames, report.masks, report.horizon_rows) == (8, 8, 8)
    # a predicted line is refined on the image and may sit off the mask's step: the checker says where to look
    assert {p.kind for p in report.problems} <= {"line-vs-mask"}, [str(p) for p in report.problems]
    assert not list(tmp_path.glob(".mine.partial-*")), "no temporary folder is left behind"


def test_prelabels_never_replace_corrections_and_can_point_at_the_frames(trained_weights, synth_folder, tmp_path,
                                                                        capsys):
    out = tmp_path / "mine"
    args = ["--input", str(synth_folder / "images"), "--output", str(out), "--weights", str(trained_weights),
            "--no-progress", "--images", "path", "--no-overlays"]
    assert predict.main(args) == 0
    assert not (out / "images").exists() and not (out / "overlays").exists()
    folder = DatasetFolder(out)
    assert [folder.image_path(i).resolve() for i in range(len(folder))] == sorted(
        p.resolve() for p in (synth_folder / "images").iterdir())
    corrected = np.full((96, 128), 2, np.uint8)
    cv2.imwrite(str(out / "masks" / f"{folder.stems[0]}.png"), corrected)
    capsys.readouterr()
    assert predict.main(args) == 1
    err = capsys.readouterr().err
    assert "exists" in err and "--overwrite" in err and len(err.strip().splitlines()) == 1
    np.testing.assert_array_equal(DatasetFolder(out)[0].mask, corrected)
    assert predict.main([*args, "--overwrite"]) == 0
    assert not np.array_equal(DatasetFolder(out)[0].mask, corrected)


# ------------------------------------------------------------------------------------------ seasky-train


def test_train_refuses_a_folder_with_problems_before_the_first_epoch(synth_folder, tmp_path):
    """Every problem of every folder in one report in run.log, then a non-zero exit; nothing trained."""
    bad = tmp_path / "bad"
    image = cv2.imread(str(sorted((synth_folder / "images").iterdir())[0]), cv2.IMREAD_UNCHANGED)
    mask = np.zeros(image.shape, np.uint8)
    save_frame(bad, "a_labelled", image, mask)
    save_frame(bad, "b_unlabelled", image)
    wrong = mask.copy()
    wrong[0, 0] = 9
    save_frame(bad, "c_wrong_value", image, wrong)
    (bad / "horizon.csv").write_text("stem,x0,y0,x1,y1\nghost,0,1,127,1\n")
    out = tmp_path / "run"
    with pytest.raises(SystemExit) as exc:
        train.train(["--synthetic", "4", "--data", str(synth_folder), "--train-only", str(bad), "--epochs", "1",
                     "--out", str(out), *TINY])
    assert "problems" in str(exc.value) and "nothing was trained" in str(exc.value)
    log = (out / "run.log").read_text()
    assert "b_unlabelled" in log and "missing-mask" in log
    assert "label values [9]" in log and "'ghost'" in log
    assert not any(line.startswith(f"{synth_folder}:") for line in log.splitlines()), "the clean folder is fine"
    assert not (out / "checkpoint_last.pt").exists() and not (out / "best.pt").exists()


def test_curves_start_from_the_init_weights(trained_weights, tmp_path):
    """Epoch 0 of metrics.csv is the --init weights scored on the validation set before any step."""
    out = tmp_path / "run"
    meta = load_weights(trained_weights)[1]
    size = "x".join(str(v) for v in meta["input_size"])
    arch = ["--base", str(meta["arch"]["base"]), "--depth", str(meta["arch"]["depth"]), "--input-size", size]
    train.train(["--init", str(trained_weights), "--synthetic", "8", "--val-synthetic", "8", "--epochs", "2",
                 "--steps-per-epoch", "1", "--batch-size", "4", "--workers", "0", "--no-progress", "--lr", "1e-3",
                 "--out", str(out), *arch])
    with open(out / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["0", "1", "2"]
    assert rows[0]["train_loss"] == "" and rows[1]["train_loss"] != ""
    from seasky_training.samples import SyntheticSamples
    from torch.utils.data import DataLoader

    from seasky_ros.preprocess import Normalization
    from seasky_ros.synthetic import DEFAULT_HARBOUR_SHARE

    model, _ = load_weights(trained_weights)
    val = SyntheticSamples(8, 1 + 7919, tuple(meta["input_size"]), Normalization(), None, fresh_each_epoch=False,
                           harbour_share=DEFAULT_HARBOUR_SHARE)
    want = train.validate(model, DataLoader(val, batch_size=4), torch.device("cpu"), 3)
    assert float(rows[0]["val_miou"]) == pytest.approx(want["val_miou"], abs=1e-6)
    assert "(the --init weights, before training)" in (out / "run.log").read_text()


def test_shipped_is_a_name_for_the_shipped_weights(tmp_path):
    assert resolve_named("shipped") == default_weights_path()
    assert str(resolve_named("shipped-int8")).endswith("seasky_lite_int8.onnx")
    assert resolve_named("runs/x/best.pt") == "runs/x/best.pt" and resolve_named(None) is None
    with pytest.raises(SystemExit, match="seasky_lite.pt has architecture"):  # it really loads the shipped file
        train.train(["--init", "shipped", "--synthetic", "4", "--epochs", "1", "--out", str(tmp_path), *TINY])


# ------------------------------------------------------------------------------------------ comparison


def _damaged(weights, out):
    """The same network with its "sky" output pushed up: a planted regression."""
    model, meta = load_weights(weights)
    with torch.no_grad():
        model.outc.bias[0] += 6.0
    save_weights(out, model, meta)
    return out


def test_compare_reports_a_planted_regression(trained_weights, synth_folder, tmp_path, capsys):
    damaged = _damaged(trained_weights, tmp_path / "damaged.pt")
    args = ["--compare", str(trained_weights), str(damaged), "--reference", str(synth_folder),
            "--reference-split", "all", "--no-progress", "--json", str(tmp_path / "c.json")]
    assert evaluate.main([*args, "--fail-on-regression"]) == 1
    text = capsys.readouterr().out
    warnings = [line for line in text.splitlines() if line.startswith("WARNING:")]
    assert any("sea IoU" in line for line in warnings), text
    result = json.loads((tmp_path / "c.json").read_text())
    rows = {r["figure"]: r for r in result["folders"][0]["figures"]}
    before = evaluate.evaluate(DatasetFolder(synth_folder), Segmenter.from_file(trained_weights), progress=False)[0]
    assert rows["sea IoU"]["before"] == pytest.approx(before["segmentation"]["iou"]["sea"])
    assert rows["sea IoU"]["verdict"] == "worse" and rows["sea IoU"]["change"] < -compare.DEFAULT_MARGIN_IOU
    assert result["folders"][0]["regressions"]
    assert evaluate.main(args) == 0, "without --fail-on-regression the warning alone"
    assert "WARNING:" in capsys.readouterr().out


def test_compare_of_a_model_with_itself_and_of_your_own_folders_warns_of_nothing(trained_weights, synth_folder,
                                                                                 tmp_path, capsys):
    same = ["--compare", str(trained_weights), str(trained_weights), "--reference", str(synth_folder),
            "--no-progress", "--fail-on-regression"]
    assert evaluate.main(same) == 0
    text = capsys.readouterr().out
    assert "WARNING" not in text and "better: nothing; worse: nothing" in text and "last third" in text
    damaged = _damaged(trained_weights, tmp_path / "damaged.pt")
    assert evaluate.main(["--compare", str(trained_weights), str(damaged), "--data", str(synth_folder),
                          "--no-progress", "--fail-on-regression"]) == 0
    text = capsys.readouterr().out
    assert "WARNING" not in text and "worse: " in text and "sea IoU" in text.split("worse: ")[-1]


def test_worst_frames_show_the_truth_beside_the_prediction(trained_weights, synth_folder, tmp_path):
    out = tmp_path / "eval"
    assert evaluate.main(["--data", str(synth_folder), "--weights", str(trained_weights), "--out", str(out),
                          "--worst", "3", "--no-progress"]) == 0
    grid = cv2.imread(str(out / "worst_frames.png"))
    tile_h = round(96 * 320 / 128)
    assert grid.shape == (2 * tile_h, 4 * 320, 3), "3 frames = 6 tiles (truth, prediction) in rows of 4"
    truth_tile, pred_tile = grid[:tile_h, :320], grid[:tile_h, 320:640]
    assert not np.array_equal(truth_tile, pred_tile)
    report = (out / "report.md").read_text()
    assert "MISSED: no horizon reported" in report and "FALSE: a horizon reported" in report
