# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""``seasky-predict``: run the segmenter over a folder and write a complete dataset folder of its predictions.

``OUT/images/`` (the frames, copied byte for byte; or ``OUT/images.path`` naming where they are,
``--images path``), ``OUT/masks/<stem>.png`` (labels at each image's own resolution),
``OUT/horizon.csv`` (empty fields where no horizon is in view) and ``OUT/overlays/<stem>.png``
(the labels tinted over the frame with the line drawn, to look at). That is the first step of
labelling your own camera's frames: correct the masks and lines rather than paint from nothing,
then ``seasky-check OUT`` and ``seasky-train --data OUT``. The folder is written whole or not
at all, and an existing one (perhaps holding corrections) is never replaced without ``--overwrite``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from seasky_ros.atomic_write import write_image_atomic
from seasky_ros.dataset_folder import (
    IMAGE_SUFFIXES,
    IMAGES_POINTER,
    DatasetError,
    DatasetFolder,
    load_image,
    write_horizon_csv,
)
from seasky_ros.frame_codec import MAX_FRAME_PIXELS, check_frame_size, declared_size
from seasky_ros.overlay import render_overlay
from seasky_ros.segmenter import Segmenter
from seasky_ros.weights import WeightsError

from .named_weights import resolve_named

SHOW_SKIPPED = 10  # skipped files named one per line; beyond that, only counted
IMAGE_MODES = ("copy", "path")


@dataclass
class PredictReport:
    """What ``predict_folder`` did: frames written, with a horizon, and (name, reason) of those skipped."""

    written: int = 0
    with_horizon: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)


def input_frames(root: Path) -> list[Path]:
    """The images to predict: a dataset folder's (images/ or images.path) or, failing that, a plain folder's."""
    if (root / "images").is_dir() or (root / IMAGES_POINTER).is_file():
        folder = DatasetFolder(root)
        return [folder.image_path(i) for i in range(len(folder))]
    if not root.is_dir():
        raise DatasetError(f"{root}: not a directory")
    paths = sorted(p for p in root.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith("."))
    if not paths:
        raise DatasetError(f"{root}: no images/ folder and no images ({', '.join(IMAGE_SUFFIXES)}) in it")
    stems = [p.stem for p in paths]
    if len(set(stems)) != len(stems):
        twice = sorted({s for s in stems if stems.count(s) > 1})
        raise DatasetError(f"{root}: stem(s) {', '.join(twice[:5])} used by more than one file")
    return paths


def _read_checked(path: Path, max_pixels: int | None):
    """The frame at ``path``, its declared size checked against ``max_pixels`` before decoding."""
    with open(path, "rb") as f:
        size = declared_size(f.read())
    if size is None:
        raise DatasetError(f"{path}: no readable image size in its header (not a PNG, JPEG or TIFF?)")
    check_frame_size(*size, max_pixels, what="image")
    return load_image(path)


def predict_folder(frames: list[Path], segmenter: Segmenter, out: Path, progress: bool = True,
                   max_pixels: int | None = MAX_FRAME_PIXELS, images: str = "copy",
                   overlays: bool = True) -> PredictReport:
    """Writes images (or images.path), masks, horizon.csv and overlays; an unreadable frame is skipped.

    Like the node, one bad file costs that file, not the run: horizon.csv lists the others. ``out``
    is filled as it is (callers that want all-or-nothing pass a temporary folder, as ``main`` does).
    """
    from tqdm import tqdm

    if images not in IMAGE_MODES:
        raise ValueError(f"images must be one of {IMAGE_MODES}, got '{images}'")
    report = PredictReport()
    horizons: dict[str, tuple[float, float, float, float] | None] = {}
    for path in tqdm(frames, desc="predict", disable=not progress):
        try:
            image = _read_checked(path, max_pixels)
            result = segmenter.segment(image)
        except Exception as exc:  # unreadable, too large, or unusable: skip it, say so at the end
            report.skipped.append((path.name, " ".join(str(exc).split())))
            continue
        write_image_atomic(out / "masks" / f"{path.stem}.png", result.labels)
        if images == "copy":
            (out / "images").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, out / "images" / path.name)
        if overlays:
            write_image_atomic(out / "overlays" / f"{path.stem}.png",
                               render_overlay(image, result.labels, result.horizon, text=path.stem))
        h = result.horizon
        horizons[path.stem] = None if h is None else (h.x0, h.y0, h.x1, h.y1)
        report.written += 1
        report.with_horizon += h is not None
    if images == "path" and frames:
        # relative, so the labels and the frames can move together
        pointer = os.path.relpath(frames[0].parent.resolve(), out.resolve().parent / out.name)
        (out / IMAGES_POINTER).write_text(pointer + "\n", encoding="utf-8")
    write_horizon_csv(out / "horizon.csv", horizons)
    return report


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="seasky-predict", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--input", type=Path, required=True,
                   help="a folder of images, or a dataset folder (images/ or images.path)")
    p.add_argument("--output", type=Path, required=True,
                   help="the dataset folder to write: images/, masks/, horizon.csv, overlays/")
    p.add_argument("--images", choices=IMAGE_MODES, default="copy",
                   help="'copy' the frames into OUT/images/, or write OUT/images.path naming their folder")
    p.add_argument("--no-overlays", action="store_true", help="do not draw overlays/")
    p.add_argument("--overwrite", action="store_true", help="replace an existing OUT (its corrections are lost)")
    p.add_argument("--weights", default=None,
                   help="weights file (.pt or .onnx), 'shipped' or 'shipped-int8'; default: the shipped weights")
    p.add_argument("--device", default="auto")
    p.add_argument("--backend", default="auto", choices=["auto", "torch", "onnxruntime"])
    p.add_argument("--max-frame-pixels", type=int, default=MAX_FRAME_PIXELS,
                   help="largest image accepted (pixels), checked from the file's header before decoding")
    p.add_argument("--no-progress", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out: Path = args.output
    try:
        if out.exists() and not args.overwrite:
            raise DatasetError(f"{out} exists (it may hold corrected labels); give --overwrite to replace it")
        frames = input_frames(args.input)
        segmenter = Segmenter.from_file(resolve_named(args.weights), args.device, args.backend)
    except (DatasetError, WeightsError, ValueError, RuntimeError) as exc:
        print(f"seasky-predict: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    tmp = out.with_name(f".{out.name}.partial-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        report = predict_folder(frames, segmenter, tmp, not args.no_progress, args.max_frame_pixels,
                                args.images, not args.no_overlays)
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for name, reason in report.skipped[:SHOW_SKIPPED]:
        print(f"seasky-predict: skipped {name}: {reason}", file=sys.stderr)
    if len(report.skipped) > SHOW_SKIPPED:
        print(f"seasky-predict: ... and {len(report.skipped) - SHOW_SKIPPED} more skipped", file=sys.stderr)
    print(f"seasky-predict: {len(frames)} frames, {report.written} written (horizon found in "
          f"{report.with_horizon}), {len(report.skipped)} skipped; wrote {out} (images, masks, horizon.csv, "
          f"overlays): correct the masks and lines, then seasky-check {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
