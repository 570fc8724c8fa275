# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The dataset folder format: the one way frames, labels and horizons move between tools.

::

    DIR/images/<stem>.png|.tif|.tiff   8- or 16-bit single channel (8-bit colour is read as gray)
    DIR/masks/<stem>.png               optional uint8 labels: 0 sky, 1 sea, 2 other, 255 ignore
    DIR/horizon.csv                    optional: stem,x0,y0,x1,y1 (empty fields: no horizon in view);
                                       two points of the line, the sky on the left walking from the
                                       first to the second (upright: the left point first), so any
                                       roll, upside down included, is one row
    DIR/images.path                    instead of images/: one line, the images' folder (relative to DIR);
                                       the folder then holds only the frames that have a mask

Plain files that any image viewer, spreadsheet or script can read, so public datasets, our own
recordings, synthetic scenes and predictions all meet in one format. Frames are loaded lazily
(a folder can hold more frames than memory), and every problem is reported as a
``DatasetError`` naming the offending file, because a bad label found mid-training is far
more expensive than one found when the folder is opened or read.
"""

from __future__ import annotations

import copy
import csv
import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .atomic_write import write_bytes_atomic, write_image_atomic
from .labels import VALID_LABELS, HorizonPoints

IMAGE_SUFFIXES = (".png", ".tif", ".tiff")
HORIZON_HEADER = ("stem", "x0", "y0", "x1", "y1")
IMAGES_POINTER = "images.path"

# MassMIND: sky 0, water 1, bridge 2, obstacle 3, living obstacle 4, background 5, self 6.
CLASS_MAP_PRESETS: dict[str, dict[int, int]] = {
    "massmind": {0: 0, 1: 1, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2},
}



class DatasetError(ValueError):
    """A dataset folder problem; the message names the file and what is wrong with it."""


@dataclass
class LabelledFrame:
    """One frame of a folder. ``image`` is as stored (2-D uint8/uint16).

    ``has_horizon_label`` is true when horizon.csv has a row for the stem; ``horizon`` None then
    means "no horizon in view", otherwise "not labelled".
    """

    stem: str
    image: np.ndarray
    mask: np.ndarray | None
    horizon: HorizonPoints | None
    has_horizon_label: bool


def load_image(path: str | os.PathLike) -> np.ndarray:
    """Read an image file as a 2-D uint8 or uint16 array (colour is converted to gray)."""
    path = Path(path)
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read file ({exc})") from exc
    if data.size == 0:
        raise DatasetError(f"{path}: empty file")
    image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    if image is None:
        raise DatasetError(f"{path}: not a readable image")
    if image.ndim == 3:
        if image.shape[2] == 1:
            image = image[:, :, 0]
        elif image.shape[2] in (3, 4):
            code = cv2.COLOR_BGR2GRAY if image.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
            image = cv2.cvtColor(image, code)
        else:
            raise DatasetError(f"{path}: unsupported channel count {image.shape[2]}")
    if image.dtype not in (np.uint8, np.uint16):
        raise DatasetError(f"{path}: unsupported pixel type {image.dtype} (need 8 or 16 bit)")
    return image


def parse_class_map(spec: str) -> dict[int, int]:
    """Parse ``"0:0,1:1,3:2"`` (stored value : label) or a preset name such as ``"massmind"``."""
    preset = CLASS_MAP_PRESETS.get(spec.strip().lower())
    if preset is not None:
        return dict(preset)
    mapping: dict[int, int] = {}
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            src, dst = (int(v) for v in part.split(":"))
        except ValueError:
            raise ValueError(f"bad class map entry '{part}' in '{spec}' (expected 'stored:label')") from None
        if not 0 <= src <= 255 or dst not in VALID_LABELS:
            raise ValueError(f"bad class map entry '{part}': stored 0..255, label one of {sorted(VALID_LABELS)}")
        mapping[src] = dst
    if not mapping:
        raise ValueError(f"empty class map '{spec}'")
    return mapping


def apply_class_map(mask: np.ndarray, class_map: Mapping[int, int]) -> np.ndarray:
    """Relabel a uint8 mask with a lookup table; values not in the map are kept as they are."""
    lut = np.arange(256, dtype=np.uint8)
    for src, dst in class_map.items():
        lut[src] = dst
    return lut[mask]


def _parse_float(text: str, path: Path, line: int) -> float:
    try:
        return float(text)
    except ValueError:
        raise DatasetError(f"{path}: line {line}: '{text}' is not a number") from None


def read_horizon_csv(path: str | os.PathLike) -> dict[str, HorizonPoints | None]:
    """stem -> (x0, y0, x1, y1), or None where the row's fields are empty (no horizon in view)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path}: cannot read ({exc})") from exc
    rows: dict[str, HorizonPoints | None] = {}
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != HORIZON_HEADER:
        raise DatasetError(f"{path}: header must be '{','.join(HORIZON_HEADER)}', got {header}")
    for line, row in enumerate(reader, start=2):
        if not row or not any(field.strip() for field in row):
            continue
        if len(row) != 5:
            raise DatasetError(f"{path}: line {line}: expected 5 fields, got {len(row)}")
        stem, *values = (field.strip() for field in row)
        if all(v == "" for v in values):
            rows[stem] = None
        elif any(v == "" for v in values):
            raise DatasetError(f"{path}: line {line}: give all four coordinates or none")
        else:
            x0, y0, x1, y1 = (_parse_float(v, path, line) for v in values)
            rows[stem] = (x0, y0, x1, y1)
    return rows


