# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""What an IMU's attitude does to the horizon, on synthetic frames whose true attitude is known.

Why synthetic: no real data set here has an IMU beside its thermal frames. The generator's
camera roll and pitch are exact, so an IMU is simulated by adding its error (Gaussian, sigma in
degrees, drawn once per frame with a fixed seed) and the shipped network's answers are scored
with and without ``Segmenter.finish(prior=...)`` on the same network pass. Scored as
``seasky-eval`` scores the synthetic held-out set (a frame has a horizon when the generator
says so: near coasts hide it), plus the share of lines within 10 px of the true (or hidden) horizon.
Not part of the package or of ``make test``: a developer's tool.

    python tools/attitude_eval.py --seed 424242 --count 100 --sigma 0.1,0.25,0.5
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's seasky_ros, not an installed one

from seasky_ros.attitude import AttitudeSettings  # noqa: E402
from seasky_ros.horizon_line import SOURCE_ATTITUDE, horizon_from_points  # noqa: E402
from seasky_ros.horizon_prior import prior_from_orientation  # noqa: E402
from seasky_ros.segmenter import Segmenter  # noqa: E402
from seasky_ros.synthetic import generate_frame  # noqa: E402
from seasky_ros.synthetic.canvas import horizon_line  # noqa: E402


def score(rows: list[tuple]) -> str:
    """rows: (has_horizon, line_or_None, true_rows_or_None (the hidden horizon's row per column))."""
    truth = [r for r in rows if r[0]]
    found = [r for r in truth if r[1] is not None]
    errs = [float(np.median(np.abs(r[1].y_at(np.arange(r[2].size)) - r[2]))) for r in found]
    false = sum(1 for r in rows if not r[0] and r[1] is not None)
    lines = [r for r in rows if r[1] is not None and r[2] is not None]
    near = sum(1 for r in lines if np.median(np.abs(r[1].y_at(np.arange(r[2].size)) - r[2])) <= 10.0)
    guided = sum(1 for r in rows if r[1] is not None and r[1].source == SOURCE_ATTITUDE)
    return (f"found {len(found)}/{len(truth)} ({100 * len(found) / max(1, len(truth)):.0f} %), "
            f"median {np.median(errs):.2f} px, p95 {np.percentile(errs, 95):.1f} px, lines where none {false}, "
            f"lines within 10 px of the (hidden) horizon {near}/{len(lines)}, from the attitude {guided}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=424242)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--sigma", default="0.1,0.25,0.5", help="IMU errors to simulate, deg (comma-separated)")
    parser.add_argument("--noise-seed", type=int, default=7)
    args = parser.parse_args()
    sigmas = [float(s) for s in args.sigma.split(",")]
    seg = Segmenter.from_file(device="cpu")
    noise = np.random.default_rng(args.noise_seed).standard_normal((args.count, 2))
    results: dict[str, list[tuple]] = {"no IMU": [], **{f"IMU sigma {s:g} deg": [] for s in sigmas}}
    for i in range(args.count):
        frame = generate_frame(args.seed * 1_000_003 + i)
        p = frame.params
        h, w = frame.image.shape[:2]
        K = p.camera_matrix(h, w)
        hidden = horizon_line(p, h, w)
        truth = horizon_from_points(*frame.horizon, w, h).y_at(np.arange(w)) if frame.horizon else hidden
        visible = hidden.min() <= h - 1 and hidden.max() >= 0
        started = seg.start(frame.image, frame.encoding)
        results["no IMU"].append((frame.horizon is not None, seg.finish(started).horizon, truth if visible else None))
        for s in sigmas:
            q = p.imu_orientation((s * noise[i, 0], s * noise[i, 1]))
            prior = prior_from_orientation(np.array(q), K, (h, w), AttitudeSettings(sigma_deg=s))
            line = seg.finish(started, prior=prior).horizon
            results[f"IMU sigma {s:g} deg"].append((frame.horizon is not None, line, truth if visible else None))
    print(f"synthetic seed {args.seed}, {args.count} frames, shipped weights ({'int8' if seg.int8 else 'float32'})")
    for name, rows in results.items():
        print(f"  {name:18s} {score(rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
