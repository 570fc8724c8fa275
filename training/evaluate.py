# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""``seasky-eval``: score weights on a labelled dataset folder.

Reports per-class IoU and Dice accumulated over the whole set, horizon position and angle
errors (mean / median / p95), detection rate and false detections, and speed. Writes a
Markdown report, a JSON file, and a grid of overlays of the worst frames so a person can
see *why* the numbers are what they are.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from seasky_ros.atomic_write import write_bytes_atomic, write_image_atomic
from seasky_ros.dataset_folder import CLASS_MAP_PRESETS, DatasetFolder, parse_class_map
from seasky_ros.horizon import Horizon, estimate_horizon, horizon_from_points
from seasky_ros.horizon_zoom import DEFAULT_HORIZON_ZOOM, check_zoom
from seasky_ros.labels import CLASS_NAMES
from seasky_ros.metrics import ConfusionMatrix, HorizonTally, horizon_errors
from seasky_ros.preprocess import fill_nonfinite, to_gray
from seasky_ros.roll_search import DEFAULT_ROLL_SEARCH, ROLL_SEARCH_MODES
from seasky_ros.segmenter import Segmenter

from .augment import roll_crop, roll_crop_size
from .false_obstacles import FalseOtherTally, false_other, summary_line
from .named_weights import resolve_named
from .samples import gap_split, time_split


@dataclass
class FrameRecord:
    stem: str
    position_px: float = math.nan
    angle_deg: float = math.nan
    pixel_error: float = math.nan
    missed: bool = False
    false_detection: bool = False
    truth_mask: np.ndarray | None = field(default=None, repr=False)  # drawn beside the prediction

    def badness(self) -> float:
        """Sort key for 'worst frames': a miss or false detection first, then position error."""
        if self.missed or self.false_detection:
            return math.inf
        value = self.position_px if not math.isnan(self.position_px) else self.pixel_error
        return -1.0 if math.isnan(value) else value


def truth_horizon(item, width: int, height: int) -> Horizon | None:
    if item.horizon is None:
        return None
    return horizon_from_points(*item.horizon, width=width, height=height)


def evaluate(
    folder: DatasetFolder,
    segmenter: Segmenter | None,
    oracle_masks: bool = False,
    refine: bool = True,
    progress: bool = True,
    keep_worst: int = 8,
) -> tuple[dict, list[tuple[FrameRecord, np.ndarray, np.ndarray, Horizon | None, Horizon | None]]]:
    """Run over every frame; returns the summary and the worst frames for the overlay grid."""
    from tqdm import tqdm

    cm = ConfusionMatrix(len(CLASS_NAMES))
    tally = HorizonTally()
    phantoms = FalseOtherTally()
    keep: list = []
    times: list[float] = []
    network_times: list[float] = []
    for i in tqdm(range(len(folder)), desc=folder.root.name, disable=not progress):
        item = folder[i]
        gray, _ = fill_nonfinite(to_gray(item.image))
        height, width = gray.shape
        record = FrameRecord(item.stem)
        if oracle_masks:
            if item.mask is None:
                raise SystemExit(f"seasky-eval: --oracle-masks needs masks; {item.stem} has none")
            labels = item.mask
            start = time.perf_counter()
            pred = estimate_horizon(labels, gray if refine else None)
            times.append((time.perf_counter() - start) * 1e3)
        else:
            result = segmenter.segment(item.image, refine_horizon=refine)
            labels, pred = result.labels, result.horizon
            times.append(result.timings_ms["total"])
            network_times.append(result.timings_ms["network"])
        if item.mask is not None and not oracle_masks:
            cm.update(item.mask, labels)
            phantoms.update(false_other(item.mask, labels))
            valid = item.mask != 255
            record.pixel_error = float(np.mean(item.mask[valid] != labels[valid])) if valid.any() else math.nan
        if item.has_horizon_label:
            truth = truth_horizon(item, width, height)
            errors = tally.update(truth, pred, width, height)
            if errors:
                record.position_px, record.angle_deg = errors
            record.missed = truth is not None and pred is None
            record.false_detection = truth is None and pred is not None
        else:
            truth = None
        record.truth_mask = item.mask
        keep.append((record, gray, labels, truth, pred))
        keep.sort(key=lambda entry: entry[0].badness(), reverse=True)
        del keep[keep_worst:]
    iou, dice = cm.iou(), cm.dice()
    summary = {
        "data": str(folder.root),
        "frames": len(folder),
        "oracle_masks": oracle_masks,
        "segmentation": None if oracle_masks or cm.matrix.sum() == 0 else {
            "iou": {name: _finite(v) for name, v in zip(CLASS_NAMES, iou, strict=True)},
            "dice": {name: _finite(v) for name, v in zip(CLASS_NAMES, dice, strict=True)},
            "mean_iou_sky_sea": _finite(np.nanmean(iou[:2])),
            "mean_iou": _finite(cm.mean_iou()),
            "pixel_accuracy": _finite(cm.pixel_accuracy()),
        },
        "horizon": tally.summary() if tally.with_truth + tally.without_truth else None,
        "false_obstacles": phantoms.summary() if phantoms.frames else None,
        "speed": {
            "ms_per_frame_mean": _finite(np.mean(times)) if times else None,
            "ms_per_frame_median": _finite(np.median(times)) if times else None,
            "network_ms_median": _finite(np.median(network_times)) if network_times else None,
            "device": segmenter.device if segmenter else "cpu",
            "backend": segmenter.backend if segmenter else "none (oracle masks)",
        },
        "weights": str(segmenter.source) if segmenter else None,
        "worst": [r.stem for r, *_ in keep],
    }
    return summary, keep


