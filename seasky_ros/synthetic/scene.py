# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Scene parameters: everything random about one synthetic scene, and the rendered frame."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields, replace

import numpy as np

from ..labels import OTHER, SEA, SKY, HorizonPoints  # noqa: F401 - the scene modules take them from here

DEFAULT_HARBOUR_SHARE = 0.2  # share of random scenes that are harbours
EARTH_RADIUS_M = 6.371e6



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
    # hard cases that stay sky or sea (see _hard_cases)
    bank_height_deg: float = 0.0  # a low cloud bank lying over the horizon, labelled sky (0: none)
    bank_base_deg: float = 0.0  # elevation of its base above the horizon (0: resting on it)
    bank_temp_k: float = 0.0  # bank minus the sky at its base, either sign (negative: a dark band over the sea)
    wake_k: float = 0.0  # a vessel's wake on the water, labelled sea: foam (>0) or cooler churned water (<0)
    wake_az_tan: float = 0.0  # tan(azimuth) of its apex (the stern)
    wake_distance_m: float = 300.0  # distance of its apex
    wake_heading_deg: float = 90.0  # the vessel's course on the sea plane: 0 away from the camera, 90 to the right
    wake_decay_m: float = 300.0  # length over which the wake fades behind the apex
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
               hard_cases: bool = True, **overrides) -> SceneParams:
        """Draw a random scene; keyword arguments fix any field (unknown names raise TypeError).

        ``harbour_share`` of the scenes are harbours (see the module notes); with 0 no extra
        random number is drawn, so a seed gives the same open-sea scene as without harbours.
        ``hard_cases`` adds cloud banks, glint and wakes (``_hard_cases``) from a stream of their
        own: every other field of a seed's scene is the same with and without them.
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
        if hard_cases:
            params = _hard_cases(params, np.random.default_rng([params.content_seed, 0x4A2D]))
        return replace(params, **overrides) if overrides else params

    def imu_orientation(self, error_deg: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float, float, float]:
        """(x, y, z, w) an IMU whose frame is the camera body's reports for this scene, off by ``error_deg``.

        The generator's roll is the image horizon's tilt (lower on the right), the camera's roll its
        negative; its pitch is positive looking up, REP-103's positive nose down. ``error_deg``
        (roll, pitch) is added to the camera's attitude: a simulated sensor error.
        """
        from ..attitude import quaternion_from_rpy

        return quaternion_from_rpy(-self.roll_deg + error_deg[0], -(self.pitch_deg + error_deg[1]), 0.0)

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


def _hard_cases(p: SceneParams, rng: np.random.Generator) -> SceneParams:
    """Sky and sea that looked like obstacles to the network: a cloud bank, sun glint, a wake.

    Measured on the shipped weights (seasky_training.false_obstacles): clouds read as "other" or, dark
    just above the horizon, as sea; glint and churned water read as "other". Each is drawn with
    its exact label (a bank only above the horizon, glint and wakes only on the water), and
    none has what marks a real obstacle: a bank has no waterline and no mirror image, a wake
    no hull. Vessels' wakes trail from their sterns (vessels are drawn travelling to the right).
    """
    u = rng.uniform
    changes: dict = {}
    if rng.random() < 0.3:
        changes.update(
            bank_height_deg=float(math.exp(u(math.log(0.2), math.log(4.0)))),
            bank_base_deg=0.0 if rng.random() < 0.4 else float(math.exp(u(math.log(0.05), math.log(2.0)))),
            bank_temp_k=float(u(1.0, 8.0) if rng.random() < 0.6 else -u(1.0, 4.0)),
        )
    if p.glint_k == 0.0 and rng.random() < 0.2:
        changes.update(glint_k=float(u(1.0, 10.0)), glint_az_tan=float(u(-0.5, 0.5)))
    if rng.random() < 0.3:
        changes.update(wake_k=float(rng.choice([-1.0, 1.0], p=[0.35, 0.65]) * u(0.5, 5.0)),
                       wake_decay_m=float(math.exp(u(math.log(50.0), math.log(1500.0)))))
        if p.vessels and rng.random() < 0.7:
            v = p.vessels[int(rng.integers(0, len(p.vessels)))]
            changes.update(wake_az_tan=v.az_tan - 0.5 * v.length_m / v.distance_m, wake_distance_m=v.distance_m,
                           wake_heading_deg=90.0, wake_decay_m=float(max(changes["wake_decay_m"], 3 * v.length_m)))
        else:
            changes.update(wake_az_tan=float(u(-0.6, 0.6)),
                           wake_distance_m=float(math.exp(u(math.log(20.0), math.log(2000.0)))),
                           wake_heading_deg=float(u(-180.0, 180.0)))
    return replace(p, **changes) if changes else p


@dataclass
class SyntheticFrame:
    """A rendered frame with its exact labels."""

    image: np.ndarray  # uint16 (14-bit counts) or uint8
    encoding: str  # "mono16" or "mono8"
    mask: np.ndarray  # uint8 HxW: 0 sky, 1 sea, 2 other
    horizon: HorizonPoints | None  # (0, y0, W-1, y1), None when not in view
    params: SceneParams = field(repr=False)
