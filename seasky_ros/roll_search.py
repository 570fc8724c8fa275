# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The network at any roll: turn the frame so its horizon lies level, segment, turn the labels back.

Why: the network learned the world with the sky up (rolls up to about 15 deg); on a frame rolled
30 deg it finds the horizon on 27 % of infml's frames and at 45-90 deg it draws lines through the
top of the frame. Teaching it the full circle cost accuracy everywhere else (docs/MODEL_CARD.md).
Turning the frame instead needs no training: the image's own straight edges give the line's
direction (a magnitude-weighted histogram of gradient directions on the network's input, the
horizon being the longest straight edge in a sea view; median / p90 error 0.8 / 1.8 deg on infml's
frames, 0.2 / 0.6 deg on the synthetic held-out set, at rolls 0-135 deg), which
leaves two ways up, and the network settles which: on the frame turned the right way up it is
surer of its labels (mean top-class probability over the frame).

``candidate_turns`` is the policy, ``turned``/``turned_back`` the geometry; ``Segmenter.segment``
runs the passes. Modes (ROS parameter ``horizon_roll_search``):

- ``upright``: one pass as the frame comes (a camera that never rolls past ~15 deg);
- ``auto``: the upright pass, and the two turned passes only when the image's edges or the
  upright line lean more than ``TILT_DEG`` or disagree by more than ``AGREE_DEG``; an upright
  sea view costs one pass and keeps its answer (rolls up to about 160 deg);
- ``full``: always the two turned passes (any roll, upside-down mounts included); about twice
  the network time unless the stream is tracked.

In a stream (``Segmenter.track_roll``) the last frame's line is tried first, turned level: one
pass while the line holds; and in ``auto`` a search that found no turned line is not repeated for
``SEARCH_BACKOFF_FRAMES`` frames.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .horizon import Horizon
from .horizon_line import angle_apart

ROLL_SEARCH_MODES = ("upright", "auto", "full")
DEFAULT_ROLL_SEARCH = "auto"
TILT_DEG = 20.0
"""Beyond this lean the upright pass is not trusted (it finds 98 / 95 / 27 % of infml's lines at 0 / 15 / 30 deg)."""
AGREE_DEG = 10.0
"""An upright line and the image's edges within this of each other agree (the edge estimate's p90 error: < 2 deg)."""
SEARCH_BACKOFF_FRAMES = 30
"""In a stream (``auto``), frames after a search that turned up no turned line before the next search:
a view without a horizon (a harbour wall, all sea) would otherwise cost three passes a frame."""
MIN_EDGE_STRENGTH = 2.0
"""The direction histogram's peak over its mean below which a frame has no dominant straight edge and is
not turned: blank and noise frames read 1.3-1.4, sea views 5-8 (infml, MAR-DCT), harbours 2.4-5, the
synthetic set 1.8-16 (its lowest are views without a horizon)."""
HISTOGRAM_BINS = 180


@dataclass
class Pass:
    """One network pass at one turn, its labels back in the frame's geometry."""

    turn_deg: float | None  # None: the frame as it came
    labels: np.ndarray
    confidence: np.ndarray | None
    horizon: Horizon | None
    reason: str
    certainty: float  # mean top-class probability over the turned frame: higher when it is the right way up


def check_mode(mode: str) -> str:
    """``mode`` if it is one of ``ROLL_SEARCH_MODES``; ValueError naming them otherwise."""
    if mode not in ROLL_SEARCH_MODES:
        raise ValueError(f"horizon_roll_search must be one of {', '.join(ROLL_SEARCH_MODES)}, got '{mode}'")
    return mode


