# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""``seasky-bench``: the numbers behind the README's claims, measured on this machine.

Three parts, one run:

1. Inference: ms per 640x512 mono16 frame for each stage (preprocess, network, upsample,
   horizon) with every backend (torch, ONNX Runtime) on every device present, next to the
   seed's configuration (U-Net base 64 depth 4 at full resolution, in torch) -> speed-up.
2. Node end to end over DDS: a player process publishes frames at 30 Hz and 60 Hz into the
   running node; output/input rate, drops, latency (input stamp -> output receipt), CPU and
   resident memory of the node process before and after (growth shows leaks; use a large
   ``--node-frames`` for a soak run). ``--node-param NAME=VALUE`` adds a run with those node
   parameters after the shipped configuration's at each rate: whether a setting (say
   ``horizon_zoom``) fits this machine is read off two rows measured side by side.
3. Accuracy against a classical Canny + Hough detector (``hough_baseline``) on the same
   frames: synthetic held-out scenes and, when present, real labelled IR frames.

Each target is printed with PASS/FAIL. This is a measurement tool, not a test: nothing
fails when a target is missed, the table says so.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .bench_report import node_params_label, render, targets
from .stream_stats import percentile

STAGES = ("preprocess", "network", "upsample", "horizon", "total")
FRAME_HW = (512, 640)
REAL_ENV = "SEASKY_REAL_DATA"  # the real-data root, as the tests read it
REAL_SET = "infml-hdd-dev"  # the labelled real frames under it that the accuracy rows use


def default_real_dir() -> Path | None:
    """``$SEASKY_REAL_DATA/infml-hdd-dev`` when the variable is set (an installed package knows no data path)."""
    root = os.environ.get(REAL_ENV)
    return Path(root) / REAL_SET if root else None


@dataclass
class InferenceRow:
    """Timings of one configuration; ``stages`` maps a stage to its per-frame times in ms."""

    label: str
    backend: str
    device: str
    input_size: str
    frames: int
    stages: dict[str, list[float]] = field(default_factory=dict)
    seed: bool = False
    passes: list[int] = field(default_factory=list)  # network passes a frame (roll search: > 1 where turned)
    labels: list[np.ndarray] = field(default_factory=list, repr=False)  # per frame, until compared
    int8_agreement: float | None = None  # int8 rows: share of pixels labelled as float32 labels them here

    def stat(self, stage: str, kind: str) -> float:
        values = self.stages.get(stage, [])
        if not values:
            return math.nan
        if kind == "mean":
            return float(np.mean(values))
        return percentile(values, {"p50": 50, "p95": 95}[kind])

    def to_json(self) -> dict:
        return {
            "label": self.label,
            "backend": self.backend,
            "device": self.device,
            "input_size": self.input_size,
            "frames": self.frames,
            "seed": self.seed,
            "ms": {s: {k: self.stat(s, k) for k in ("mean", "p50", "p95")} for s in STAGES},
            "turned_frames": sum(p > 1 for p in self.passes),
            "horizon_one_pass_ms": self.one_pass_horizon(),
            "int8_agreement": self.int8_agreement,
        }

    def one_pass_horizon(self) -> dict[str, float]:
        """The horizon stage on the frames the roll search left alone: one search a frame."""
        one = [t for t, p in zip(self.stages.get("horizon", []), self.passes, strict=False) if p == 1]
        return {"mean": float(np.mean(one)) if one else math.nan, "p95": percentile(one, 95) if one else math.nan,
                "frames": len(one)}


def machine_info() -> dict[str, str]:
    """CPU model, cores and library versions, printed with every result."""
    info = {"python": platform.python_version(), "platform": platform.platform()}
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info["cpu"] = model
    info["cores"] = str(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count())
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_threads"] = str(torch.get_num_threads())
        if torch.cuda.is_available():
            info["gpu"] = torch.cuda.get_device_name(0)
    except ImportError:
        info["torch"] = "not installed"
    try:
        import onnxruntime

        info["onnxruntime"] = onnxruntime.__version__
    except ImportError:
        info["onnxruntime"] = "not installed"
    import cv2

    info["opencv"] = cv2.__version__
    return info


