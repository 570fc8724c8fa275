# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""seasky-train / -eval / -predict / -export, run for real on small synthetic data."""

import csv
import json
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
import yaml
from seasky_training import evaluate, export, predict, train
from seasky_training.recipe import parse_with_recipe
from seasky_training.samples import EpochSampler, gap_split

from seasky_ros.backends import ONNX_META_KEY
from seasky_ros.dataset_folder import DatasetFolder, read_horizon_csv
from seasky_ros.horizon import horizon_from_points
from seasky_ros.preprocess import Normalization
from seasky_ros.segmenter import Segmenter
from seasky_ros.synthetic import generate_frame, write_dataset_folder
from seasky_ros.weights import default_int8_path, load_weights

REPO = Path(__file__).resolve().parents[1]
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
    assert meta["provenance"]["model_card"] == "docs/MODEL_CARD.md" and (REPO / "docs/MODEL_CARD.md").is_file()
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


def test_boundary_weight_reaches_the_loss(tmp_path):
    """The same seeded run with and without --boundary-weight: the first epoch's loss differs, and the
    weights say how they were trained."""
    common = ["--synthetic", "16", "--epochs", "1", *TINY]
    plain = train.train(["--out", str(tmp_path / "plain"), *common])
    weighted = train.train(["--out", str(tmp_path / "weighted"), "--boundary-weight", "4",
                            "--boundary-classes", "sky-sea", *common])
    losses = [load_weights(p)[1]["metrics"]["train_loss"] for p in (plain, weighted)]
    assert losses[0] != pytest.approx(losses[1], rel=1e-3)
    assert "--boundary-weight 4 --boundary-classes sky-sea" in load_weights(weighted)[1]["provenance"]["command"]


