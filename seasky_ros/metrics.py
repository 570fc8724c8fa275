# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Segmentation and horizon metrics, accumulated over a whole set.

IoU and Dice come from one confusion matrix summed over every pixel of every frame (pixels
labelled 255 are ignored), the way segmentation benchmarks report them, rather than from an
average of per-frame scores that over-weights nearly empty classes.

Horizon errors follow the project's definition, at any roll: position = the distance of the
predicted line from the point of the true line nearest the image centre, perpendicular to the
predicted line (for an upright frame |y_gt - y_pred| at the centre column, times the cosine of the
angle); angle = |alpha_gt - alpha_pred| wrapped to 0..180 deg, so a line with the sky on the wrong
side is 180 deg off.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .horizon import Horizon
from .horizon_line import angle_apart
from .labels import IGNORE


class ConfusionMatrix:
    """Counts (truth, prediction) pairs; rows are the true class."""

    def __init__(self, num_classes: int) -> None:
        self.num_classes = num_classes
        self.matrix = np.zeros((num_classes, num_classes), dtype=np.int64)

    def update(self, truth: np.ndarray, pred: np.ndarray) -> None:
        if truth.shape != pred.shape:
            raise ValueError(f"truth {truth.shape} and prediction {pred.shape} differ in size")
        valid = truth != IGNORE
        t = truth[valid].astype(np.int64)
        p = pred[valid].astype(np.int64)
        if t.size and (t.max() >= self.num_classes or p.max() >= self.num_classes):
            raise ValueError(f"labels outside 0..{self.num_classes - 1} (besides {IGNORE})")
        self.matrix += np.bincount(t * self.num_classes + p, minlength=self.num_classes**2).reshape(
            self.num_classes, self.num_classes
        )

    def iou(self) -> np.ndarray:
        """Per-class IoU; NaN for a class that is neither in the truth nor predicted."""
        tp = np.diag(self.matrix).astype(float)
        union = self.matrix.sum(0) + self.matrix.sum(1) - tp
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(union > 0, tp / union, np.nan)

    def dice(self) -> np.ndarray:
        tp = np.diag(self.matrix).astype(float)
        total = self.matrix.sum(0) + self.matrix.sum(1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, 2 * tp / total, np.nan)

    def mean_iou(self) -> float:
        """Mean IoU over the classes that occur in the truth (a class absent from the truth but
        predicted still lowers the others' IoU through its false positives)."""
        present = self.matrix.sum(1) > 0
        return float(np.mean(self.iou()[present])) if present.any() else math.nan

    def pixel_accuracy(self) -> float:
        total = self.matrix.sum()
        return float(np.trace(self.matrix) / total) if total else math.nan


def horizon_errors(truth: Horizon, pred: Horizon, width: int, height: int) -> tuple[float, float]:
    """(position error in px at the image centre, angle error in degrees, 0..180); see the module notes."""
    xc, yc = (width - 1) / 2.0, (height - 1) / 2.0
    ux, uy = truth.up
    away = truth.signed_distance(xc, yc)
    position = abs(pred.signed_distance(xc - away * ux, yc - away * uy))
    return float(position), float(angle_apart(truth, pred))


def summarize(values: list[float]) -> dict[str, float]:
    """mean / median / p95 / max of a list (NaN when empty)."""
    if not values:
        return {"mean": math.nan, "median": math.nan, "p95": math.nan, "max": math.nan, "count": 0}
    arr = np.asarray(values, dtype=float)
    return {
        "mean": float(arr.mean()),
        "median": float(np.median(arr)),
        "p95": float(np.percentile(arr, 95)),
        "max": float(arr.max()),
        "count": int(arr.size),
    }


@dataclass
class HorizonTally:
    """Horizon errors, detections and false detections over a set of frames."""

    positions: list[float] = field(default_factory=list)
    angles: list[float] = field(default_factory=list)
    with_truth: int = 0
    detected: int = 0
    without_truth: int = 0
    false_detections: int = 0

    def update(self, truth: Horizon | None, pred: Horizon | None, width: int, height: int
               ) -> tuple[float, float] | None:
        """Add one frame; returns its (position, angle) errors when both lines exist."""
        if truth is None:
            self.without_truth += 1
            self.false_detections += int(pred is not None)
            return None
        self.with_truth += 1
        if pred is None:
            return None
        self.detected += 1
        pos, ang = horizon_errors(truth, pred, width, height)
        self.positions.append(pos)
        self.angles.append(ang)
        return pos, ang

    def summary(self) -> dict:
        return {
            "position_px": summarize(self.positions),
            "angle_deg": summarize(self.angles),
            "detection_rate": self.detected / self.with_truth if self.with_truth else math.nan,
            "frames_with_horizon": self.with_truth,
            "frames_without_horizon": self.without_truth,
            "false_detections": self.false_detections,
        }
