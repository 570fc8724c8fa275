# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""What a scene's content seed draws: periodic noise tiles, 1-D profiles, object shapes, sensor noise."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import cv2
import numpy as np

from .scene import SceneParams

TILE = 128  # side of the periodic noise tiles (pixels)
NOISE_BANK = 1 << 21  # white noise values kept per process; frames read a random window of it
AZ_LIMIT = 1.8  # 1-D profiles are defined over tan(azimuth) in [-AZ_LIMIT, AZ_LIMIT]
AZ_SAMPLES = 4096


def _periodic_noise(rng: np.random.Generator, sigma_x: float, sigma_y: float, size: int = TILE) -> np.ndarray:
    """Periodic Gaussian-spectrum noise tile (std 1); sigma_* are feature sizes in tile pixels.

    Columns have zero mean (no spectral power at zero vertical frequency): a tile laid on the
    sea is seen over many periods along the view, and column biases would add up to radial
    lines converging to the horizon.
    """
    white = rng.standard_normal((size, size))
    fy = np.fft.fftfreq(size)[:, None]
    fx = np.fft.rfftfreq(size)[None, :]
    spectrum = np.exp(-2.0 * (np.pi**2) * ((fx * sigma_x) ** 2 + (fy * sigma_y) ** 2))
    spectrum[0, :] = 0.0
    tile = np.fft.irfft2(np.fft.rfft2(white) * spectrum, s=(size, size))
    tile -= tile.mean()
    return (tile / max(tile.std(), 1e-9)).astype(np.float32)


def _profile_1d(rng: np.random.Generator, knot_spacing: float, octaves: int = 3) -> np.ndarray:
    """Smooth fractal 1-D noise (std ~1) sampled at AZ_SAMPLES points over tan(az) in +-AZ_LIMIT."""
    out = np.zeros(AZ_SAMPLES, np.float32)
    amp, total = 1.0, 0.0
    for _ in range(octaves):
        knots = max(4, int(2 * AZ_LIMIT / knot_spacing) + 3)
        coarse = rng.standard_normal((1, knots)).astype(np.float32)
        out += amp * cv2.resize(coarse, (AZ_SAMPLES, 1), interpolation=cv2.INTER_CUBIC)[0]
        total += amp * amp
        amp *= 0.5
        knot_spacing *= 0.5
    return out / math.sqrt(total)


def _sample_1d(profile: np.ndarray, az_tan: np.ndarray) -> np.ndarray:
    idx = (np.asarray(az_tan) + AZ_LIMIT) * ((AZ_SAMPLES - 1) / (2 * AZ_LIMIT))
    return np.interp(idx, np.arange(AZ_SAMPLES), profile).astype(np.float32)


@dataclass(frozen=True)
class _Streak:
    """A breaking-wave (whitecap or surf) band parallel to the horizon."""

    distance_m: float
    width_m: float  # foam extent along the view
    face_m: float  # height of the breaking face: what keeps far bands several pixels thick
    amp: float  # relative to SceneParams.streak_temp_k
    mod: np.ndarray  # 1-D over tan(az): brightness along the band (broken foam patches)
    wobble: np.ndarray  # 1-D over tan(az): row offset along the band


@dataclass(frozen=True)
class _VesselLook:
    """Superstructure layout and surface detail of one vessel (fractions of length / cabin height)."""

    parts: list[tuple[float, float, float]]  # (x0, x1, height) of deckhouses and masts
    part_temps: list[float]  # kelvin relative to the hull
    hull_gradient_k: float  # deck edge minus waterline
    window_period: float  # fraction of the length between windows (0: no windows)
    window_k: float
    exhaust: tuple[int, float] | None  # (part index, kelvin) of a hot funnel top


