# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Synthetic long-wave infrared maritime scenes with exact labels: the default training data.

Labelled real IR sea footage is scarce, and hand-drawn horizons are never better than a pixel
or two. A renderer gives unlimited frames whose mask and horizon line are exact by construction,
and lets us cover what real datasets rarely do: tilted and out-of-view horizons, both
polarities, raw 14-bit counts as well as 8-bit AGC'd video, and very low sea/sky contrast.

The model is phenomenological but physically motivated, in "temperature" units (kelvin relative
to the sky just above the horizon):

* Geometry: a pinhole camera (focal length from the horizontal field of view) at a height above
  a flat sea, with pitch and roll. The horizon of a plane seen through a pinhole is a straight
  line, so the ground-truth line is exact. Everything is drawn on a *roll-corrected canvas*
  (rows parallel to the horizon, so per-elevation profiles are 1-D arrays and broadcast), and
  one affine warp rotates the canvas into the image.
* Sky: cold at the zenith, warming towards the horizon (longer air path), with soft-edged
  clouds from a periodic noise tile projected onto a cloud deck (so they flatten into bands
  towards the horizon).
* Sea: emission of the water mixed with reflected sky; the reflectance of water rises steeply at
  grazing angles, so far away the sea looks like the sky near the horizon and close by like the
  water itself. Waves are anisotropic noise tiles projected onto the sea plane (crests along
  the horizon, finer near it by perspective; a smooth warp of the plane hides the tile period,
  which would otherwise show as a lattice converging to the horizon), plus bright breaking-wave
  bands (as thick as their breaking face, like the surf lines of real coastal footage), sun
  glint and rippled reflections of vessels and coasts.
* Haze: a soft band around the horizon that pulls sea and sky towards the same value; combined
  with the sea/sky contrast parameter this ranges from an obvious to an almost invisible horizon,
  with the sea either brighter or darker than the sky above it, as in real footage.
* Other (label 2): coasts on the horizon (hills, flat shores, city skylines with lit or cold
  windows), bridges, vessels (shaded hulls, deckhouses, windows, hot funnels), and sometimes
  the own bow at the bottom of the frame, all attenuated towards the haze value with distance.
  About one scene in five is a *harbour*: a low camera close to a waterfront of buildings or
  trees that rise far above the horizon, near boats, often a bridge overhead and a large own
  bow in view; real harbour footage (MassMIND) is mostly such structure, open-sea clips none. An object fainter than
  ``min_visible_k`` against the haze is left out altogether: a label for something the image
  does not show would teach the network to guess.
* Sensor: optical blur, vignetting, column fixed-pattern noise, temporal noise, dead and hot
  pixels; 14-bit counts with an offset in uint16 (white-hot or black-hot), or 8-bit AGC video.

All randomness about the scene lives in ``SceneParams`` (its ``content_seed`` drives the noise
tiles and object shapes), so one scene can be re-rendered with another camera attitude: that is
how ``render_sequence`` makes a ship rolling in a swell. Only temporal sensor noise comes from
the ``rng`` passed to ``render_scene``.