def edge_direction(gray: np.ndarray, scale_xy: tuple[float, float] = (1.0, 1.0)) -> tuple[float, float]:
    """Direction of the image's dominant straight edges, in degrees in (-90, 90] (0: a level horizon), and its strength.

    ``gray`` may be a resized copy of the frame (the network's input): ``scale_xy`` is its size
    over the frame's, so the direction is the frame's. Positive angles descend to the right (x
    right, y down). The strength is the histogram's smoothed peak over its mean (1: no preferred
    direction; ``MIN_EDGE_STRENGTH``). A frame without edges gives (0, 0).
    """
    g = np.asarray(gray, dtype=np.float32)
    gx = cv2.Scharr(g, cv2.CV_32F, 1, 0) * np.float32(scale_xy[0])  # d/dx = scale d/du
    gy = cv2.Scharr(g, cv2.CV_32F, 0, 1) * np.float32(scale_xy[1])
    magnitude = cv2.magnitude(gx, gy)
    # [0, 2 pi), within 0.01 deg of np.arctan2 at 1/50 of its cost on AVX2 (0.9 of the 1.0 ms a frame here)
    direction = cv2.phase(gx, gy)
    # the doubled angle folds a step and its opposite (sky darker or brighter) onto one bin
    bins = (direction * np.float32(HISTOGRAM_BINS / np.pi)).astype(np.int32) % HISTOGRAM_BINS
    hist = np.bincount(bins.ravel(), weights=magnitude.ravel(), minlength=HISTOGRAM_BINS)[:HISTOGRAM_BINS]
    if not np.any(hist > 0):
        return 0.0, 0.0
    window = 5
    padded = np.concatenate([hist[-window:], hist, hist[:window]])
    smooth = np.convolve(padded, np.ones(window) / window, mode="same")[window:-window]
    peak = int(np.argmax(smooth))
    # refine on the circle: the weighted mean direction of the bins around the peak
    near = (np.arange(peak - window, peak + window + 1)) % HISTOGRAM_BINS
    centres = (near + 0.5) * (2.0 * np.pi / HISTOGRAM_BINS)
    mean = math.atan2(float(np.sum(hist[near] * np.sin(centres))), float(np.sum(hist[near] * np.cos(centres))))
    gradient_deg = math.degrees(mean / 2.0)  # the gradient crosses the edge: the edge runs 90 deg from it
    return _fold(gradient_deg - 90.0), float(smooth[peak] / hist.mean())


def _fold(angle_deg: float) -> float:
    """An undirected line's angle in (-90, 90]."""
    folded = (angle_deg + 90.0) % 180.0 - 90.0
    return 90.0 if folded == -90.0 else folded


def _lean(a_deg: float, b_deg: float) -> float:
    """Angle between two undirected lines, 0..90 deg."""
    return abs(_fold(a_deg - b_deg))


def candidate_turns(mode: str, edge_deg: float, strength: float, upright: Horizon | None) -> list[float]:
    """The turns (degrees, ``turned``'s ``angle_deg``) to run; [] keeps the upright pass.

    ``upright`` is the upright pass's line (None when it found none, or in ``full`` mode, which
    runs no upright pass unless the edges are too weak to turn by). A turn of ``edge_deg`` levels
    the image's edges; ``edge_deg`` + 180 levels them the other way up. A frame whose edges have
    no dominant direction (``strength`` below ``MIN_EDGE_STRENGTH``: blank, fog, noise) is never
    turned: there is nothing to level, and a turned canvas's flat corners would give the network
    an edge to label.
    """
    check_mode(mode)
    if mode == "upright" or strength < MIN_EDGE_STRENGTH:
        return []
    both = [edge_deg, edge_deg + 180.0]
    if mode == "full":
        return both
    if upright is None:
        return both if abs(edge_deg) > TILT_DEG else []
    if abs(upright.angle_deg) <= TILT_DEG and _lean(upright.angle_deg, edge_deg) <= AGREE_DEG:
        return []
    return both