def synthetic_frames(count: int, seed: int, height: int = FRAME_HW[0], width: int = FRAME_HW[1],
                     encoding: str | None = None) -> list:
    """Held-out synthetic scenes (seeds far from training's) with their true horizons.

    With ``encoding``, scenes rendered in another pixel format are passed over.
    """
    from .synthetic import generate_frame

    frames = []
    index = seed
    while len(frames) < count:
        frame = generate_frame(index, height=height, width=width)
        index += 1
        if encoding is None or frame.encoding == encoding:
            frames.append(frame)
    return frames


def devices_present() -> list[str]:
    try:
        import torch

        return ["cpu", "cuda:0"] if torch.cuda.is_available() else ["cpu"]
    except ImportError:
        return ["cpu"]


def time_segmenter(seg, frames: list[tuple[np.ndarray, str]], label: str, input_size: str,
                   seed: bool = False) -> InferenceRow:
    """Per-stage times of ``seg`` on (image, encoding) frames."""
    row = InferenceRow(label, seg.backend, seg.device, input_size, len(frames), {s: [] for s in STAGES}, seed)
    for image, encoding in frames:
        result = seg.segment(image, encoding)
        for stage in STAGES:
            row.stages[stage].append(float(result.timings_ms[stage]))
        row.passes.append(result.network_passes)
        row.labels.append(result.labels)
    return row


def bench_inference(
    weights: str | None,
    frames: list[tuple[np.ndarray, str]],
    seed_frames: int,
    seed_size: tuple[int, int],
    log=print,
    threads: int | None = None,
    seed_warmup: int = 1,
) -> tuple[list[InferenceRow], list[str]]:
    """Our weights with each backend and device, then the seed's configuration.

    Every configuration first runs on one real frame untimed (allocations, kernel choice).
    """
    from .segmenter import Segmenter

    rows: list[InferenceRow] = []
    notes: list[str] = []
    for device in devices_present():
        # float32 in both runtimes, then the default (the shipped int8 model where ORT runs on a CPU)
        for backend, int8 in (("torch", False), ("onnxruntime", False), ("onnxruntime", None)):
            try:
                seg = Segmenter.from_file(weights, device=device, backend=backend, threads=threads, int8=int8)
            except Exception as exc:  # e.g. onnxruntime without a CUDA provider
                notes.append(f"{backend} on {device} skipped: {exc}")
                continue
            if int8 is None and not seg.int8:
                continue  # the default is one of the float32 rows already
            size = f"{seg.input_size[0]}x{seg.input_size[1]}"
            log(f"inference: {config_label(seg)}, {len(frames)} frames")
            seg.segment(*frames[0])
            rows.append(time_segmenter(seg, frames, config_label(seg), size))
            if seg.int8:  # the same frames as the float32 ONNX Runtime row: does int8 run right on this CPU?
                float_row = next((r for r in rows[:-1] if r.backend == "onnxruntime" and r.device == device), None)
                if float_row is not None:
                    rows[-1].int8_agreement = float(np.mean([np.mean(a == b) for a, b in
                                                             zip(rows[-1].labels, float_row.labels, strict=True)]))
    for row in rows:
        row.labels.clear()
    if seed_frames > 0:
        log(f"inference: seed configuration at {seed_size[0]}x{seed_size[1]}, {seed_frames} frame(s) (slow)")
        rows.append(bench_seed(frames[:seed_frames], seed_size, threads, seed_warmup))
        if tuple(seed_size) != FRAME_HW:
            notes.append(f"seed timed at {seed_size[0]}x{seed_size[1]}, not the full 512x640: "
                         "the ratio is not the real one")
    return rows, notes


