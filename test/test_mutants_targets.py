# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Behaviour that broke silently when one line of core logic was changed (issue 12's survivors).

Each test pins down a number the rest of the suite let drift: intrinsics scaled per axis, the
RANSAC threshold that keeps a haze band out, the value NaN pixels take, where training labels
are sampled, how logits are upsampled, and what ``--resume`` restores. ``tools/mutants.py``
breaks each of these on purpose and checks that a test here notices.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
import torch

from seasky_ros.horizon import camera_attitude, estimate_horizon, horizon_from_points
from seasky_ros.preprocess import Normalization, fill_nonfinite
from seasky_ros.segmenter import Segmenter, labels_from_logits

SKY, SEA = 0, 1


# ------------------------------------------------------------------------------------------ intrinsics


def test_camera_info_calibrated_at_another_resolution_scales_each_axis_by_its_own_factor():
    """Calibrated at 1280x1024, streamed binned 2x across and 4x down: fx, cx follow the width, fy, cy the height."""
    sensor_msgs = pytest.importorskip("sensor_msgs.msg")
    from seasky_ros.outputs import attitude_msg, camera_matrix

    info = sensor_msgs.CameraInfo(width=1280, height=1024, k=[1000.0, 0.0, 645.0, 0.0, 990.0, 508.0, 0.0, 0.0, 1.0])
    K = camera_matrix(info, 640, 256)
    assert (K[0, 0], K[1, 1]) == pytest.approx((500.0, 247.5))
    assert K[0, 2] == pytest.approx(322.5, abs=0.5) and K[1, 2] == pytest.approx(127.0, abs=0.5)
    assert K[0, 1] == 0.0 and list(K[2]) == [0.0, 0.0, 1.0]

    # the horizon a camera with these streamed intrinsics sees at roll 3 deg, pitch -2 deg ...
    roll, pitch = math.radians(3.0), math.radians(-2.0)
    up = np.array([-math.sin(roll) * math.cos(pitch), -math.cos(roll) * math.cos(pitch), math.sin(pitch)])
    streamed = np.array([[500.0, 0.0, 322.5], [0.0, 247.5, 127.0], [0.0, 0.0, 1.0]])
    a, b, c = np.linalg.inv(streamed).T @ up  # the vanishing line a x + b y + c = 0 of the level plane
    line = horizon_from_points(0.0, -c / b, 639.0, -(a * 639.0 + c) / b, 640, 256)
    # ... gives back that attitude through the CameraInfo of the full-resolution calibration
    from std_msgs.msg import Header

    msg = attitude_msg(line, K, Header())
    assert (msg.vector.x, msg.vector.y) == pytest.approx((roll, pitch), abs=2e-3)
    assert camera_attitude(line, streamed) == pytest.approx((roll, pitch), abs=1e-9)


def test_horizon_smoothing_weights_the_previous_line_by_the_factor():
    """factor 0.8: the new offset and direction are 0.8 x the previous line's + 0.2 x this frame's (at 0.5 either
    way round gives the same, which is why the node's own smoother test could not tell)."""
    from seasky_ros.outputs import HorizonSmoother

    size = (100, 200)
    smoother = HorizonSmoother(0.8)
    smoother(horizon_from_points(0, 40, 199, 40, 200, 100), size, 0.0)
    line = smoother(horizon_from_points(0, 60, 199, 60, 200, 100), size, 0.1)
    assert (line.y0, line.y1) == pytest.approx((0.8 * 40 + 0.2 * 60, 0.8 * 40 + 0.2 * 60))
    smoother = HorizonSmoother(0.8)
    smoother(horizon_from_points(0, 49.5, 199, 49.5, 200, 100), size, 0.0)  # both through the image centre
    turned = horizon_from_points(99.5 - 50 * math.cos(0.5), 49.5 - 50 * math.sin(0.5), 99.5, 49.5, 200, 100)
    line = smoother(turned, size, 0.1)
    expected = math.atan2(0.2 * math.sin(0.5), 0.8 + 0.2 * math.cos(0.5))
    assert math.radians(line.angle_deg) == pytest.approx(expected) and line.y_at(99.5) == pytest.approx(49.5)


# ------------------------------------------------------------------------------------------ RANSAC


def test_a_haze_band_labelled_sea_is_an_outlier_not_part_of_the_line():
    """200 columns in mid-view put the boundary 5 px high (haze read as sea): RANSAC must leave them out.

    The inlier distance is max(1.5 px, 0.4 % of the height) = 2.05 px on 512 rows; four times
    that would take the band in and lift the line by 1.6 px.
    """
    height, width = 512, 640
    ys = 240.3 + math.tan(math.radians(0.6)) * np.arange(width)
    rows = np.arange(height)[:, None]
    mask = np.where(rows + 0.5 > ys[None, :], SEA, SKY).astype(np.uint8)
    haze = (np.arange(width) >= 220) & (np.arange(width) < 420)
    mask[:, haze] = np.where(rows + 0.5 > ys[None, haze] - 5.0, SEA, SKY)
    h = estimate_horizon(mask)
    assert h is not None
    assert h.inlier_share == pytest.approx(1 - 200 / width, abs=0.01)
    xc = (width - 1) / 2
    assert abs(h.y_at(xc) - np.interp(xc, np.arange(width), ys)) < 0.3
    assert abs(h.angle_deg - 0.6) < 0.03


