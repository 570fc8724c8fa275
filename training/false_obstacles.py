# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""False obstacles: how much *open* sky and sea a model labels "other", and how many blobs it makes.

A robot reads "other" as something in the way. Class IoU hides the failure that matters most
for it: a few blobs of "other" painted into open water or sky (a cloud, glint, a breaking wave)
cost little IoU but are each a phantom obstacle. Two figures, with truth masks:

* the share of *open* sky and *open* sea pixels labelled "other" (and, for dark cloud over the
  horizon, open sky labelled sea). Open = truth sky (or sea) at least ``margin`` px from any
  pixel of another truth label, the horizon included, so the blur of a boundary does not count;
* false blobs per frame: 8-connected components of predicted "other" that lie wholly in truth
  sky or sea, at least ``margin`` px from any truth "other" or ignore pixel, and cover at least
  ``min_blob`` of the frame. A blob may straddle the horizon: a phantom boat there is one too.

``python -m seasky_training.false_obstacles`` scores the shipped (or given) weights on the synthetic
held-out frames, the sample bag's frames and any labelled dataset folder, and draws the worst
frames with their false blobs outlined; ``seasky-eval`` reports the same figures for its data.
With ``--temporal 0,2,3,5`` it runs sequences instead (every frame of the sample bag, and ship
sequences with vessels, ``vessel_sequence_frames``) in order through the stream's temporal
filter (``seasky_ros.temporal``) for each N, and also scores the truth "other" kept.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from seasky_ros.labels import OTHER, SEA, SKY

DEFAULT_MARGIN = 4  # px at the frame's resolution: about one network pixel at 160x208 from 640x512
DEFAULT_MIN_BLOB = 1e-4  # of the frame's pixels: 33 px at 640x512, 11 px at 384x288


def open_regions(truth: np.ndarray, margin: int = DEFAULT_MARGIN) -> tuple[np.ndarray, np.ndarray]:
    """(open sky, open sea): truth sky / sea at least ``margin`` px from any other truth label.

    The frame's border is not a boundary: a cloud touching the top edge is still in open sky.
    """
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin + 1, 2 * margin + 1))
    out = []
    for cls in (SKY, SEA):
        region = (truth == cls).astype(np.uint8)
        if margin > 0:
            region = cv2.erode(region, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=1)
        out.append(region.astype(bool))
    return out[0], out[1]


@dataclass
class FrameFalseOther:
    """One frame's figures (pixel counts at the frame's resolution) and its false blobs' outlines."""

    open_sky: int
    open_sea: int
    other_in_sky: int
    other_in_sea: int
    sea_in_sky: int
    blobs: list[np.ndarray] = field(default_factory=list)  # contours (N x 1 x 2, x/y) of the false blobs

    @property
    def other_share(self) -> float:
        """Share of this frame's open sky and sea labelled other (NaN without any open pixel)."""
        total = self.open_sky + self.open_sea
        return (self.other_in_sky + self.other_in_sea) / total if total else math.nan


def false_other(truth: np.ndarray, pred: np.ndarray, margin: int = DEFAULT_MARGIN,
                min_blob: float = DEFAULT_MIN_BLOB) -> FrameFalseOther:
    """Score one frame: truth mask (0/1/2/255) against predicted labels of the same size."""
    truth = np.asarray(truth)
    pred = np.asarray(pred)
    if truth.shape != pred.shape or truth.ndim != 2:
        raise ValueError(f"truth {truth.shape} and prediction {pred.shape} must be the same 2-D shape")
    open_sky, open_sea = open_regions(truth, margin)
    is_other = pred == OTHER
    blocked = ((truth != SKY) & (truth != SEA)).astype(np.uint8)  # truth other or ignore
    if margin > 0 and blocked.any():
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin + 1, 2 * margin + 1))
        blocked = cv2.dilate(blocked, kernel)
    count, comp, stats, _ = cv2.connectedComponentsWithStats(is_other.astype(np.uint8), connectivity=8)
    min_px = max(9, int(round(min_blob * truth.size)))
    near_truth = np.zeros(count, bool)
    near_truth[np.unique(comp[blocked.astype(bool) & is_other])] = True
    blobs = []
    for k in range(1, count):
        if near_truth[k] or stats[k, cv2.CC_STAT_AREA] < min_px:
            continue
        x, y, w, h = (int(stats[k, i]) for i in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_WIDTH,
                                                  cv2.CC_STAT_HEIGHT))
        piece = (comp[y:y + h, x:x + w] == k).astype(np.uint8)
        contours, _ = cv2.findContours(piece, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE, offset=(x, y))
        blobs.append(max(contours, key=cv2.contourArea))
    return FrameFalseOther(
        open_sky=int(open_sky.sum()), open_sea=int(open_sea.sum()),
        other_in_sky=int((open_sky & is_other).sum()), other_in_sea=int((open_sea & is_other).sum()),
        sea_in_sky=int((open_sky & (pred == SEA)).sum()), blobs=blobs,
    )