Camera intrinsics of a frame of size W x H: ``fx = fy = (W/2) / tan(hfov/2)``, ``cx = (W-1)/2``,
``cy = (H-1)/2`` (pixel centres at integer coordinates, y down). Labels follow
``seasky_ros.horizon``'s convention: a pixel is sea when its area reaches below the line
(``row + 0.5 > y``), so the first sea row of a column is the one containing the line; the
horizon is None when that leaves no sky or no sea in the frame.
"""

from __future__ import annotations

import argparse
import functools
import math
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import NamedTuple

import cv2
import numpy as np

SKY, SEA, OTHER = 0, 1, 2
DEFAULT_HARBOUR_SHARE = 0.2  # share of random scenes that are harbours
TILE = 128  # side of the periodic noise tiles (pixels)
NOISE_BANK = 1 << 21  # white noise values kept per process; frames read a random window of it
MAX_COUNT_14 = 16383
EARTH_RADIUS_M = 6.371e6
AZ_LIMIT = 1.8  # 1-D profiles are defined over tan(azimuth) in [-AZ_LIMIT, AZ_LIMIT]
AZ_SAMPLES = 4096

Horizon = tuple[float, float, float, float]


@dataclass(frozen=True)
class Vessel:
    """A ship or boat: where it is and how big/warm (superstructure layout from the scene seed)."""

    az_tan: float  # tan(azimuth) from the optical axis, positive to the right
    distance_m: float
    length_m: float
    hull_height_m: float
    cabin_height_m: float
    temp_k: float  # hull temperature relative to the horizon sky


@dataclass
class SceneParams:
    """Everything random about one scene. Temperatures are kelvin relative to the horizon sky."""

    content_seed: int = 0  # drives noise tiles and object shapes
    hfov_deg: float = 40.0  # horizontal field of view; fx = (W/2)/tan(hfov/2)
    roll_deg: float = 0.0  # positive: horizon lower on the right
    pitch_deg: float = 0.0  # positive: camera looks up, horizon below the centre
    camera_height_m: float = 10.0
    time_s: float = 0.0  # moves the waves (sequences)
    # sky
    sky_zenith_k: float = -25.0  # zenith relative to the horizon sky (negative: colder)
    sky_scale_deg: float = 10.0  # elevation over which the sky cools
    sky_gradient_k: float = 0.0  # left-right warming across the field of view (sun side)
    cloud_cover: float = 0.0  # 0 clear .. 1 overcast
    cloud_temp_k: float = 8.0  # clouds warmer than the clear sky by this much, capped at the horizon sky
    cloud_size_m: float = 1500.0
    # sea
    sea_horizon_k: float = 1.0  # sea just below the horizon minus sky just above (either sign)
    sea_near_k: float = 4.0  # sea at steep depression, relative to the sea at the horizon
    sea_scale_deg: float = 4.0  # depression over which the sea goes from horizon to near value
    wave_amp_k: float = 0.6
    wave_length_m: float = 8.0
    wave_anisotropy: float = 4.0  # crest length / wavelength
    streaks: int = 3  # bright breaking-wave bands
    streak_temp_k: float = 2.0
    glint_k: float = 0.0  # sun glint sparkle strength (0: none)
    glint_az_tan: float = 0.0
    # atmosphere
    haze_width_deg: float = 0.4  # half-width of the horizon haze band
    haze_strength: float = 0.5  # 0 none .. 1 sea and sky meet the haze value at the horizon
    haze_temp_k: float = 0.3  # value the haze pulls towards
    visibility_m: float = 15000.0  # attenuation of objects with distance
    min_visible_k: float = 0.3  # objects fainter than this against the haze are neither drawn nor labelled
    # other
    coast: str = "none"  # none | hills | flat | city
    coast_distance_m: float = 3000.0
    coast_temp_k: float = 4.0
    coast_height_deg: float = 1.0
    coast_extent: tuple[float, float] = (-2.0, 2.0)  # tan(azimuth) span of the coast
    reflection: float = 0.0  # mirror images of coast and vessels in calm water (0 none .. ~0.6)
    bridge: bool = False
    bridge_distance_m: float = 400.0
    bridge_temp_k: float = 5.0
    vessels: tuple[Vessel, ...] = ()
    own_hull: bool = False
    own_hull_temp_k: float = 5.0
    own_hull_scale: float = 1.0  # multiplies the bow's height in the frame (harbour scenes: a big own boat)
    window_k: float = 0.0  # city windows minus facade (either sign; 0: none)
    # sensor
    polarity: str = "white_hot"  # white_hot | black_hot
    bit_depth: int = 14  # 14 -> uint16 "mono16" counts, 8 -> uint8 "mono8" AGC video
    counts_base: float = 8000.0  # 14-bit counts of the horizon sky
    counts_per_k: float = 40.0
    blur_sigma: float = 0.7
    vignette_k: float = 1.0  # corner minus centre (either sign)
    fpn_k: float = 0.05  # column fixed-pattern noise std
    noise_k: float = 0.05  # temporal noise std
    bad_pixel_frac: float = 2e-5  # dead + hot pixels
    agc_low_pct: float = 1.0  # 8-bit AGC window
    agc_high_pct: float = 99.0
    agc_gamma: float = 1.0
    agc_range: tuple[int, int] = (0, 255)

    @classmethod
    def random(cls, rng: np.random.Generator, harbour_share: float = DEFAULT_HARBOUR_SHARE,
               **overrides) -> SceneParams:
        """Draw a random scene; keyword arguments fix any field (unknown names raise TypeError).

        ``harbour_share`` of the scenes are harbours (see the module notes); with 0 no extra
        random number is drawn, so a seed gives the same open-sea scene as without harbours.
        """
        names = {f.name for f in fields(cls)}
        unknown = set(overrides) - names
        if unknown:
            raise TypeError(f"unknown SceneParams fields: {sorted(unknown)}")
        u = rng.uniform
        hfov = float(u(20.0, 60.0))
        # roll: mostly small (a ship-mounted camera), sometimes large
        roll = float(rng.normal(0.0, 4.0)) if rng.random() < 0.9 else float(u(-25.0, 25.0))
        roll = float(np.clip(roll, -25.0, 25.0))
        # horizon position at the centre column, as a fraction of the half image height (4:3..5:4)
        r = rng.random()
        if r < 0.04:
            pos = float(rng.choice([-1.0, 1.0]) * u(1.6, 3.0))  # out of view: all sea or all sky
        elif r < 0.16:
            pos = float(rng.choice([-1.0, 1.0]) * u(0.7, 1.05))  # near a border
        else:
            pos = float(rng.normal(0.0, 0.3))
        pitch = math.degrees(math.atan(pos * 0.78 * math.tan(math.radians(hfov / 2))))
        height = float(math.exp(u(math.log(1.5), math.log(40.0))))

        contrast = float(math.exp(u(math.log(0.15), math.log(8.0)))) * (1 if rng.random() < 0.7 else -1)
        haze_strength = float(u(0.0, 1.0) ** 0.7) if rng.random() < 0.85 else 0.0
        coast = str(rng.choice(["none", "hills", "flat", "city"], p=[0.45, 0.2, 0.15, 0.2]))
        a = float(u(-2.0, 1.0)) if rng.random() < 0.6 else -2.0
        b = float(u(a + 0.2, 2.0)) if rng.random() < 0.6 else 2.0
        n_vessels = int(rng.choice([0, 1, 2, 3, 5], p=[0.45, 0.25, 0.15, 0.1, 0.05]))
        vessels = []
        for _ in range(n_vessels):
            length = float(math.exp(u(math.log(5.0), math.log(150.0))))
            vessels.append(Vessel(
                az_tan=float(u(-0.6, 0.6)),
                distance_m=max(float(math.exp(u(math.log(60.0), math.log(6000.0)))), 1.5 * length),
                length_m=length,
                hull_height_m=float(np.clip(length * u(0.05, 0.12), 0.6, 12.0)),  # proportions of real boats
                cabin_height_m=float(np.clip(length * u(0.1, 0.3), 1.2, 25.0)),
                temp_k=float(u(-2.0, 12.0)),
            ))
        bit_depth = 14 if rng.random() < 0.65 else 8
        lo8 = int(u(0, 100)) if rng.random() < 0.6 else 0
        hi8 = int(u(max(lo8 + 60, 150), 256)) if rng.random() < 0.6 else 255
        params = cls(
            content_seed=int(rng.integers(0, 2**31 - 1)),
            hfov_deg=hfov,
            roll_deg=roll,
            pitch_deg=pitch,
            camera_height_m=height,
            time_s=float(u(0.0, 100.0)),
            sky_zenith_k=-float(u(3.0, 45.0)),
            sky_scale_deg=float(math.exp(u(math.log(1.5), math.log(25.0)))),
            sky_gradient_k=float(rng.normal(0.0, 1.0)),
            cloud_cover=float(u(0.05, 1.0)) if rng.random() < 0.5 else 0.0,
            cloud_temp_k=float(u(2.0, 20.0)),
            cloud_size_m=float(math.exp(u(math.log(300.0), math.log(5000.0)))),
            sea_horizon_k=contrast,
            sea_near_k=float(u(-5.0, 7.0)),
            sea_scale_deg=float(u(0.5, 10.0)),
            wave_amp_k=float(math.exp(u(math.log(0.1), math.log(3.0)))),
            wave_length_m=float(math.exp(u(math.log(1.0), math.log(30.0)))),
            wave_anisotropy=float(u(1.5, 8.0)),
            streaks=int(rng.choice([0, 1, 2, 3, 5, 8, 12], p=[0.3, 0.1, 0.12, 0.13, 0.15, 0.12, 0.08])),
            streak_temp_k=float(math.exp(u(math.log(0.3), math.log(8.0)))),
            glint_k=float(u(1.0, 10.0)) if rng.random() < 0.15 else 0.0,
            glint_az_tan=float(u(-0.5, 0.5)),
            haze_width_deg=float(math.exp(u(math.log(0.05), math.log(2.0)))),
            haze_strength=haze_strength,
            haze_temp_k=float(u(-0.5, 1.5)),
            visibility_m=float(math.exp(u(math.log(2000.0), math.log(40000.0)))),
            coast=coast,
            coast_distance_m=float(math.exp(u(math.log(300.0), math.log(25000.0)))),
            coast_temp_k=float(u(-4.0, 14.0)),
            coast_height_deg=float(math.exp(u(math.log(0.1), math.log(6.0)))),
            coast_extent=(a, b),
            reflection=float(u(0.0, 0.6)) if rng.random() < 0.6 else 0.0,
            bridge=bool(rng.random() < 0.07),
            bridge_distance_m=float(math.exp(u(math.log(80.0), math.log(2000.0)))),
            bridge_temp_k=float(u(-2.0, 12.0)),
            vessels=tuple(vessels),
            own_hull=bool(rng.random() < 0.12),
            own_hull_temp_k=float(u(-3.0, 12.0)),
            polarity="white_hot" if rng.random() < 0.75 else "black_hot",
            bit_depth=bit_depth,
            counts_base=float(u(3000.0, 12000.0)),
            counts_per_k=float(u(15.0, 90.0)),
            blur_sigma=float(u(0.3, 1.3)),
            vignette_k=float(rng.normal(0.0, 0.4)),
            fpn_k=float(math.exp(u(math.log(0.003), math.log(0.08)))),
            noise_k=float(math.exp(u(math.log(0.01), math.log(0.1)))),
            bad_pixel_frac=float(u(0.0, 1e-4)),
            agc_low_pct=float(u(0.0, 3.0)),
            agc_high_pct=float(u(97.0, 100.0)),
            agc_gamma=float(math.exp(rng.normal(0.0, 0.2))),
            agc_range=(lo8, hi8),
        )
        if harbour_share > 0 and rng.random() < harbour_share:
            params = _harbour(params, rng)
        return replace(params, **overrides) if overrides else params

    def camera_matrix(self, height: int, width: int) -> np.ndarray:
        """3x3 pinhole K of a ``width`` x ``height`` frame of this scene."""
        fx = (width / 2.0) / math.tan(math.radians(self.hfov_deg) / 2.0)
        return np.array([[fx, 0.0, (width - 1) / 2.0], [0.0, fx, (height - 1) / 2.0], [0.0, 0.0, 1.0]])


def _harbour(p: SceneParams, rng: np.random.Generator) -> SceneParams:
    """Turn an open-sea scene into a harbour: a near waterfront towering over a low camera.

    Buildings 100-800 m away stand 2-15 degrees tall (most of a frame's upper half at a narrow
    field of view), in any temperature relation to the sky; boats are close, some alongside
    (filling the frame); a bridge or a large own bow is common. The sky/sea boundary is then
    visible in a few gaps only, or not at all.
    """
    u = rng.uniform
    near = []
    for _ in range(int(rng.choice([0, 1, 2, 4], p=[0.3, 0.3, 0.25, 0.15]))):
        length = float(math.exp(u(math.log(4.0), math.log(40.0))))
        near.append(Vessel(
            az_tan=float(u(-0.6, 0.6)),
            distance_m=float(math.exp(u(math.log(6.0), math.log(300.0)))),  # down to alongside
            length_m=length,
            hull_height_m=float(np.clip(length * u(0.06, 0.14), 0.5, 5.0)),
            cabin_height_m=float(np.clip(length * u(0.1, 0.3), 1.0, 8.0)),
            temp_k=float(u(-4.0, 14.0)),
        ))
    a = float(u(-2.0, -0.3)) if rng.random() < 0.3 else -2.0
    b = float(u(0.3, 2.0)) if rng.random() < 0.3 else 2.0
    return replace(
        p,
        hfov_deg=float(u(20.0, 60.0)),
        camera_height_m=float(u(1.5, 6.0)),
        coast=str(rng.choice(["city", "hills"], p=[0.7, 0.3])),
        coast_distance_m=float(math.exp(u(math.log(100.0), math.log(800.0)))),
        coast_temp_k=float(u(-8.0, 16.0)),
        coast_height_deg=float(math.exp(u(math.log(2.0), math.log(15.0)))),
        coast_extent=(a, b),
        window_k=float(rng.choice([-1.0, 1.0]) * u(0.5, 5.0)) if rng.random() < 0.7 else 0.0,
        reflection=float(u(0.1, 0.7)),
        bridge=bool(rng.random() < 0.25),
        bridge_distance_m=float(u(60.0, 400.0)),
        vessels=p.vessels[:1] + tuple(near),
        own_hull=bool(rng.random() < 0.4),
        own_hull_scale=float(u(1.0, 2.2)),
        visibility_m=float(math.exp(u(math.log(3000.0), math.log(40000.0)))),
    )


@dataclass
class SyntheticFrame:
    """A rendered frame with its exact labels."""

    image: np.ndarray  # uint16 (14-bit counts) or uint8
    encoding: str  # "mono16" or "mono8"
    mask: np.ndarray  # uint8 HxW: 0 sky, 1 sea, 2 other
    horizon: Horizon | None  # (0, y0, W-1, y1), None when not in view
    params: SceneParams = field(repr=False)


# ------------------------------------------------------------------------------- noise helpers


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
    return _Content(wave, ripple, warp, cloud, cloud_fine, land, glint, fpn, height, temp, windows, streaks,
                    bridge_spec, vessels, hull_shape, hull_look)


def _scene_content(p: SceneParams) -> _Content:
    return _content((p.content_seed, round(p.wave_anisotropy, 6), p.coast, round(p.coast_height_deg, 6),
                     p.streaks, p.bridge, len(p.vessels)))


# ----------------------------------------------------------------------------------- rendering


def horizon_line(params: SceneParams, height: int, width: int) -> np.ndarray:
    """Row of the geometric horizon at each column centre x = 0..W-1 (float64)."""
    f = (width / 2.0) / math.tan(math.radians(params.hfov_deg) / 2.0)
    phi, theta = math.radians(params.roll_deg), math.radians(params.pitch_deg)
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    x = np.arange(width, dtype=np.float64)
    return cy + (f * math.tan(theta) + (x - cx) * math.sin(phi)) / math.cos(phi)


def _warp(src: np.ndarray, m: np.ndarray, width: int, height: int, nearest: bool = False) -> np.ndarray:
    flags = (cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR) | cv2.WARP_INVERSE_MAP
    return cv2.warpAffine(src, m, (width, height), flags=flags, borderMode=cv2.BORDER_REPLICATE)


class _Canvas:
    """Roll-corrected drawing surface: rows are parallel to the horizon, columns along it."""

    def __init__(self, p: SceneParams, height: int, width: int) -> None:
        self.f = (width / 2.0) / math.tan(math.radians(p.hfov_deg) / 2.0)
        self.phi = math.radians(p.roll_deg)
        self.theta = math.radians(p.pitch_deg)
        c, s = math.cos(self.phi), math.sin(self.phi)
        cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
        corners = np.array([[-cx, -cy], [cx, -cy], [-cx, cy], [cx, cy]])
        ur = corners[:, 0] * c + corners[:, 1] * s
        vr = -corners[:, 0] * s + corners[:, 1] * c
        self.u0 = math.floor(ur.min()) - 2
        self.v0 = math.floor(vr.min()) - 2
        self.w = math.ceil(ur.max()) - self.u0 + 3
        self.h = math.ceil(vr.max()) - self.v0 + 3
        self.cu = (self.u0 + np.arange(self.w)).astype(np.float32)  # canvas column -> u_r (px)
        self.cv = (self.v0 + np.arange(self.h)).astype(np.float64)  # canvas row -> v_r (px)
        self.az = self.cu / np.float32(self.f)  # tan(azimuth), approximately
        self.hz = self.f * math.tan(self.theta)  # v_r of the horizon
        self.elev = self.theta - np.arctan(self.cv / self.f)  # rad, per row (centre column)
        self.split = int(np.clip(math.ceil(self.hz - self.v0), 0, self.h))  # first sea row
        self.wave_tex: np.ndarray | None = None  # wave texture of the sea rows, once drawn
        # image (x, y) -> canvas (col, row)
        self.matrix = np.array([
            [c, s, -cx * c - cy * s - self.u0],
            [-s, c, cx * s - cy * c - self.v0],
        ])

    def row_of_depression(self, dep_rad: float) -> float:
        """Canvas row (float) of a direction ``dep_rad`` below the horizontal."""
        return self.f * math.tan(self.theta + dep_rad) - self.v0

    def row_of_elevation(self, elev_rad: float) -> float:
        return self.row_of_depression(-elev_rad)


def _horizon_distance(height_m: float) -> float:
    return math.sqrt(2.0 * EARTH_RADIUS_M * height_m)


def _waterline_depression(distance_m: float, height_m: float) -> float:
    """Depression of the waterline of an object at a distance (0 if beyond the sea horizon)."""
    if distance_m >= _horizon_distance(height_m):
        return 0.0
    return max(0.0, math.atan(height_m / distance_m) - distance_m / (2 * EARTH_RADIUS_M))


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


class _Layer(NamedTuple):
    """One periodic tile of a textured plane."""

    tile: np.ndarray
    scale: float  # multiplies the plane coordinates (irrational ratios between layers: no common period)
    feature: tuple[float, float]  # feature size (x, y) in tile pixels
    warp_px: float = 0.0  # displacement by the plane's warp field, in this tile's pixels
    falloff: float = 0.5  # contrast ~ (features per pixel) ** -falloff where the tile is undersampled


def _plane_layers(
    layers: Sequence[_Layer], canvas: _Canvas, dist: np.ndarray, metres_per_px: float, drift_m: float,
    dist_x: np.ndarray | None = None, warp: tuple[np.ndarray, float] | None = None,
) -> list[np.ndarray]:
    """Sample periodic tiles laid on a horizontal plane (sea or cloud deck), one array per layer.

    ``dist`` is the ground distance of each canvas row; ``dist_x`` (default ``dist``) the
    distance that sets the horizontal scale, capped for clouds so the texture is not squeezed
    into radial aliasing streaks near the horizon. Where one pixel covers several features (far
    away) the texture is averaged out in reality; scaling its contrast by (features covered) **
    -falloff mimics that without mipmaps (0.5 is the statistics of averaging; more suppresses the
    moire and pixel noise of point sampling). ``warp`` (2-channel tile, scale) is a smooth
    displacement field on the plane: a periodic tile seen over many periods (short waves from a
    high camera) then shows no lattice of lines converging to the horizon.
    """
    dist_x = dist if dist_x is None else dist_x
    row_y = ((dist + drift_m) / metres_per_px).astype(np.float32)
    base_x = np.multiply.outer((dist_x / metres_per_px).astype(np.float32), canvas.az)
    foot_x = dist_x / (canvas.f * metres_per_px)
    foot_y = np.abs(np.gradient(dist)) / metres_per_px if dist.size > 1 else np.ones_like(dist)
    shift = None
    if warp is not None:
        warp_tile, w_scale = warp
        wx = _wrap(base_x * np.float32(w_scale))
        wy = np.broadcast_to(_wrap(row_y * np.float32(w_scale))[:, None], wx.shape)
        shift = cv2.remap(warp_tile, wx, np.ascontiguousarray(wy), cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
    out = []
    for k, layer in enumerate(layers):
        offset = np.float32(17.0 + 41.3 * k)
        map_x = base_x * np.float32(layer.scale) + offset
        map_y = np.broadcast_to((row_y * np.float32(layer.scale) + np.float32(0.6) * offset)[:, None], map_x.shape)
        if shift is not None and layer.warp_px:
            map_x += np.float32(layer.warp_px) * shift[..., 0]
            map_y = map_y + np.float32(layer.warp_px) * shift[..., 1]
        tex = cv2.remap(layer.tile, _wrap(map_x), _wrap(np.array(map_y, np.float32)),
                        cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
        fx, fy = layer.feature
        covered = np.maximum(foot_x * layer.scale / fx, 1.0) * np.maximum(foot_y * layer.scale / fy, 1.0)
        tex *= (covered**-layer.falloff).astype(np.float32)[:, None]
        out.append(tex)
    return out


def _draw_sky(canvas: _Canvas, value: np.ndarray, p: SceneParams, content: _Content) -> None:
    rows = slice(0, canvas.split)
    if canvas.split == 0:
        return
    e_deg = np.degrees(np.maximum(canvas.elev[rows], 0.0))
    sky = (p.sky_zenith_k * (1.0 - np.exp(-e_deg / p.sky_scale_deg))).astype(np.float32)
    value[rows] = sky[:, None] + np.float32(p.sky_gradient_k) * canvas.az[None, :]
    if p.cloud_cover <= 0:
        return
    e = np.maximum(canvas.elev[rows], math.radians(0.05))
    deck = 1500.0
    dist = np.minimum(deck / np.tan(e), 200.0 * deck)
    scale = p.cloud_size_m / 16.0  # metres per tile pixel
    layers = [_Layer(content.cloud, 1.0, (4.0, 3.0), falloff=0.75),
              _Layer(content.cloud_fine, 2.618, (3.0, 2.0), falloff=0.75)]
    tex, fine = _plane_layers(layers, canvas, dist, scale, p.time_s * 0.3 * scale, np.minimum(dist, 5.0 * deck))
    threshold = 1.1 - 2.2 * p.cloud_cover
    density = np.clip(tex - threshold, 0.0, 1.0)
    density = density * density * (3.0 - 2.0 * density)  # soft edges
    # a cloud is at most as warm as the air near the horizon, so towards the horizon (where the
    # clear sky itself approaches that) clouds lose their contrast instead of forming bright bands
    warm = np.minimum(np.float32(p.cloud_temp_k), np.float32(0.9) * np.abs(sky)).astype(np.float32)
    value[rows] += density * (0.8 + 0.25 * fine) * warm[:, None]


def _draw_sea(canvas: _Canvas, value: np.ndarray, p: SceneParams, content: _Content) -> None:
    rows = slice(canvas.split, canvas.h)
    if canvas.split >= canvas.h:
        return
    dep = np.maximum(-canvas.elev[rows], 1e-5)
    d_deg = np.degrees(dep)
    sea = p.sea_horizon_k + p.sea_near_k * (1.0 - np.exp(-d_deg / p.sea_scale_deg))
    value[rows] = sea.astype(np.float32)[:, None]
    # waves on the sea plane (perspective: finer towards the horizon)
    h = p.camera_height_m
    dist = np.minimum(h / np.tan(dep), 20000.0)
    sz = p.wave_length_m / 16.0  # tile features (sigma 6 px) ~ 0.4 wavelength
    layers = [
        _Layer(content.wave, 1.0, (4.0, 3.0), 10.0),
        _Layer(content.ripple, 2.618, (2.0, 1.5), 16.0, falloff=1.5),
    ]
    wave, ripple = _plane_layers(layers, canvas, dist, sz, p.time_s * 1.2, warp=(content.warp, 0.4))
    tex = wave + 0.45 * ripple
    amp = p.wave_amp_k * (1.0 - np.exp(-d_deg / 0.05)) * (0.5 + 0.5 * np.exp(-d_deg / 15.0))
    value[rows] += tex * amp.astype(np.float32)[:, None]
    canvas.wave_tex = tex
    # breaking-wave streaks: bright bands parallel to the horizon
    for streak in content.streaks:
        row = canvas.row_of_depression(math.atan(h / streak.distance_m))
        ground = canvas.row_of_depression(math.atan(h / max(streak.distance_m - streak.width_m, 1.0))) - row
        face = canvas.f * streak.face_m / streak.distance_m  # the breaking face stands up from the water
        half = float(np.clip(0.5 * (ground + face), 0.6, 25.0))
        row -= 0.5 * face
        amp_wob = 0.4 * half + 0.5
        r0 = max(canvas.split, int(row - 4 * half - amp_wob))
        r1 = min(canvas.h, int(row + 4 * half + amp_wob) + 2)
        if r1 <= r0:
            continue
        cols_mod = _sample_1d(streak.mod, canvas.az)
        cols_off = _sample_1d(streak.wobble, canvas.az) * np.float32(amp_wob)
        r = np.arange(r0, r1, dtype=np.float32)[:, None]
        offset = r - np.float32(row) - cols_off[None, :]
        # sharp crest on the far side, foam trailing towards the camera
        inv = np.where(offset < 0, np.float32(1.0 / (0.5 * half)), np.float32(1.0 / half))
        band = np.exp(-((offset * inv) ** 2)) * np.clip(1.0 + 0.5 * tex[r0 - canvas.split:r1 - canvas.split], 0, None)
        value[r0:r1] += band * cols_mod[None, :] * np.float32(p.streak_temp_k * streak.amp)
    # sun glint: sparkle column below the sun
    if p.glint_k > 0:
        centre = p.glint_az_tan * canvas.f - canvas.u0
        half_w = 0.12 * canvas.f
        c0, c1 = int(max(0, centre - 2.5 * half_w)), int(min(canvas.w, centre + 2.5 * half_w))
        if c1 > c0:
            gl = content.glint[(np.arange(canvas.h - canvas.split) * 3 % TILE)[:, None],
                               (np.arange(c0, c1) * 2 % TILE)[None, :]]
            sparkle = np.clip(gl + 0.5 * tex[:, c0:c1] - 1.6, 0.0, None)  # sparkles on the wave crests
            cols = np.exp(-(((np.arange(c0, c1) - centre) / half_w) ** 2)).astype(np.float32)
            rows_w = np.exp(-d_deg / 8.0).astype(np.float32)
            value[canvas.split:, c0:c1] += sparkle * cols[None, :] * rows_w[:, None] * np.float32(p.glint_k)


def _haze(canvas: _Canvas, value: np.ndarray, p: SceneParams) -> None:
    if p.haze_strength <= 0:
        return
    e_deg = np.degrees(canvas.elev)
    blend = p.haze_strength * np.exp(-((e_deg / p.haze_width_deg) ** 2))
    rows = np.nonzero(blend > 1e-3)[0]
    if rows.size == 0:
        return
    r0, r1 = int(rows[0]), int(rows[-1]) + 1
    b = blend[r0:r1].astype(np.float32)[:, None]
    value[r0:r1] = value[r0:r1] * (1.0 - b) + np.float32(p.haze_temp_k) * b


def _attenuate(p: SceneParams, temp_k: float, distance_m: float) -> float:
    """Object temperature seen through the air: pulled towards the haze value with distance."""
    tau = math.exp(-distance_m / p.visibility_m)
    return p.haze_temp_k + (temp_k - p.haze_temp_k) * tau


def _visible(p: SceneParams, temp_k: float, distance_m: float) -> bool:
    """Whether an object stands out from the haze: a label nobody could see in the image is wrong."""
    return abs(_attenuate(p, temp_k, distance_m) - p.haze_temp_k) >= p.min_visible_k


def _draw_coast(canvas: _Canvas, value: np.ndarray, other: np.ndarray, p: SceneParams, content: _Content) -> None:
    if p.coast == "none" or not _visible(p, p.coast_temp_k, p.coast_distance_m):
        return
    a, b = p.coast_extent
    inside = (canvas.az >= a) & (canvas.az <= b)
    if not inside.any():
        return
    height_rad = _sample_1d(content.coast_height, canvas.az)
    taper = np.clip(np.minimum(canvas.az - a, b - canvas.az) / 0.08, 0.0, 1.0)  # coast ends slope down
    height_rad = np.where(inside, height_rad * np.sqrt(taper), 0.0)
    top_rows = (canvas.row_of_elevation(0.0) - canvas.f * np.tan(height_rad)).astype(np.float32)
    bottom = canvas.row_of_depression(_waterline_depression(p.coast_distance_m, p.camera_height_m)) + 0.5
    r0 = int(max(0, math.floor(float(top_rows[inside].min()))))
    r1 = int(min(canvas.h, math.ceil(bottom) + 1))
    if r1 <= r0:
        return
    r = np.arange(r0, r1, dtype=np.float32)[:, None]
    region = (r >= top_rows[None, :]) & (r < np.float32(bottom)) & inside[None, :]
    tex = content.land[(np.arange(r0, r1) % TILE)[:, None], (np.arange(canvas.w) + canvas.u0) % TILE]
    temp_cols = _sample_1d(content.coast_temp, canvas.az)
    base = _attenuate(p, p.coast_temp_k, p.coast_distance_m)
    tau = math.exp(-p.coast_distance_m / p.visibility_m)
    land = np.float32(base) + (temp_cols[None, :] + 0.6 * tex) * np.float32(tau * max(1.0, abs(p.coast_temp_k) * 0.2))
    if p.window_k and p.coast == "city":
        # storeys ~3.5 m high and windows ~2.5 m apart on the facades, lit (or cold) half of each
        floor_px = max(3.0, canvas.f * 3.5 / p.coast_distance_m)
        col_px = max(3.0, canvas.f * 2.5 / p.coast_distance_m)
        grid = ((r / np.float32(floor_px)) % 1.0 < 0.45) & (((canvas.cu / np.float32(col_px)) % 1.0)[None, :] < 0.5)
        strength = _sample_1d(content.coast_windows, canvas.az)[None, :]
        land += np.where(grid, np.float32(p.window_k * tau) * strength, np.float32(0.0))
    sub = value[r0:r1]
    sub[region] = land[region]
    other[r0:r1][region] = 1
    if p.reflection > 0 and canvas.wave_tex is not None:
        span = np.maximum(bottom - top_rows, 1.0)
        q0 = int(max(canvas.split, math.floor(bottom)))
        q1 = int(min(canvas.h, math.ceil(bottom + 1.2 * float(span[inside].max())) + 1))
        if q1 > q0:
            rr = np.arange(q0, q1, dtype=np.float32)[:, None] - np.float32(bottom)
            fall = np.where(rr >= 0, np.exp(-rr / (0.4 * span[None, :])), 0.0) * inside[None, :]
            ripple = np.clip(1.0 + 0.8 * canvas.wave_tex[q0 - canvas.split:q1 - canvas.split], 0.0, None)
            target = np.float32(base) + temp_cols[None, :] * np.float32(tau)
            value[q0:q1] += np.float32(p.reflection) * fall * ripple * (target - value[q0:q1])


def _draw_bridge(canvas: _Canvas, value: np.ndarray, other: np.ndarray, p: SceneParams, content: _Content) -> None:
    if content.bridge is None or not _visible(p, p.bridge_temp_k, p.bridge_distance_m):
        return
    a, b, elev, thick, pillars = content.bridge
    scale = 400.0 / p.bridge_distance_m
    elev_s, thick_s = min(elev * scale, 0.5), min(thick * scale, 0.2)
    inside = (canvas.az >= a) & (canvas.az <= b)
    if not inside.any():
        return
    mid = 0.5 * (a + b)
    arch = 0.3 * elev_s * (1.0 - ((canvas.az - mid) / max(0.5 * (b - a), 1e-3)) ** 2)
    deck_low = canvas.row_of_elevation(0.0) - canvas.f * np.tan(elev_s + arch)
    deck_high = deck_low - canvas.f * math.tan(thick_s)
    water = canvas.row_of_depression(_waterline_depression(p.bridge_distance_m, p.camera_height_m)) + 0.5
    r0 = int(max(0, math.floor(float(deck_high[inside].min()))))
    r1 = int(min(canvas.h, math.ceil(water) + 1))
    if r1 <= r0:
        return
    r = np.arange(r0, r1, dtype=np.float32)[:, None]
    region = (r >= deck_high[None, :]) & (r < deck_low[None, :]) & inside[None, :]
    pillar_w = max(0.004, 0.02 * scale)
    for x in pillars:
        cols = np.abs(canvas.az - x) < pillar_w
        region |= (r >= deck_low[None, :] - 1) & (r < water) & cols[None, :]
    temp = _attenuate(p, p.bridge_temp_k, p.bridge_distance_m)
    tex = content.land[(np.arange(r0, r1) * 2 % TILE)[:, None], (np.arange(canvas.w) // 2) % TILE]
    sub = value[r0:r1]
    sub[region] = (np.float32(temp) + 0.4 * tex)[region]
    other[r0:r1][region] = 1


def _vessel_polygons(v: Vessel, look: _VesselLook, canvas: _Canvas, p: SceneParams) -> list[np.ndarray] | None:
    """Hull first, then deckhouses/masts, in canvas pixels; None when out of view."""
    px_per_m = canvas.f / v.distance_m
    base = canvas.row_of_depression(_waterline_depression(v.distance_m, p.camera_height_m)) + 0.5
    centre = v.az_tan * canvas.f - canvas.u0
    length = max(v.length_m * px_per_m, 2.0)
    hull_h = max(v.hull_height_m * px_per_m, 1.0)
    x0, x1 = centre - length / 2, centre + length / 2
    if x1 < 0 or x0 > canvas.w:
        return None
    bow = 0.15 * length
    polys = [np.array([[x0, base - hull_h], [x1, base - hull_h], [x1 - bow, base], [x0 + 0.05 * length, base]])]
    cabin_h = v.cabin_height_m * px_per_m
    deck = base - hull_h + 0.5
    for fx0, fx1, fh in look.parts:
        top = base - hull_h - fh * cabin_h
        polys.append(np.array([[x0 + fx0 * length, deck], [x0 + fx1 * length, deck],
                               [x0 + fx1 * length, top], [x0 + fx0 * length, top]]))
    return polys


def _draw_vessels(canvas: _Canvas, value: np.ndarray, other: np.ndarray, p: SceneParams, content: _Content) -> None:
    """Vessels far to near: shaded hull and superstructure (windows, hot funnel), mirrored in calm water."""
    shift = 4
    for i in sorted(range(len(p.vessels)), key=lambda i: -p.vessels[i].distance_m):
        v, look = p.vessels[i], content.vessels[i]
        if not _visible(p, v.temp_k + (look.exhaust[1] if look.exhaust else 0.0), v.distance_m):
            continue
        polys = _vessel_polygons(v, look, canvas, p)
        if polys is None:
            continue
        pts = np.concatenate(polys)
        c0, c1 = max(0, math.floor(pts[:, 0].min()) - 1), min(canvas.w, math.ceil(pts[:, 0].max()) + 2)
        r0, r1 = max(0, math.floor(pts[:, 1].min()) - 1), min(canvas.h, math.ceil(pts[:, 1].max()) + 2)
        if c1 <= c0 or r1 <= r0:
            continue
        ids = np.zeros((r1 - r0, c1 - c0), np.uint8)  # 0 background, 1 hull, 2.. parts
        for k, poly in enumerate(polys):
            local = np.round((poly - [c0, r0]) * (1 << shift)).astype(np.int32)[None]
            cv2.fillPoly(ids, local, k + 1, lineType=cv2.LINE_8, shift=shift)
        inside = ids > 0
        if not inside.any():
            continue
        rows = np.arange(r0, r1, dtype=np.float32)[:, None]
        cols = np.arange(c0, c1, dtype=np.float32)[None, :]
        hull, length = polys[0], float(polys[0][1, 0] - polys[0][0, 0])
        base, hull_h = float(hull[2, 1]), float(hull[2, 1] - hull[0, 1])
        temp = np.float32(v.temp_k) + np.asarray([0.0, 0.0, *look.part_temps], np.float32)[ids]
        temp += np.where(ids == 1, np.float32(look.hull_gradient_k) * np.clip((base - rows) / hull_h, 0, 1), 0)
        for k, poly in enumerate(polys[1:], start=2):
            top, bottom = float(poly[2, 1]), float(poly[0, 1])
            part_h, part_w = bottom - top, float(poly[1, 0] - poly[0, 0])
            if look.window_period > 0 and part_h >= 5 and part_w >= 6:
                band = (rows >= top + 0.2 * part_h) & (rows < top + 0.4 * part_h)
                phase = ((cols - float(hull[0, 0])) / (look.window_period * length)) % 1.0
                temp += np.where((ids == k) & band & (phase < 0.5), np.float32(look.window_k), 0)
            if look.exhaust is not None and look.exhaust[0] == k - 2:
                sigma = max(0.7, 0.25 * part_w)
                blob = np.exp(-(((cols - float(poly[:2, 0].mean())) / sigma) ** 2 + ((rows - top) / sigma) ** 2))
                temp += np.where(ids == k, np.float32(look.exhaust[1]) * blob, 0)
        tex = content.land[(np.arange(r1 - r0) * 3 + 7 * i) % TILE][:, (np.arange(c1 - c0) * 3) % TILE]
        tau = np.float32(math.exp(-v.distance_m / p.visibility_m))
        seen = np.float32(p.haze_temp_k) + (temp + 0.3 * tex - np.float32(p.haze_temp_k)) * tau
        value[r0:r1, c0:c1][inside] = seen[inside]
        other[r0:r1, c0:c1][inside] = 1
        _reflect_vessel(canvas, value, other, p, seen[ids == 1].mean() if (ids == 1).any() else seen[inside].mean(),
                        hull, base, hull_h)


def _reflect_vessel(canvas: _Canvas, value: np.ndarray, other: np.ndarray, p: SceneParams, hull_temp: float,
                    hull: np.ndarray, base: float, hull_h: float) -> None:
    """A rippled mirror image of the hull below its waterline: sea that looks like the vessel."""
    if p.reflection <= 0 or canvas.wave_tex is None:
        return
    q0, q1 = max(canvas.split, math.ceil(base - 0.5)), min(canvas.h, math.ceil(base + 1.5 * hull_h) + 1)
    ca, cb = max(0, math.floor(hull[3, 0])), min(canvas.w, math.ceil(hull[2, 0]) + 1)
    if q1 <= q0 or cb <= ca:
        return
    rr = np.arange(q0, q1, dtype=np.float32)[:, None] - np.float32(base)
    fall = np.exp(-np.maximum(rr, 0.0) / np.float32(0.6 * hull_h))
    ripple = np.clip(1.0 + 0.8 * canvas.wave_tex[q0 - canvas.split:q1 - canvas.split, ca:cb], 0.0, None)
    sub = value[q0:q1, ca:cb]
    sea = other[q0:q1, ca:cb] == 0
    sub += np.where(sea, np.float32(p.reflection) * fall * ripple * (np.float32(hull_temp) - sub), 0)


def _draw_own_hull(img: np.ndarray, mask: np.ndarray, p: SceneParams, content: _Content, sea_ref: float) -> None:
    """The own bow rising into the bottom of the frame: shaded, textured, with a rail along its edge."""
    height, width = img.shape
    cx_frac, half_frac, h_frac = content.hull_shape
    h_frac = min(0.6, h_frac * p.own_hull_scale)
    n = 24
    s = np.linspace(-1.0, 1.0, n)
    xs = (cx_frac + half_frac * s) * width
    ys = height - h_frac * height * (1.0 - np.abs(s) ** 0.9)  # pointed bow, slightly convex sides
    pts = np.concatenate([np.stack([xs, ys], 1), [[xs[-1], height + 2], [xs[0], height + 2]]])
    r0 = max(0, math.floor(float(ys.min())) - 1)
    local = np.round((pts - [0.0, r0]) * 16).astype(np.int32)[None]
    hull = np.zeros((height - r0, width), np.uint8)
    cv2.fillPoly(hull, local, 1, lineType=cv2.LINE_8, shift=4)
    inside = hull > 0
    if not inside.any():
        return
    gradient_k, rail_k = content.hull_look
    frac = np.linspace(0.0, 1.0, height - r0, dtype=np.float32)[:, None]
    step = max(1, width // 160)  # a few smooth blotches (paint, wetness) across the bow
    tex = content.land[(np.arange(height - r0) // step) % TILE][:, (np.arange(width) // step) % TILE]
    temp = np.float32(sea_ref + p.own_hull_temp_k) + np.float32(gradient_k) * frac + 0.3 * tex
    rail = inside & ~cv2.erode(hull, np.ones((3, 3), np.uint8), iterations=max(1, round(height / 160))).astype(bool)
    temp += np.where(rail, np.float32(rail_k), 0)
    img[r0:][inside] = temp[inside]
    mask[r0:][inside] = OTHER


def _sensor(img: np.ndarray, p: SceneParams, content: _Content, rng: np.random.Generator) -> tuple[np.ndarray, str]:
    height, width = img.shape
    if p.blur_sigma > 0.05:
        img = cv2.GaussianBlur(img, (0, 0), p.blur_sigma)
    if p.vignette_k:
        yy = ((np.arange(height, dtype=np.float32) - (height - 1) / 2) / (height / 2)) ** 2
        xx = ((np.arange(width, dtype=np.float32) - (width - 1) / 2) / (width / 2)) ** 2
        img += (yy[:, None] + xx[None, :]) * np.float32(p.vignette_k / 2.0)
    img += (np.resize(content.fpn, width) * np.float32(p.fpn_k))[None, :]
    img += _white_noise(rng, height, width) * np.float32(p.noise_k)
    n_bad = rng.binomial(height * width, min(max(p.bad_pixel_frac, 0.0), 0.01))
    bad_idx = rng.integers(0, height * width, size=n_bad)
    hot = rng.random(n_bad) < 0.5
    sign = 1.0 if p.polarity == "white_hot" else -1.0
    if p.bit_depth == 8:
        step = max(1, int(math.sqrt(img.size / 8192)))
        lo, hi = np.percentile(img[::step, ::step], [p.agc_low_pct, p.agc_high_pct])
        if not hi > lo:
            hi = lo + 1.0
        x = np.clip((img - np.float32(lo)) * np.float32(1.0 / (hi - lo)), 0.0, 1.0)
        if sign < 0:
            x = 1.0 - x
        if abs(p.agc_gamma - 1.0) > 1e-3:
            x = np.power(x, np.float32(p.agc_gamma))
        lo8, hi8 = p.agc_range
        out = np.clip(lo8 + x * np.float32(hi8 - lo8) + 0.5, 0, 255).astype(np.uint8)
        flat = out.reshape(-1)
        flat[bad_idx[hot]] = 255
        flat[bad_idx[~hot]] = 0
        return out, "mono8"
    counts = np.float32(p.counts_base) + img * np.float32(sign * p.counts_per_k)
    out = np.clip(counts + 0.5, 0, MAX_COUNT_14).astype(np.uint16)
    flat = out.reshape(-1)
    flat[bad_idx[hot]] = MAX_COUNT_14 if sign > 0 else 0
    flat[bad_idx[~hot]] = 0 if sign > 0 else MAX_COUNT_14
    return out, "mono16"


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
    _draw_sky(canvas, value, p, content)
    _draw_sea(canvas, value, p, content)
    _haze(canvas, value, p)
    _draw_coast(canvas, value, other, p, content)
    _draw_bridge(canvas, value, other, p, content)
    _draw_vessels(canvas, value, other, p, content)

    img = _warp(value, canvas.matrix, width, height)
    line = horizon_line(p, height, width)
    rows = np.arange(height, dtype=np.float64)[:, None]
    # a pixel is sea when its area reaches below the line (seasky_ros.horizon's convention)
    mask = (rows + 0.5 > line[None, :]).astype(np.uint8)
    has_sky = bool(line.max() >= 0.5)  # row 0 is sky somewhere
    has_sea = bool(line.min() < height - 0.5)  # the last row is sea somewhere
    horizon = (0.0, float(line[0]), float(width - 1), float(line[-1])) if has_sky and has_sea else None
    if other.any():
        mask[_warp(other, canvas.matrix, width, height, nearest=True) > 0] = OTHER
    if p.own_hull:
        sea_ref = p.sea_horizon_k + p.sea_near_k
        _draw_own_hull(img, mask, p, content, sea_ref)
    image, encoding = _sensor(img, p, content, rng)
    return SyntheticFrame(image=image, encoding=encoding, mask=mask, horizon=horizon, params=p)


def generate_frame(seed: int, height: int = 512, width: int = 640,
                   harbour_share: float = DEFAULT_HARBOUR_SHARE) -> SyntheticFrame:
    """A random scene, fully determined by ``seed`` (and the share of harbour scenes)."""
    rng = np.random.default_rng(seed)
    params = SceneParams.random(rng, harbour_share=harbour_share)
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
) -> Iterator[SyntheticFrame]:
    """``count`` frames of ONE scene seen from a ship rolling and pitching in a swell.

    Roll and pitch oscillate smoothly (pitch at a different period), the waves drift, and each
    frame gets new temporal noise. Frames are raw 14-bit counts ("mono16"), like a camera driver
    publishes them. Deterministic for a seed; the horizon stays in view for the default amplitudes.
    ``frame.params.camera_matrix(H, W)`` (or ``hfov_deg``) gives the CameraInfo K.
    """
    if count < 0 or rate_hz <= 0 or period_s <= 0:
        raise ValueError(f"need count >= 0, rate > 0 and period > 0, got {count}, {rate_hz}, {period_s}")
    rng = np.random.default_rng([seed, 0x5E0])
    base = SceneParams.random(rng, harbour_share=0.0, own_hull=False, bit_depth=14)
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
        yield render_scene(params, height, width, np.random.default_rng([seed, i, 0xF4A]))


def write_dataset_folder(
    out_dir: str | Path, count: int, seed: int, height: int = 512, width: int = 640, progress: bool = True,
    harbour_share: float = DEFAULT_HARBOUR_SHARE,
) -> None:
    """Write ``count`` random frames as a dataset folder (images/, masks/, horizon.csv)."""
    from tqdm import tqdm

    from .dataset import save_frame, write_horizon_csv

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    horizons: dict[str, Horizon | None] = {}
    digits = max(6, len(str(max(count - 1, 0))))
    for i in tqdm(range(count), desc="seasky-synth", unit="frame", disable=not progress):
        frame = generate_frame(seed * 1_000_003 + i, height, width, harbour_share)
        stem = f"synth_{i:0{digits}d}"
        save_frame(out_dir, stem, frame.image, frame.mask)
        horizons[stem] = frame.horizon
    write_horizon_csv(out_dir / "horizon.csv", horizons)


def main(argv: Sequence[str] | None = None) -> int:
    """``seasky-synth OUT --count N --seed S``: write synthetic frames as a dataset folder."""
    parser = argparse.ArgumentParser(
        prog="seasky-synth",
        description="Render synthetic LWIR maritime frames with exact sky/sea/other masks and horizon lines "
        "into a dataset folder (images/, masks/, horizon.csv).",
    )
    parser.add_argument("out", type=Path, help="output dataset folder")
    parser.add_argument("--count", type=int, default=100, help="number of frames (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--height", type=int, default=512, help="frame height in pixels (default 512)")
    parser.add_argument("--width", type=int, default=640, help="frame width in pixels (default 640)")
    parser.add_argument("--harbour-share", type=float, default=DEFAULT_HARBOUR_SHARE,
                        help=f"share of harbour scenes, 0..1 (default {DEFAULT_HARBOUR_SHARE})")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.count < 0 or args.height < 8 or args.width < 8:
        parser.error("need --count >= 0 and a frame of at least 8x8 pixels")
    if not 0.0 <= args.harbour_share <= 1.0:
        parser.error("--harbour-share must be between 0 and 1")
    write_dataset_folder(args.out, args.count, args.seed, args.height, args.width, progress=not args.no_progress,
                         harbour_share=args.harbour_share)
    print(f"seasky-synth: wrote {args.count} frames to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