# ------------------------------------------------------------------------------------------ NaN / inf


def test_nonfinite_pixels_take_the_median_of_the_finite_ones():
    gray = np.arange(100, dtype=np.float32).reshape(10, 10) + 300.0
    gray[0, :3] = np.nan
    gray[9, 9] = np.inf
    gray[5, 5] = -np.inf
    cleaned, bad = fill_nonfinite(gray)
    finite = np.isfinite(gray)
    assert bad == 5
    assert np.all(cleaned[~finite] == np.median(gray[finite]))
    assert np.array_equal(cleaned[finite], gray[finite])


def test_a_few_dead_pixels_do_not_change_the_labels():
    """1 % NaN pixels in a 32FC1 temperature frame leave the shipped model's labels and horizon as they were.

    Filled with 0 K instead, they become the 1st percentile of the stretch and wash the frame out.
    """
    from test_accuracy_gate import synthetic_frame

    image, _, truth = synthetic_frame(0)
    temperature = (270.0 + 0.002 * image.astype(np.float32)).astype(np.float32)
    seg = Segmenter.from_file(device="cpu", backend="onnxruntime")
    clean = seg.segment(temperature, "32FC1")
    dead = temperature.copy()
    rng = np.random.default_rng(7)
    dead[rng.random(dead.shape) < 0.008] = np.nan
    dead[:, 333] = np.inf
    result = seg.segment(dead, "32FC1")
    assert result.nonfinite_pixels > 0.008 * dead.size
    finite = np.isfinite(dead)
    assert np.mean(result.labels[finite] == clean.labels[finite]) > 0.995
    assert result.horizon is not None and clean.horizon is not None
    assert abs(result.horizon.center_row - clean.horizon.center_row) < 0.5
    assert abs(clean.horizon.center_row - truth.center_row) < 2.0


# ------------------------------------------------------------------------------------------ resampling


def _centre_sources(source: int, target: int) -> tuple[np.ndarray, np.ndarray]:
    """Per target pixel, the source pixel that contains its centre, and whether that centre sits exactly on
    a source pixel border (where either neighbour is a fair answer)."""
    centres = [Fraction(2 * i + 1, 2) * Fraction(source, target) for i in range(target)]
    return np.array([math.floor(c) for c in centres]), np.array([c.denominator == 1 for c in centres])


@pytest.mark.parametrize(("source_hw", "target_hw"), [((288, 384), (160, 208)), ((512, 640), (160, 208))])
def test_training_labels_are_sampled_at_the_network_pixel_centres(source_hw, target_hw):
    """Each network pixel's label is the source label under its centre, so labels and image stay aligned.

    Plain nearest-neighbour sampling takes the source pixel under the network pixel's corner
    instead: labels up to a source pixel too high, which the network learns as a horizon bias.
    """
    from seasky_training.samples import training_pair

    (H, W), (h, w) = source_hw, target_hw
    rng = np.random.default_rng(1)
    row_labels = rng.choice(np.array([SKY, SEA, 2, 255], np.uint8), H)
    col_labels = rng.choice(np.array([SKY, SEA, 2, 255], np.uint8), W)
    gray = rng.random((H, W)).astype(np.float32)
    for labels, axis in ((np.repeat(row_labels[:, None], W, 1), 0), (np.repeat(col_labels[None, :], H, 0), 1)):
        _, y = training_pair(gray, labels, (h, w), Normalization())
        got = y.numpy()[:, 0] if axis == 0 else y.numpy()[0]
        per_pixel = row_labels if axis == 0 else col_labels
        source, tie = _centre_sources(H if axis == 0 else W, h if axis == 0 else w)
        ok = (got == per_pixel[source]) | (tie & (got == per_pixel[np.maximum(source - 1, 0)]))
        assert ok.all(), f"axis {axis}: network pixels {np.flatnonzero(~ok)[:10]} take the wrong source label"


