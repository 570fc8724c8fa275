# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""``seasky-bench``'s report: the README's targets judged PASS / FAIL, and the Markdown tables.

Kept apart from the measuring (``bench``) so that what a figure is judged against is read in
one place, and can be tested on made-up reports without running anything.
"""

from __future__ import annotations

import math

TARGET_SPEEDUP = 100.0
TARGET_P95_MS = 33.0
TARGET_HORIZON_P95_MS = 3.0  # issue 16: the horizon stage alone, at 640x512 on this CPU


def _f(value: float, digits: int = 1) -> str:
    return "n/a" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def node_params_label(params: dict | None) -> str:
    """``name=value`` of the node parameters a run set beyond the shipped configuration; "shipped" for none."""
    return ", ".join(f"{k}={v}" for k, v in sorted((params or {}).items())) or "shipped"


def targets(report: dict) -> list[dict]:
    """The README's targets with the measured value and PASS / FAIL (n/a when not run).

    The 30 Hz target is judged for every parameter set the node ran with (``--node-param``), so a
    setting such as ``horizon_zoom=1.75`` gets its own verdict beside the shipped configuration's.
    """
    out = []
    name = f"node keeps up with 30 Hz at 640x512 (0 drops, p95 < {TARGET_P95_MS:g} ms)"
    runs30 = [r for r in report.get("node", []) if r["rate_hz"] == 30]
    if not runs30:
        out.append({"target": name, "measured": "not run", "result": "n/a"})
    for node30 in runs30:
        p95 = node30["latency_ms"]["p95"]
        ok = node30["dropped"] == 0 and math.isfinite(p95) and p95 < TARGET_P95_MS
        params = node30.get("params")
        out.append({
            "target": name + (f" with {node_params_label(params)}" if params else ""),
            "measured": f"{node30['dropped']} dropped of {node30['frames_in']}, p95 {_f(p95)} ms",
            "result": "PASS" if ok else "FAIL",
        })
    default = next((r for r in report.get("inference", []) if r["label"] == report.get("default_config")), None)
    name = f"horizon stage p95 <= {TARGET_HORIZON_P95_MS:g} ms at 640x512 ({report.get('default_config', '?')})"
    if default is None:
        out.append({"target": name, "measured": "not run", "result": "n/a"})
    else:
        horizon, turned = default["horizon_one_pass_ms"], default["turned_frames"]
        every = default["ms"]["horizon"]
        out.append({
            "target": name,
            "measured": f"p95 {_f(horizon['p95'], 2)} ms (mean {_f(horizon['mean'], 2)}, {horizon['frames']} frames of "
                        f"one search; with the {turned} frames the roll search also turned: p95 {_f(every['p95'], 2)})",
            "result": "PASS" if horizon["p95"] <= TARGET_HORIZON_P95_MS else "FAIL",
        })
    from .backends import MIN_INT8_AGREEMENT

    agreement = default.get("int8_agreement") if default else None
    name = f"int8 keeps >= {MIN_INT8_AGREEMENT:.0%} of the float32 labels on this CPU"
    if agreement is None:
        out.append({"target": name, "measured": "no int8 model in the default configuration", "result": "n/a"})
    else:
        out.append({"target": name, "measured": f"{agreement:.2%} of the pixels of {default['frames']} frames",
                    "result": "PASS" if agreement >= MIN_INT8_AGREEMENT else "FAIL"})
    ratio = report.get("speedup", {}).get(report.get("default_config", ""), math.nan)
    out.append({
        "target": f">= {TARGET_SPEEDUP:g}x faster than the seed configuration",
        "measured": f"{_f(ratio)}x ({report.get('default_config', '?')})" if math.isfinite(ratio) else "not run",
        "result": "n/a" if not math.isfinite(ratio) else ("PASS" if ratio >= TARGET_SPEEDUP else "FAIL"),
    })
    real = [r for r in report.get("accuracy", []) if r["data"].startswith("real")]
    ours = next((r for r in real if r["method"] == "ours"), None)
    hough = next((r for r in real if r["method"] == "hough"), None)
    if ours is None or hough is None:
        out.append({"target": "more accurate than Hough on real frames", "measured": "no real data", "result": "n/a"})
    else:
        better = (
            _lt(ours["position_px"]["median"], hough["position_px"]["median"])
            and _lt(ours["position_px"]["p95"], hough["position_px"]["p95"])
            and ours["detection_rate"] >= hough["detection_rate"]
        )
        out.append({
            "target": "more accurate than Hough on real frames (median and p95 position, detection)",
            "measured": f"ours {_f(ours['position_px']['median'])}/{_f(ours['position_px']['p95'])} px, "
            f"Hough {_f(hough['position_px']['median'])}/{_f(hough['position_px']['p95'])} px",
            "result": "PASS" if better else "FAIL",
        })
    return out


def _lt(a: float, b: float) -> bool:
    """a < b, where a missing b (NaN: never detected) counts as worse than any number."""
    if not math.isfinite(a):
        return False
    return not math.isfinite(b) or a < b


def render(report: dict) -> str:
    """The whole report as Markdown (also what is printed)."""
    lines = ["# seasky-bench", ""]
    machine = report["machine"]
    lines += [f"Machine: {machine['cpu']}, {machine['cores']} cores; torch {machine['torch']}, "
              f"onnxruntime {machine['onnxruntime']}, OpenCV {machine['opencv']}"
              + (f"; GPU {machine['gpu']}" if "gpu" in machine else ""), ""]
    lines += [f"Weights: {report['weights']}", ""]
    if report.get("inference"):
        lines += ["## Inference, 640x512 mono16 frames (ms per frame: mean / p50 / p95)", ""]
        stages = list(report["inference"][0]["ms"])
        rows = []
        for row in report["inference"]:
            cells = [row["label"], row["input_size"], str(row["frames"])]
            cells += [" / ".join(_f(row["ms"][s][k]) for k in ("mean", "p50", "p95")) for s in stages]
            ratio = report["speedup"].get(row["label"])
            cells.append("1x (reference)" if row["seed"] else f"{_f(ratio)}x")
            rows.append(cells)
        lines += _table(["configuration", "network input", "frames", *stages, "speed-up vs seed"], rows)
        lines += [""] + [f"- {note}" for note in report.get("notes", [])]
        if report.get("overlay_ms"):
            overlay = report["overlay_ms"]
            lines.append("- overlay (rendered only while ~/overlay has subscribers): "
                         + " / ".join(_f(overlay[k]) for k in ("mean", "p50", "p95")) + " ms per frame")
        lines += [""]
    if report.get("node"):
        lines += ["## Node end to end over DDS, 640x512 mono16", ""]
        rows = [[
            f"{r['rate_hz']:g} Hz", node_params_label(r.get("params")), str(r["frames_in"]), str(r["frames_out"]),
            _f(r["output_over_input"], 3),
            str(r["dropped"]), " / ".join(_f(r["latency_ms"][q]) for q in ("p50", "p95", "p99")),
            f"{_f(r['node_cpu_idle_pct'], 0)} / {_f(r['node_cpu_run_pct'], 0)}",
            f"{_f(r['node_rss_start_mb'], 0)} -> {_f(r['node_rss_end_mb'], 0)}",
            f"{_f(r['system_cpu_pct'], 0)} / {_f(r['load_avg_1min'], 1)}",
        ] for r in report["node"]]
        lines += _table(["input rate", "node parameters", "frames in", "frames out", "out/in", "dropped",
                         "latency p50/p95/p99 ms", "node CPU % idle / run", "node RSS MB start -> end",
                         "machine CPU % / load avg"], rows)
        lines += ["", "Latency: input header stamp (wall clock at publication) to receipt of the horizon message. "
                  "Node CPU: 100 % = one core. Machine CPU and load average show competing work: on a shared "
                  "machine, rerun when it is quiet.", ""]
    if report.get("transport"):
        lines += ["## Large frames between processes, best effort, 640x512 mono16", ""]
        rows = [[("with" if r["publisher_profile"] else "without") + " config/fastdds_large_frames.xml",
                 f"{r['rate_hz']:g} Hz", f"{r['received']} / {r['sent']}"] for r in report["transport"]]
        lines += _table(["publisher", "rate", "frames received / sent"], rows) + [""]
    if report.get("accuracy"):
        lines += ["## Horizon accuracy against the Canny + Hough baseline", ""]
        rows = [[
            r["data"], r["method"], _f(r["position_px"]["median"], 2), _f(r["position_px"]["p95"], 2),
            _f(r["angle_deg"]["median"], 2), _f(r["angle_deg"]["p95"], 2), _f(r["detection_rate"], 3),
            str(r["false_detections"]),
        ] for r in report["accuracy"]]
        lines += _table(["data", "method", "position median px", "position p95 px", "angle median deg",
                         "angle p95 deg", "detection rate", "false detections"], rows)
        lines += [""]
    lines += ["## Targets", ""]
    rows = [[t["target"], t["measured"], t["result"]] for t in report["targets"]]
    lines += _table(["target", "measured", "result"], rows)
    return "\n".join(lines) + "\n"
