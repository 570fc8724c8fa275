# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""How a model does on a distant coast: the coast called "other", the haze band over it called sky,
and the reported horizon on the coast's waterline.

Why separate figures: on a coast frame a mean IoU hides the two mistakes that matter. A coast
read as sea or sky is an obstacle missed; a bright haze band read as sea moves the horizon up
to the coast's top. The waterline reference comes from the image (``seasky_training.waterline``),
not from the model, so the horizon figure also works on frames nobody labelled.

``python -m seasky_training.coast_metrics data/mardct-coast [--weights W] [--images DIR ...] [--json]``
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from seasky_ros.dataset_folder import DatasetError, DatasetFolder, load_image
from seasky_ros.metrics import ConfusionMatrix
from seasky_ros.segmenter import Segmenter
from seasky_ros.weights import WeightsError

from .label_coast import OTHER, SEA, SKY
from .waterline import find_waterline

HAZE_ROWS = 30  # the sky rows right above the coast's top that count as its haze band
HAZE_GAP = 3  # rows left out next to the coast's top (the labels' uncertain edge)
NEAR_PX = 3.0  # "on the waterline": the reported horizon within this many rows at the centre column


def coast_regions(mask: np.ndarray, waterline_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks of the coast (labelled other, above the waterline) and of its haze band."""
    height, width = mask.shape
    ys = np.arange(height)[:, None]
    coast = (mask == OTHER) & (ys + 0.5 <= waterline_rows[None, :])
    not_sky = mask != SKY
    top = np.where(not_sky.any(axis=0), np.argmax(not_sky, axis=0), height)  # first non-sky row per column
    haze = (mask == SKY) & (ys >= top[None, :] - HAZE_GAP - HAZE_ROWS) & (ys < top[None, :] - HAZE_GAP)
    return coast, haze


def horizon_offset(segmenter: Segmenter, image: np.ndarray, waterline_rows: np.ndarray) -> tuple[float, np.ndarray]:
    """Reported horizon minus the waterline at the centre column (NaN when none is reported), and the labels."""
    result = segmenter.segment(image)
    width = image.shape[1]
    centre = (width - 1) / 2.0
    truth = float(np.interp(centre, np.arange(width), waterline_rows))
    offset = float(result.horizon.y_at(centre)) - truth if result.horizon is not None else float("nan")
    return offset, result.labels


def summarize_offsets(offsets: Sequence[float]) -> dict[str, float]:
    values = np.asarray(offsets, dtype=np.float64)
    found = values[np.isfinite(values)]
    return {
        "frames": int(values.size),
        "reported": int(found.size),
        "median_abs_px": float(np.median(np.abs(found))) if found.size else float("nan"),
        "median_signed_px": float(np.median(found)) if found.size else float("nan"),
        "within_3px": float(np.mean(np.abs(values) <= NEAR_PX)) if values.size else float("nan"),
    }


def score_folder(folder: DatasetFolder, segmenter: Segmenter) -> dict:
    """Coast and haze shares, IoU and horizon offsets over a labelled folder."""
    cm = ConfusionMatrix(3)
    coast_hit = coast_all = haze_hit = haze_all = 0
    offsets = []
    for i in range(len(folder)):
        item = folder[i]
        width = item.image.shape[1]
        x0, y0, x1, y1 = item.horizon
        rows = y0 + (y1 - y0) * (np.arange(width) - x0) / (x1 - x0)
        offset, labels = horizon_offset(segmenter, item.image, rows)
        offsets.append(offset)
        cm.update(item.mask, labels)
        coast, haze = coast_regions(item.mask, rows)
        coast_hit += int(np.count_nonzero(labels[coast] == OTHER))
        coast_all += int(np.count_nonzero(coast))
        haze_hit += int(np.count_nonzero(labels[haze] == SKY))
        haze_all += int(np.count_nonzero(haze))
    iou = cm.iou()
    return {
        "frames": len(folder),
        "coast_other": coast_hit / max(1, coast_all),
        "haze_sky": haze_hit / max(1, haze_all),
        "iou": {"sky": float(iou[SKY]), "sea": float(iou[SEA]), "other": float(iou[OTHER])},
        "horizon": summarize_offsets(offsets),
    }


def score_images(images: Path, segmenter: Segmenter) -> dict:
    """Horizon offsets from the image's own waterline over every frame of a folder (no labels needed)."""
    offsets = []
    missing = []
    for path in sorted(p for p in images.iterdir() if p.suffix.lower() in (".png", ".tif", ".tiff")):
        image = load_image(path)
        waterline = find_waterline(image)
        if waterline is None:
            missing.append(path.stem)
            continue
        offsets.append(horizon_offset(segmenter, image, waterline.y_at(np.arange(image.shape[1])))[0])
    return {"images": str(images), "no_waterline": missing, "horizon": summarize_offsets(offsets)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m seasky_training.coast_metrics",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path, help="a label tree (seasky_training.label_coast) with dataset folders")
    parser.add_argument("--weights", default=None, help="weights to score (default: the shipped ones)")
    parser.add_argument("--images", type=Path, action="append", default=[],
                        help="also: every frame of this image folder against its own waterline (repeatable)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    try:
        segmenter = Segmenter.from_file(args.weights)
        report = {"weights": str(segmenter.source), "folders": {}, "images": []}
        for sub in sorted(p for p in args.tree.iterdir() if (p / "masks").is_dir()):
            report["folders"][sub.name] = score_folder(DatasetFolder(sub), segmenter)
        for images in args.images:
            report["images"].append(score_images(images, segmenter))
    except (DatasetError, WeightsError, OSError) as exc:
        raise SystemExit(f"coast_metrics: {exc}") from None
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"weights: {report['weights']}")
    print("| folder | frames | coast 'other' | haze band 'sky' | sky / sea / other IoU | horizon - waterline "
          "median abs (signed) | within 3 px | reported |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, r in report["folders"].items():
        h, iou = r["horizon"], r["iou"]
        print(f"| {name} | {r['frames']} | {100 * r['coast_other']:.1f} % | {100 * r['haze_sky']:.1f} % | "
              f"{iou['sky']:.3f} / {iou['sea']:.3f} / {iou['other']:.3f} | {h['median_abs_px']:.1f} "
              f"({h['median_signed_px']:+.1f}) px | {100 * h['within_3px']:.0f} % | {h['reported']} |")
    for r in report["images"]:
        h = r["horizon"]
        print(f"| {r['images']} (all frames, image waterline) | {h['frames']} | | | | {h['median_abs_px']:.1f} "
              f"({h['median_signed_px']:+.1f}) px | {100 * h['within_3px']:.0f} % | {h['reported']} |")
        if r["no_waterline"]:
            print(f"  no waterline found in: {', '.join(r['no_waterline'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
