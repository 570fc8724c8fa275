# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Accuracy gate on the shipped weights: today's figures, held to tight bounds.

The other tests prove behaviour with hand-worked cases and a tiny test model; none of them
notices when the shipped model quietly gets worse (a label shift, nearest instead of bilinear
upsampling, NaNs filled with 0, a looser RANSAC threshold). This file runs the default model
(the int8 ONNX on the CPU, as the node does) on a small fixed set and compares its figures with
the table below, measured on the date given with the weights whose hashes are given.

A deliberate change of the model or of the pipeline updates BOUNDS in the same commit:
``PYTHONPATH=$PWD .venv/bin/python test/test_accuracy_gate.py`` prints the figures of the
working tree in the table's own layout. Bounds are two-sided: an unexplained improvement is a
change too, and the table must keep saying what the shipped model does.
"""

from __future__ import annotations

import csv
import hashlib
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
if __name__ == "__main__":
    sys.path.insert(0, str(REPO))

from seasky_ros.horizon import Horizon, horizon_from_points  # noqa: E402
from seasky_ros.segmenter import Segmenter  # noqa: E402
from seasky_ros.weights import default_int8_path, default_weights_path  # noqa: E402

# ------------------------------------------------------------------------------------------ the table

MEASURED = "2026-12-03"
WEIGHTS_SHA256 = {
    "seasky_lite.pt": "b31ab1f46c58b39775323db863d4816dffbd024372d7342b50dad6576acce39f",
    "seasky_lite_int8.onnx": "c179f2e7d867cd57a8c298b8f8894d27971810566e60231a5272316377fe37c7",
}
# set -> figure -> (value measured on MEASURED, largest allowed |difference|). Positions in px at
# the centre column, angles in degrees, "bias" the mean signed position error (> 0: line too low).
BOUNDS: dict[str, dict[str, tuple[float, float]]] = {
    "infml-tail": {  # infml-hdd-dev's last 30 % (56 frames, never trained on), 384x288 8-bit
        "detected": (56, 0),
        "position_median": (0.603, 0.25),
        "position_p95": (2.554, 0.20),
        "position_bias": (-0.006, 0.15),
        "angle_median": (0.111, 0.05),
        "iou_sky": (0.9909, 0.004),
        "iou_sea": (0.9905, 0.004),
    },
    "infml-tail-roll60": {  # the same frames turned 60 deg (crop 230x172): horizon_roll_search auto
        "detected": (54, 0),  # 56 until 2026-12-03: two lines 65 and 87 px off, along the crop's border, now refused
        "wrong_side": (0, 0),
        "position_median": (1.047, 0.25),
        "angle_median": (0.140, 0.08),
        "iou_sky": (0.9522, 0.006),
        "iou_sea": (0.9661, 0.006),  # 0.9489 then; since 2026-12-03 a search without a line reports its surest pass
    },
    "infml-tail-roll180": {  # turned upside down: horizon_roll_search full
        "detected": (54, 1),
        "wrong_side": (1, 1),
        "position_median": (0.541, 0.25),
        "angle_median": (0.128, 0.08),
        "iou_sky": (0.9559, 0.03),
        "iou_sea": (0.9425, 0.03),
    },
    "massmind": {  # 5 harbour frames, 640x512 8-bit, evaluation only
        "iou_sky": (0.7445, 0.01),
        "iou_sea": (0.7978, 0.01),
        "iou_other": (0.5107, 0.01),
    },
    "synthetic": {  # 10 open-sea frames made below, 640x512 mono16
        "detected": (10, 0),
        "position_median": (0.453, 0.25),
        "position_p95": (0.492, 0.30),
        "position_bias": (0.448, 0.15),
        "angle_median": (0.0036, 0.02),
        "iou_sky": (0.9932, 0.004),
        "iou_sea": (0.9940, 0.004),
    },
    "synthetic-nan": {  # the first 6 of them as 32FC1 temperatures with NaN/inf columns, rows and a block
        "detected": (6, 0),
        "position_median": (0.454, 0.25),
        "position_bias": (0.456, 0.15),
        "iou_sky": (0.9738, 0.01),
        "iou_sea": (0.9789, 0.01),
    },
}

# ------------------------------------------------------------------------------------------ the frames

SYNTHETIC_SEED = 20261202
SYNTHETIC_H, SYNTHETIC_W = 512, 640
SYNTHETIC_LINES = [(200.3, 0.8), (256.6, -2.5), (310.2, 4.0), (150.7, -1.2), (230.45, 0.0), (280.9, 6.5),
                   (180.15, -4.2), (330.6, 1.7), (245.85, -0.4), (205.5, 3.1)]
NAN_FRAMES = 6


def synthetic_frame(index: int) -> tuple[np.ndarray, np.ndarray, Horizon]:
    """A 640x512 mono16 open-sea frame with a known sub-pixel horizon: (image, mask, truth).

    A cold sky warming steeply into a haze band at the horizon over a slightly warmer sea with
    horizontal wave texture; the horizon pixel mixes sky and sea by area, the mask marks a pixel
    sea when its area reaches below the line (the package's convention). Made here, with numpy
    only, so that no change elsewhere (the training generator) moves the gate.
    """
    y_centre, angle = SYNTHETIC_LINES[index]
    h, w = SYNTHETIC_H, SYNTHETIC_W
    rng = np.random.default_rng([SYNTHETIC_SEED, index])
    rows = np.arange(h, dtype=np.float64)[:, None]
    cols = np.arange(w, dtype=np.float64)[None, :]
    line = y_centre + math.tan(math.radians(angle)) * (cols - (w - 1) / 2)
    depth = line - rows  # > 0 above the line
    sky = 7000 + 1250 * np.clip(1 - depth / (0.7 * h), 0, 1) ** 3
    waves = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), sigmaX=6, sigmaY=1)
    waves /= waves.std()
    sea = 8300 + 400 * np.clip(-depth / h, 0, 1) + 50 * waves * np.clip(-depth / 60, 0.2, 1)
    sea_share = np.clip(rows + 0.5 - line, 0, 1)
    image = sky * (1 - sea_share) + sea * sea_share + rng.normal(0, 8, (h, w))
    mask = (rows + 0.5 > line).astype(np.uint8)
    truth = horizon_from_points(0.0, float(line[0, 0]), w - 1.0, float(line[0, -1]), w, h)
    return image.astype(np.uint16), mask, truth


def with_nonfinite(image: np.ndarray) -> np.ndarray:
    """The frame as 32FC1 temperatures (K) with dead columns, a NaN row band and an inf block."""
    temperature = (270.0 + 0.002 * image.astype(np.float32)).astype(np.float32)
    temperature[:, 100:104] = np.nan
    temperature[40:80, 300:420] = np.inf
    temperature[450:470] = np.nan
    return temperature


# ------------------------------------------------------------------------------------------ scoring


@dataclass
class Tally:
    """Confusion matrix and signed horizon errors of one set."""

    matrix: np.ndarray = field(default_factory=lambda: np.zeros((3, 3), np.int64))
    positions: list[float] = field(default_factory=list)
    angles: list[float] = field(default_factory=list)
    detected: int = 0

    def add(self, labels: np.ndarray, mask: np.ndarray, found: Horizon | None, truth: Horizon | None) -> None:
        valid = mask != 255
        self.matrix += np.bincount(mask[valid].astype(np.int64) * 3 + labels[valid], minlength=9).reshape(3, 3)
        if truth is None or found is None:
            return
        self.detected += 1
        xc = (mask.shape[1] - 1) / 2
        self.positions.append(float(found.y_at(xc) - truth.y_at(xc)))
        self.angles.append((found.angle_deg - truth.angle_deg + 180.0) % 360.0 - 180.0)

    def figures(self) -> dict[str, float]:
        tp = np.diag(self.matrix).astype(float)
        union = self.matrix.sum(0) + self.matrix.sum(1) - tp
        out = {f"iou_{name}": float(tp[i] / union[i]) for i, name in enumerate(("sky", "sea", "other")) if union[i]}
        out["detected"] = float(self.detected)
        if self.positions:
            positions = np.abs(self.positions)
            out.update(position_median=float(np.median(positions)), position_p95=float(np.percentile(positions, 95)),
                       position_bias=float(np.mean(self.positions)),
                       angle_median=float(np.median(np.abs(self.angles))),
                       wrong_side=float(np.sum(np.abs(self.angles) > 90.0)))
        return out


def infml_tail(root: Path) -> list[tuple[np.ndarray, np.ndarray, Horizon]]:
    """infml-hdd-dev's time-ordered last 30 %, the frames the shipped weights were never trained on."""
    folder = root / "infml-hdd-dev"
    with open(folder / "horizon.csv") as f:
        rows = sorted(csv.DictReader(f), key=lambda row: row["stem"])
    frames = []
    for row in rows[len(rows) - round(0.3 * len(rows)):]:
        image = cv2.imread(str(folder / "images" / f"{row['stem']}.png"), cv2.IMREAD_UNCHANGED)
        mask = cv2.imread(str(folder / "masks" / f"{row['stem']}.png"), cv2.IMREAD_UNCHANGED)
        height, width = image.shape
        truth = horizon_from_points(*(float(row[k]) for k in ("x0", "y0", "x1", "y1")), width, height)
        frames.append((image, mask, truth))
    return frames


def measure(segmenter: Segmenter, name: str, root: Path | None) -> dict[str, float]:
    """The figures of one set of BOUNDS."""
    tally = Tally()
    if name == "infml-tail":
        for image, mask, truth in infml_tail(root):
            result = segmenter.segment(image)
            tally.add(result.labels, mask, result.horizon, truth)
    elif name.startswith("infml-tail-roll"):
        from seasky_training.augment import roll_crop

        roll = float(name.removeprefix("infml-tail-roll"))
        before, segmenter.roll_search = segmenter.roll_search, "auto" if roll < 135 else "full"
        try:
            for image, mask, truth in infml_tail(root):
                line = (truth.x0, truth.y0, truth.x1, truth.y1)
                turned, turned_mask, turned_line = roll_crop(image.astype(np.float32), mask, line, roll)
                height, width = turned.shape
                result = segmenter.segment(turned, "32FC1")
                tally.add(result.labels, turned_mask, result.horizon, horizon_from_points(*turned_line, width, height))
        finally:
            segmenter.roll_search = before
    elif name == "massmind":
        for path in sorted((root / "massmind-lwir" / "images").glob("*.png")):
            image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
            mask = cv2.imread(str(root / "massmind-lwir" / "masks" / path.name), cv2.IMREAD_UNCHANGED)
            tally.add(segmenter.segment(image).labels, mask, None, None)
    else:
        count = len(SYNTHETIC_LINES) if name == "synthetic" else NAN_FRAMES
        for index in range(count):
            image, mask, truth = synthetic_frame(index)
            if name == "synthetic":
                result = segmenter.segment(image, "mono16")
            else:
                result = segmenter.segment(with_nonfinite(image), "32FC1")
            tally.add(result.labels, mask, result.horizon, truth)
    return tally.figures()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def shipped_segmenter() -> Segmenter:
    """The model the node runs on a CPU by default: the shipped int8 ONNX under ONNX Runtime."""
    return Segmenter.from_file(device="cpu", backend="onnxruntime")


# ------------------------------------------------------------------------------------------ the tests


def test_the_table_was_measured_with_the_shipped_weights():
    """A new model without new bounds fails here, loudly, before any figure is compared."""
    for path in (default_weights_path(), default_int8_path()):
        assert sha256(path) == WEIGHTS_SHA256[path.name], (
            f"{path.name} changed (sha256 {sha256(path)}) but the accuracy gate's table was measured on {MEASURED} "
            f"with {WEIGHTS_SHA256[path.name]}: run `python test/test_accuracy_gate.py` and update MEASURED, "
            "WEIGHTS_SHA256 and BOUNDS in test/test_accuracy_gate.py in the same commit"
        )


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    seg = shipped_segmenter()
    assert seg.int8 and seg.source == default_int8_path()
    return seg


def check(name: str, figures: dict[str, float]) -> None:
    off = [f"{key} {figures.get(key, math.nan):.4f} (measured {value} +- {tol} on {MEASURED})"
           for key, (value, tol) in BOUNDS[name].items()
           if not abs(figures.get(key, math.nan) - value) <= tol + 1e-9]
    assert not off, f"{name}: " + "; ".join(off) + ". A deliberate change updates BOUNDS in the same commit."


@pytest.mark.parametrize("name", ["synthetic", "synthetic-nan"])
def test_synthetic_frames(segmenter, name):
    check(name, measure(segmenter, name, None))


@pytest.mark.parametrize("name", ["infml-tail", "infml-tail-roll60", "infml-tail-roll180", "massmind"])
def test_real_frames(segmenter, real_data, name):
    check(name, measure(segmenter, name, real_data))


if __name__ == "__main__":
    from conftest import real_data_root

    seg = shipped_segmenter()
    print(f"MEASURED = {MEASURED!r}  # update to today's date with the figures below")
    for path in (default_weights_path(), default_int8_path()):
        print(f"    {path.name!r}: {sha256(path)!r},")
    for set_name, bounds in BOUNDS.items():
        figures = measure(seg, set_name, real_data_root())
        print(f"    {set_name!r}: " + ", ".join(f"{k} {figures.get(k, math.nan):.4f}" for k in bounds))
