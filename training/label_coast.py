# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Semi-automatic sky / sea / other labels for frames of a distant coast over the sea (MAR-DCT).

Why semi-automatic: the waterline is a clean, long image step that a detector places better
than a hand (``seasky_training.waterline``), but where a hazy coast ends and the haze band above it
begins is a judgement. That judgement is kept as data a person can read and re-run: a rough
polyline of the coast's top per key frame (``guides.csv``), which the procedure follows to the
image's own edge (a smooth path through the strongest vertical step within a few pixels of the
guide), moved onto other frames of the same camera pose by phase correlation. Vessels on the
water are found as small bright blobs below the waterline. Anything the automatic steps get
wrong is fixed by rectangles in ``corrections.csv``, re-applied on every run, never by editing
a mask.

Layout of a label tree (the images stay where they are; ``images.path`` points at them)::

    TREE/frames.csv       stem,folder,guide   which frames, into which dataset folder, which key frame's guide
    TREE/guides.csv       guide,x,y           the coast's top in each key frame, left to right
    TREE/corrections.csv  key,scope,label,x0,y0,x1,y1   rectangles painted last (inclusive pixel bounds):
                          scope "frame": on frame <key> as given; scope "guide": on every frame that
                          uses guide <key>, moved with it (something that stays put in the scene)
    TREE/<folder>/images.path, masks/<stem>.png, horizon.csv   dataset folders (seasky_ros.dataset_folder)

``python -m seasky_training.label_coast data/mardct-coast --sheets out/coast-sheets`` rewrites the
masks and horizon.csv of every folder and writes overlay contact sheets to check by eye.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from seasky_ros.atomic_write import write_image_atomic
from seasky_ros.dataset_folder import DatasetError, load_image, resolve_images_dir, write_horizon_csv
from seasky_ros.labels import IGNORE, OTHER, SEA, SKY
from seasky_ros.overlay import to_display_gray

from .waterline import Waterline, find_waterline


@dataclass(frozen=True)
class LabelSettings:
    """Knobs of the procedure (the defaults are what labelled MAR-DCT's ir-3 video)."""

    guide_band_px: int = 8  # the coast's top is sought this far above and below the guide
    max_jump_px: int = 2  # most the coast's top may move from one column to the next
    jump_cost: float = 0.6  # cost of a one-row move, in units of the edge's noise
    ignore_px: int = 2  # rows marked ignore on each side of the coast's top (a hazy, uncertain edge)
    min_coast_px: int = 3  # the coast's top stays at least this far above the waterline
    vessel_depth_px: int = 60  # how far below the waterline vessels are sought
    vessel_snr: float = 6.0  # a vessel pixel is this many noise units brighter than its row's water
    vessel_min_area: int = 4  # smaller bright specks are left to the sea
    border_px: int = 16  # no vessels sought this close to the left and right borders


DEFAULT_SETTINGS = LabelSettings()


def read_rows(path: Path, header: Sequence[str]) -> list[dict[str, str]]:
    """Rows of a small CSV with a fixed header (one clear error naming the file otherwise)."""
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        if tuple(reader.fieldnames or ()) != tuple(header):
            raise DatasetError(f"{path}: header must be '{','.join(header)}', got {reader.fieldnames}")
        return [row for row in reader if any(v.strip() for v in row.values() if v)]


def read_guides(path: Path) -> dict[str, np.ndarray]:
    """guide name -> (N, 2) polyline of the coast's top, sorted by x."""
    guides: dict[str, list[tuple[float, float]]] = {}
    for row in read_rows(path, ("guide", "x", "y")):
        guides.setdefault(row["guide"], []).append((float(row["x"]), float(row["y"])))
    return {k: np.array(sorted(v)) for k, v in guides.items()}


def guide_rows(polyline: np.ndarray, width: int, dx: float = 0.0, dy: float = 0.0) -> np.ndarray:
    """The guide's row at every column of a frame shifted by (dx, dy) from its key frame."""
    xs = np.arange(width, dtype=np.float64)
    return np.interp(xs - dx, polyline[:, 0], polyline[:, 1]) + dy


