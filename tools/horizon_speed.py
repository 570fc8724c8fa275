# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The horizon stage alone, on the masks the shipped weights give: its time per frame and its answers.

Why: a faster ``find_horizon`` must give the same lines. The network's masks and gray frames
are computed once (``cache``) so that the horizon stage can be timed on its own, frame by
frame, and its answers recorded (``record``) before a change and compared (``compare``) after
it, on the same inputs. Not part of the package or of ``make test``: a developer's tool.

    python tools/horizon_speed.py cache --out /tmp/hz
    python tools/horizon_speed.py record --cache /tmp/hz --out /tmp/hz/before.json   # before the change
    python tools/horizon_speed.py compare --cache /tmp/hz --ref /tmp/hz/before.json  # after it
    python tools/horizon_speed.py profile --cache /tmp/hz --sets bench

It runs the seasky_ros of the checkout it lives in (so ``record`` the old answers from a checkout of
the old commit), and its times are those of repeated calls on warm caches: lower than the bench's,
where every frame follows a run of the network; compare changes with it, confirm with seasky-bench.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import math
import pstats
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's seasky_ros, not an installed one
REAL = Path("/work/shared/data/real")
SETS = {
    "infml": [REAL / "infml-hdd-dev"],
    "synth424242": [Path("/work/synth424242")],
    "mardct": [REAL / "mardct-coast-train", REAL / "mardct-unlabeled"],
}


def _frames(name: str, count: int) -> list[tuple[str, np.ndarray, str | None]]:
    """(stem, image, encoding) of a set: a dataset folder, or the bench's and the sample bag's synthetic frames."""
    if name == "bench":
        from seasky_ros.bench import synthetic_frames

        return [(f"bench{i}", f.image, f.encoding) for i, f in enumerate(synthetic_frames(count, seed=800_000,
                                                                                            encoding="mono16"))]
    if name == "bag":
        from seasky_ros.synthetic import render_sequence

        return [(f"bag{i}", f.image, f.encoding) for i, f in enumerate(render_sequence(count, 30.0, 7))]
    from seasky_ros.dataset_folder import DatasetFolder

    out = []
    for root in SETS[name]:
        folder = DatasetFolder(root)
        out += [(f"{root.name}/{folder[i].stem}", folder[i].image, None) for i in range(len(folder))]
    return out


def cache(out: Path, count: int) -> None:
    """Labels, gray frame and invalid-pixel count of every frame, as ``Segmenter.segment`` hands them on."""
    from seasky_ros.preprocess import prepare
    from seasky_ros.segmenter import Segmenter, labels_from_logits

    seg = Segmenter.from_file(None)
    out.mkdir(parents=True, exist_ok=True)
    for name in ("infml", "synth424242", "mardct", "bench", "bag"):
        stems, labels, grays, invalid = [], [], [], []
        for stem, image, encoding in _frames(name, count):
            prepared = prepare(image, seg.input_size, seg.normalization, encoding)
            lab, _ = labels_from_logits(seg.logits(prepared.tensor)[0], prepared.gray.shape, False)
            stems.append(stem)
            labels.append(lab)
            grays.append(prepared.gray)
            invalid.append(prepared.nonfinite_pixels)
        np.savez_compressed(out / f"{name}.npz", stems=np.array(stems), labels=np.stack(labels),
                            grays=np.stack(grays), invalid=np.array(invalid))
        print(f"{name}: {len(stems)} frames {labels[0].shape}", flush=True)


def _load(cache_dir: Path, names: list[str]):
    for name in names:
        data = np.load(cache_dir / f"{name}.npz")
        yield name, list(zip(data["stems"], data["labels"], data["grays"], data["invalid"], strict=True))


def _answer(search) -> dict:
    h = search.horizon
    if h is None:
        return {"reason": search.reason}
    return {"x0": h.x0, "y0": h.y0, "x1": h.x1, "y1": h.y1, "confidence": h.confidence,
            "support": h.support, "inlier_share": h.inlier_share, "edge": h.edge, "source": h.source}