@dataclass
class FalseOtherTally:
    """Sums over a set of frames; shares are of all open pixels of the set (not a mean of frames)."""

    frames: int = 0
    open_sky: int = 0
    open_sea: int = 0
    other_in_sky: int = 0
    other_in_sea: int = 0
    sea_in_sky: int = 0
    blobs: int = 0
    frames_with_blobs: int = 0

    def update(self, frame: FrameFalseOther) -> None:
        self.frames += 1
        self.open_sky += frame.open_sky
        self.open_sea += frame.open_sea
        self.other_in_sky += frame.other_in_sky
        self.other_in_sea += frame.other_in_sea
        self.sea_in_sky += frame.sea_in_sky
        self.blobs += len(frame.blobs)
        self.frames_with_blobs += int(bool(frame.blobs))

    def summary(self) -> dict:
        def share(num: int, den: int) -> float | None:
            return num / den if den else None

        return {
            "frames": self.frames,
            "other_in_open": share(self.other_in_sky + self.other_in_sea, self.open_sky + self.open_sea),
            "other_in_open_sky": share(self.other_in_sky, self.open_sky),
            "other_in_open_sea": share(self.other_in_sea, self.open_sea),
            "sea_in_open_sky": share(self.sea_in_sky, self.open_sky),
            "false_blobs_per_frame": share(self.blobs, self.frames),
            "frames_with_false_blobs": self.frames_with_blobs,
        }


def summary_line(summary: dict) -> str:
    """One Markdown line of a tally's summary, for reports."""
    def pct(key: str) -> str:
        value = summary[key]
        return "n/a" if value is None else f"{100 * value:.2f} %"

    blobs = summary["false_blobs_per_frame"]
    return (f"other in open sky+sea {pct('other_in_open')} (sky {pct('other_in_open_sky')}, sea "
            f"{pct('other_in_open_sea')}); open sky read as sea {pct('sea_in_open_sky')}; false blobs "
            f"{'n/a' if blobs is None else f'{blobs:.2f}'} per frame "
            f"({summary['frames_with_false_blobs']} of {summary['frames']} frames)")


@dataclass
class TruthOtherTally:
    """Truth "other" (vessels) against predicted "other", summed over frames: are real obstacles kept?"""

    truth: int = 0
    predicted: int = 0
    both: int = 0

    def update(self, truth: np.ndarray, pred: np.ndarray) -> None:
        valid = truth != 255
        is_truth, is_pred = (truth == OTHER) & valid, (pred == OTHER) & valid
        self.truth += int(is_truth.sum())
        self.predicted += int(is_pred.sum())
        self.both += int((is_truth & is_pred).sum())

    def summary(self) -> dict:
        union = self.truth + self.predicted - self.both
        return {"other_iou": self.both / union if union else None,
                "other_recall": self.both / self.truth if self.truth else None, "truth_other_px": self.truth}


def outline_blobs(overlay: np.ndarray, blobs: Sequence[np.ndarray], thickness: int = 2) -> np.ndarray:
    """Draw the false blobs' outlines (red, black-edged) on a BGR overlay, in place; returns it."""
    cv2.drawContours(overlay, list(blobs), -1, (0, 0, 0), thickness + 2, cv2.LINE_AA)
    cv2.drawContours(overlay, list(blobs), -1, (0, 0, 255), thickness, cv2.LINE_AA)
    return overlay


# ------------------------------------------------------------------------------------ the sources

Frame = tuple[str, np.ndarray, str | None, np.ndarray]  # stem, image, encoding (None: guess), truth mask


def synthetic_frames(count: int = 100, seed: int = 424242, height: int = 512, width: int = 640,
                     hard_cases: bool = True) -> Iterator[Frame]:
    """The synthetic held-out frames, exactly as ``seasky-synth --count N --seed S`` writes them."""
    from seasky_ros.synthetic import generate_frame

    for i in range(count):
        frame = generate_frame(seed * 1_000_003 + i, height, width, hard_cases=hard_cases)
        yield f"synth_{i:06d}", frame.image, frame.encoding, frame.mask


