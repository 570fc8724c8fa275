# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The node's parameters turned into a configured ``Segmenter``: one recipe for the node and ``seasky-bag``.

An offline run of a bag then behaves exactly like the node started with the same parameter file.
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

from .attitude import DEFAULT_SIGMA_DEG, AttitudeSettings
from .horizon import DEFAULT_MIN_CONFIDENCE, DEFAULT_SETTINGS
from .horizon_zoom import DEFAULT_HORIZON_ZOOM, check_zoom
from .interface import NODE_NAME, PARAMS_FILE, shipped_config
from .preprocess import Normalization
from .roll_search import DEFAULT_ROLL_SEARCH, check_mode

MAX_HAZY_OFFSET_PX = 5.0
"""Largest ``horizon_hazy_offset_px``: a haze peak more than a few px above the horizon is no edge to go by."""


class ParameterError(ValueError):
    """A parameter value or parameter file the node would refuse; the message says which and why."""


def parse_auto_bool(value: Any, name: str) -> bool | None:
    """'auto' -> None (the Segmenter decides: e.g. fp16 exactly for torch on CUDA); true/false as given."""
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("auto", ""):
        return None
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ParameterError(f"{name} must be auto, true or false, got '{value}'")


def node_parameters(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """The node's parameters from a ROS params file (default: the shipped one), as rclpy reads them.

    Sections ``/**`` and ``seasky_segmenter`` apply (the latter wins); nested names are dotted.
    No shipped default file (an unusual install) gives {}.
    """
    from rclpy.parameter import parameter_dict_from_yaml_file, parameter_value_to_python

    if path is None:
        try:
            path = shipped_config(PARAMS_FILE)
        except FileNotFoundError:
            return {}
    try:
        found = parameter_dict_from_yaml_file(str(path), use_wildcard=True, target_nodes=[NODE_NAME])
    except Exception as exc:  # OSError, yaml.YAMLError, RuntimeError: not a ROS parameter file
        raise ParameterError(f"{path}: cannot read the parameter file ({' '.join(str(exc).split())})") from exc
    return {name: parameter_value_to_python(msg.value) for name, msg in found.items()}


def load_segmenter(params: Mapping[str, Any]):
    """The Segmenter of the node's read-only parameters (weights, device, backend, half, int8, threads)."""
    from .segmenter import Segmenter

    seg = Segmenter.from_file(
        params.get("weights") or None,
        device=str(params.get("device") or "auto"),
        backend=str(params.get("backend") or "auto"),
        half=parse_auto_bool(params.get("half", "auto"), "half"),
        threads=int(params.get("threads") or 0) or None,
        int8=parse_auto_bool(params.get("int8", "auto"), "int8"),
    )
    seg.track_roll = True  # the node and seasky-bag segment streams: the last frame's roll is the first guess
    return seg


def apply_live_parameters(seg, params: Mapping[str, Any]) -> None:
    """What may change while the node runs: gray window, the horizon's confidence, placement, roll search, zoom."""
    norm = seg.normalization
    low = float(params.get("normalization.low_pct", norm.low_pct))
    high = float(params.get("normalization.high_pct", norm.high_pct))
    if not low < high:
        raise ParameterError(f"normalization.low_pct ({low}) must be below normalization.high_pct ({high})")
    seg.normalization = Normalization(low, high, norm.mean, norm.std)
    seg.min_horizon_confidence = float(params.get("min_horizon_confidence", DEFAULT_MIN_CONFIDENCE))
    set_hazy_offset(seg, float(params.get("horizon_hazy_offset_px", DEFAULT_SETTINGS.hazy_peak_offset_px)))
    set_roll_search(seg, str(params.get("horizon_roll_search", DEFAULT_ROLL_SEARCH)))
    set_horizon_zoom(seg, float(params.get("horizon_zoom", DEFAULT_HORIZON_ZOOM)))


def roll_search_mode(value: str) -> str:
    """A ``horizon_roll_search`` value as the segmenter takes it (upright, auto or full); ParameterError otherwise."""
    try:
        return check_mode(value.strip().lower())
    except ValueError as exc:
        raise ParameterError(str(exc)) from None


def set_roll_search(seg, mode: str) -> None:
    """``horizon_roll_search``: upright, auto or full (``seasky_ros.roll_search``)."""
    seg.roll_search = roll_search_mode(mode)


def set_horizon_zoom(seg, zoom: float) -> None:
    """``horizon_zoom``: the finer second pass on the found line's band (``seasky_ros.horizon_zoom``)."""
    try:
        seg.horizon_zoom = check_zoom(zoom)
    except ValueError as exc:
        raise ParameterError(str(exc)) from None


def set_hazy_offset(seg, offset: float) -> None:
    """``horizon_hazy_offset_px``: where the segmenter's horizon stage places a hazy horizon."""
    if not (math.isfinite(offset) and 0.0 <= offset <= MAX_HAZY_OFFSET_PX):
        raise ParameterError(f"horizon_hazy_offset_px ({offset}) must be in 0..{MAX_HAZY_OFFSET_PX}")
    seg.horizon_settings = dataclasses.replace(seg.horizon_settings, hazy_peak_offset_px=offset)


# the attitude parameters' ranges: the node declares them, attitude_settings checks a params file by them
CAMERA_HEIGHT_RANGE_M = (0.0, 10000.0)
ATTITUDE_SIGMA_RANGE_DEG = (0.0, 10.0)


def descriptor(description: str, *, read_only: bool = False, float_range: tuple[float, float] | None = None,
               int_range: tuple[int, int] | None = None, dynamic_typing: bool = False):
    """A ROS ParameterDescriptor with its range, as the node and its IMU input declare their parameters."""
    from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor

    out = ParameterDescriptor(description=description, read_only=read_only, dynamic_typing=dynamic_typing)
    if float_range is not None:
        out.floating_point_range = [FloatingPointRange(from_value=float(float_range[0]),
                                                       to_value=float(float_range[1]), step=0.0)]
    if int_range is not None:
        out.integer_range = [IntegerRange(from_value=int(int_range[0]), to_value=int(int_range[1]), step=1)]
    return out


def attitude_settings(params: Mapping[str, Any]) -> AttitudeSettings:
    """The attitude's parameters (``imu_input``) as ``AttitudeSettings``; absent ones take the defaults.

    The mount may come as a list (a params file) or an ``array.array`` (a live ``set_parameters``).
    """
    mount = params.get("camera_mount_rpy_deg", [0.0, 0.0, 0.0])
    values = list(mount) if isinstance(mount, Sequence) and not isinstance(mount, (str, bytes)) else []
    if len(values) != 3 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                                   for v in values):
        raise ParameterError(f"camera_mount_rpy_deg must be three finite numbers [roll, pitch, yaw] in degrees, "
                             f"got {list(values) if values else mount}")
    numbers = {}
    for name, default, (low, high) in (("camera_height_m", 0.0, CAMERA_HEIGHT_RANGE_M),
                                       ("attitude_sigma_deg", DEFAULT_SIGMA_DEG, ATTITUDE_SIGMA_RANGE_DEG)):
        value = params.get(name, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise ParameterError(f"{name} must be a number in {low:g}..{high:g}, got {value!r}")
        numbers[name] = float(value)
    return AttitudeSettings(tuple(float(v) for v in values), numbers["camera_height_m"],
                            numbers["attitude_sigma_deg"])


def segmenter_from_parameters(params: Mapping[str, Any]):
    """A Segmenter configured as the node configures its own from the same parameters."""
    seg = load_segmenter(params)
    apply_live_parameters(seg, params)
    return seg


def params_file_problem(args: list[str]) -> str | None:
    """Why a ``--params-file`` of the command line cannot be read (rcl would raise a long traceback)."""
    import yaml

    for flag, value in zip(args, args[1:], strict=False):
        if flag != "--params-file":
            continue
        try:
            with open(value) as f:
                yaml.safe_load(f)
        except OSError as exc:
            return f"--params-file {value}: {exc.strerror or exc}"
        except yaml.YAMLError as exc:
            return f"--params-file {value}: not valid YAML ({' '.join(str(exc).split())})"
    return None