def write_horizon_csv(path: str | os.PathLike, rows: Mapping[str, HorizonPoints | None]) -> None:
    """Write horizon.csv atomically (sorted by stem, 3 decimals, empty fields for None)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HORIZON_HEADER)
    for stem in sorted(rows):
        line = rows[stem]
        if line is None:
            writer.writerow([stem, "", "", "", ""])
        else:
            writer.writerow([stem, *(f"{float(v):.3f}" for v in line)])
    write_bytes_atomic(path, out.getvalue().encode("utf-8"))


def resolve_images_dir(root: str | os.PathLike) -> Path:
    """``root/images``, or the folder ``root/images.path`` names (labels kept apart from images they may not copy)."""
    root = Path(root)
    pointer = root / IMAGES_POINTER
    if not (root / "images").is_dir() and pointer.is_file():
        target = (root / pointer.read_text(encoding="utf-8").strip()).resolve()
        if not target.is_dir():
            raise DatasetError(f"{pointer}: names {target}, which is not a directory")
        return target
    return root / "images"


class DatasetFolder:
    """A dataset folder, read lazily. ``stems`` are sorted (time order for timestamp names)."""

    def __init__(self, root: str | os.PathLike, class_map: Mapping[int, int] | None = None) -> None:
        self.root = Path(root)
        self.class_map = dict(class_map) if class_map else None
        images = resolve_images_dir(self.root)
        labelled_only = images != self.root / "images"
        if not images.is_dir():
            raise DatasetError(f"{images}: missing images directory (dataset folder format: images/<stem>.png)")
        found: dict[str, Path] = {}
        for path in sorted(images.iterdir()):
            if path.suffix.lower() not in IMAGE_SUFFIXES or path.name.startswith("."):
                continue
            if labelled_only and not (self.root / "masks" / f"{path.stem}.png").is_file():
                continue
            if path.stem in found:
                raise DatasetError(f"{path}: stem '{path.stem}' also used by {found[path.stem].name}")
            found[path.stem] = path
        self.stems: list[str] = sorted(found)
        self._images = found
        self._masks = self.root / "masks"
        csv_path = self.root / "horizon.csv"
        self.horizons: dict[str, HorizonPoints | None] = read_horizon_csv(csv_path) if csv_path.is_file() else {}

    def __len__(self) -> int:
        return len(self.stems)

    def subset(self, indices: Sequence[int]) -> DatasetFolder:
        """The same folder restricted to some frames (e.g. the held-out tail of a video)."""
        part = copy.copy(self)
        part.stems = [self.stems[i] for i in indices]
        return part

    def image_path(self, index: int) -> Path:
        return self._images[self.stems[index]]

    def mask_path(self, index: int) -> Path | None:
        path = self._masks / f"{self.stems[index]}.png"
        return path if path.is_file() else None

    def __getitem__(self, index: int) -> LabelledFrame:
        if not -len(self) <= index < len(self):
            raise IndexError(f"index {index} out of range for {len(self)} frames in {self.root}")
        stem = self.stems[index]
        image = load_image(self._images[stem])
        mask = None
        mask_path = self.mask_path(index)
        if mask_path is not None:
            mask = self._load_mask(mask_path, image.shape)
        return LabelledFrame(
            stem=stem,
            image=image,
            mask=mask,
            horizon=self.horizons.get(stem),
            has_horizon_label=stem in self.horizons,
        )

    def _load_mask(self, path: Path, shape: tuple[int, ...]) -> np.ndarray:
        mask = load_image(path)
        if mask.dtype != np.uint8:
            raise DatasetError(f"{path}: mask must be 8-bit, got {mask.dtype}")
        if mask.shape != shape:
            raise DatasetError(f"{path}: mask size {mask.shape[1]}x{mask.shape[0]} differs from its image "
                               f"{shape[1]}x{shape[0]}")
        if self.class_map:
            mask = apply_class_map(mask, self.class_map)
        values = np.unique(mask)
        unknown = sorted(set(values.tolist()) - VALID_LABELS)
        if unknown:
            hint = "" if self.class_map else " (a class map may be needed)"
            raise DatasetError(
                f"{path}: unknown label values {unknown}; allowed 0 sky, 1 sea, 2 other, 255 ignore{hint}"
            )
        return mask


def save_frame(out_dir: str | os.PathLike, stem: str, image: np.ndarray, mask: np.ndarray | None = None) -> None:
    """Write images/<stem>.png (16-bit PNG for uint16) and masks/<stem>.png, each atomically."""
    out_dir = Path(out_dir)
    if image.dtype not in (np.uint8, np.uint16):
        raise ValueError(f"image for '{stem}' must be uint8 or uint16, got {image.dtype}")
    write_image_atomic(out_dir / "images" / f"{stem}.png", image)
    if mask is not None:
        if mask.shape[:2] != image.shape[:2]:
            raise ValueError(f"mask for '{stem}' has shape {mask.shape}, image {image.shape}")
        write_image_atomic(out_dir / "masks" / f"{stem}.png", mask.astype(np.uint8, copy=False))