@dataclass
class _Content:
    """Everything drawn from the scene's content seed (independent of camera attitude)."""

    wave: np.ndarray  # swell/wind waves, crests along the horizon
    ripple: np.ndarray  # finer, less regular texture sampled at another scale (hides the tile period)
    warp: np.ndarray  # 2-channel smooth displacement of the sea plane coordinates (hides the tile lattice)
    cloud: np.ndarray
    cloud_fine: np.ndarray  # texture inside clouds, sampled at another scale
    land: np.ndarray
    glint: np.ndarray
    fpn: np.ndarray  # column pattern, AZ-independent (sensor)
    coast_height: np.ndarray  # 1-D over tan(az): angular height above the horizon (rad)
    coast_temp: np.ndarray  # 1-D over tan(az): temperature offset per column (buildings)
    coast_windows: np.ndarray  # 1-D over tan(az): window strength per building (0: none), city only
    streaks: list[_Streak]
    bridge: tuple[float, float, float, float, list[float]] | None  # (a, b, deck elev rad, thick rad, pillars)
    vessels: list[_VesselLook]
    hull_shape: tuple[float, float, float]  # own bow: centre x frac, half width frac, height frac
    hull_look: tuple[float, float]  # own bow: gradient (K over its height), rail contrast (K)
    bank_top: np.ndarray  # 1-D over tan(az): the cloud bank's lumpy top (std ~1)


def _vessel_look(rng: np.random.Generator) -> _VesselLook:
    parts: list[tuple[float, float, float]] = []
    for _ in range(int(rng.integers(1, 4))):
        x0 = float(rng.uniform(0.05, 0.7))
        x1 = float(min(0.95, x0 + rng.uniform(0.08, 0.45)))
        parts.append((x0, x1, float(rng.uniform(0.3, 1.0))))
    if rng.random() < 0.5:  # mast
        xm = float(rng.uniform(0.2, 0.8))
        parts.append((xm, xm + 0.015, float(rng.uniform(1.2, 2.5))))
    funnel = int(np.argmax([h for _, _, h in parts[: max(1, len(parts) - 1)]]))
    return _VesselLook(
        parts=parts,
        part_temps=[float(rng.normal(1.5, 1.5)) for _ in parts],
        hull_gradient_k=float(rng.normal(0.0, 1.5)),
        window_period=float(rng.uniform(0.02, 0.06)) if rng.random() < 0.5 else 0.0,
        window_k=float(rng.choice([-1.0, 1.0]) * rng.uniform(1.0, 4.0)),
        exhaust=(funnel, float(rng.uniform(4.0, 20.0))) if rng.random() < 0.4 else None,
    )


