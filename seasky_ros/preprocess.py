# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Infrared frame -> network input.

Thermal cameras deliver very different pixel formats: 8-bit AGC'd video, raw 14-bit radiometric
counts in 16-bit words (with large offsets), temperatures as floats, or colourised palettes.
All of them are reduced to one gray float image and stretched with a *percentile window*, so
dead or hot pixels and the absolute offset of the counts do not change what the network sees.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

GRAY_ENCODINGS = ("mono8", "8UC1", "mono16", "16UC1", "32FC1")
COLOUR_ENCODINGS = ("bgr8", "rgb8", "bgra8", "rgba8")
SUPPORTED_ENCODINGS = GRAY_ENCODINGS + COLOUR_ENCODINGS

_DTYPES = {
    "mono8": np.uint8,
    "8UC1": np.uint8,
    "mono16": np.uint16,
    "16UC1": np.uint16,
    "32FC1": np.float32,
    "bgr8": np.uint8,
    "rgb8": np.uint8,
    "bgra8": np.uint8,
    "rgba8": np.uint8,
}
_CHANNELS = {"bgr8": 3, "rgb8": 3, "bgra8": 4, "rgba8": 4}
_TO_GRAY = {
    "bgr8": cv2.COLOR_BGR2GRAY,
    "rgb8": cv2.COLOR_RGB2GRAY,
    "bgra8": cv2.COLOR_BGRA2GRAY,
    "rgba8": cv2.COLOR_RGBA2GRAY,
}


class FrameError(ValueError):
    """A frame that cannot be processed; the message names the problem."""


@dataclass(frozen=True)
class Normalization:
    """How gray values become network inputs; stored in the weights file."""

    low_pct: float = 1.0
    high_pct: float = 99.0
    mean: float = 0.5
    std: float = 0.25

    def __post_init__(self) -> None:
        if not 0.0 <= self.low_pct < self.high_pct <= 100.0:
            raise ValueError(
                f"percentile window needs 0 <= low < high <= 100, got {self.low_pct}..{self.high_pct}"
            )
        if not self.std > 0:
            raise ValueError(f"normalisation std must be positive, got {self.std}")

    def to_dict(self) -> dict:
        return {"low_pct": self.low_pct, "high_pct": self.high_pct, "mean": self.mean, "std": self.std}

    @classmethod
    def from_dict(cls, values: dict) -> Normalization:
        return cls(**{k: float(values[k]) for k in ("low_pct", "high_pct", "mean", "std") if k in values})


def infer_encoding(frame: np.ndarray) -> str:
    """Guess a ROS encoding from a numpy array (uint8 -> mono8, 3 channels -> bgr8, ...)."""
    if frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] == 1):
        by_dtype = {np.dtype(np.uint8): "mono8", np.dtype(np.uint16): "mono16", np.dtype(np.float32): "32FC1"}
        if frame.dtype in by_dtype:
            return by_dtype[frame.dtype]
        if np.issubdtype(frame.dtype, np.floating):
            return "32FC1"
    elif frame.ndim == 3 and frame.dtype == np.uint8 and frame.shape[2] in (3, 4):
        return "bgr8" if frame.shape[2] == 3 else "bgra8"
    raise FrameError(f"cannot infer an encoding for an array of shape {frame.shape} and dtype {frame.dtype}")