def record(cache_dir: Path, names: list[str], out: Path, repeats: int) -> None:
    """Every frame's answer and its best-of-``repeats`` time; per set the mean, p50, p95 and max."""
    from seasky_ros.horizon import find_horizon

    answers, report = {}, {}
    for name, frames in _load(cache_dir, names):
        times = []
        for stem, labels, gray, invalid in frames:
            best = math.inf
            for _ in range(repeats):
                t0 = time.perf_counter()
                search = find_horizon(labels, gray, invalid_pixels=int(invalid))
                best = min(best, time.perf_counter() - t0)
            times.append(best * 1e3)
            answers[f"{name}:{stem}"] = _answer(search) | {"ms": best * 1e3}
        t = np.array(times)
        report[name] = {"frames": len(t), "mean": t.mean(), "p50": np.percentile(t, 50), "p95": np.percentile(t, 95),
                        "max": t.max()}
        slow = sorted(zip(times, (f[0] for f in frames), strict=True), reverse=True)[:5]
        print(f"{name:12s} {len(t):4d} frames  ms mean {t.mean():.2f}  p50 {np.percentile(t, 50):.2f}  "
              f"p95 {np.percentile(t, 95):.2f}  max {t.max():.2f}  slowest: "
              + ", ".join(f"{s} {v:.2f}" for v, s in slow), flush=True)
    out.write_text(json.dumps({"answers": answers, "timing": report}, indent=1, default=float))


def compare(cache_dir: Path, names: list[str], ref: Path, tol: float) -> int:
    """Frames whose line or reason differs from the recorded answers, and by how much (px at the border)."""
    from seasky_ros.horizon import find_horizon

    old = json.loads(ref.read_text())["answers"]
    differ = 0
    total = 0
    for name, frames in _load(cache_dir, names):
        worst, count = 0.0, 0
        for stem, labels, gray, invalid in frames:
            key = f"{name}:{stem}"
            new = _answer(find_horizon(labels, gray, invalid_pixels=int(invalid)))
            was = old[key]
            total += 1
            if ("reason" in was) != ("reason" in new) or was.get("reason") != new.get("reason") \
                    or was.get("source") != new.get("source"):
                count += 1
                print(f"  {key}: {was} -> {new}")
                continue
            if "reason" in new:
                continue
            dev = max(abs(was[k] - new[k]) for k in ("x0", "y0", "x1", "y1", "confidence"))
            worst = max(worst, dev)
            if dev > tol:
                count += 1
                print(f"  {key}: moved {dev:.4f}")
        differ += count
        print(f"{name:12s} {len(frames):4d} frames, {count} differ (beyond {tol} px), largest move {worst:.2e}")
    print(f"all: {differ} of {total} differ")
    return 1 if differ else 0


def profile(cache_dir: Path, names: list[str], repeats: int, top: int) -> None:
    """cProfile of ``find_horizon`` over the sets' frames, ``repeats`` times each."""
    from seasky_ros.horizon import find_horizon

    frames = [f for _, fs in _load(cache_dir, names) for f in fs]
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(repeats):
        for _, labels, gray, invalid in frames:
            find_horizon(labels, gray, invalid_pixels=int(invalid))
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("command", choices=("cache", "record", "compare", "profile"))
    p.add_argument("--cache", type=Path, default=Path("/tmp/horizon_speed"))
    p.add_argument("--out", type=Path, default=None)
    p.add_argument("--ref", type=Path, default=None)
    p.add_argument("--sets", nargs="+", default=["infml", "synth424242", "mardct", "bench", "bag"])
    p.add_argument("--count", type=int, default=50, help="synthetic bench / sample-bag frames to cache")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--tol", type=float, default=0.01)
    p.add_argument("--top", type=int, default=30)
    args = p.parse_args(argv)
    import seasky_ros

    print(f"seasky_ros from {Path(seasky_ros.__file__).parent}", flush=True)
    if args.command == "cache":
        cache(args.out or args.cache, args.count)
    elif args.command == "record":
        record(args.cache, args.sets, args.out or args.cache / "answers.json", args.repeats)
    elif args.command == "compare":
        return compare(args.cache, args.sets, args.ref or args.cache / "answers.json", args.tol)
    else:
        profile(args.cache, args.sets, args.repeats, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
