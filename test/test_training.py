# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""seasky-train / -eval / -predict / -export, run for real on small synthetic data."""

import csv
import json
import signal
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
import torch

from seasky_ros.segmenter import Segmenter
from seasky_ros.weights import load_weights
from training import evaluate, export, predict, train
from training.dataset import DatasetFolder, read_horizon_csv
from training.synthetic import generate_frame, write_dataset_folder

TINY = ["--base", "4", "--depth", "2", "--input-size", "48x64", "--batch-size", "8", "--workers", "0",
        "--no-progress", "--lr", "3e-3"]


@pytest.fixture(scope="module")
def synth_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    write_dataset_folder(root, count=12, seed=5, height=96, width=128, progress=False)
    return root


@pytest.mark.slow
def test_training_lowers_the_loss_and_writes_loadable_weights(tmp_path):
    out = tmp_path / "run"
    path = train.train(["--synthetic", "64", "--epochs", "3", "--out", str(out), *TINY])
    with open(out / "metrics.csv") as f:
        losses = [float(row["train_loss"]) for row in csv.DictReader(f)]
    assert len(losses) == 3
    assert losses[-1] < losses[0]
    model, meta = load_weights(path)
    assert meta["arch"]["base"] == 4 and meta["input_size"] == [48, 64]
    assert meta["provenance"]["command"].startswith("seasky-train")
    assert (out / "curves.png").stat().st_size > 0
    assert not list(out.glob("*.tmp")), "no temporary files are left behind"


def test_keep_epochs_writes_every_epoch_and_best_is_one_of_them(synth_folder, tmp_path):
    """A folder with pasted objects and synthetic validation; every epoch's weights are kept."""
    out = tmp_path / "run"
    best = train.train(["--synthetic", "0", "--data", str(synth_folder), "--paste-share", "0.5", "--repeat", "2",
                        "--val-synthetic", "8", "--epochs", "3", "--keep-epochs", "--out", str(out), *TINY])
    kept = sorted(out.glob("epoch_*.pt"))
    assert [p.name for p in kept] == ["epoch_001.pt", "epoch_002.pt", "epoch_003.pt"]
    _, best_meta = load_weights(best)
    scores = [load_weights(p)[1]["metrics"]["val_miou"] for p in kept]
    assert best_meta["metrics"]["val_miou"] == pytest.approx(max(scores))
    assert best_meta["provenance"]["epoch"] == 1 + scores.index(max(scores))
    assert best_meta["provenance"]["data"][0]["paste_share"] == 0.5


