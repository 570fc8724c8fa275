# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""``seasky-check``: every problem of a dataset folder in one report, before any training starts.

A folder is read frame by frame during training, so without this a wrong label value, a mask of
the wrong size or a frame without a mask surfaces as a traceback in the middle of an epoch, one
problem per run. This reads every file once, collects every problem (label values, sizes, bit
depths, missing or stray masks, malformed or stray ``horizon.csv`` rows, lines that disagree with
the mask) and can draw a contact sheet of the labels over the images to look at.
``seasky-train`` runs the same check on its ``--data`` folders before the first epoch.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import cv2
import numpy as np

from seasky_ros.atomic_write import write_image_atomic
from seasky_ros.dataset_folder import (
    HORIZON_HEADER,
    IMAGE_SUFFIXES,
    VALID_LABELS,
    DatasetError,
    apply_class_map,
    load_image,
    parse_class_map,
    resolve_images_dir,
)
from seasky_ros.horizon import horizon_from_points
from seasky_ros.labels import SEA, SKY
from seasky_ros.overlay import render_overlay, tile_grid

# A labelled horizon and its mask disagree when, in the columns where the mask has a sky->sea
# step, the step lies this far from the line (pixels, median over those columns).
LINE_MASK_TOLERANCE_PX = 2.0


@dataclass
class Problem:
    """One thing wrong with a folder: the file it is in, a short kind for counting, and the detail."""

    path: str
    kind: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class FolderReport:
    """What ``check_folder`` found: counts for the summary line and every problem."""

    root: str
    frames: int = 0
    masks: int = 0
    horizon_rows: int = 0
    sizes: dict[str, int] = field(default_factory=dict)
    bit_depths: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        sizes = ", ".join(f"{k} ({v})" for k, v in sorted(self.sizes.items())) or "-"
        depths = ", ".join(f"{k} ({v})" for k, v in sorted(self.bit_depths.items())) or "-"
        verdict = "ok" if self.ok else f"{len(self.problems)} problem(s)"
        return (f"{self.root}: {self.frames} frames, {self.masks} masks, {self.horizon_rows} horizon rows; "
                f"sizes {sizes}; {depths}; {verdict}")


def _read_horizon_rows(path: Path, report: FolderReport) -> dict[str, tuple[float, float, float, float] | None]:
    """Like dataset.read_horizon_csv, but every bad row becomes a Problem instead of the first raising."""
    rows: dict[str, tuple[float, float, float, float] | None] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        report.problems.append(Problem(str(path), "csv", f"cannot read ({exc})"))
        return rows
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != HORIZON_HEADER:
        report.problems.append(Problem(str(path), "csv", f"header must be '{','.join(HORIZON_HEADER)}', got {header}"))
        return rows
    for line, row in enumerate(reader, start=2):
        if not row or not any(f.strip() for f in row):
            continue
        where = f"{path}:{line}"
        if len(row) != 5:
            report.problems.append(Problem(where, "csv", f"expected 5 fields (stem,x0,y0,x1,y1), got {len(row)}"))
            continue
        stem, *values = (f.strip() for f in row)
        if stem in rows:
            report.problems.append(Problem(where, "csv", f"a second row for '{stem}'"))
            continue
        if all(v == "" for v in values):
            rows[stem] = None
            continue
        try:
            numbers = tuple(float(v) for v in values)
        except ValueError:
            report.problems.append(Problem(where, "csv", f"'{stem}': give four numbers or four empty fields"))
            continue
        if not all(math.isfinite(v) for v in numbers):
            report.problems.append(Problem(where, "csv", f"'{stem}': coordinates must be finite"))
            continue
        if numbers[:2] == numbers[2:]:
            report.problems.append(Problem(where, "csv", f"'{stem}': the two points coincide, they give no line"))
            continue
        rows[stem] = numbers  # type: ignore[assignment]
    return rows


