# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""``seasky-eval --compare BEFORE AFTER``: two weights files scored on the same folders, side by side.

A fine-tune that helps on your own frames can quietly cost the open sea the shipped weights were
good at (the issue that asked for this: 0.76 -> 2.25 px on the open-sea sample, and nothing said
so). This scores both files with ``seasky-eval``'s own code on every ``--data`` folder (your
frames) and every ``--reference`` folder (open sea: by default its last third, as ``seasky-eval
--split gap``), prints per folder and figure before, after and the change with what got better
and what got worse, and on a reference folder a loss beyond the margins is a WARNING line
(and exit code 1 with ``--fail-on-regression``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from seasky_ros.atomic_write import write_bytes_atomic
from seasky_ros.dataset_folder import CLASS_MAP_PRESETS, DatasetFolder, parse_class_map
from seasky_ros.segmenter import Segmenter
from seasky_ros.weights import CLASS_NAMES

from .named_weights import resolve_named
from .samples import gap_split

# what counts as a loss on an open-sea reference (the example margins)
DEFAULT_MARGIN_PX = 0.3
DEFAULT_MARGIN_IOU = 0.01
DEFAULT_MARGIN_DETECTION = 0.02
SAME = 1e-9  # a change smaller than this is no change


@dataclass(frozen=True)
class Figure:
    """One compared number: where it sits in seasky-eval's summary, and which way is better."""

    label: str
    path: tuple[str, ...]
    higher_is_better: bool
    margin: str | None = None  # 'iou', 'px' or 'detection': checked on reference folders
    digits: int = 3


FIGURES = (
    *(Figure(f"{name} IoU", ("segmentation", "iou", name), True, "iou") for name in CLASS_NAMES),
    Figure("mean IoU", ("segmentation", "mean_iou"), True),
    Figure("horizon median (px)", ("horizon", "position_px", "median"), False, "px", 2),
    Figure("horizon p95 (px)", ("horizon", "position_px", "p95"), False, None, 2),
    Figure("angle median (deg)", ("horizon", "angle_deg", "median"), False, None, 3),
    Figure("horizon detected", ("horizon", "detection_rate"), True, "detection"),
    Figure("false horizons", ("horizon", "false_detections"), False, None, 0),
)


def _value(summary: dict, path: tuple[str, ...]) -> float | None:
    node = summary
    for key in path:
        if not isinstance(node, dict) or node.get(key) is None:
            return None
        node = node[key]
    value = float(node)
    return value if math.isfinite(value) else None


@dataclass
class Row:
    """One figure of one folder, before and after."""

    figure: Figure
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before

    @property
    def verdict(self) -> str:
        """'better', 'worse', 'same', or 'n/a' when one side has no value."""
        change = self.change
        if change is None:
            return "n/a"
        if abs(change) <= SAME:
            return "same"
        return "better" if (change > 0) == self.figure.higher_is_better else "worse"


def compare_summaries(before: dict, after: dict) -> list[Row]:
    """Every figure that either summary has."""
    rows = [Row(f, _value(before, f.path), _value(after, f.path)) for f in FIGURES]
    return [r for r in rows if r.before is not None or r.after is not None]


def regressions(rows: list[Row], margins: dict[str, float]) -> list[str]:
    """The losses beyond their margin, one sentence each."""
    found = []
    for row in rows:
        kind, change = row.figure.margin, row.change
        if kind is None or change is None or row.verdict != "worse":
            continue
        if abs(change) > margins[kind]:
            sign = "+" if change > 0 else "-"
            found.append(f"{row.figure.label} {_fmt(row.before, row.figure)} -> {_fmt(row.after, row.figure)} "
                         f"({_signed(change, row.figure)}, margin {sign}{margins[kind]:g})")
    return found


def _fmt(value: float | None, figure: Figure) -> str:
    return "n/a" if value is None else f"{value:.{figure.digits}f}"


def _signed(value: float | None, figure: Figure) -> str:
    return "" if value is None else f"{value:+.{figure.digits}f}"


def table(rows: list[Row]) -> list[str]:
    """The rows as aligned text: figure, before, after, change, verdict."""
    width = max(len(r.figure.label) for r in rows)
    lines = [f"  {'figure':<{width}}  {'before':>9}  {'after':>9}  {'change':>9}"]
    for r in rows:
        lines.append(f"  {r.figure.label:<{width}}  {_fmt(r.before, r.figure):>9}  {_fmt(r.after, r.figure):>9}  "
                     f"{_signed(r.change, r.figure):>9}  {r.verdict}")
    better = [r.figure.label for r in rows if r.verdict == "better"]
    worse = [r.figure.label for r in rows if r.verdict == "worse"]
    lines.append(f"  better: {', '.join(better) or 'nothing'}; worse: {', '.join(worse) or 'nothing'}")
    return lines


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="seasky-eval --compare", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"), required=True,
                   help="two weights files (.pt/.onnx, or 'shipped' / 'shipped-int8'): the one you had, the new one")
    p.add_argument("--data", type=Path, action="append", default=[],
                   help="a folder of your own labelled frames, scored whole (repeatable)")
    p.add_argument("--reference", type=Path, action="append", default=[],
                   help="an open-sea folder whose losses are WARNINGs (repeatable), e.g. infml-hdd-dev")
    p.add_argument("--reference-split", choices=["gap", "all"], default="gap",
                   help="'gap': score a reference's last third, as seasky-eval --split gap; 'all': all of it")
    p.add_argument("--class-map", default=None, help="'massmind' or '0:0,1:1,3:2,...' for the folders' masks")
    p.add_argument("--margin-px", type=float, default=DEFAULT_MARGIN_PX,
                   help="a reference's horizon median may grow this much (px)")
    p.add_argument("--margin-iou", type=float, default=DEFAULT_MARGIN_IOU, help="a reference's IoU may drop this much")
    p.add_argument("--margin-detection", type=float, default=DEFAULT_MARGIN_DETECTION,
                   help="a reference's detection rate may drop this much (0..1)")
    p.add_argument("--fail-on-regression", action="store_true",
                   help="exit 1 when a reference loses more than a margin")
    p.add_argument("--device", default="auto")
    p.add_argument("--backend", default="auto", choices=["auto", "torch", "onnxruntime"])
    p.add_argument("--json", type=Path, default=None, help="also write every figure as JSON here")
    p.add_argument("--no-progress", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    from .evaluate import evaluate

    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.data and not args.reference:
        parser.error("give at least one --data or --reference folder")
    class_map = None
    if args.class_map:
        class_map = CLASS_MAP_PRESETS.get(args.class_map) or parse_class_map(args.class_map)
    names = list(args.compare)
    segmenters = [Segmenter.from_file(resolve_named(name), args.device, args.backend) for name in names]
    margins = {"px": args.margin_px, "iou": args.margin_iou, "detection": args.margin_detection}
    folders = [(root, False) for root in args.data] + [(root, True) for root in args.reference]
    print(f"seasky-eval --compare: before = {names[0]} ({segmenters[0].source.name}), "
          f"after = {names[1]} ({segmenters[1].source.name})")
    results, warnings = [], []
    for root, reference in folders:
        folder = DatasetFolder(root, class_map=class_map)
        if reference and args.reference_split == "gap":
            folder = folder.subset(gap_split(len(folder))[1])
        before, _ = evaluate(folder, segmenters[0], progress=not args.no_progress, keep_worst=0)
        after, _ = evaluate(folder, segmenters[1], progress=not args.no_progress, keep_worst=0)
        rows = compare_summaries(before, after)
        part = f", its last third ({args.reference_split})" if reference and args.reference_split == "gap" else ""
        print(f"\n{root} ({len(folder)} frames{part}){' [open-sea reference]' if reference else ''}")
        print("\n".join(table(rows)))
        lost = regressions(rows, margins) if reference else []
        for text in lost:
            line = f"WARNING: {root}: {text}: the new weights lose on this reference"
            warnings.append(line)
            print(line)
        results.append({"data": str(root), "reference": reference, "frames": len(folder),
                        "figures": [{"figure": r.figure.label, "before": r.before, "after": r.after,
                                     "change": r.change, "verdict": r.verdict} for r in rows],
                        "regressions": lost})
    if args.json:
        write_bytes_atomic(args.json, json.dumps({"before": names[0], "after": names[1], "folders": results},
                                                 indent=2).encode())
    if warnings:
        print(f"\nseasky-eval --compare: {len(warnings)} loss(es) beyond the margins on the open-sea reference(s): "
              f"keep {names[0]}, or fine-tune again (recipe: docs/OWN_CAMERA.md)")
        return 1 if args.fail_on_regression else 0
    if args.reference:
        print("\nseasky-eval --compare: no loss beyond the margins on the open-sea reference(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