def time_overlay(seg, frames: list[tuple[np.ndarray, str]]) -> dict[str, float]:
    """ms per frame (mean / p50 / p95) to render ``~/overlay`` (tint and horizon), as the node does."""
    from .outputs import overlay_image

    times = []
    for image, encoding in frames:
        result = seg.segment(image, encoding)
        start = time.perf_counter()
        overlay_image(image, encoding, result, seg.normalization)
        times.append((time.perf_counter() - start) * 1e3)
    return {"mean": float(np.mean(times)), "p50": percentile(times, 50), "p95": percentile(times, 95)}


def config_label(seg) -> str:
    """'ours <backend> <device>[ int8]': how a configuration is named in the tables."""
    return f"ours {seg.backend} {seg.device}" + (" int8" if seg.int8 else "")


def bench_seed(frames: list[tuple[np.ndarray, str]], size_hw: tuple[int, int], threads: int | None = None,
               warmup: int = 1) -> InferenceRow:
    """The seed network (untrained weights: timing only) at full resolution in torch on the CPU."""
    import cv2

    from .model import SEED_CONFIG, UNet
    from .preprocess import Normalization
    from .segmenter import Segmenter
    from .weights import build_meta, save_weights

    with tempfile.TemporaryDirectory(prefix="seasky-seed-") as tmp:
        path = Path(tmp) / "seed.pt"
        save_weights(path, UNet(SEED_CONFIG), build_meta(SEED_CONFIG, size_hw, Normalization()))
        seg = Segmenter.from_file(path, device="cpu", backend="torch", warmup=warmup, threads=threads)
    h, w = size_hw
    if (h, w) != FRAME_HW:
        frames = [(cv2.resize(image, (w, h), interpolation=cv2.INTER_AREA), enc) for image, enc in frames]
    return time_segmenter(seg, frames, "seed torch cpu", f"{h}x{w}", seed=True)


def speedups(rows: list[InferenceRow]) -> dict[str, float]:
    """Seed total ms / our total ms (means), per configuration of ours."""
    seed = next((r for r in rows if r.seed), None)
    if seed is None:
        return {}
    return {r.label: seed.stat("total", "mean") / r.stat("total", "mean") for r in rows if not r.seed}


# ---------------------------------------------------------------------------------------- node over DDS


def bench_node(
    weights: str | None, frames: int, rates: list[float], work: Path, use_launch: bool | None, log=print,
    variant: dict[str, object] | None = None,
) -> list[dict]:
    """One fresh node per rate, fed from a sample bag by a player process; see ``live.run_live``.

    With ``variant`` (node parameters), each rate runs twice on the same bag, the shipped
    configuration first and then the variant, so the two rows differ in the parameters alone.
    """
    from .bag_sample import make_sample
    from .live import beyond_launch, run_live

    bag = work / "bench_bag"
    base_rate = 30.0
    make_sample(bag, frames=frames, rate_hz=base_rate, seed=7, progress=False, overwrite=True)
    base = {"weights": weights} if weights else {}
    if use_launch is None and beyond_launch(variant):
        use_launch = False  # ros2 launch cannot pass them: both rows of a pair start the same way
    rows = []
    for rate in rates:
        for extra in ([{}, variant] if variant else [{}]):
            label = node_params_label(extra)
            log(f"node ({label}): {frames} frames of 640x512 mono16 at {rate:g} Hz over DDS")
            folder = work / (f"node_{rate:g}hz" + ("_variant" if extra else ""))
            live = run_live(bag, folder, rate_scale=rate / base_rate, node_params={**base, **extra} or None,
                            use_launch=use_launch, log=lambda _msg: None)
            lat = live.latencies_ms
            rows.append({
                "rate_hz": rate,
                "params": dict(extra),
                "frames_in": live.frames_in,
                "frames_out": live.frames_out,
                "dropped": live.drops,
                "input_rate_hz": live.input_rate_hz,
                "output_rate_hz": live.output_rate_hz,
                "output_over_input": live.frames_out / live.frames_in if live.frames_in else math.nan,
                "latency_ms": {q: percentile(lat, p) for q, p in (("p50", 50), ("p95", 95), ("p99", 99))},
                "node_cpu_idle_pct": live.node_cpu_idle_pct,
                "node_cpu_run_pct": live.node_cpu_run_pct,
                "node_rss_start_mb": live.node_rss_start_mb,
                "node_rss_end_mb": live.node_rss_end_mb,
                "player_late_ms_max": live.player_late_ms_max,
                "node_command": live.node_command,
                "system_cpu_pct": live.system_cpu_pct,
                "load_avg_1min": live.load_avg_1min,
            })
    return rows


