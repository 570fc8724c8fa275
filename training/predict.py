# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""``seasky-predict``: run the segmenter over a folder and write predictions in the dataset format.

``OUT/masks/<stem>.png`` (labels at each image's own resolution) and ``OUT/horizon.csv``
(empty fields where no horizon is in view) can then be scored by ``seasky-eval``-like tools,
by other people's scripts, or opened in any image viewer.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from seasky_ros.atomic_write import write_image_atomic
from seasky_ros.dataset_folder import DatasetError, DatasetFolder, write_horizon_csv
from seasky_ros.frame_codec import MAX_FRAME_PIXELS, check_frame_size, declared_size
from seasky_ros.segmenter import Segmenter
from seasky_ros.weights import WeightsError

SHOW_SKIPPED = 10  # skipped files named one per line; beyond that, only counted


@dataclass
class PredictReport:
    """What ``predict_folder`` did: frames written, with a horizon, and (name, reason) of those skipped."""

    written: int = 0
    with_horizon: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _read_checked(folder: DatasetFolder, index: int, max_pixels: int | None):
    """The frame at ``index``, its declared size checked against ``max_pixels`` before decoding."""
    path = folder.image_path(index)
    with open(path, "rb") as f:
        size = declared_size(f.read())
    if size is None:
        raise DatasetError(f"{path}: no readable image size in its header (not a PNG, JPEG or TIFF?)")
    check_frame_size(*size, max_pixels, what="image")
    return folder[index]


def predict_folder(folder: DatasetFolder, segmenter: Segmenter, out: Path, progress: bool = True,
                   max_pixels: int | None = MAX_FRAME_PIXELS) -> PredictReport:
    """Writes masks and horizon.csv for every frame that can be read; an unreadable one is skipped.

    Like the node, one bad file costs that file, not the run: horizon.csv lists the others.
    """
    from tqdm import tqdm

    report = PredictReport()
    horizons: dict[str, tuple[float, float, float, float] | None] = {}
    for i in tqdm(range(len(folder)), desc="predict", disable=not progress):
        try:
            item = _read_checked(folder, i, max_pixels)
            result = segmenter.segment(item.image)
        except Exception as exc:  # unreadable, too large, or unusable: skip it, say so at the end
            report.skipped.append((folder.image_path(i).name, " ".join(str(exc).split())))
            continue
        write_image_atomic(out / "masks" / f"{item.stem}.png", result.labels)
        h = result.horizon
        horizons[item.stem] = None if h is None else (h.x0, h.y0, h.x1, h.y1)
        report.written += 1
        report.with_horizon += h is not None
    write_horizon_csv(out / "horizon.csv", horizons)
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="seasky-predict", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--input", type=Path, required=True, help="folder with images/ (dataset folder format)")
    p.add_argument("--output", type=Path, required=True, help="where masks/ and horizon.csv go")
    p.add_argument("--weights", default=None, help="weights file (.pt or .onnx); default: the shipped weights")
    p.add_argument("--device", default="auto")
    p.add_argument("--backend", default="auto", choices=["auto", "torch", "onnxruntime"])
    p.add_argument("--max-frame-pixels", type=int, default=MAX_FRAME_PIXELS,
                   help="largest image accepted (pixels), checked from the file's header before decoding")
    p.add_argument("--no-progress", action="store_true")
    args = p.parse_args(argv)
    try:
        folder = DatasetFolder(args.input)
        segmenter = Segmenter.from_file(args.weights, args.device, args.backend)
    except (DatasetError, WeightsError, ValueError, RuntimeError) as exc:
        print(f"seasky-predict: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    report = predict_folder(folder, segmenter, args.output, not args.no_progress, args.max_frame_pixels)
    for name, reason in report.skipped[:SHOW_SKIPPED]:
        print(f"seasky-predict: skipped {name}: {reason}", file=sys.stderr)
    if len(report.skipped) > SHOW_SKIPPED:
        print(f"seasky-predict: ... and {len(report.skipped) - SHOW_SKIPPED} more skipped", file=sys.stderr)
    print(f"seasky-predict: {len(folder)} frames, {report.written} written (horizon found in "
          f"{report.with_horizon}), {len(report.skipped)} skipped; wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
