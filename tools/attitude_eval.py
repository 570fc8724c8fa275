# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""What an IMU's attitude does to the horizon, on synthetic frames whose true attitude is known.

Why synthetic: no real data set here has an IMU beside its thermal frames. The generator's
camera roll and pitch are exact, so an IMU is simulated by adding its error (Gaussian, sigma in
degrees, drawn once per frame with a fixed seed) and the shipped network's answers are scored
with and without the attitude (``Segmenter.start(..., prior)``: the first pass turned level by it,
the line judged by it). Scored as
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

from seasky_training.augment import roll_crop  # noqa: E402

from seasky_ros.attitude import AttitudeSettings  # noqa: E402
from seasky_ros.horizon_line import SOURCE_ATTITUDE, angle_apart, horizon_from_points  # noqa: E402
from seasky_ros.horizon_prior import prior_from_orientation  # noqa: E402
from seasky_ros.preprocess import fill_nonfinite, to_gray  # noqa: E402
from seasky_ros.segmenter import Segmenter  # noqa: E402
from seasky_ros.synthetic import generate_frame  # noqa: E402
from seasky_ros.synthetic.canvas import horizon_line  # noqa: E402


def score(rows: list[tuple]) -> str:
    """rows: (has_horizon, line or None, the true (or hidden) horizon or None when out of view)."""
    truth = [r for r in rows if r[0]]
    found = [r for r in truth if r[1] is not None]
    errs = [_distance(r[1], r[2]) for r in found]
    side = sum(1 for r in found if angle_apart(r[1], r[2]) < 90.0)
    false = sum(1 for r in rows if not r[0] and r[1] is not None)
    lines = [r for r in rows if r[1] is not None and r[2] is not None]
    near = sum(1 for r in lines if _distance(r[1], r[2]) <= 10.0 and angle_apart(r[1], r[2]) < 90.0)
    guided = sum(1 for r in rows if r[1] is not None and r[1].source == SOURCE_ATTITUDE)
    return (f"found {len(found)}/{len(truth)} ({100 * len(found) / max(1, len(truth)):.0f} %), "
            f"sky side right {side}/{len(found)}, median {np.median(errs):.2f} px, "
            f"p95 {np.percentile(errs, 95):.1f} px, "
            f"lines where none {false}, lines within 10 px of the (hidden) horizon {near}/{len(lines)}, "
            f"from the attitude {guided}")


def _distance(line, truth) -> float:
    """Median distance (px) from ``truth`` of ``line``'s points across the view (any roll)."""
    t = np.linspace(0.0, 1.0, 33)
    xs, ys = line.x0 + t * (line.x1 - line.x0), line.y0 + t * (line.y1 - line.y0)
    return float(np.median(np.abs(truth.signed_distance(xs, ys))))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=424242)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--sigma", default="0.1,0.25,0.5", help="IMU errors to simulate, deg (comma-separated)")
    parser.add_argument("--roll", type=float, default=0.0,
                        help="turn every frame by this many deg (seasky-eval --rolls' crops; the IMU turns with it)")
    parser.add_argument("--noise-seed", type=int, default=7)
    args = parser.parse_args()
    sigmas = [float(s) for s in args.sigma.split(",")]
    seg = Segmenter.from_file(device="cpu")
    noise = np.random.default_rng(args.noise_seed).standard_normal((args.count, 2))
    results: dict[str, list[tuple]] = {"no IMU": [], **{f"IMU sigma {s:g} deg": [] for s in sigmas}}
    for i in range(args.count):
        frame = generate_frame(args.seed * 1_000_003 + i)
        p = frame.params
        image, encoding, h, w = frame.image, frame.encoding, *frame.image.shape[:2]
        K = p.camera_matrix(h, w)
        rows = horizon_line(p, h, w)  # the sea horizon, hidden or not
        hidden = horizon_from_points(0.0, float(rows[0]), w - 1.0, float(rows[-1]), w, h)
        truth = horizon_from_points(*frame.horizon, w, h) if frame.horizon else hidden
        if args.roll:
            image, _, turned = roll_crop(fill_nonfinite(to_gray(image, encoding))[0], None,
                                         (truth.x0, truth.y0, truth.x1, truth.y1), args.roll)
            encoding = "32FC1"
            h, w = image.shape
            K = np.array([[K[0, 0], 0.0, (w - 1) / 2.0], [0.0, K[1, 1], (h - 1) / 2.0], [0.0, 0.0, 1.0]])
            truth = None if turned is None else horizon_from_points(*turned, w, h)
        visible = truth is not None and _in_view(truth, w, h)
        started = seg.start(image, encoding)
        has = frame.horizon is not None and visible
        results["no IMU"].append((has, seg.finish(started).horizon, truth if visible else None))
        for s in sigmas:
            q = p.imu_orientation((args.roll + s * noise[i, 0], s * noise[i, 1]))
            prior = prior_from_orientation(np.array(q), K, (h, w), AttitudeSettings(sigma_deg=s))
            line = seg.finish(seg.start(image, encoding, prior)).horizon  # as the node: turned by the attitude
            results[f"IMU sigma {s:g} deg"].append((has, line, truth if visible else None))
    print(f"synthetic seed {args.seed}, {args.count} frames, rolled {args.roll:g} deg, shipped weights "
          f"({'int8' if seg.int8 else 'float32'})")
    for name, rows in results.items():
        print(f"  {name:18s} {score(rows)}")
    return 0


def _in_view(line, w: int, h: int) -> bool:
    corners = [(0.0, 0.0), (w - 1.0, 0.0), (0.0, h - 1.0), (w - 1.0, h - 1.0)]
    sides = [float(line.signed_distance(x, y)) for x, y in corners]
    return min(sides) < 0.0 < max(sides)


if __name__ == "__main__":
    raise SystemExit(main())