def register(key: np.ndarray, frame: np.ndarray, rows: tuple[int, int]) -> tuple[float, float]:
    """Shift (dx, dy) of ``frame`` against ``key`` over a band of rows (the coast), by phase correlation."""
    lo, hi = rows
    a = key[lo:hi].astype(np.float32)
    b = frame[lo:hi].astype(np.float32)
    window = cv2.createHanningWindow((a.shape[1], a.shape[0]), cv2.CV_32F)
    (dx, dy), _ = cv2.phaseCorrelate(a - a.mean(), b - b.mean(), window)
    return float(dx), float(dy)


def follow_edge(gray: np.ndarray, guide: np.ndarray, settings: LabelSettings = DEFAULT_SETTINGS) -> np.ndarray:
    """Per column, the row of the coast's top: the strongest vertical step near the guide, as a smooth path.

    Dynamic programming over columns: each column's candidate rows (guide +- band) score their
    step strength (either sign: haze over land is brighter, sky over land darker), and a move
    of the path between columns costs ``jump_cost`` per row, so the path follows a real edge
    and bridges the stretches where the edge fades into haze.
    """
    height, width = gray.shape
    smooth = cv2.GaussianBlur(gray.astype(np.float32), (0, 0), sigmaX=3.0, sigmaY=1.2)
    step = np.zeros_like(smooth)
    step[1:-1] = np.abs(smooth[2:] - smooth[:-2]) / 2.0
    band = settings.guide_band_px
    offsets = np.arange(-band, band + 1)
    centre = np.rint(guide).astype(np.int64)
    rows = np.clip(centre[None, :] + offsets[:, None], 1, height - 2)
    score = step[rows, np.arange(width)[None, :]]
    noise = 1.4826 * float(np.median(np.abs(score - np.median(score)))) + 1e-6
    score = score / noise
    n = len(offsets)
    total = score[:, 0].copy()
    back = np.zeros((n, width), dtype=np.int64)
    for x in range(1, width):
        diff = rows[:, x][:, None] - rows[:, x - 1][None, :]
        cand = np.where(np.abs(diff) <= settings.max_jump_px, total[None, :] - settings.jump_cost * np.abs(diff),
                        -np.inf)
        arg = np.argmax(cand, axis=1)
        best = cand[np.arange(n), arg]
        stuck = ~np.isfinite(best)
        if stuck.any():  # the guide jumped further than max_jump: those rows restart from the best so far
            arg[stuck] = int(np.argmax(total))
            best[stuck] = total.max() - settings.jump_cost * band
        total = best + score[:, x]
        back[:, x] = arg
    path = np.empty(width, dtype=np.int64)
    k = int(np.argmax(total))
    for x in range(width - 1, -1, -1):
        path[x] = rows[k, x]
        k = back[k, x]
    return path


def find_vessels(gray: np.ndarray, waterline: Waterline, settings: LabelSettings = DEFAULT_SETTINGS) -> np.ndarray:
    """Boolean mask of small bright blobs on the water just below the waterline (boats, buoys)."""
    height, width = gray.shape
    img = gray.astype(np.float32)
    background = cv2.medianBlur(np.clip(img, 0, 255).astype(np.uint8), 31).astype(np.float32) \
        if img.max() <= 255 else cv2.GaussianBlur(img, (0, 0), 12)
    resid = cv2.GaussianBlur(img, (0, 0), 0.8) - background
    ys = np.arange(height)[:, None]
    line = waterline.y_at(np.arange(width))[None, :]
    band = (ys > line + 2.5) & (ys < line + settings.vessel_depth_px)
    band[:, :settings.border_px] = False  # the sensor's edge columns are brighter
    band[:, width - settings.border_px:] = False
    values = resid[band]
    noise = 1.4826 * float(np.median(np.abs(values - np.median(values)))) + 1e-6
    bright = band & (resid > settings.vessel_snr * noise)
    count, comp, stats, _ = cv2.connectedComponentsWithStats(bright.astype(np.uint8), connectivity=8)
    keep = np.zeros(count, dtype=bool)
    keep[1:] = stats[1:, cv2.CC_STAT_AREA] >= settings.vessel_min_area
    # a blob that reaches up to the waterline continues the coast's brightness (surf, a beach's reflection)
    keep[np.unique(comp[bright & (ys < line + 3.5)])] = False
    vessels = keep[comp]
    return cv2.dilate(vessels.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) & band


