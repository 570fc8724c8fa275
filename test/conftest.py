# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures: the real IR data beside the repo, a small model trained for real, and the segmenter node."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Ctrl-C as in a terminal, for this process and the ones it starts: a shell's background job (CI
# runners, `make test &`) inherits SIGINT ignored, and the tests that interrupt a training run with
# SIGINT would then see the run finish instead.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _import_training_from_this_checkout() -> None:
    """Make ``seasky_training`` (the installed name of training/) this checkout's, here and in subprocesses.

    A run from a checkout (PYTHONPATH=repo) has no folder of that name, and the editable install of
    another checkout sharing the venv would be imported instead: a link first on sys.path and on
    PYTHONPATH wins over installed packages.
    """
    link_dir = Path(tempfile.mkdtemp(prefix="seasky-import-"))
    atexit.register(shutil.rmtree, link_dir, ignore_errors=True)
    (link_dir / "seasky_training").symlink_to(REPO / "training", target_is_directory=True)
    sys.path.insert(0, str(link_dir))
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(link_dir), os.environ.get("PYTHONPATH", "")) if p)


_import_training_from_this_checkout()

# Fast DDS reads its default profile once per process, when the first participant is created: a
# test module that opened a participant before the node tests set this variable left every later
# participant of the run without the large shared-memory segment, and 640x512 best-effort frames
# to a node subprocess were lost (measured: 23 and 41 of 60 arrive, 60 of 60 with it set first).
# So it is set here, before any test runs; bench_transport removes it where it compares without.
os.environ.setdefault("FASTDDS_DEFAULT_PROFILES_FILE", str(REPO / "config" / "fastdds_large_frames.xml"))


def real_data_root() -> Path:
    """`../shared/data/real` beside the repo, or $SEASKY_REAL_DATA."""
    return Path(os.environ.get("SEASKY_REAL_DATA", REPO.parent / "shared" / "data" / "real"))


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The real data; skipped where it is absent, except in CI (CI=true), where its absence is a failure."""
    root = real_data_root()
    if not (root / "infml-hdd-dev" / "images").is_dir():
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(f"real IR data not found at {root}, and CI=true: CI must have it (or set SEASKY_REAL_DATA)")
        pytest.skip(f"real IR data not found at {root}")
    return root


def train_test_model(out: Path) -> Path:
    """A tiny U-Net trained for real for a few seconds on synthetic scenes (seasky-train's own code).

    Open-sea scenes only: the tests feed it open-sea frames, and 96 scenes are too few to learn
    harbours as well.
    """
    from seasky_training.train import train

    return train([
        "--synthetic", "96", "--epochs", "4", "--batch-size", "8", "--base", "6", "--depth", "3",
        "--input-size", "64x80", "--lr", "3e-3", "--workers", "0", "--no-progress",
        "--val-synthetic", "16", "--harbour-share", "0", "--out", str(out),
    ])


@pytest.fixture(scope="session")
def trained_weights(tmp_path_factory) -> Path:
    """The tiny model, trained once per session; $SEASKY_TEST_MODEL names one that train_test_model made
    earlier (tools/mutants.py trains it once for all its pytest runs)."""
    given = os.environ.get("SEASKY_TEST_MODEL")
    if given:
        return Path(given)
    return train_test_model(tmp_path_factory.mktemp("trained"))


# The segmenter node's fixtures for test_node*.py, module-scoped: each of those modules gets its own node
# and rclpy context. Their code is in node_harness.py, imported only when a test asks for one, so the other
# tests never import ROS (and a run without rclpy skips these).


@pytest.fixture(scope="module")
def scenes():
    """Rendered IR frames with their true horizons and intrinsics."""
    import node_harness

    return node_harness.make_scenes()


@pytest.fixture(scope="module")
def ros(trained_weights):
    """The segmenter node (the test model, every line kept) and a client node, spinning in a thread."""
    import node_harness

    with node_harness.running_node(trained_weights) as harness:
        yield harness


@pytest.fixture(scope="module")
def outputs(ros):
    """Every message on the node's mask, horizon and attitude topics."""
    import node_harness

    return node_harness.output_collectors(ros)


@pytest.fixture(scope="module")
def camera(ros):
    """A best-effort publisher on /image that the node has matched."""
    return ros.publisher("/image", reliable=False)


@pytest.fixture(scope="module")
def offline(trained_weights):
    """What the node must publish, computed outside ROS."""
    import node_harness

    return node_harness.offline_segmenter(trained_weights)