def to_gray(frame: np.ndarray, encoding: str | None = None) -> np.ndarray:
    """Return the frame as a 2-D float32 gray image (values in the sensor's own units)."""
    if not isinstance(frame, np.ndarray):
        raise FrameError(f"expected a numpy array, got {type(frame).__name__}")
    encoding = encoding or infer_encoding(frame)
    if encoding not in SUPPORTED_ENCODINGS:
        raise FrameError(
            f"unsupported encoding '{encoding}' (supported: {', '.join(SUPPORTED_ENCODINGS)})"
        )
    if frame.size == 0 or frame.ndim < 2 or frame.shape[0] == 0 or frame.shape[1] == 0:
        raise FrameError(f"empty frame of shape {frame.shape}")
    if encoding in COLOUR_ENCODINGS:
        channels = _CHANNELS[encoding]
        if frame.ndim != 3 or frame.shape[2] != channels:
            raise FrameError(f"encoding '{encoding}' needs {channels} channels, got shape {frame.shape}")
        return cv2.cvtColor(np.ascontiguousarray(frame, dtype=np.uint8), _TO_GRAY[encoding]).astype(np.float32)
    if frame.ndim == 3:
        if frame.shape[2] != 1:
            raise FrameError(f"encoding '{encoding}' is single-channel, got shape {frame.shape}")
        frame = frame[:, :, 0]
    expected = np.dtype(_DTYPES[encoding])
    if encoding != "32FC1" and frame.dtype != expected:
        raise FrameError(f"encoding '{encoding}' needs dtype {expected}, got {frame.dtype}")
    return frame.astype(np.float32, copy=False)


def fill_nonfinite(gray: np.ndarray) -> tuple[np.ndarray, int]:
    """Replace NaN/inf pixels (32FC1 temperature images) by the median of the finite ones.

    Returns the cleaned image and how many pixels were replaced, so callers can warn.
    """
    finite = np.isfinite(gray)
    bad = int(gray.size - np.count_nonzero(finite))
    if bad == 0:
        return gray, 0
    fill = float(np.median(gray[finite])) if bad < gray.size else 0.0
    cleaned = gray.copy()
    cleaned[~finite] = fill
    return cleaned, bad


def percentile_window(gray: np.ndarray, low_pct: float, high_pct: float) -> tuple[float, float]:
    """Gray values at the two percentiles: the stretch that ignores outlier pixels."""
    lo, hi = np.percentile(gray, [low_pct, high_pct])
    return float(lo), float(hi)


def stretch(gray: np.ndarray, low_pct: float = 1.0, high_pct: float = 99.0) -> np.ndarray:
    """Map the percentile window to 0..1 (clipped). A constant frame becomes all zeros."""
    lo, hi = percentile_window(gray, low_pct, high_pct)
    span = hi - lo
    if not np.isfinite(span) or span <= 1e-6 * max(1.0, abs(hi)):
        return np.zeros(gray.shape, dtype=np.float32)
    out = (gray - np.float32(lo)) * np.float32(1.0 / span)
    return np.clip(out, 0.0, 1.0, out=out).astype(np.float32, copy=False)


def resize_gray(gray: np.ndarray, size_hw: tuple[int, int]) -> np.ndarray:
    """Resize to (height, width); area averaging when shrinking keeps thin horizons sharp enough."""
    h, w = size_hw
    if gray.shape == (h, w):
        return gray
    shrinking = gray.shape[0] > h or gray.shape[1] > w
    interp = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return cv2.resize(gray, (w, h), interpolation=interp)


@dataclass
class Prepared:
    """A network-ready input and what was learned about the frame on the way."""

    tensor: np.ndarray  # float32, shape (1, 1, H, W)
    gray: np.ndarray  # float32 full-resolution gray image (finite), for horizon refinement
    nonfinite_pixels: int


def prepare(
    frame: np.ndarray,
    input_size_hw: tuple[int, int],
    norm: Normalization = Normalization(),
    encoding: str | None = None,
) -> Prepared:
    """Frame of any supported encoding -> normalised (1, 1, H, W) float32 network input.

    The percentiles are taken on the resized image: ~30x fewer pixels, and isolated dead
    pixels are already averaged away there.
    """
    gray, bad = fill_nonfinite(to_gray(frame, encoding))
    x = network_input(resize_gray(gray, input_size_hw), norm)
    return Prepared(tensor=x[None, None], gray=gray, nonfinite_pixels=bad)


def network_input(small_gray: np.ndarray, norm: Normalization) -> np.ndarray:
    """Gray image already at the network size -> normalised float32 (H, W).

    Training calls this too, so the network sees exactly what inference feeds it.
    """
    x = stretch(small_gray, norm.low_pct, norm.high_pct)
    return ((x - np.float32(norm.mean)) * np.float32(1.0 / norm.std)).astype(np.float32, copy=False)
