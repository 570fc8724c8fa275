"""Shared fixtures: the real IR data beside the repo, and a small model trained for real."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def real_data_root() -> Path:
    """`../shared/data/real` beside the repo, or $SEASKY_REAL_DATA."""
    return Path(os.environ.get("SEASKY_REAL_DATA", REPO.parent / "shared" / "data" / "real"))


@pytest.fixture(scope="session")
def real_data() -> Path:
    root = real_data_root()
    if not (root / "infml-hdd-dev" / "images").is_dir():
        pytest.skip(f"real IR data not found at {root}")
    return root
