# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Frames from scene parameters: one scene, a random scene, a ship's sequence, a dataset folder."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

from .canvas import _Canvas, _warp, _waterline_depression, horizon_line
from .content import _scene_content
from .draw import (
    _draw_bank,
    _draw_bridge,
    _draw_coast,
    _draw_own_hull,
    _draw_sea,
    _draw_sky,
    _draw_vessels,
    _draw_wake,
    _haze,
)
from .scene import DEFAULT_HARBOUR_SHARE, OTHER, SEA, SKY, HorizonPoints, SceneParams, SyntheticFrame, Vessel
from .sensor import _sensor

# The horizon label, one definition for the generator and the estimator: the sea horizon where
# the image shows it (sky right above, sea right below) on at least MIN_VISIBLE_SHARE of the
# columns; otherwise the waterline of a *distant* coast that hides it (within DISTANT_COAST_RAD
# below the horizon, about 2 px of a 640-px 40-degree camera: from 10 m up, a coast beyond 3 km;
# 5 km away is 0.6 mrad), where the coast stands on the water over that share; otherwise none: a
# near waterfront (a harbour) hides the horizon, and its waterline is no horizon.
DISTANT_COAST_RAD = 2e-3
MIN_VISIBLE_SHARE = 0.1


def visible_horizon_share(mask: np.ndarray, line: np.ndarray, standing: np.ndarray | None = None) -> float:
    """Share of the columns where the line can be seen: sky (or ``standing``, a distant coast) above, sea below.

    ``line`` is the horizon's row per column. With the mask convention (sea when the pixel's
    area reaches below the line) the first sea row is floor(y - 0.5) + 1; a distant coast may
    cover it and the next, so sea is looked for in three rows.
    """
    height, width = mask.shape
    first_sea = np.floor(line - 0.5).astype(np.int64) + 1
    cols = np.flatnonzero((first_sea >= 1) & (first_sea < height))
    if cols.size == 0:
        return 0.0
    above = first_sea[cols] - 1
    over = mask[above, cols] == SKY
    if standing is not None:
        over |= standing[above, cols]
    below = np.zeros(cols.size, bool)
    for k in range(3):
        r = np.minimum(first_sea[cols] + k, height - 1)
        below |= mask[r, cols] == SEA
    return float(np.count_nonzero(over & below)) / width


def render_scene(
    params: SceneParams, height: int = 512, width: int = 640, rng: np.random.Generator | None = None
) -> SyntheticFrame:
    """Render one frame of a scene; ``rng`` only drives temporal sensor noise."""
    if height < 8 or width < 8:
        raise ValueError(f"frame too small: {width}x{height}")
    if rng is None:
        rng = np.random.default_rng([params.content_seed, 0x7E3])
    p = params
    content = _scene_content(p)
    canvas = _Canvas(p, height, width)
    value = np.empty((canvas.h, canvas.w), np.float32)
    other = np.zeros((canvas.h, canvas.w), np.uint8)
    coast = np.zeros((canvas.h, canvas.w), np.uint8)
    _draw_sky(canvas, value, p, content)
    _draw_bank(canvas, value, p, content)
    _draw_sea(canvas, value, p, content)
    _draw_wake(canvas, value, p)
    _haze(canvas, value, p)
    _draw_coast(canvas, value, coast, p, content)
    _draw_bridge(canvas, value, other, p, content)
    _draw_vessels(canvas, value, other, p, content)

    img = _warp(value, canvas.matrix, width, height)
    line = horizon_line(p, height, width)
    rows = np.arange(height, dtype=np.float64)[:, None]
    # a pixel is sea when its area reaches below the line (seasky_ros.horizon's convention)
    mask = (rows + 0.5 > line[None, :]).astype(np.uint8)
    has_sky = bool(line.max() >= 0.5)  # row 0 is sky somewhere
    has_sea = bool(line.min() < height - 0.5)  # the last row is sea somewhere
    if other.any():
        mask[_warp(other, canvas.matrix, width, height, nearest=True) > 0] = OTHER
    standing = waterline = None
    if coast.any():
        # A coast stands at one distance, so its waterline is a line parallel to the horizon; the
        # label is cut there exactly (the pixel holding it is sea, as for the sea horizon) rather
        # than where the nearest-neighbour warp of the canvas would put it (+-1 px).
        depression = _waterline_depression(p.coast_distance_m, p.camera_height_m)
        waterline = line + (canvas.row_of_depression(depression) - canvas.row_of_depression(0.0)) / math.cos(canvas.phi)
        standing = (_warp(coast, canvas.matrix, width, height, nearest=True) > 0) & ~(rows + 0.5 > waterline[None, :])
        mask[standing] = OTHER
    if p.own_hull:
        sea_ref = p.sea_horizon_k + p.sea_near_k
        _draw_own_hull(img, mask, p, content, sea_ref)
    horizon = None
    if has_sky and has_sea:
        if visible_horizon_share(mask, line) >= MIN_VISIBLE_SHARE:
            horizon = (0.0, float(line[0]), float(width - 1), float(line[-1]))
        elif (standing is not None and depression <= DISTANT_COAST_RAD
              and visible_horizon_share(mask, waterline, standing) >= MIN_VISIBLE_SHARE):
            horizon = (0.0, float(waterline[0]), float(width - 1), float(waterline[-1]))
    image, encoding = _sensor(img, p, content, rng)
    return SyntheticFrame(image=image, encoding=encoding, mask=mask, horizon=horizon, params=p)