@pytest.mark.slow
def test_interrupted_run_resumes_exactly(tmp_path):
    """Ctrl-C a real training process, resume it, and get the history of an uninterrupted run."""
    out = tmp_path / "run"
    args = ["--epochs", "4", "--synthetic", "48", "--seed", "3", *TINY]
    # Python's Ctrl-C handler restored: a job started in the background of a shell inherits SIGINT ignored
    # and this process's thread count: another count sums floats in another order (a CPU affinity
    # mask that a subprocess reads differently was enough to change the 7th digit)
    run_with_ctrl_c = ("import runpy, signal, torch; signal.signal(signal.SIGINT, signal.default_int_handler); "
                       f"torch.set_num_threads({torch.get_num_threads()}); "
                       "runpy.run_module('seasky_training.train', run_name='__main__')")
    proc = subprocess.Popen([sys.executable, "-c", run_with_ctrl_c, "--out", str(out), *args],
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
    assert resumed["history"] == reference["history"], "losses, rates and data digests exactly as uninterrupted"


def _history(out):
    return torch.load(out / "checkpoint_last.pt", weights_only=False)["history"]


def test_workers_render_new_scenes_and_pastes_every_epoch(synth_folder, tmp_path):
    """With 2 persistent data-loader workers, epoch 1 is shown other scenes and pastes than epoch 0.

    ``data_digest`` hashes the set of (input, labels) the training loop received, order aside:
    workers that kept epoch 0's dataset copy would show the same set again.
    """
    workers = [*TINY, "--workers", "2", "--epochs", "2"]
    train.train(["--synthetic", "8", "--out", str(tmp_path / "synth"), *workers])
    train.train(["--synthetic", "0", "--data", str(synth_folder), "--paste-share", "1", "--no-augment",
                 "--out", str(tmp_path / "paste"), *workers])
    for run in ("synth", "paste"):
        digests = [row["data_digest"] for row in _history(tmp_path / run)]
        assert len(digests) == 2 and digests[0] != digests[1], f"{run}: epoch 1 saw epoch 0's samples"
    again = tmp_path / "again"
    train.train(["--synthetic", "8", "--out", str(again), *TINY, "--epochs", "2"])
    assert [r["data_digest"] for r in _history(again)] == [r["data_digest"] for r in _history(tmp_path / "synth")], \
        "the samples depend on (seed, epoch, index), not on how many workers render them"


def test_epoch_sampler_orders_are_a_function_of_seed_and_epoch():
    """Every rank of a torchrun job gets the same epoch's keys; together they cover every index."""
    ranks = [EpochSampler(10, seed=3, rank=r, world=3) for r in range(3)]
    for sampler in ranks:
        sampler.set_epoch(5)
    keys = [key for sampler in ranks for key in sampler]
    assert {epoch for epoch, _ in keys} == {5}
    assert sorted({index for _, index in keys}) == list(range(10)) and len(keys) == 12
    one = EpochSampler(10, seed=3)
    one.set_epoch(5)
    order5 = list(one)
    one.set_epoch(6)
    assert list(one) != order5 and sorted(i for _, i in one) == list(range(10))
    again = EpochSampler(10, seed=3)
    again.set_epoch(5)
    assert list(again) == order5


def _assert_same_weights(got: dict, want: dict) -> None:
    assert want.keys() == got.keys()
    for name, tensor in want.items():
        assert torch.equal(got[name], tensor), f"{name} differs after resume"


def test_resume_with_workers_is_bit_exact_and_keeps_the_best(synth_folder, tmp_path):
    """Stopped after epoch 1 and resumed, with 2 workers: the weights, losses, best score and best.pt
    of an uninterrupted run (validated on the folder's last third, --split gap)."""
    args = ["--synthetic", "8", "--data", str(synth_folder), "--split", "gap", "--paste-share", "0.5",
            "--epochs", "2", "--seed", "4", *TINY, "--workers", "2"]
    straight, split = tmp_path / "straight", tmp_path / "split"
    train.train(["--out", str(straight), *args])
    train.train(["--out", str(split), "--stop-after", "1", *args])
    assert [row["epoch"] for row in _history(split)] == [1]
    assert load_weights(split / "best.pt")[1]["provenance"]["epoch"] == 1
    train.train(["--out", str(split), "--resume", "auto", *args])
    want = torch.load(straight / "checkpoint_last.pt", weights_only=False)
    got = torch.load(split / "checkpoint_last.pt", weights_only=False)
    assert got["history"] == want["history"]
    _assert_same_weights(got["model"], want["model"])
    scores = [row["val_miou"] for row in got["history"]]
    assert got["best_score"] == want["best_score"] == max(scores)
    (best_model, best_meta), (ref_model, ref_meta) = load_weights(split / "best.pt"), load_weights(straight / "best.pt")
    assert best_meta["provenance"]["epoch"] == ref_meta["provenance"]["epoch"] == 1 + scores.index(max(scores))
    _assert_same_weights(best_model.state_dict(), ref_model.state_dict())


def test_gap_split_leaves_a_gap_between_training_and_scored_frames(synth_folder, tmp_path):
    """--split gap: seasky-train validates on, and seasky-eval scores, the same last third."""
    train_idx, scored = gap_split(186)
    assert (len(train_idx), scored[0], len(scored)) == (93, 124, 62)
    assert max(train_idx) + 1 + 186 // 6 <= min(scored)
    with pytest.raises(SystemExit):
        train.build_parser().parse_args(["--split", "tail", "--split", "nope"])
    with pytest.raises(SystemExit):
        train.train(["--synthetic", "0", "--data", str(synth_folder), "--split", "gap", "--val-fraction", "0.3",
                     "--out", str(tmp_path / "bad"), *TINY])
    best = train.train(["--synthetic", "0", "--data", str(synth_folder), "--split", "gap", "--epochs", "1",
                        "--out", str(tmp_path / "run"), *TINY])
    described = load_weights(best)[1]["provenance"]["data"][0]
    stems = DatasetFolder(synth_folder).stems
    assert (described["split"], described["train_frames"], described["val_frames"]) == ("gap", 6, 4)
    assert described["first_val_stem"] == stems[8]
    assert evaluate.main(["--data", str(synth_folder), "--split", "gap", "--weights", str(best), "--no-progress",
                          "--out", str(tmp_path / "eval"), "--json", str(tmp_path / "e.json")]) == 0
    assert json.loads((tmp_path / "e.json").read_text())["frames"] == 4


SHIPPED_RECIPE = REPO / "config" / "train_shipped.yaml"


def test_shipped_recipe_parses_to_the_run_it_describes(monkeypatch):
    """Every key of config/train_shipped.yaml is a seasky-train option of the right type."""
    monkeypatch.chdir(REPO)
    args, recipe = parse_with_recipe(train.build_parser(), ["--recipe", str(SHIPPED_RECIPE)])
    assert recipe == yaml.safe_load(SHIPPED_RECIPE.read_text())
    assert (args.split, args.input_size, args.lr, args.out) == ("gap", (160, 208), 1e-3, Path("runs/shipped"))
    assert args.data == [Path("../shared/data/real/infml-hdd-dev")] and args.paste_share == recipe["paste-share"]


def test_recipe_flags_override_and_errors_name_the_recipe(tmp_path, capsys):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("epochs: 7\ndata: [a, b]\nno-augment: true\nlr: 2.0e-4\n")
    parser = train.build_parser()
    args, _ = parse_with_recipe(parser, ["--recipe", str(recipe), "--epochs", "3", "--data", "c"])
    assert (args.epochs, args.data, args.no_augment, args.lr) == (3, [Path("c")], True, 2e-4)
    args, _ = parse_with_recipe(parser, ["--recipe", str(recipe)])
    assert args.data == [Path("a"), Path("b")]
    for text, message in (("epoch: 3\n", "'epoch' is not a seasky-train option"),
                          ("no-augment: 1\n", "'no-augment' is a flag"),
                          ("- epochs\n", "must be a mapping"),
                          ("epochs: [1, 2]\n", "'epochs' takes one value")):
        recipe.write_text(text)
        with pytest.raises(SystemExit, match=message):
            parse_with_recipe(parser, ["--recipe", str(recipe)])
    recipe.write_text("epochs: many\n")
    with pytest.raises(SystemExit):
        parse_with_recipe(parser, ["--recipe", str(recipe)])
    err = capsys.readouterr().err
    assert f"(recipe {recipe})" in err and "invalid int value: 'many'" in err


def test_shipped_recipe_runs_tiny_end_to_end_and_resumes(synth_folder, tmp_path, monkeypatch):
    """The shipped recipe with only size, data and epochs shrunk: stopped after epoch 1, resumed, logged,
    and recorded in best.pt's metadata."""
    monkeypatch.chdir(REPO)
    out = tmp_path / "run"
    tiny = ["--recipe", str(SHIPPED_RECIPE), "--data", str(synth_folder), "--train-only", str(synth_folder),
            "--synthetic", "8", "--val-synthetic", "4", "--repeat", "1", "--epochs", "2", "--out", str(out),
            "--input-size", "48x64", "--base", "4", "--depth", "2", "--batch-size", "8", "--workers", "2",
            "--no-progress"]
    train.train([*tiny, "--stop-after", "1"])
    assert [row["epoch"] for row in _history(out)] == [1]
    best = train.train([*tiny, "--resume", "auto"])
    assert [row["epoch"] for row in _history(out)] == [1, 2]
    log = (out / "run.log").read_text()
    assert "stopped after epoch 1 of 2" in log and "resumed from" in log and "best epoch" in log
    assert "WARNING" not in log, "the resumed run has the settings of the first"
    assert "lr=1.00e-03" in log, "epoch 1 trains at the recipe's lr, printed in scientific notation"
    _, meta = load_weights(best)
    provenance = meta["provenance"]
    assert provenance["recipe"]["settings"] == yaml.safe_load(SHIPPED_RECIPE.read_text())
    assert provenance["recipe"]["path"] == str(SHIPPED_RECIPE)
    split, whole = provenance["data"][1], provenance["data"][2]
    assert (split["split"], split["train_frames"], split["val_frames"], split["paste_share"]) == ("gap", 6, 4, 0.35)
    assert (whole["split"], whole["train_frames"]) == ("none", 12)
    assert meta["input_size"] == [48, 64]


def test_resume_with_other_settings_is_logged(tmp_path):
    out = tmp_path / "run"
    train.train(["--synthetic", "8", "--epochs", "2", "--stop-after", "1", "--out", str(out), *TINY])
    train.train([*TINY, "--synthetic", "8", "--epochs", "2", "--lr", "1e-3", "--out", str(out), "--resume", "auto"])
    assert "WARNING: resumed with other settings than the checkpoint's run: lr 0.003 -> 0.001" in \
        (out / "run.log").read_text()


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


def test_pt_weights_on_onnxruntime_load_without_a_tracer_warning(trained_weights):
    """The export's traced padding decision is right for its fixed height and width: no false alarm."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Segmenter.from_file(trained_weights, device="cpu", backend="onnxruntime")
    assert not [w for w in caught if issubclass(w.category, torch.jit.TracerWarning)]


def test_roll_share_reaches_the_augmentations(synth_folder):
    args = train.build_parser().parse_args(["--synthetic", "4", "--data", str(synth_folder), "--roll-share", "0.25"])
    train_set, _, _ = train.build_datasets(args, Normalization())
    assert [part.augment_cfg.p_full_roll for part in train_set.datasets] == [0.25, 0.25]


def test_soft_labels_reach_the_training_samples_not_the_validation(synth_folder):
    args = train.build_parser().parse_args(["--synthetic", "2", "--val-synthetic", "2", "--data", str(synth_folder),
                                            "--val-fraction", "0.5", "--soft-labels", "--input-size", "32x48"])
    train_set, val_set, _ = train.build_datasets(args, Normalization())
    targets = [part[0][1] for part in train_set.datasets]
    assert [tuple(t.shape) for t in targets] == [(3, 32, 48)] * 2 and all(t.is_floating_point() for t in targets)
    assert all(not part[0][1].is_floating_point() for part in val_set.datasets)


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
    assert int8_weight_extremes(onnx_path) == (-64, 64)
    assert quantized.meta["quantization"]["weight_bits"] == 7 and not quantized.warnings


def test_an_8_bit_int8_file_warns_on_a_cpu_without_vnni(trained_weights, tmp_path, monkeypatch):
    """A file from an export before 7-bit weights (no weight_bits in its metadata) is named at load."""
    import onnx

    from seasky_ros import segmenter as segmenter_module

    path = tmp_path / "legacy_int8.onnx"
    export.export_int8(trained_weights, path, synthetic=2)
    model = onnx.load(str(path))
    entry = next(p for p in model.metadata_props if p.key == ONNX_META_KEY)
    meta = json.loads(entry.value)
    del meta["quantization"]["weight_bits"]
    entry.value = json.dumps(meta)
    onnx.save(model, str(path))
    monkeypatch.setattr(segmenter_module, "cpu_flags", lambda: frozenset({"avx", "avx2"}))
    warned = Segmenter.from_file(path, device="cpu")
    assert len(warned.warnings) == 1 and str(path) in warned.warnings[0] and "VNNI" in warned.warnings[0]
    monkeypatch.setattr(segmenter_module, "cpu_flags", lambda: frozenset({"avx", "avx2", "avx512_vnni"}))
    assert Segmenter.from_file(path, device="cpu").warnings == []


def int8_weight_extremes(onnx_path: Path) -> tuple[int, int]:
    """Smallest and largest int8 weight of a QDQ model (biases are int32 and not counted)."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(onnx_path))
    inits = {i.name: i for i in model.graph.initializer}
    weights = [numpy_helper.to_array(inits[n.input[0]]) for n in model.graph.node
               if n.op_type == "DequantizeLinear" and n.input[0] in inits]
    weights = [w for w in weights if w.dtype == np.int8]
    assert weights, f"{onnx_path} holds no int8 weights"
    return min(int(w.min()) for w in weights), max(int(w.max()) for w in weights)


def test_shipped_int8_weights_fit_seven_bits():
    """x86 CPUs without VNNI (AVX2 alone) sum uint8 x int8 products in int16 pairs: 255 * 64 * 2 fits,
    255 * 127 * 2 saturates and the labels go wrong (sky IoU 0.99 -> 0.87 on infml-hdd-dev)."""
    low, high = int8_weight_extremes(default_int8_path())
    assert low >= -64 and high <= 64


def test_int8_export_refuses_a_model_that_quantises_badly(trained_weights, tmp_path, monkeypatch):
    monkeypatch.setattr(export, "MIN_INT8_AGREEMENT", 1.01)  # no model can keep more than all its labels
    out = tmp_path / "bad_int8.onnx"
    with pytest.raises(RuntimeError, match="not written"):
        export.export_int8(trained_weights, out, synthetic=2)
    assert not out.exists()


def test_predict_then_eval_on_a_folder(trained_weights, synth_folder, tmp_path):
    """seasky-predict writes the Segmenter's own labels and lines; seasky-eval's figures are those of
    exactly these predictions against the folder's truth, recomputed here by hand."""
    out = tmp_path / "pred"
    assert predict.main(["--input", str(synth_folder), "--output", str(out), "--weights", str(trained_weights),
                         "--no-progress"]) == 0
    folder = DatasetFolder(synth_folder)
    segmenter = Segmenter.from_file(trained_weights)  # the CLIs' defaults
    written = read_horizon_csv(out / "horizon.csv")
    assert set(written) == set(folder.stems)
    matrix = np.zeros((3, 3), np.int64)
    positions, with_truth = [], 0
    for i, stem in enumerate(folder.stems):
        item = folder[i]
        result = segmenter.segment(item.image)
        written_mask = cv2.imread(str(out / "masks" / f"{stem}.png"), cv2.IMREAD_UNCHANGED)
        np.testing.assert_array_equal(written_mask, result.labels)
        line = result.horizon
        assert written[stem] == (None if line is None else pytest.approx((line.x0, line.y0, line.x1, line.y1),
                                                                         abs=1e-3))
        valid = item.mask != 255
        matrix += np.bincount(item.mask[valid].astype(np.int64) * 3 + result.labels[valid],
                              minlength=9).reshape(3, 3)
        if item.horizon is not None:
            with_truth += 1
            if line is not None:
                height, width = item.image.shape
                truth = horizon_from_points(*item.horizon, width, height)
                # the project's definition: the line's distance from the truth's point nearest the image centre
                away = truth.signed_distance((width - 1) / 2, (height - 1) / 2)
                foot = ((width - 1) / 2 - away * truth.up[0], (height - 1) / 2 - away * truth.up[1])
                positions.append(abs(line.signed_distance(*foot)))
    assert with_truth > 0 and positions, "the folder must give the eval something to score"
    report = tmp_path / "eval"
    assert evaluate.main(["--data", str(synth_folder), "--weights", str(trained_weights), "--out", str(report),
                          "--json", str(tmp_path / "e.json"), "--no-progress"]) == 0
    summary = json.loads((tmp_path / "e.json").read_text())
    assert summary["frames"] == 12
    tp = np.diag(matrix).astype(float)
    union = matrix.sum(0) + matrix.sum(1) - tp
    for k, name in enumerate(summary["segmentation"]["iou"]):
        expected = tp[k] / union[k] if union[k] else None
        assert summary["segmentation"]["iou"][name] == (None if expected is None else pytest.approx(expected)), name
    assert summary["horizon"]["detection_rate"] == pytest.approx(len(positions) / with_truth)
    assert summary["horizon"]["position_px"]["median"] == pytest.approx(np.median(positions))
    assert (report / "report.md").read_text().startswith("# seasky-eval")
    assert cv2.imread(str(report / "worst_frames.png")) is not None


def test_oracle_eval_on_its_own_ground_truth_is_near_perfect(synth_folder, tmp_path):
    folder = DatasetFolder(synth_folder)
    summary, _ = evaluate.evaluate(folder, None, oracle_masks=True, refine=False, progress=False)
    hz = summary["horizon"]
    assert hz["detection_rate"] > 0.9
    assert hz["position_px"]["median"] < 0.5


def test_eval_rolls_turns_frames_and_truth_alike(synth_folder, tmp_path, capsys):
    """seasky-eval --rolls with the true masks: the horizon stage finds the same lines at every roll, sky side right."""
    assert evaluate.main(["--data", str(synth_folder), "--oracle-masks", "--rolls", "0,90,-135,180",
                          "--out", str(tmp_path / "rolls"), "--no-progress"]) == 0
    rows = json.loads((tmp_path / "rolls" / "rolls.json").read_text())
    assert [r["roll_deg"] for r in rows] == [0, 90, -135, 180]
    upright = rows[0]
    assert upright["frames"] >= 4 and upright["detection"] >= 0.75
    for row in rows:
        assert row["sky_side_correct"] == 1.0 and row["angle_median_deg"] < 0.5, row
        assert abs(row["detection"] - upright["detection"]) <= 0.25, row
    assert "| 180 |" in capsys.readouterr().out