def parse_node_params(items: list[str], known: dict[str, object] | None = None) -> dict[str, object]:
    """``NAME=VALUE`` pairs -> node parameters of the type the node declares them with.

    ``known`` is the shipped parameter file's values (default: read it). A name it lacks is a typo,
    and a value of another type would stop the node at start-up (``horizon_zoom=2`` is an integer
    to ROS, the parameter a double), so both fail here, before any node runs. Without ``known``
    (no shipped file, no rclpy to read it) the value is read as YAML and strings stay strings.
    """
    if not items:
        return {}
    if known is None:
        known = shipped_node_parameters()
    out: dict[str, object] = {}
    for item in items:
        name, sep, text = item.partition("=")
        name, text = name.strip(), text.strip()
        if not sep or not name or not text:
            raise ValueError(f"--node-param {item!r}: expected NAME=VALUE, e.g. horizon_zoom=1.75")
        if known and name not in known:
            raise ValueError(f"--node-param {name}: not a node parameter (known: {', '.join(sorted(known))})")
        out[name] = _typed(name, text, known.get(name))
    return out


def shipped_node_parameters() -> dict[str, object]:
    """The shipped parameter file's values; {} where rclpy (which reads it) is missing."""
    try:
        from .params import node_parameters

        return node_parameters()
    except ImportError:
        return {}