def test_logits_are_upsampled_bilinearly_before_the_arg_max():
    """Hand-worked: 2 logit rows -> 8 rows. Row i samples source row (i + 0.5) / 4 - 0.5 (clamped to 0..1).

    Sky logit 3 - 4 s, sea logit -(3 - 4 s), other -10: sky wins while s < 0.75, i.e. rows 0..4;
    row 4 (s = 0.625) has sky 0.5 against sea -0.5. Nearest upsampling would give 4 sky rows.
    """
    sky = np.array([[3.0], [-1.0]], np.float32).repeat(3, axis=1)
    logits = np.stack([sky, -sky, np.full_like(sky, -10.0)])
    labels, confidence = labels_from_logits(logits, (8, 6), with_confidence=True)
    assert labels[:, 0].tolist() == [SKY] * 5 + [SEA] * 3
    assert np.all(labels == labels[:, :1])
    s = (4 + 0.5) / 4 - 0.5
    sky4, sea4 = 3 - 4 * s, -(3 - 4 * s)
    expected = math.exp(sky4) / (math.exp(sky4) + math.exp(sea4) + math.exp(-10.0))
    assert confidence[4, 0] == pytest.approx(expected, rel=1e-5)


# ------------------------------------------------------------------------------------------ resume

# seasky-train, with a real SIGINT sent to itself right after its first checkpoint is written: the
# interruption lands at the same point on any machine, however loaded
CTRL_C_AFTER_FIRST_CHECKPOINT = """
import os, signal, sys
import torch
from seasky_training import train
torch.set_num_threads(int(os.environ["SEASKY_TEST_THREADS"]))  # the test process's count: the same float sums
save = train.atomic_torch_save
def save_then_interrupt(obj, path):
    save(obj, path)
    os.kill(os.getpid(), signal.SIGINT)
train.atomic_torch_save = save_then_interrupt
sys.exit(train.main(sys.argv[1:]))
"""
TINY = ["--base", "4", "--depth", "2", "--input-size", "48x64", "--batch-size", "8", "--workers", "0",
        "--no-progress", "--lr", "3e-3"]


@pytest.mark.slow
def test_resume_restores_the_weights_and_keeps_the_best_score_and_best_pt(tmp_path):
    """Ctrl-C a real run after its first epoch, resume it, compare with an uninterrupted run.

    The checkpoint's best score is raised to one no epoch can reach (mean IoU <= 1), as after a
    run whose best epoch came before the interruption: the resumed epochs must not replace best.pt.
    """
    from seasky_training import train

    args = ["--epochs", "3", "--synthetic", "32", "--val-synthetic", "8", "--seed", "4", *TINY]
    out = tmp_path / "run"
    checkpoint = out / train.CHECKPOINT_NAME
    proc = subprocess.run([sys.executable, "-c", CTRL_C_AFTER_FIRST_CHECKPOINT, "--out", str(out), *args],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "SEASKY_TEST_THREADS": str(torch.get_num_threads())})
    assert proc.returncode == 130 and "--resume" in proc.stderr, f"exit {proc.returncode}: {proc.stderr[-2000:]}"
    interrupted = torch.load(checkpoint, weights_only=False)
    assert interrupted["epoch"] == 0
    interrupted["best_score"] = 2.0
    torch.save(interrupted, checkpoint)
    best_before = (out / train.WEIGHTS_NAME).read_bytes()

    train.train(["--out", str(out), "--resume", "auto", *args])
    resumed = torch.load(checkpoint, weights_only=False)
    assert resumed["epoch"] == 2 and resumed["best_score"] == 2.0
    assert (out / train.WEIGHTS_NAME).read_bytes() == best_before

    straight = tmp_path / "straight"
    train.train(["--out", str(straight), *args])
    reference = torch.load(straight / train.CHECKPOINT_NAME, weights_only=False)
    assert reference["model"].keys() == resumed["model"].keys()
    worst = max(float((resumed["model"][k].double() - v.double()).abs().max()) for k, v in reference["model"].items())
    print(f"resumed vs uninterrupted weights: largest difference {worst:.3g}")
    assert worst <= 1e-6
    assert resumed["scheduler"]["last_epoch"] == reference["scheduler"]["last_epoch"] == 3
    assert resumed["optimizer"]["param_groups"][0]["lr"] == pytest.approx(
        reference["optimizer"]["param_groups"][0]["lr"])


# ------------------------------------------------------------------------------------------ the list itself


def test_every_mutant_still_applies_to_the_code(monkeypatch):
    """tools/mutants.py refuses a mutant whose line moved; this notices it in `make test`, not months later."""
    import importlib.util
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("seasky_mutants", repo / "tools" / "mutants.py")
    mutants = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, mutants)  # its dataclass looks itself up there
    spec.loader.exec_module(mutants)
    stale = [m.name for m in mutants.MUTANTS if (repo / m.path).read_text().count(m.original) != 1]
    assert not stale, f"mutants whose original text is not in their file exactly once: {stale}"
    missing = [t for m in mutants.MUTANTS for t in m.tests if not (repo / t.split("::")[0]).exists()]
    assert not missing, f"mutants naming test files that do not exist: {missing}"