def _line_vs_mask(mask: np.ndarray, line: tuple[float, float, float, float]) -> float | None:
    """Median distance (px) between a labelled line and the mask's sky->sea steps; None without steps.

    The steps are looked for across the line, in the line's sky-to-sea direction (down the
    columns for an upright line, up them upside down, along the rows for a steep one).
    """
    height, width = mask.shape
    h = horizon_from_points(*line, width, height)
    ux, uy = h.up
    vertical = abs(uy) >= abs(ux)
    grid = mask if vertical else mask.T  # scan lines across the line: the columns, or the rows
    first, second = (SKY, SEA) if (uy if vertical else ux) < 0 else (SEA, SKY)
    offsets = []
    for i in range(0, grid.shape[1], max(1, grid.shape[1] // 64)):
        scan = grid[:, i]
        # the boundary between pixel r and r+1 lies at r + 0.5
        steps = np.flatnonzero((scan[:-1] == first) & (scan[1:] == second)) + 0.5
        if steps.size == 0:
            continue
        xs, ys = (float(i), steps) if vertical else (steps, float(i))
        offsets.append(float(np.min(np.abs(h.signed_distance(xs, ys)))))
    return float(np.median(offsets)) if offsets else None


def check_folder(root: str | Path, class_map: Mapping[int, int] | None = None,
                 require_masks: bool = False) -> FolderReport:
    """Read every file of a dataset folder and report all problems (never raises on bad data).

    ``require_masks``: training needs a mask for every frame; without it, a folder where only
    some frames have masks is still a problem (the format allows all or none), one without any is not.
    """
    root = Path(root)
    report = FolderReport(root=str(root))
    masks_dir = root / "masks"
    try:
        images_dir = resolve_images_dir(root)
    except DatasetError as exc:
        report.problems.append(Problem(str(root), "layout", str(exc)))
        return report
    if not images_dir.is_dir():
        report.problems.append(Problem(str(images_dir), "layout", "missing images/ directory"))
        return report
    # labels kept apart from their images (images.path) cover only the frames that have a mask
    labelled_only = images_dir != root / "images"
    images: dict[str, Path] = {}
    for path in sorted(images_dir.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        if labelled_only and not (masks_dir / f"{path.stem}.png").is_file():
            continue
        if path.stem in images:
            report.problems.append(Problem(str(path), "layout", f"stem '{path.stem}' also used by "
                                                                 f"{images[path.stem].name}"))
            continue
        images[path.stem] = path
    report.frames = len(images)
    if not images:
        report.problems.append(Problem(str(images_dir), "layout", f"no images ({', '.join(IMAGE_SUFFIXES)})"))
    mask_files = {p.stem: p for p in sorted(masks_dir.glob("*.png"))} if masks_dir.is_dir() else {}
    for stem in sorted(set(mask_files) - set(images)):
        report.problems.append(Problem(str(mask_files[stem]), "stray-mask", "mask without an image"))
    csv_path = root / "horizon.csv"
    rows = _read_horizon_rows(csv_path, report) if csv_path.is_file() else {}
    report.horizon_rows = len(rows)
    for stem in sorted(set(rows) - set(images)):
        report.problems.append(Problem(str(csv_path), "stray-row", f"row for '{stem}', which has no image"))
    some_masks = any(stem in mask_files for stem in images)
    for stem, path in images.items():
        try:
            image = load_image(path)
        except DatasetError as exc:
            report.problems.append(Problem(str(path), "image", str(exc).removeprefix(f"{path}: ")))
            continue
        size = f"{image.shape[1]}x{image.shape[0]}"
        report.sizes[size] = report.sizes.get(size, 0) + 1
        depth = f"{image.dtype.itemsize * 8}-bit"
        report.bit_depths[depth] = report.bit_depths.get(depth, 0) + 1
        if stem not in mask_files:
            if require_masks or some_masks:
                report.problems.append(Problem(str(path), "missing-mask", "no masks/<stem>.png (training needs "
                                                                         "a mask for every frame)"))
            continue
        report.masks += 1
        mask_path = mask_files[stem]
        try:
            mask = load_image(mask_path)
        except DatasetError as exc:
            report.problems.append(Problem(str(mask_path), "mask", str(exc).removeprefix(f"{mask_path}: ")))
            continue
        if mask.dtype != np.uint8:
            report.problems.append(Problem(str(mask_path), "mask", f"must be 8-bit, is {mask.dtype.itemsize * 8}-bit"))
            continue
        if mask.shape != image.shape:
            report.problems.append(Problem(str(mask_path), "mask", f"size {mask.shape[1]}x{mask.shape[0]} differs "
                                                                   f"from its image {size}"))
            continue
        if class_map:
            mask = apply_class_map(mask, class_map)
        unknown = sorted(set(np.unique(mask).tolist()) - VALID_LABELS)
        if unknown:
            report.problems.append(Problem(str(mask_path), "labels", f"label values {unknown}; allowed 0 sky, "
                                                                     f"1 sea, 2 other, 255 ignore"))
            continue
        line = rows.get(stem)
        if line is not None:
            gap = _line_vs_mask(mask, line)
            if gap is not None and gap > LINE_MASK_TOLERANCE_PX:
                report.problems.append(Problem(str(csv_path), "line-vs-mask",
                                               f"'{stem}': the horizon row lies {gap:.1f} px from the mask's "
                                               f"sky->sea boundary (median over columns)"))
            elif gap is None and _line_vs_mask(mask, (*line[2:], *line[:2])) is not None:
                report.problems.append(Problem(str(csv_path), "line-vs-mask",
                                               f"'{stem}': the mask's sky is on the line's right; the points "
                                               f"go with the sky on their left (upright: the left point first)"))
    return report


def contact_sheet(root: str | Path, out: str | Path, class_map: Mapping[int, int] | None = None,
                  tile_width: int = 320, cols: int = 4, limit: int = 64) -> int:
    """Labels tinted over each image (horizon.csv's line in white), in a grid; returns the tile count."""
    root = Path(root)
    images_dir = resolve_images_dir(root)
    labelled_only = images_dir != root / "images"
    stems = sorted(p.stem for p in images_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES
                   and not (labelled_only and not (root / "masks" / f"{p.stem}.png").is_file()))
    csv_path = root / "horizon.csv"
    report = FolderReport(root=str(root))
    rows = _read_horizon_rows(csv_path, report) if csv_path.is_file() else {}
    step = max(1, math.ceil(len(stems) / limit))
    tiles = []
    for stem in stems[::step]:
        image_path = next(p for p in images_dir.glob(f"{stem}.*") if p.suffix.lower() in IMAGE_SUFFIXES)
        try:
            image = load_image(image_path)
        except DatasetError:
            continue
        mask_path = root / "masks" / f"{stem}.png"
        labels = np.full(image.shape, 255, np.uint8)
        if mask_path.is_file():
            try:
                mask = load_image(mask_path)
                if mask.shape == image.shape and mask.dtype == np.uint8:
                    labels = apply_class_map(mask, class_map) if class_map else mask
            except DatasetError:
                pass
        tile = render_overlay(image, labels, None)
        line = rows.get(stem)
        if line is not None:
            h = horizon_from_points(*line, image.shape[1], image.shape[0])
            cv2.line(tile, (round(h.x0), round(h.y0)), (round(h.x1), round(h.y1)), (255, 255, 255), 1, cv2.LINE_AA)
        scale = tile_width / tile.shape[1]
        tile = cv2.resize(tile, (tile_width, max(1, round(tile.shape[0] * scale))), interpolation=cv2.INTER_AREA)
        cv2.putText(tile, stem[:32], (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255), 1, cv2.LINE_AA)
        tiles.append(tile)
    if tiles:
        write_image_atomic(out, tile_grid(tiles, cols))
    return len(tiles)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="seasky-check", description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path, help="dataset folders (images/, masks/, horizon.csv)")
    parser.add_argument("--class-map", help="relabel masks first, as in seasky-train (e.g. 'massmind', '3:2,4:2')")
    parser.add_argument("--require-masks", action="store_true", help="a frame without a mask is a problem "
                                                                     "(what training needs)")
    parser.add_argument("--sheet", type=Path, help="write a contact sheet PNG (one per folder: NAME-<folder>.png "
                                                   "when several folders are given)")
    parser.add_argument("--json", action="store_true", help="print the reports as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    class_map = parse_class_map(args.class_map) if args.class_map else None
    reports = [check_folder(folder, class_map, args.require_masks) for folder in args.folders]
    if args.json:
        print(json.dumps([asdict(r) | {"ok": r.ok} for r in reports], indent=2))
    else:
        for report in reports:
            print(report.summary())
            for problem in report.problems:
                print(f"  {problem.kind:13s} {problem}")
    if args.sheet:
        for folder in args.folders:
            out = args.sheet if len(args.folders) == 1 else args.sheet.with_name(
                f"{args.sheet.stem}-{folder.name}{args.sheet.suffix or '.png'}")
            count = contact_sheet(folder, out, class_map)
            print(f"contact sheet: {out} ({count} frames)", file=sys.stderr)
    return 0 if all(r.ok for r in reports) else 1


if __name__ == "__main__":
    raise SystemExit(main())
