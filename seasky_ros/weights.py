# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The weights file: one torch file that carries its own metadata.

A file holds ``{"format": "seasky-weights", "version": 1, "state_dict": ..., "meta": {...}}``.
``meta`` has the architecture (``arch``), class names, the network input size, the
normalisation, and whatever provenance and metrics training recorded. Everything in it is
plain data, so the file loads with ``torch.load(weights_only=True)`` and never runs code.
"""

from __future__ import annotations

import io
import os
from importlib import resources
from pathlib import Path
from typing import Any

import torch

from .atomic_write import write_bytes_atomic
from .labels import CLASS_NAMES
from .model import UNet, UNetConfig
from .preprocess import Normalization

FORMAT = "seasky-weights"
VERSION = 1
DEFAULT_WEIGHTS_NAME = "seasky_lite.pt"
DEFAULT_INT8_NAME = "seasky_lite_int8.onnx"  # the same weights quantised (seasky-export --int8), for CPUs
# The network runs at its small input size: anything near this is a typo that would hang start-up
# (a 4000x5000 input takes minutes per frame on a CPU); the shipped model uses 160x208.
MAX_INPUT_SIDE = 2048


class WeightsError(RuntimeError):
    """A weights file that is missing, unreadable or does not fit; the message names the file."""


def one_line(exc: BaseException, limit: int = 300) -> str:
    """``Type: message`` on one line, shortened: libraries raise many-line essays about a bad file."""
    text = " ".join(str(exc).split())
    if len(text) > limit:
        text = text[: limit - 3].rstrip() + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__

def default_weights_path() -> Path:
    """The weights shipped inside the package (found without any configuration)."""
    return Path(str(resources.files("seasky_ros").joinpath("weights", DEFAULT_WEIGHTS_NAME)))


def default_int8_path() -> Path:
    """The shipped weights as a statically quantised ONNX model: the fast path on a CPU."""
    return Path(str(resources.files("seasky_ros").joinpath("weights", DEFAULT_INT8_NAME)))


def is_default(path: str | os.PathLike | None) -> bool:
    """None or empty: the caller asks for the shipped weights."""
    return path is None or str(path).strip() == ""


def resolve_weights_path(path: str | os.PathLike | None) -> Path:
    """Empty or None means the shipped default."""
    if is_default(path):
        return default_weights_path()
    return Path(path).expanduser()


def build_meta(
    config: UNetConfig,
    input_size_hw: tuple[int, int],
    norm: Normalization,
    classes: tuple[str, ...] = CLASS_NAMES,
    **extra: Any,
) -> dict:
    """Metadata every weights file must carry, plus free-form provenance/metrics."""
    meta = {
        "arch": config.to_dict(),
        "classes": list(classes),
        "input_size": [int(input_size_hw[0]), int(input_size_hw[1])],
        "normalization": norm.to_dict(),
    }
    meta.update(extra)
    return meta


def atomic_torch_save(obj: Any, path: str | os.PathLike) -> None:
    """Serialise in memory, then write-and-rename: a crash never leaves half a file."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    write_bytes_atomic(path, buffer.getvalue())


def _plain(value: Any) -> Any:
    """Metadata as plain Python data, so the file loads with weights_only=True."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def save_weights(path: str | os.PathLike, model: UNet, meta: dict) -> None:
    """Save a model and its metadata atomically (state dict stored on the CPU, float32)."""
    meta = _plain(meta)
    state = {k: v.detach().float().cpu() if v.is_floating_point() else v.detach().cpu()
             for k, v in model.state_dict().items()}
    atomic_torch_save({"format": FORMAT, "version": VERSION, "state_dict": state, "meta": meta}, path)


def check_meta(path: Path, meta: Any) -> None:
    """WeightsError naming the file unless ``meta`` describes a network this package can run.

    Shared by .pt and .onnx files, and checked before any network is built, so a bad value
    fails at once instead of hanging start-up.
    """
    if not isinstance(meta, dict):
        raise WeightsError(f"{path}: metadata is missing or not a mapping")
    for key in ("arch", "classes", "input_size", "normalization"):
        if key not in meta:
            raise WeightsError(f"{path}: metadata lacks '{key}'")
    if not isinstance(meta["arch"], dict):
        raise WeightsError(f"{path}: metadata 'arch' must be a mapping, got {meta['arch']!r}")
    size = meta["input_size"]
    if not (isinstance(size, (list, tuple)) and len(size) == 2
            and all(isinstance(s, (int, float)) and not isinstance(s, bool) and s > 0 and s == int(s) for s in size)):
        raise WeightsError(f"{path}: input_size must be [height, width], got {size!r}")
    if max(size) > MAX_INPUT_SIDE:
        raise WeightsError(f"{path}: network input size {int(size[0])}x{int(size[1])} is absurd (at most "
                           f"{MAX_INPUT_SIDE} per side; the network runs small and its output is upsampled)")
    classes = meta["classes"]
    if not isinstance(classes, (list, tuple)) or len(classes) != len(CLASS_NAMES):
        raise WeightsError(f"{path}: {len(classes) if isinstance(classes, (list, tuple)) else classes!r} classes, "
                           f"this package needs {len(CLASS_NAMES)} classes ({', '.join(CLASS_NAMES)})")
    if len(classes) != int(meta["arch"].get("num_classes", -1)):
        raise WeightsError(
            f"{path}: {len(classes)} class names but the network has "
            f"{meta['arch'].get('num_classes')} outputs"
        )
    try:
        Normalization.from_dict(meta["normalization"])
    except (TypeError, ValueError, AttributeError) as exc:
        raise WeightsError(f"{path}: bad normalisation in the metadata ({one_line(exc)})") from exc


def check_finite(path: Path, tensors: dict[str, Any]) -> None:
    """WeightsError when a weight holds NaN or inf: such a network labels every frame the same, forever."""
    import numpy as np

    for name, value in tensors.items():
        array = value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else np.asarray(value)
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            raise WeightsError(f"{path}: weight '{name}' holds NaN or inf values (a diverged training run?)")


def load_weights(path: str | os.PathLike | None) -> tuple[UNet, dict]:
    """Load a weights file into a CPU model in eval mode; clear errors for every failure."""
    path = resolve_weights_path(path)
    if not path.is_file():
        raise WeightsError(f"{path}: weights file not found")
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many types for a damaged file
        raise WeightsError(f"{path}: not a readable weights file ({one_line(exc)})") from exc
    if not isinstance(blob, dict) or blob.get("format") != FORMAT:
        raise WeightsError(f"{path}: not a seasky_ros weights file (no '{FORMAT}' header)")
    if int(blob.get("version", -1)) > VERSION:
        raise WeightsError(f"{path}: format version {blob.get('version')} is newer than this package reads")
    meta = blob.get("meta")
    check_meta(path, meta)
    try:
        config = UNetConfig.from_dict(meta["arch"])
        model = UNet(config)
        model.load_state_dict(blob["state_dict"])
    except (KeyError, TypeError, ValueError, RuntimeError, AttributeError) as exc:
        raise WeightsError(f"{path}: weights do not match the stored architecture ({one_line(exc)})") from exc
    check_finite(path, blob["state_dict"])
    model.eval()
    return model, meta