def evaluate_rolls(folder: DatasetFolder, segmenter: Segmenter | None, rolls: list[float],
                   oracle_masks: bool = False, progress: bool = True) -> list[dict]:
    """The horizon with every labelled frame turned by each roll about its centre (``augment.roll_crop``).

    Per roll: frames whose line is in view, the share with a line found, median angle and
    position errors (``seasky_ros.metrics``) of the found lines, and the share of found lines
    with the sky on the right side (their angle within 90 deg of the truth's).
    """
    from tqdm import tqdm

    rows = {roll: {"roll_deg": roll, "frames": 0, "found": 0, "sky_side": 0, "angles": [], "positions": []}
            for roll in rolls}
    for i in tqdm(range(len(folder)), desc=f"{folder.root.name} rolls", disable=not progress):
        item = folder[i]
        if item.horizon is None or (oracle_masks and item.mask is None):
            continue
        gray, _ = fill_nonfinite(to_gray(item.image))
        for roll in rolls:
            turned, mask, line = roll_crop(gray, item.mask, item.horizon, roll)
            if line is None:
                continue
            height, width = turned.shape
            pred = estimate_horizon(mask, turned) if oracle_masks else segmenter.segment(turned, "32FC1").horizon
            row = rows[roll]
            row["frames"] += 1
            if pred is None:
                continue
            position, angle = horizon_errors(horizon_from_points(*line, width, height), pred, width, height)
            row["found"] += 1
            row["sky_side"] += int(angle < 90.0)
            row["angles"].append(angle)
            row["positions"].append(position)
    out = []
    for row in rows.values():
        n, found = row["frames"], row["found"]
        out.append({"roll_deg": row["roll_deg"], "frames": n, "detection": found / n if n else None,
                    "angle_median_deg": _finite(np.median(row["angles"])) if found else None,
                    "position_median_px": _finite(np.median(row["positions"])) if found else None,
                    "sky_side_correct": row["sky_side"] / found if found else None})
    return out


def rolls_report(rows: list[dict], size: tuple[int, int]) -> str:
    lines = [f"Horizon at each roll (frames turned about their centre, the centre {size[0]}x{size[1]} kept at every "
             "angle; errors of the lines found):", "",
             "| roll (deg) | frames | detection | angle median (deg) | position median (px) | sky side correct |",
             "| --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        lines.append(f"| {r['roll_deg']:g} | {r['frames']} | {_pct(r['detection'])} | {_fmt(r['angle_median_deg'])} | "
                     f"{_fmt(r['position_median_px'])} | {_pct(r['sky_side_correct'])} |")
    return "\n".join(lines) + "\n"


def _finite(value) -> float | None:
    value = float(value)
    return value if math.isfinite(value) else None


WORST_CAPTIONS = (
    "Each frame: the truth (labels and line) on the left, the prediction on the right with its scores: "
    "horizon position error at the image centre, angle error, share of labelled pixels with the wrong "
    "class. MISSED: no horizon reported where the truth has one. FALSE: a horizon reported where the "
    "truth has none (land or a waterfront hides it, or the frame looks away from the sea)."
)


def _score_caption(record: FrameRecord) -> str:
    """The prediction tile's caption: what made this frame one of the worst."""
    parts = []
    if record.missed:
        parts.append("MISSED")
    elif record.false_detection:
        parts.append("FALSE")
    elif not math.isnan(record.position_px):
        parts.append(f"{record.position_px:.1f}px {record.angle_deg:.2f}deg")
    if not math.isnan(record.pixel_error):
        parts.append(f"wrong {100 * record.pixel_error:.1f}%")
    return "pred " + " ".join(parts)