def generate_frame(seed: int, height: int = 512, width: int = 640,
                   harbour_share: float = DEFAULT_HARBOUR_SHARE, hard_cases: bool = True) -> SyntheticFrame:
    """A random scene, fully determined by ``seed`` (and the share of harbour scenes).

    ``hard_cases=False`` renders the seed's scene without cloud banks, extra glint and wakes,
    as the generator made it before they existed (the earlier held-out sets).
    """
    rng = np.random.default_rng(seed)
    params = SceneParams.random(rng, harbour_share=harbour_share, hard_cases=hard_cases)
    return render_scene(params, height, width, rng)


def render_sequence(
    count: int,
    rate_hz: float,
    seed: int,
    height: int = 512,
    width: int = 640,
    roll_amp_deg: float = 4.0,
    pitch_amp_deg: float = 1.5,
    period_s: float = 7.0,
    vessels_at: Callable[[float], tuple[Vessel, ...]] | None = None,
) -> Iterator[SyntheticFrame]:
    """``count`` frames of ONE scene seen from a ship rolling and pitching in a swell.

    Roll and pitch oscillate smoothly (pitch at a different period), the waves drift, and each
    frame gets new temporal noise. Frames are raw 14-bit counts ("mono16"), like a camera driver
    publishes them. Deterministic for a seed; the horizon stays in view for the default amplitudes.
    ``frame.params.camera_matrix(H, W)`` (or ``hfov_deg``) gives the CameraInfo K.
    ``vessels_at(t)`` (seconds from the first frame) puts moving vessels in the scene, one track
    each (a vessel out of view is not drawn); without it the scene has none, as the sample bag.
    """
    if count < 0 or rate_hz <= 0 or period_s <= 0:
        raise ValueError(f"need count >= 0, rate > 0 and period > 0, got {count}, {rate_hz}, {period_s}")
    rng = np.random.default_rng([seed, 0x5E0])
    # the sample bag stays the scene it was (no hard cases): the demo's figures compare across weights
    base = SceneParams.random(rng, harbour_share=0.0, hard_cases=False, own_hull=False, bit_depth=14)
    base = replace(
        base,
        roll_deg=float(rng.normal(0.0, 1.5)),
        pitch_deg=float(math.degrees(math.atan(rng.uniform(-0.25, 0.25) * 0.78
                                               * math.tan(math.radians(base.hfov_deg) / 2)))),
    )
    phase_r, phase_p = rng.uniform(0, 2 * math.pi, size=2)
    for i in range(count):
        t = i / rate_hz
        roll = base.roll_deg + roll_amp_deg * math.sin(2 * math.pi * t / period_s + phase_r)
        pitch = base.pitch_deg + pitch_amp_deg * math.sin(2 * math.pi * t / (1.37 * period_s) + phase_p)
        params = replace(base, roll_deg=roll, pitch_deg=pitch, time_s=base.time_s + t)
        if vessels_at is not None:
            params = replace(params, vessels=tuple(vessels_at(t)))
        yield render_scene(params, height, width, np.random.default_rng([seed, i, 0xF4A]))


def write_dataset_folder(
    out_dir: str | Path, count: int, seed: int, height: int = 512, width: int = 640, progress: bool = True,
    harbour_share: float = DEFAULT_HARBOUR_SHARE, hard_cases: bool = True,
) -> None:
    """Write ``count`` random frames as a dataset folder (images/, masks/, horizon.csv)."""
    from tqdm import tqdm

    from ..dataset_folder import save_frame, write_horizon_csv

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    horizons: dict[str, HorizonPoints | None] = {}
    digits = max(6, len(str(max(count - 1, 0))))
    for i in tqdm(range(count), desc="seasky-synth", unit="frame", disable=not progress):
        frame = generate_frame(seed * 1_000_003 + i, height, width, harbour_share, hard_cases)
        stem = f"synth_{i:0{digits}d}"
        save_frame(out_dir, stem, frame.image, frame.mask)
        horizons[stem] = frame.horizon
    write_horizon_csv(out_dir / "horizon.csv", horizons)