def label_frame(gray: np.ndarray, waterline: Waterline, coast_top: np.ndarray,
                settings: LabelSettings = DEFAULT_SETTINGS) -> np.ndarray:
    """Mask: sky above the coast's top, other from it down to the waterline, sea below, vessels other.

    A pixel is sea when its area reaches below the waterline (``r + 0.5 > y``), as in
    ``seasky_ros.horizon``; the coast's top row is the first "other" row, with ``ignore_px``
    rows of ignore on each side of it.
    """
    height, width = gray.shape
    ys = np.arange(height)[:, None]
    line = waterline.y_at(np.arange(width))[None, :]
    sea = ys + 0.5 > line
    first_sea = np.ceil(line - 0.5 + 1e-9)
    top = np.minimum(coast_top[None, :], first_sea - settings.min_coast_px)
    mask = np.full((height, width), SKY, dtype=np.uint8)
    mask[ys >= top] = OTHER
    uncertain = (np.abs(ys - top) <= settings.ignore_px) & ~sea
    mask[uncertain] = IGNORE
    mask[sea] = SEA
    mask[find_vessels(gray, waterline, settings)] = OTHER
    return mask


CORRECTION_HEADER = ("key", "scope", "label", "x0", "y0", "x1", "y1")


def apply_corrections(mask: np.ndarray, rects: list[dict[str, str]], dx: float = 0.0, dy: float = 0.0) -> None:
    """Paint the recorded rectangles (label, inclusive pixel bounds, moved by dx, dy) onto the mask."""
    shift_x, shift_y = int(round(dx)), int(round(dy))
    for row in rects:
        label = int(row["label"])
        if label not in (SKY, SEA, OTHER, IGNORE):
            raise DatasetError(f"corrections: label {label} for {row['key']} is not 0, 1, 2 or 255")
        x0, x1 = (int(row[k]) + shift_x for k in ("x0", "x1"))
        y0, y1 = (int(row[k]) + shift_y for k in ("y0", "y1"))
        mask[max(0, y0):max(0, y1 + 1), max(0, x0):max(0, x1 + 1)] = label


def contact_sheet(tiles: list[np.ndarray], columns: int = 1) -> np.ndarray:
    """Tiles (same width) stacked into a grid."""
    rows = [np.hstack(tiles[i:i + columns] + [np.zeros_like(tiles[0])] * (columns - len(tiles[i:i + columns])))
            for i in range(0, len(tiles), columns)]
    return np.vstack(rows)