def tracked_turn(mode: str, last: Horizon | None) -> float | None:
    """The one turn to try first in a stream: the last frame's line levelled (None: search as for a lone frame).

    In ``auto`` a level last line needs no turn (the upright pass is the search's first step).
    """
    if last is None or mode == "upright":
        return None
    if mode == "auto" and abs(last.angle_deg) <= TILT_DEG:
        return None
    return last.angle_deg


def holds(turned_pass: Pass, last: Horizon) -> bool:
    """Whether a tracked pass found the last frame's line again (same way up, within ``AGREE_DEG``)."""
    return turned_pass.horizon is not None and angle_apart(turned_pass.horizon, last) <= AGREE_DEG


def best_pass(passes: list[Pass]) -> Pass:
    """The pass to report: of those with a line, the surest; where none has one, the surest of all.

    Its labels are the frame's mask either way: a leaning view without a line is still read better
    turned level (infml's gap third turned 60 deg: sea IoU 0.92 -> 0.96 against the upright pass's,
    which ``auto`` reported until 2026-12-03; docs/HORIZON.md).
    """
    with_line = [p for p in passes if p.horizon is not None]
    return max(with_line or passes, key=lambda p: p.certainty)


def turned(gray: np.ndarray, angle_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """The frame turned by ``angle_deg`` (counter-clockwise on screen) on a canvas that holds all of it.

    Returns the canvas and the 2x3 matrix from frame to canvas. The corners the frame does not
    cover get its median gray (a flat patch, not a mirrored horizon); they are cut away again by
    ``turned_back``.
    """
    height, width = gray.shape
    matrix = cv2.getRotationMatrix2D(((width - 1) / 2.0, (height - 1) / 2.0), angle_deg, 1.0)
    c, s = abs(matrix[0, 0]), abs(matrix[0, 1])
    # less a hair, so that 90 and 180 deg keep the frame's own size (cos, sin come out 1e-16 off)
    canvas_w = int(math.ceil(width * c + height * s - 1e-6))
    canvas_h = int(math.ceil(width * s + height * c - 1e-6))
    matrix[0, 2] += (canvas_w - width) / 2.0
    matrix[1, 2] += (canvas_h - height) / 2.0
    canvas = cv2.warpAffine(gray, matrix, (canvas_w, canvas_h), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=float(np.median(gray[::4, ::4])))
    return canvas, matrix


def certainty(logits: np.ndarray, matrix: np.ndarray | None = None, frame_hw: tuple[int, int] = (0, 0),
              canvas_hw: tuple[int, int] = (0, 0)) -> float:
    """Mean top-class probability of (C, h, w) logits, over the frame's part of a turned canvas (``turned``).

    Taken at the network's resolution (cheap, and the same for every pass); the canvas corners
    the frame does not cover are left out, as they hold no evidence either way.
    """
    shifted = logits - logits.max(axis=0, keepdims=True)
    top = 1.0 / np.exp(shifted).sum(axis=0)
    if matrix is None:
        return float(top.mean())
    height, width = frame_hw
    corners = np.array([[0, 0, 1], [width - 1, 0, 1], [width - 1, height - 1, 1], [0, height - 1, 1]], dtype=np.float64)
    small_h, small_w = top.shape
    scale = np.array([small_w / canvas_hw[1], small_h / canvas_hw[0]])
    polygon = np.round((corners @ matrix.T) * scale).astype(np.int32)
    covered = np.zeros(top.shape, dtype=np.uint8)
    cv2.fillConvexPoly(covered, polygon, 1)
    return float(top[covered > 0].mean()) if covered.any() else float(top.mean())


def turned_back(array: np.ndarray, matrix: np.ndarray, size_hw: tuple[int, int], nearest: bool) -> np.ndarray:
    """A canvas-sized array (labels: ``nearest``; confidences: linear) back in the frame's geometry."""
    inverse = cv2.invertAffineTransform(matrix)
    height, width = size_hw
    flags = cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR
    return cv2.warpAffine(array, inverse, (width, height), flags=flags, borderMode=cv2.BORDER_REPLICATE)
