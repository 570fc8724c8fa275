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
from pathlib import Path

from seasky_ros.atomic_write import write_image_atomic
from seasky_ros.segmenter import Segmenter

from .dataset import DatasetFolder, write_horizon_csv


def predict_folder(folder: DatasetFolder, segmenter: Segmenter, out: Path, progress: bool = True) -> int:
    """Writes masks and horizon.csv; returns the number of frames with a horizon."""
    from tqdm import tqdm

    horizons: dict[str, tuple[float, float, float, float] | None] = {}
    for i in tqdm(range(len(folder)), desc="predict", disable=not progress):
        item = folder[i]
        result = segmenter.segment(item.image)
        write_image_atomic(out / "masks" / f"{item.stem}.png", result.labels)
        h = result.horizon
        horizons[item.stem] = None if h is None else (h.x0, h.y0, h.x1, h.y1)
    write_horizon_csv(out / "horizon.csv", horizons)
    return sum(v is not None for v in horizons.values())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="seasky-predict", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--input", type=Path, required=True, help="folder with images/ (dataset folder format)")
    p.add_argument("--output", type=Path, required=True, help="where masks/ and horizon.csv go")
    p.add_argument("--weights", default=None, help="weights file (.pt or .onnx); default: the shipped weights")
    p.add_argument("--device", default="auto")
    p.add_argument("--backend", default="auto", choices=["auto", "torch", "onnxruntime"])
    p.add_argument("--no-progress", action="store_true")
    args = p.parse_args(argv)
    folder = DatasetFolder(args.input)
    segmenter = Segmenter.from_file(args.weights, args.device, args.backend)
    found = predict_folder(folder, segmenter, args.output, not args.no_progress)
    print(f"seasky-predict: {len(folder)} frames, horizon found in {found}; wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