def overlay_tile(gray: np.ndarray, mask: np.ndarray, waterline: Waterline, stem: str, zoom: float = 1.5,
                 above: int = 190, below: int = 50) -> np.ndarray:
    """The coast band of a frame at ``zoom`` with the label borders drawn thin over the image itself.

    Borders, not a tint, so the eye judges the edge against the image: sky/other red, other or
    ignore over sea yellow, ignore's edges gray, vessels (other below the waterline) magenta.
    """
    height, width = gray.shape
    centre = float(waterline.y_at((width - 1) / 2.0))
    lo = int(np.clip(round(centre) - above, 0, max(0, height - above - below)))
    hi = min(height, lo + above + below)
    crop = to_display_gray(gray[lo:hi])
    big = cv2.resize(crop, None, fx=zoom, fy=zoom, interpolation=cv2.INTER_CUBIC)
    tile = cv2.cvtColor(big, cv2.COLOR_GRAY2BGR)
    labels = cv2.resize(mask[lo:hi], (big.shape[1], big.shape[0]), interpolation=cv2.INTER_NEAREST_EXACT)
    up, down = labels[:-1], labels[1:]
    left, right = labels[:, :-1], labels[:, 1:]
    colours = {(SKY, OTHER): (0, 0, 255), (SKY, IGNORE): (0, 0, 255), (IGNORE, OTHER): (150, 150, 150),
               (OTHER, SEA): (0, 255, 255), (IGNORE, SEA): (0, 255, 255), (SEA, OTHER): (255, 0, 255)}
    for (a, b), colour in colours.items():
        edge = np.zeros(labels.shape, dtype=bool)
        edge[:-1] |= (up == a) & (down == b)
        edge[:, :-1] |= ((left == a) & (right == b)) | ((left == b) & (right == a))
        tile[edge] = colour
    banner = np.zeros((22, tile.shape[1], 3), dtype=np.uint8)
    text = f"{stem}  waterline conf {waterline.confidence:.2f}, rms {waterline.rms_px:.2f} px; rows {lo}-{hi}"
    cv2.putText(banner, text, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
    return np.vstack([banner, tile])


def run(tree: Path, sheets: Path | None, settings: LabelSettings = DEFAULT_SETTINGS,
        per_sheet: int = 3) -> dict[str, dict[str, float]]:
    """Label every frame listed in ``tree/frames.csv``; returns per-frame facts for the log."""
    frames = read_rows(tree / "frames.csv", ("stem", "folder", "guide"))
    guides = read_guides(tree / "guides.csv")
    corrections_path = tree / "corrections.csv"
    corrections = read_rows(corrections_path, CORRECTION_HEADER) if corrections_path.is_file() else []
    for row in corrections:
        if row["scope"] not in ("frame", "guide"):
            raise DatasetError(f"{corrections_path}: scope '{row['scope']}' for {row['key']} is not frame or guide")
    facts: dict[str, dict[str, float]] = {}
    horizons: dict[str, dict[str, tuple[float, float, float, float]]] = {}
    tiles: list[np.ndarray] = []
    key_cache: dict[tuple[str, str], np.ndarray] = {}
    for row in frames:
        stem, folder, guide = row["stem"], row["folder"], row["guide"]
        if guide not in guides:
            raise DatasetError(f"{tree / 'frames.csv'}: frame {stem} names guide '{guide}', not in guides.csv")
        images = resolve_images_dir(tree / folder)
        gray = load_image(images / f"{stem}.png").astype(np.float32)
        height, width = gray.shape
        waterline = find_waterline(gray)
        if waterline is None:
            raise DatasetError(f"{images / stem}.png: no waterline found; label this frame by other means")
        dx = dy = 0.0
        if guide != stem:
            key_folder = next((r["folder"] for r in frames if r["stem"] == guide), folder)
            key = key_cache.get((key_folder, guide))
            if key is None:
                key = load_image(resolve_images_dir(tree / key_folder) / f"{guide}.png").astype(np.float32)
                key_cache[(key_folder, guide)] = key
            centre = int(round(waterline.y_at((width - 1) / 2.0)))
            dx, dy = register(key, gray, (max(0, centre - 160), min(height, centre + 40)))
        guide_y = guide_rows(guides[guide], width, dx, dy)
        top = follow_edge(gray, guide_y, settings)
        mask = label_frame(gray, waterline, top, settings)
        apply_corrections(mask, [c for c in corrections if c["scope"] == "guide" and c["key"] == guide], dx, dy)
        apply_corrections(mask, [c for c in corrections if c["scope"] == "frame" and c["key"] == stem])
        write_image_atomic(tree / folder / "masks" / f"{stem}.png", mask)
        horizons.setdefault(folder, {})[stem] = (waterline.x0, waterline.y0, waterline.x1, waterline.y1)
        facts[stem] = {"confidence": waterline.confidence, "rms_px": waterline.rms_px, "dx": dx, "dy": dy,
                       "other_share": float(np.mean(mask == OTHER)), "ignore_share": float(np.mean(mask == IGNORE))}
        if sheets is not None:
            tiles.append(overlay_tile(gray, mask, waterline, f"{folder}/{stem}"))
    for folder, rows in horizons.items():
        write_horizon_csv(tree / folder / "horizon.csv", rows)
    if sheets is not None:
        for i in range(0, len(tiles), per_sheet):
            write_image_atomic(sheets / f"sheet_{i // per_sheet:02d}.png", contact_sheet(tiles[i:i + per_sheet]))
    return facts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m seasky_training.label_coast", description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path, help="label tree (frames.csv, guides.csv, corrections.csv)")
    parser.add_argument("--sheets", type=Path, help="write overlay contact sheets here to check by eye")
    args = parser.parse_args(argv)
    try:
        facts = run(args.tree, args.sheets)
    except (DatasetError, OSError, ValueError, KeyError) as exc:
        raise SystemExit(f"label_coast: {exc}") from None
    for stem, f in facts.items():
        print(f"{stem}: waterline confidence {f['confidence']:.2f} rms {f['rms_px']:.2f} px, "
              f"guide shift {f['dx']:+.1f},{f['dy']:+.1f} px, other {100 * f['other_share']:.1f} %, "
              f"ignore {100 * f['ignore_share']:.1f} %")
    print(f"labelled {len(facts)} frames under {args.tree}" + (f"; sheets in {args.sheets}" if args.sheets else ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