def sample_bag_frames(count: int = 300, step: int = 10, seed: int = 0) -> Iterator[Frame]:
    """Every ``step``-th frame of the sample bag (``seasky-bag make-sample``'s defaults), with its truth."""
    from seasky_ros.synthetic import render_sequence

    for i, frame in enumerate(render_sequence(count, 30.0, seed)):
        if i % step == 0:
            yield f"bag_{i:04d}", frame.image, frame.encoding, frame.mask


def vessel_sequence_frames(seed: int, count: int = 300, rate_hz: float = 30.0) -> Iterator[Frame]:
    """A ship's sequence like the sample bag's (scene of ``seed``) with two vessels, and its truth.

    One 40 m vessel 400 m away enters the view from the left at about 1.5 s and crosses a third
    of it; a 30 m one 900 m away drifts slowly in view all along. Both are in every frame's truth.
    """
    from seasky_ros.synthetic import render_sequence
    from seasky_ros.synthetic.scene import Vessel

    def vessels_at(t: float) -> tuple[Vessel, ...]:
        return (Vessel(az_tan=-0.45 + 0.05 * t, distance_m=400.0, length_m=40.0, hull_height_m=4.0,
                       cabin_height_m=10.0, temp_k=10.0),
                Vessel(az_tan=0.15 - 0.004 * t, distance_m=900.0, length_m=30.0, hull_height_m=3.0,
                       cabin_height_m=8.0, temp_k=8.0))

    for i, frame in enumerate(render_sequence(count, rate_hz, seed, vessels_at=vessels_at)):
        yield f"vessels{seed}_{i:04d}", frame.image, frame.encoding, frame.mask


def folder_frames(root: Path, split: str | None = None) -> Iterator[Frame]:
    """A labelled dataset folder's frames (``split='gap'``: its last third only, as ``seasky-eval``)."""
    from seasky_ros.dataset_folder import DatasetFolder

    from .samples import gap_split

    folder = DatasetFolder(root)
    if split == "gap":
        folder = folder.subset(gap_split(len(folder))[1])
    for i in range(len(folder)):
        item = folder[i]
        if item.mask is not None:
            yield item.stem, item.image, None, item.mask


# ------------------------------------------------------------------------------------ the CLI

def score(frames: Iterator[Frame], segmenter, margin: int, min_blob: float, keep_worst: int = 4):
    """Run a segmenter over frames; returns the tally and the worst frames (by false "other" pixels)."""
    from seasky_ros.preprocess import fill_nonfinite, to_gray

    tally = FalseOtherTally()
    worst: list = []
    for stem, image, encoding, truth in frames:
        result = segmenter.segment(image, encoding)
        frame = false_other(truth, result.labels, margin, min_blob)
        tally.update(frame)
        badness = (len(frame.blobs), frame.other_in_sky + frame.other_in_sea)
        gray, _ = fill_nonfinite(to_gray(image, encoding))
        worst.append((badness, stem, gray, result.labels, result.horizon, frame))
        worst.sort(key=lambda entry: entry[0], reverse=True)
        del worst[keep_worst:]
    return tally, worst


def score_stream(frames: Iterator[Frame], segmenter, filter_frames: Sequence[int], margin: int, min_blob: float,
                 rate_hz: float = 30.0, keep_worst: int = 4):
    """A sequence in order, each frame's labels through one temporal filter per N (0: the network's own).

    Returns {N: (false-other tally, truth-other tally)} for each N and 0, and the worst frames
    without a filter (most false blobs), each with its labels and figures for every N (before/after).
    """
    from seasky_ros.preprocess import fill_nonfinite, to_gray
    from seasky_ros.temporal import TemporalFilter

    counts = sorted({0, *filter_frames})
    filters = {n: TemporalFilter(n) for n in counts}
    tallies = {n: (FalseOtherTally(), TruthOtherTally()) for n in counts}
    worst: list = []
    for i, (stem, image, encoding, truth) in enumerate(frames):
        result = segmenter.segment(image, encoding)
        per_n = {}
        for n, temporal in filters.items():
            labels = temporal(result.labels, i / rate_hz)
            frame = false_other(truth, labels, margin, min_blob)
            tallies[n][0].update(frame)
            tallies[n][1].update(truth, labels)
            per_n[n] = (labels, frame)
        unfiltered = per_n[0][1]
        badness = (len(unfiltered.blobs), unfiltered.other_in_sky + unfiltered.other_in_sea)
        if len(worst) < keep_worst or badness > worst[-1][0]:
            gray, _ = fill_nonfinite(to_gray(image, encoding))
            worst.append((badness, stem, gray, result.horizon, per_n))
            worst.sort(key=lambda entry: entry[0], reverse=True)
            del worst[keep_worst:]
    return tallies, worst