@functools.lru_cache(maxsize=8)
def _content(params_key: tuple) -> _Content:
    (seed, anisotropy, coast, coast_height_deg, n_streaks, bridge, n_vessels) = params_key
    rng = np.random.default_rng([seed, 0xC0A57])
    wave = _periodic_noise(rng, 6.0 * anisotropy, 6.0)
    wave = wave + 0.35 * _periodic_noise(rng, 2.0 * anisotropy, 1.5)
    wave = wave + 0.25 * np.maximum(wave, 0.0) ** 2  # sharper bright crests
    wave = (wave - wave.mean()) / wave.std()
    ripple = _periodic_noise(rng, 2.0 + 0.5 * anisotropy, 1.5)
    cloud = 0.75 * _periodic_noise(rng, 18.0, 12.0) + 0.45 * _periodic_noise(rng, 6.0, 4.0)
    cloud += 0.2 * _periodic_noise(rng, 2.0, 1.5)
    cloud_fine = _periodic_noise(rng, 3.0, 2.0)
    land = _periodic_noise(rng, 6.0, 4.0) + 0.4 * _periodic_noise(rng, 1.5, 1.5)
    warp = np.ascontiguousarray(np.dstack([cloud, np.roll(cloud, (TILE // 2, TILE // 3), (0, 1))]) / cloud.std())
    glint = _periodic_noise(rng, 2.5, 0.8)
    fpn = rng.standard_normal(4096).astype(np.float32)

    h_rad = math.radians(coast_height_deg)
    windows = np.zeros(AZ_SAMPLES, np.float32)
    if coast == "city":
        height = np.zeros(AZ_SAMPLES, np.float32)
        temp = np.zeros(AZ_SAMPLES, np.float32)
        pos = 0
        base = np.abs(_profile_1d(rng, 0.4, 2)) * 0.4 * h_rad + 0.15 * h_rad
        while pos < AZ_SAMPLES:
            width = int(rng.integers(6, 60))
            tall = float(rng.exponential(0.5)) * h_rad if rng.random() < 0.7 else 0.0
            height[pos:pos + width] = tall
            temp[pos:pos + width] = float(rng.normal(0.0, 1.5))
            windows[pos:pos + width] = float(rng.uniform(0.3, 1.0)) if rng.random() < 0.6 else 0.0
            pos += width + (int(rng.integers(0, 25)) if rng.random() < 0.3 else 0)
        height = np.maximum(height, base)
    elif coast == "hills":
        prof = _profile_1d(rng, float(rng.uniform(0.15, 0.8)), 4)
        height = (np.clip(prof * 0.45 + 0.6, 0.05, None) * h_rad).astype(np.float32)
        temp = 0.4 * _profile_1d(rng, 0.1, 2)
    elif coast == "flat":
        prof = _profile_1d(rng, 0.2, 4)
        height = (np.clip(prof * 0.3 + 0.5, 0.1, None) * h_rad * 0.4).astype(np.float32)
        temp = 0.3 * _profile_1d(rng, 0.1, 2)
    else:
        height = np.zeros(AZ_SAMPLES, np.float32)
        temp = np.zeros(AZ_SAMPLES, np.float32)

    streaks = []
    for _ in range(n_streaks):
        mod = np.clip(_profile_1d(rng, float(rng.uniform(0.05, 0.3)), 3) * 0.8 + float(rng.uniform(0.0, 0.9)), 0, 1)
        streaks.append(_Streak(
            distance_m=float(math.exp(rng.uniform(math.log(15.0), math.log(2000.0)))),
            width_m=float(rng.uniform(1.5, 10.0)),
            face_m=float(rng.uniform(0.1, 2.0)),
            amp=float(rng.uniform(0.3, 1.0)),
            mod=mod.astype(np.float32),
            wobble=_profile_1d(rng, 0.3, 2),
        ))

    bridge_spec = None
    if bridge:
        a = float(rng.uniform(-2.0, -0.2)) if rng.random() < 0.5 else -2.0
        b = float(rng.uniform(0.2, 2.0)) if rng.random() < 0.5 else 2.0
        elev = math.radians(rng.uniform(1.0, 12.0))
        thick = math.radians(rng.uniform(0.3, 2.5))
        pillars = sorted(float(rng.uniform(a, b)) for _ in range(int(rng.integers(1, 4))))
        bridge_spec = (a, b, elev, thick, pillars)

    vessels = [_vessel_look(rng) for _ in range(n_vessels)]
    hull_shape = (float(rng.uniform(0.35, 0.65)), float(rng.uniform(0.15, 0.5)), float(rng.uniform(0.05, 0.22)))
    hull_look = (float(rng.normal(0.0, 2.0)), float(rng.normal(0.0, 3.0)))
    bank_top = _profile_1d(rng, float(rng.uniform(0.03, 0.15)), 4)  # drawn last: earlier content keeps its values
    return _Content(wave, ripple, warp, cloud, cloud_fine, land, glint, fpn, height, temp, windows, streaks,
                    bridge_spec, vessels, hull_shape, hull_look, bank_top)


def _scene_content(p: SceneParams) -> _Content:
    return _content((p.content_seed, round(p.wave_anisotropy, 6), p.coast, round(p.coast_height_deg, 6),
                     p.streaks, p.bridge, len(p.vessels)))


def _wrap(coords: np.ndarray) -> np.ndarray:
    """Tile coordinates reduced to [0, TILE), in place (4x faster than np.mod on float32)."""
    coords *= np.float32(1.0 / TILE)
    coords -= np.floor(coords)
    coords *= np.float32(TILE)
    return coords


@functools.lru_cache(maxsize=1)
def _noise_bank() -> np.ndarray:
    return np.random.default_rng(0x5EA5C7).standard_normal(NOISE_BANK, dtype=np.float32)


def _white_noise(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """Temporal sensor noise (std 1): a random window of a per-process bank, 4x cheaper than drawing it."""
    n = height * width
    if n > NOISE_BANK // 2:
        return rng.standard_normal((height, width), dtype=np.float32)
    start = int(rng.integers(0, NOISE_BANK - n))
    return _noise_bank()[start:start + n].reshape(height, width)