def _tile(image: np.ndarray, tile_width: int, captions: tuple[str, ...]) -> np.ndarray:
    scale = tile_width / image.shape[1]
    tile = cv2.resize(image, (tile_width, round(image.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    for row, caption in enumerate(captions):
        origin = (4, 14 + 14 * row)
        cv2.putText(tile, caption, origin, cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 3, cv2.LINE_AA)
        cv2.putText(tile, caption, origin, cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255), 1, cv2.LINE_AA)
    return tile


def write_worst_grid(worst: list, path: Path, tile_width: int = 320) -> None:
    """The worst frames, each as a pair: the truth beside the prediction with its score (WORST_CAPTIONS)."""
    from seasky_ros.overlay import render_overlay, tile_grid

    tiles = []
    for record, gray, labels, truth, pred in worst:
        truth_labels = record.truth_mask if record.truth_mask is not None else np.full(gray.shape, 255, np.uint8)
        tiles.append(_tile(render_overlay(gray, truth_labels, truth), tile_width, (record.stem[:32], "truth")))
        tiles.append(_tile(render_overlay(gray, labels, pred), tile_width, ("", _score_caption(record))))
    if not tiles:
        return
    write_image_atomic(path, tile_grid(tiles, cols=4))


def markdown_report(summary: dict, grid_name: str | None) -> str:
    lines = [f"# seasky-eval: {summary['data']}", ""]
    lines += [f"- frames: {summary['frames']}", f"- weights: {summary['weights'] or 'ground-truth masks (oracle)'}",
              f"- device/backend: {summary['speed']['device']} / {summary['speed']['backend']}", ""]
    seg = summary["segmentation"]
    if seg:
        lines += ["## Segmentation (accumulated over the set, 255 ignored)", "", "| class | IoU | Dice |",
                  "| --- | --- | --- |"]
        for name in CLASS_NAMES:
            lines.append(f"| {name} | {_fmt(seg['iou'][name], 4)} | {_fmt(seg['dice'][name], 4)} |")
        lines += ["", f"mean IoU sky/sea: {_fmt(seg['mean_iou_sky_sea'], 4)}; mean IoU: "
                  f"{_fmt(seg['mean_iou'], 4)} (classes present in the truth); "
                  f"pixel accuracy {_fmt(seg['pixel_accuracy'], 4)}", ""]
    if summary.get("false_obstacles"):
        lines += ["False obstacles (seasky_training.false_obstacles): " + summary_line(summary["false_obstacles"]), ""]
    hz = summary["horizon"]
    if hz:
        lines += ["## Horizon", "", "| error | mean | median | p95 | max |", "| --- | --- | --- | --- | --- |"]
        for key, label in (("position_px", "position (px, image centre)"), ("angle_deg", "angle (deg)")):
            s = hz[key]
            lines.append(f"| {label} | {_fmt(s['mean'])} | {_fmt(s['median'])} | {_fmt(s['p95'])} | {_fmt(s['max'])} |")
        lines += ["", f"detection rate {_fmt(100 * hz['detection_rate'], 1)} % of {hz['frames_with_horizon']} "
                  f"frames with a horizon; false detections {hz['false_detections']} of "
                  f"{hz['frames_without_horizon']} frames without one.", ""]
    sp = summary["speed"]
    if sp["ms_per_frame_mean"] is not None:
        lines += ["## Speed", "", f"{_fmt(sp['ms_per_frame_mean'], 1)} ms/frame mean, "
                  f"{_fmt(sp['ms_per_frame_median'], 1)} median (network {_fmt(sp['network_ms_median'], 1)} ms)", ""]
    if grid_name:
        lines += ["## Worst frames", "", f"![worst frames]({grid_name})", "", WORST_CAPTIONS, ""]
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f} %"


def _fmt(value, digits: int = 2) -> str:
    return "n/a" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def _zoom_argument(text: str) -> float:
    """``--horizon-zoom``, refused at parsing with the node parameter's range (``horizon_zoom.check_zoom``)."""
    try:
        return check_zoom(float(text))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="seasky-eval", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter,
                                epilog="seasky-eval --compare BEFORE AFTER --data DIR --reference DIR: two weights "
                                "files side by side, what got better and worse (seasky-eval --compare A B -h)")
    p.add_argument("--data", type=Path, required=True, help="dataset folder (images/, masks/, horizon.csv)")
    p.add_argument("--weights", default=None, help="weights file (.pt or .onnx), 'shipped' (float32) or "
                   "'shipped-int8'; default: the shipped weights (int8 on a CPU)")
    p.add_argument("--device", default="auto")
    p.add_argument("--backend", default="auto", choices=["auto", "torch", "onnxruntime"])
    p.add_argument("--class-map", default=None, help="'massmind' or '0:0,1:1,3:2,...' for the folder's masks")
    split = p.add_mutually_exclusive_group()
    split.add_argument("--tail-fraction", type=float, default=None,
                       help="score only this time-ordered tail of the folder "
                       "(the part seasky-train --val-fraction held out)")
    split.add_argument("--split", choices=["gap"], default=None,
                       help="'gap': score only the last third of the time-ordered folder, the frames "
                       "seasky-train --split gap validates on (a gap after its training half)")
    p.add_argument("--oracle-masks", action="store_true", help="horizon stage alone, on the ground-truth masks")
    p.add_argument("--no-refine", action="store_true", help="skip the horizon's image-gradient refinement")
    p.add_argument("--out", type=Path, default=None, help="report folder (default eval-<data name>)")
    p.add_argument("--json", type=Path, default=None, help="also write the summary as JSON here")
    p.add_argument("--worst", type=int, default=8, help="worst frames in the overlay grid")
    p.add_argument("--rolls", type=_roll_list, default=None, metavar="DEG,DEG,...",
                   help="instead: the horizon with each frame turned by these rolls about its centre (e.g. "
                   "0,15,30,45,60,90,135,180): detection, median angle and position error, sky side per roll")
    p.add_argument("--roll-search", choices=ROLL_SEARCH_MODES, default=DEFAULT_ROLL_SEARCH,
                   help="the node's horizon_roll_search: upright (one pass), auto (turned passes when the image "
                   "leans past 20 deg), full (any roll, upside down included)")
    p.add_argument("--horizon-zoom", type=_zoom_argument, default=DEFAULT_HORIZON_ZOOM, metavar="Z",
                   help="the node's horizon_zoom: 0 off, or a second network pass on the found line's band at "
                   "Z times the resolution (1 < Z <= 4; 1.75 measured, docs/HORIZON.md)")
    p.add_argument("--no-progress", action="store_true")
    return p