def stream_line(false_summary: dict, truth_summary: dict) -> str:
    """One line of a filtered sequence's figures: the false obstacles, then the truth "other" kept."""
    if truth_summary["truth_other_px"] == 0:
        return summary_line(false_summary) + "; no truth other"
    return (f"{summary_line(false_summary)}; truth other IoU {truth_summary['other_iou']:.3f}, "
            f"recall {truth_summary['other_recall']:.3f}")


def worst_sheet(rows: Sequence[tuple[str, list]], tile_width: int = 320) -> np.ndarray:
    """A picture: one row per source, its worst frames with the false blobs outlined in red."""
    from seasky_ros.overlay import render_overlay

    lines = []
    for name, worst in rows:
        tiles = []
        for _, stem, gray, labels, horizon, frame in worst:
            tile = outline_blobs(render_overlay(gray, labels, horizon), frame.blobs, max(2, gray.shape[1] // 200))
            scale = tile_width / tile.shape[1]
            tile = cv2.resize(tile, (tile_width, round(tile.shape[0] * scale)), interpolation=cv2.INTER_AREA)
            share = frame.other_share
            captions = (name, f"{stem}: {len(frame.blobs)} false blobs, "
                        f"{'n/a' if math.isnan(share) else f'{100 * share:.1f} %'} other")
            for row, caption in enumerate(captions):
                for colour, width in (((0, 0, 0), 3), ((255, 255, 255), 1)):
                    cv2.putText(tile, caption, (4, 14 + 14 * row), cv2.FONT_HERSHEY_SIMPLEX, 0.38, colour, width,
                                cv2.LINE_AA)
            tiles.append(tile)
        if not tiles:
            continue
        height = max(t.shape[0] for t in tiles)
        tiles = [cv2.copyMakeBorder(t, 0, height - t.shape[0], 0, 0, cv2.BORDER_CONSTANT) for t in tiles]
        lines.append(np.hstack(tiles))
    width = max(line.shape[1] for line in lines)
    return np.vstack([cv2.copyMakeBorder(line, 0, 0, 0, width - line.shape[1], cv2.BORDER_CONSTANT)
                      for line in lines])


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m seasky_training.false_obstacles``: the false-obstacle figures of some weights on chosen data."""
    p = argparse.ArgumentParser(prog="python -m seasky_training.false_obstacles", description=__doc__.split("\n\n")[0])
    p.add_argument("--weights", default=None, help="weights file; default: the shipped weights")
    p.add_argument("--float32", action="store_true", help="the shipped weights in float32 (default: int8 on a CPU)")
    p.add_argument("--synthetic", type=int, default=100, help="synthetic held-out frames; 0: none")
    p.add_argument("--synthetic-seed", type=int, default=424242)
    p.add_argument("--no-hard-cases", action="store_true", help="synthetic frames as seasky-synth --no-hard-cases")
    p.add_argument("--bag-step", type=int, default=10, help="every N-th frame of the 300-frame sample bag; 0: none")
    p.add_argument("--data", type=Path, action="append", default=[], help="a labelled dataset folder (repeatable)")
    p.add_argument("--split", choices=["gap"], default=None, help="score only the last third of each --data folder")
    p.add_argument("--margin", type=int, default=DEFAULT_MARGIN, help="px from any other label that make a pixel open")
    p.add_argument("--min-blob", type=float, default=DEFAULT_MIN_BLOB, help="smallest false blob, share of the frame")
    p.add_argument("--out", type=Path, default=None, help="folder for summary.json and worst_frames.png")
    p.add_argument("--tile-width", type=int, default=320, help="width of each frame in worst_frames.png")
    p.add_argument("--temporal", type=_frame_counts, default=None, metavar="N,N,...",
                   help="run sequences in order through the temporal filter for each N (0: none): every frame of "
                        "the sample bag (unless --bag-step 0) and the --vessel-seeds sequences; no other source")
    p.add_argument("--vessel-seeds", type=_frame_counts, default=[], metavar="S,S,...",
                   help="with --temporal: ship sequences with vessels (vessel_sequence_frames) of these scene seeds")
    p.add_argument("--picture", type=int, default=None, help="with --temporal: N drawn after N=0 (default: largest)")
    p.add_argument("--sequence-frames", type=int, default=300, help="with --temporal: frames of each sequence")
    args = p.parse_args(argv)
    if args.margin < 0 or not 0.0 <= args.min_blob < 1.0 or args.synthetic < 0 or args.bag_step < 0:
        p.error("need --margin >= 0, 0 <= --min-blob < 1, --synthetic >= 0 and --bag-step >= 0")
    if args.temporal is not None and args.data:
        p.error("--temporal runs sequences (the sample bag, --vessel-seeds); a --data folder has no frame times")
    if args.temporal is None and args.vessel_seeds:
        p.error("--vessel-seeds needs --temporal")
    if args.sequence_frames < 1:
        p.error("need --sequence-frames >= 1")
    if args.temporal is not None and args.picture is not None and args.picture not in args.temporal:
        p.error(f"--picture {args.picture} is not one of --temporal {args.temporal}")
    from seasky_ros.segmenter import Segmenter
    from seasky_ros.weights import WeightsError

    try:
        segmenter = Segmenter.from_file(args.weights, "cpu", "onnxruntime", int8=False if args.float32 else None)
    except (OSError, ValueError, WeightsError) as exc:
        raise SystemExit(f"false_obstacles: {exc}") from None
    if args.temporal is not None:
        return _temporal_main(args, segmenter)
    sources: list[tuple[str, Iterator[Frame]]] = []
    if args.synthetic:
        sources.append((f"synthetic {args.synthetic} (seed {args.synthetic_seed}"
                        f"{', no hard cases' if args.no_hard_cases else ''})",
                        synthetic_frames(args.synthetic, args.synthetic_seed, hard_cases=not args.no_hard_cases)))
    if args.bag_step:
        sources.append((f"sample bag (every {args.bag_step}th)", sample_bag_frames(step=args.bag_step)))
    for root in args.data:
        sources.append((root.name + (" (gap)" if args.split else ""), folder_frames(root, args.split)))
    results, rows = {}, []
    print(f"weights {segmenter.source} ({segmenter.backend}); margin {args.margin} px, min blob {args.min_blob:g}")
    for name, frames in sources:
        tally, worst = score(frames, segmenter, args.margin, args.min_blob)
        results[name] = tally.summary()
        rows.append((name, worst))
        print(f"{name}: {summary_line(results[name])}", flush=True)
    _write_report(args, segmenter, "sources", results, rows)
    return 0


def _write_report(args: argparse.Namespace, segmenter, key: str, results: dict, rows: list) -> None:
    """``--out``: summary.json (the figures under ``key``) and worst_frames.png, each whole or not at all."""
    from seasky_ros.atomic_write import write_bytes_atomic, write_image_atomic

    if args.out and rows:
        payload = {"weights": str(segmenter.source), "margin": args.margin, "min_blob": args.min_blob, key: results}
        write_bytes_atomic(args.out / "summary.json", json.dumps(payload, indent=2).encode())
        write_image_atomic(args.out / "worst_frames.png", worst_sheet(rows, max(64, args.tile_width)))


def _frame_counts(text: str) -> list[int]:
    """'0,2,3' -> [0, 2, 3] (argparse type: non-negative integers, no repeats)."""
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of integers: {text!r}") from None
    if not values or min(values) < 0 or len(set(values)) != len(values):
        raise argparse.ArgumentTypeError(f"need distinct integers >= 0, got {text!r}")
    return values


def _temporal_main(args: argparse.Namespace, segmenter) -> int:
    """``--temporal``: each sequence once through the network, its labels through one filter per N."""

    sources: list[tuple[str, Iterator[Frame]]] = []
    if args.bag_step:
        sources.append((f"sample bag ({args.sequence_frames} frames)", sample_bag_frames(args.sequence_frames, step=1)))
    for seed in args.vessel_seeds:
        sources.append((f"vessels, seed {seed} ({args.sequence_frames} frames)",
                        vessel_sequence_frames(seed, args.sequence_frames)))
    after = args.picture if args.picture is not None else max(args.temporal)
    print(f"weights {segmenter.source} ({segmenter.backend}); margin {args.margin} px, min blob {args.min_blob:g}; "
          f"temporal filter N = {', '.join(map(str, args.temporal))}")
    results: dict[str, dict] = {}
    rows = []
    for name, frames in sources:
        tallies, worst = score_stream(frames, segmenter, args.temporal, args.margin, args.min_blob)
        results[name] = {}
        for n in args.temporal:
            false_summary, truth_summary = tallies[n][0].summary(), tallies[n][1].summary()
            results[name][str(n)] = {**false_summary, **truth_summary}
            print(f"{name}, N={n}: {stream_line(false_summary, truth_summary)}", flush=True)
        for n in sorted({0, after}):
            rows.append((f"{name}, N={n}", [(badness, stem, gray, per_n[n][0], horizon, per_n[n][1])
                                            for badness, stem, gray, horizon, per_n in worst]))
    _write_report(args, segmenter, "temporal", results, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
