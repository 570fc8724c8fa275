# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Short names for the shipped weights on the training command lines.

A fine-tune starts from the shipped weights and is judged against them, so typing their
installed path (somewhere in site-packages or a colcon install tree) should not be needed:
``seasky-train --init shipped``, ``seasky-eval --weights shipped`` (float32) or
``shipped-int8`` (the quantised model a CPU runs by default).
"""

from __future__ import annotations

from pathlib import Path

from seasky_ros.weights import default_int8_path, default_weights_path

NAMES = {"shipped": default_weights_path, "shipped-int8": default_int8_path}


def resolve_named(value: str | Path | None) -> str | Path | None:
    """'shipped' / 'shipped-int8' -> that file's path; anything else (a path, None) unchanged."""
    if value is not None and str(value) in NAMES:
        return NAMES[str(value)]()
    return value
