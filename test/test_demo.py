# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The main job end to end: sample bag -> node over real DDS -> summary, overlay PNG and GIF."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("rclpy")

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.ros
def test_demo_runs_end_to_end(tmp_path, trained_weights):
    out = tmp_path / "demo"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    env.pop("SEASKY_DEMO_DOMAIN_ID", None)
    run = subprocess.run(
        [sys.executable, "-m", "seasky_ros.demo", "--frames", "45", "--out", str(out), "--weights",
         str(trained_weights), "--launch", "no"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=240,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    summary = (out / "summary.md").read_text()
    assert summary in run.stdout
    frames_in = int(re.search(r"frames in: (\d+)", summary).group(1))
    frames_out = int(re.search(r"frames out: (\d+)", summary).group(1))
    assert frames_in == 45 and 0 < frames_out <= frames_in
    assert re.search(r"latency, input stamp to horizon received: p50 [\d.]+ ms, p95 [\d.]+ ms", summary)
    assert re.search(r"position median [\d.]+ px, p95 [\d.]+ px; angle median [\d.]+ deg", summary)
    for name in ("overlay.png", "overlay.gif", "sample_bag/metadata.yaml", "run/node.log"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    assert "exit code 0" in summary  # the node went down cleanly on SIGINT


def test_demo_fails_when_the_node_cannot_start(tmp_path):
    """A node that dies at start-up (missing weights) is reported, with its log, as a failure."""
    out = tmp_path / "demo"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    run = subprocess.run(
        [sys.executable, "-m", "seasky_ros.demo", "--frames", "3", "--out", str(out), "--weights",
         str(tmp_path / "missing.pt"), "--launch", "no"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 1
    assert "missing.pt" in run.stdout and "weights file not found" in run.stdout
