# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""seasky-bench smoke runs: the tables have their rows and the ratios are computed (no timing asserts)."""

from __future__ import annotations

import json
import math

import pytest

from seasky_ros import bench


def test_quick_inference_table(trained_weights, tmp_path, capsys):
    assert bench.main(["--quick", "--weights", str(trained_weights), "--json", str(tmp_path / "b.json"),
                       "--markdown", str(tmp_path / "b.md")]) == 0
    text = capsys.readouterr().out
    for row in ("| ours torch cpu |", "| ours onnxruntime cpu |", "| seed torch cpu | 128x160 |"):
        assert row in text
    for stage in bench.STAGES:
        assert f"| {stage} " in text
    assert "Machine:" in text and "torch" in text and "onnxruntime" in text
    assert "| >= 100x faster than the seed configuration |" in text
    report = json.loads((tmp_path / "b.json").read_text())
    assert set(report["speedup"]) == {"ours torch cpu", "ours onnxruntime cpu"}
    assert all(math.isfinite(v) and v > 0 for v in report["speedup"].values())
    assert report["default_config"] in report["speedup"]
    assert (tmp_path / "b.md").read_text() == text


def test_accuracy_rows_for_both_methods(trained_weights):
    rows = bench.bench_accuracy(str(trained_weights), synthetic_count=4, real_dir=None, log=lambda _m: None)
    assert [r["method"] for r in rows] == ["ours", "hough"]
    assert all(r["data"] == "synthetic (4)" and 0.0 <= r["detection_rate"] <= 1.0 for r in rows)


def _report(dropped: int, p95: float, ours: tuple[float, float], hough: tuple[float, float], ratio: float) -> dict:
    def acc(method, pos):
        return {"data": "real x (9)", "method": method, "position_px": {"median": pos[0], "p95": pos[1]},
                "detection_rate": 1.0}

    return {
        "node": [{"rate_hz": 30.0, "dropped": dropped, "frames_in": 100, "latency_ms": {"p95": p95}}],
        "speedup": {"ours onnxruntime cpu": ratio},
        "default_config": "ours onnxruntime cpu",
        "accuracy": [acc("ours", ours), acc("hough", hough)],
    }


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        (_report(0, 20.0, (1.0, 3.0), (30.0, 90.0), 250.0), ["PASS", "PASS", "PASS"]),
        (_report(2, 20.0, (1.0, 3.0), (0.5, 90.0), 50.0), ["FAIL", "FAIL", "FAIL"]),
        (_report(0, 40.0, (1.0, math.nan), (30.0, 90.0), math.nan), ["FAIL", "n/a", "FAIL"]),
    ],
)
def test_targets_pass_and_fail(report, expected):
    assert [t["result"] for t in bench.targets(report)] == expected