def _typed(name: str, text: str, shipped: object) -> object:
    """``text`` as a value of ``shipped``'s type; ValueError naming both where it is not one."""
    import yaml

    if isinstance(shipped, str):
        return text  # a string parameter takes the text as written ("off" stays "off")
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        value = text
    if isinstance(shipped, bool):
        ok = isinstance(value, bool)
    elif isinstance(shipped, float):
        try:
            value = float(text) if not isinstance(value, bool) else None
        except ValueError:
            value = None
        ok = value is not None
    elif isinstance(shipped, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:  # unknown parameter file: keep plain scalars, anything else (a date, a list) as its text
        ok = True
        if not isinstance(value, (bool, int, float, str)) or value is None:
            value = text
    if not ok:
        raise ValueError(f"--node-param {name}={text}: the node declares {name} as "
                         f"{type(shipped).__name__} (shipped value {shipped!r})")
    return value


# ---------------------------------------------------------------------------------------- accuracy


def bench_accuracy(weights: str | None, synthetic_count: int, real_dir: Path | None, log=print) -> list[dict]:
    """Our segmenter and the Hough baseline on the same frames; one row per (data, method)."""
    from .horizon import horizon_from_points
    from .hough_baseline import detect_horizon
    from .metrics import HorizonTally
    from .segmenter import Segmenter

    seg = Segmenter.from_file(weights)
    sets: list[tuple[str, list[tuple[np.ndarray, str | None, tuple | None, bool]]]] = []
    if synthetic_count > 0:
        frames = synthetic_frames(synthetic_count, seed=900_000)
        sets.append((f"synthetic ({synthetic_count})", [(f.image, f.encoding, f.horizon, True) for f in frames]))
    if real_dir is not None:
        real = real_frames(real_dir)
        first_val, seen = training_use(seg.meta, real_dir)
        label = f"real {real_dir.name}"
        if seen and first_val is not None:
            kept = [item for stem, item in real if stem >= first_val]
            label += f", held-out tail of the training split ({len(kept)} of {len(real)} frames)"
            real = kept
        elif seen:
            label += f" ({len(real)} frames, ALL SEEN IN TRAINING)"
            real = [item for _, item in real]
        else:
            label += f" ({len(real)} frames)"
            real = [item for _, item in real]
        if real:
            sets.append((label, real))
    rows = []
    for name, items in sets:
        log(f"accuracy: {name}")
        tallies = {"ours": HorizonTally(), "hough": HorizonTally()}
        for image, encoding, line, labelled in items:
            if not labelled:
                continue
            height, width = image.shape[:2]
            truth = horizon_from_points(*line, width=width, height=height) if line is not None else None
            tallies["ours"].update(truth, seg.segment(image, encoding).horizon, width, height)
            tallies["hough"].update(truth, detect_horizon(image, encoding), width, height)
        for method, tally in tallies.items():
            summary = tally.summary()
            rows.append({
                "data": name,
                "method": method,
                "position_px": {k: summary["position_px"][k] for k in ("median", "p95")},
                "angle_deg": {k: summary["angle_deg"][k] for k in ("median", "p95")},
                "detection_rate": summary["detection_rate"],
                "false_detections": summary["false_detections"],
                "frames": summary["frames_with_horizon"] + summary["frames_without_horizon"],
            })
    return rows


def real_frames(root: Path) -> list[tuple[str, tuple[np.ndarray, str | None, tuple | None, bool]]]:
    """(stem, (image, encoding, horizon points, labelled)) of a dataset folder with a horizon.csv."""
    from .dataset_folder import DatasetFolder

    folder = DatasetFolder(root)
    out = []
    for i in range(len(folder)):
        item = folder[i]
        out.append((item.stem, (item.image, None, item.horizon, bool(item.has_horizon_label))))
    return out


def training_use(meta: dict, root: Path) -> tuple[str | None, bool]:
    """Whether the weights were trained on ``root`` (by folder name), and the first stem of its held-out tail.

    ``seasky-train --data DIR`` splits a folder in time order and records the first validation
    stem; frames from there on were never trained on.
    """
    for entry in meta.get("provenance", {}).get("data", []):
        source = str(entry.get("source", ""))
        if source in ("", "synthetic") or entry.get("use") == "validation":
            continue
        if Path(source).name == Path(root).name:
            return entry.get("first_val_stem"), True
    return None, False


def _size(text: str) -> tuple[int, int]:
    h, w = text.lower().split("x")
    return int(h), int(w)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="seasky-bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--weights", default=None, help="weights file (default: the shipped seasky_lite.pt)")
    p.add_argument("--frames", type=int, default=50, help="frames per inference configuration")
    p.add_argument("--seed-frames", type=int, default=2, help="frames for the seed configuration (~6 s each)")
    p.add_argument("--seed-size", type=_size, default=FRAME_HW, help="seed input HxW (default 512x640)")
    p.add_argument("--node-frames", type=int, default=300, help="frames per node run (raise for a soak run)")
    p.add_argument("--transport-frames", type=int, default=240,
                   help="frames per run of the transport check (with and without the Fast DDS profile)")
    p.add_argument("--rates", type=float, nargs="+", default=[30.0, 60.0], help="input rates of the node runs")
    p.add_argument("--node-param", action="append", default=[], metavar="NAME=VALUE",
                   help="also run the node with this parameter (repeatable), after the shipped configuration at "
                        "each rate: e.g. horizon_zoom=1.75 to see whether it holds 30 Hz on this machine")
    p.add_argument("--synthetic", type=int, default=100, help="held-out synthetic frames for the accuracy part")
    p.add_argument("--real", type=Path, default=None, help=f"labelled real frames (default: ${REAL_ENV}/{REAL_SET})")
    p.add_argument("--no-real", action="store_true", help="skip real frames even when present")
    p.add_argument("--threads", type=int, default=None, help="CPU inference threads (default: the library's)")
    p.add_argument("--skip-inference", action="store_true")
    p.add_argument("--skip-node", action="store_true")
    p.add_argument("--skip-accuracy", action="store_true")
    p.add_argument("--launch", choices=("auto", "yes", "no"), default="no",
                   help="start the node with ros2 launch (default no: the console script, measured directly)")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: inference only, 3 frames, seed at 128x160 (ratio not meaningful)")
    p.add_argument("--json", type=Path, default=None, help="write the report as JSON")
    p.add_argument("--markdown", type=Path, default=None, help="write the report as Markdown")
    p.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    args = p.parse_args(argv)
    from .live import check_launch

    def log(msg: str) -> None:
        print(f"[seasky-bench] {msg}", file=sys.stderr, flush=True)

    if args.node_param and (args.skip_node or args.quick):
        p.error("--node-param sets the node runs' parameters: drop --skip-node / --quick")
    known = shipped_node_parameters() if args.node_param else {}
    if args.node_param and not known:
        log("no shipped parameter file could be read: --node-param names and types are not checked")
    try:
        variant = parse_node_params(args.node_param, known)
        check_launch(variant, args.launch == "yes")
    except ValueError as exc:
        p.error(str(exc))
    if args.quick:
        args.frames, args.seed_frames, args.seed_size = 3, 1, (128, 160)
        args.skip_node = args.skip_accuracy = True

    from .segmenter import Segmenter

    default = Segmenter.from_file(args.weights, warmup=0)
    report: dict = {
        "machine": machine_info(),
        "weights": str(default.source),
        "default_config": config_label(default),
        "inference": [],
        "speedup": {},
        "notes": [],
        "node": [],
        "accuracy": [],
    }
    del default
    started = time.perf_counter()
    if not args.skip_inference:
        count = max(args.frames, args.seed_frames)
        frames = [(f.image, f.encoding) for f in synthetic_frames(count, seed=800_000, encoding="mono16")]
        rows, notes = bench_inference(args.weights, frames[: args.frames], args.seed_frames, args.seed_size, log,
                                      args.threads, seed_warmup=0 if args.quick else 1)
        report["inference"] = [r.to_json() for r in rows]
        report["speedup"] = speedups(rows)
        report["notes"] = notes
        report["overlay_ms"] = time_overlay(Segmenter.from_file(args.weights), frames[: args.frames])
    if not args.skip_node:
        use_launch = {"auto": None, "yes": True, "no": False}[args.launch]
        with tempfile.TemporaryDirectory(prefix="seasky-bench-") as tmp:
            work = args.work or Path(tmp)
            report["node"] = bench_node(args.weights, args.node_frames, args.rates, work, use_launch, log, variant)
        from .bench_transport import delivery
        from .live import pick_domain_id

        log(f"transport: {args.transport_frames} frames at 30 Hz between processes, with and without the profile")
        report["transport"] = [{"publisher_profile": flag, "rate_hz": 30.0, "sent": args.transport_frames,
                                "received": delivery(args.transport_frames, 30.0, pick_domain_id(7), flag)}
                               for flag in (True, False)]
    if not args.skip_accuracy:
        real = None
        if not args.no_real:
            real = args.real or default_real_dir()
            if real is None:
                log(f"accuracy: synthetic frames only (no --real, {REAL_ENV} not set)")
            if real is not None and not (real / "images").is_dir():
                p.error(f"real frames {real}: no images/ folder there (--real or ${REAL_ENV})")
        report["accuracy"] = bench_accuracy(args.weights, args.synthetic, real, log)
    report["targets"] = targets(report)
    report["seconds"] = time.perf_counter() - started
    text = render(report)
    print(text, end="")
    if args.markdown:
        from .atomic_write import write_bytes_atomic

        write_bytes_atomic(args.markdown, text.encode())
    if args.json:
        from .atomic_write import write_bytes_atomic

        write_bytes_atomic(args.json, json.dumps(report, indent=2, default=float).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