def _roll_list(text: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"rolls must be numbers separated by commas, got '{text}'") from None


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    if any(a == "--compare" or a.startswith("--compare=") for a in given):
        from .compare import main as compare_main  # two weights side by side: training.compare

        return compare_main(given)
    args = build_parser().parse_args(argv)
    class_map = None
    if args.class_map:
        class_map = CLASS_MAP_PRESETS.get(args.class_map) or parse_class_map(args.class_map)
    folder = DatasetFolder(args.data, class_map=class_map)
    if args.tail_fraction is not None:
        folder = folder.subset(time_split(len(folder), args.tail_fraction)[1])
    elif args.split == "gap":
        folder = folder.subset(gap_split(len(folder))[1])
    segmenter = None if args.oracle_masks else Segmenter.from_file(resolve_named(args.weights), args.device,
                                                                        args.backend)
    if segmenter is not None:
        segmenter.roll_search = args.roll_search
        segmenter.horizon_zoom = args.horizon_zoom
    out = args.out or Path(f"eval-{args.data.resolve().name}")
    if args.rolls:
        rows = evaluate_rolls(folder, segmenter, args.rolls, args.oracle_masks, not args.no_progress)
        size = roll_crop_size(*reversed(to_gray(folder[0].image).shape)) if len(folder) else (0, 0)
        text = rolls_report(rows, size)
        write_bytes_atomic(out / "rolls.md", text.encode())
        write_bytes_atomic(out / "rolls.json", json.dumps(rows, indent=2).encode())
        print(text + f"seasky-eval: report in {out / 'rolls.md'}")
        return 0
    summary, worst = evaluate(folder, segmenter, args.oracle_masks, not args.no_refine, not args.no_progress,
                              args.worst)
    grid = "worst_frames.png"
    write_worst_grid(worst, out / grid)
    write_bytes_atomic(out / "report.md", markdown_report(summary, grid).encode())
    text = json.dumps(summary, indent=2)
    write_bytes_atomic(out / "summary.json", text.encode())
    if args.json:
        write_bytes_atomic(args.json, text.encode())
    print(markdown_report(summary, None))
    print(f"seasky-eval: report in {out / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