@pytest.mark.slow
def test_interrupted_run_resumes_exactly(tmp_path):
    """Ctrl-C a real training process, resume it, and get the history of an uninterrupted run."""
    out = tmp_path / "run"
    args = ["--epochs", "4", "--synthetic", "48", "--seed", "3", *TINY]
    proc = subprocess.Popen([sys.executable, "-m", "training.train", "--out", str(out), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    checkpoint = out / "checkpoint_last.pt"
    deadline = time.monotonic() + 240
    while not checkpoint.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    interrupted = torch.load(checkpoint, weights_only=False)
    assert proc.returncode == 130 and "--resume" in stderr, f"exit {proc.returncode}: {stderr[-2000:]}"
    assert interrupted["epoch"] < 3, "the run was interrupted before its last epoch"
    assert not list(out.glob(".*.tmp")), "an interruption leaves no half-written file"
    load_weights(out / "best.pt")

    train.train(["--out", str(out), "--resume", "auto", *args])
    resumed = torch.load(checkpoint, weights_only=False)
    straight = tmp_path / "straight"
    train.train(["--out", str(straight), *args])
    reference = torch.load(straight / "checkpoint_last.pt", weights_only=False)
    assert [row["epoch"] for row in resumed["history"]] == [1, 2, 3, 4]
    for got, want in zip(resumed["history"], reference["history"], strict=True):
        assert got["train_loss"] == pytest.approx(want["train_loss"], rel=1e-4)


def test_resume_from_a_missing_checkpoint_is_a_clear_error(tmp_path):
    with pytest.raises(SystemExit, match="not found"):
        train.train(["--synthetic", "8", "--epochs", "1", "--out", str(tmp_path), "--resume",
                     str(tmp_path / "nope.pt"), *TINY])


def test_export_matches_torch_and_loads_as_onnx(trained_weights, tmp_path):
    onnx_path = tmp_path / "model.onnx"
    diff = export.export(trained_weights, onnx_path)
    assert diff < 1e-3
    frame = (np.random.default_rng(0).random((120, 160)) * 4000 + 8000).astype(np.uint16)
    from_onnx = Segmenter.from_file(onnx_path, device="cpu")
    from_pt = Segmenter.from_file(trained_weights, device="cpu", backend="torch")
    assert from_onnx.backend == "onnxruntime"
    a, b = from_onnx.segment(frame), from_pt.segment(frame)
    assert np.mean(a.labels == b.labels) > 0.999


def test_int8_export_keeps_the_labels_and_loads_with_its_metadata(trained_weights, synth_folder, tmp_path):
    onnx_path = tmp_path / "model_int8.onnx"
    assert export.main(["--weights", str(trained_weights), "--onnx", str(onnx_path), "--int8",
                        "--calibration", str(synth_folder), "--calibration-synthetic", "4"]) == 0
    quantized = Segmenter.from_file(onnx_path, device="cpu")
    reference = Segmenter.from_file(trained_weights, device="cpu", backend="onnxruntime")
    assert quantized.int8 and not reference.int8
    assert quantized.meta["quantization"]["calibration_frames"] == len(list((synth_folder / "images").iterdir())) + 4
    agree = [np.mean(quantized.segment(f.image, f.encoding).labels == reference.segment(f.image, f.encoding).labels)
             for f in (generate_frame(seed, 256, 320) for seed in range(500, 506))]
    assert np.mean(agree) > 0.97


def test_int8_export_refuses_a_model_that_quantises_badly(trained_weights, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "MIN_INT8_AGREEMENT", 1.01)  # no model can keep more than all its labels
    out = tmp_path / "bad_int8.onnx"
    with pytest.raises(RuntimeError, match="not written"):
        export.export_int8(trained_weights, out, synthetic=2)
    assert not out.exists()


def test_predict_then_eval_on_a_folder(trained_weights, synth_folder, tmp_path):
    out = tmp_path / "pred"
    assert predict.main(["--input", str(synth_folder), "--output", str(out), "--weights", str(trained_weights),
                         "--no-progress"]) == 0
    folder = DatasetFolder(synth_folder)
    written = read_horizon_csv(out / "horizon.csv")
    assert set(written) == set(folder.stems)
    for i, stem in enumerate(folder.stems):
        written_mask = cv2.imread(str(out / "masks" / f"{stem}.png"), cv2.IMREAD_UNCHANGED)
        assert written_mask.shape == folder[i].image.shape
    report = tmp_path / "eval"
    assert evaluate.main(["--data", str(synth_folder), "--weights", str(trained_weights), "--out", str(report),
                          "--json", str(tmp_path / "e.json"), "--no-progress"]) == 0
    summary = json.loads((tmp_path / "e.json").read_text())
    assert summary["frames"] == 12
    assert 0.0 <= summary["segmentation"]["mean_iou"] <= 1.0
    assert (report / "report.md").read_text().startswith("# seasky-eval")
    assert (report / "worst_frames.png").stat().st_size > 0


def test_oracle_eval_on_its_own_ground_truth_is_near_perfect(synth_folder, tmp_path):
    folder = DatasetFolder(synth_folder)
    summary, _ = evaluate.evaluate(folder, None, oracle_masks=True, refine=False, progress=False)
    hz = summary["horizon"]
    assert hz["detection_rate"] > 0.9
    assert hz["position_px"]["median"] < 0.5
