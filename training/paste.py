# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Copy-paste augmentation: synthetic land, buildings, vessels, bridges and own hull on real frames.

The synthetic generator's skies and seas are not real ones; training on more of them taught the
network the generator and cost it real hazy coasts. A real labelled sky/sea frame with synthetic
"other" pasted on keeps the real sky and sea textures the network must read, and still shows it
what sits on and across the horizon: a coast whose waterline hides the far sea, a skyline, a boat,
a bridge deck, the own bow. Every pasted pixel is labelled "other" (2); reflections, chop,
glitter, sun glint and wakes added to the water stay "sea", a haze band added over the horizon
stays "sky".
Intensities are set relative to the frame's own sky and sea near the horizon, so the contrast
of a pasted coast is one a real camera could see.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from seasky_ros.labels import OTHER, SEA, SKY


@dataclass
class PasteConfig:
    """Probabilities of each pasted object (drawn independently per frame)."""

    p_coast: float = 0.7  # land strip on the horizon, hills or flat, through haze or clear
    p_skyline: float = 0.4  # buildings on that strip (only with a coast)
    vessels_mean: float = 1.0  # Poisson mean of vessels on the water
    p_own_hull: float = 0.2  # own bow or rail entering from the bottom
    p_bridge: float = 0.1  # a deck across the top with pillars into the water
    p_reflection: float = 0.7  # a broken mirror image of the coast on the water below it
    p_rough_sea: float = 0.4  # near-field chop and glitter on the water (still "sea")
    p_restyle_sea: float = 0.4  # the water warmer or colder than the sky, brightening towards the camera
    p_haze_band: float = 0.6  # the sky warming just above whatever meets it (still "sky")
    max_haze: float = 0.85  # a coast's contrast is scaled by (1 - haze), haze up to this
    p_wake: float = 0.5  # a pasted vessel's wake on the water (still "sea")
    p_glint_path: float = 0.2  # sun glint: a path of sparkles below the sun on the water (still "sea")


@dataclass
class _Scene:
    """What the pastes need to know of the frame."""

    horizon: np.ndarray  # per column: first sea row (float; interpolated where a column has no sky->sea step)
    sky_near: float  # median sky value just above the horizon
    sea_near: float  # median sea value just below it
    span: float  # robust value range of the frame


def _smooth_noise(rng: np.random.Generator, height: int, width: int, cell: float) -> np.ndarray:
    """Zero-mean, unit-ish noise with features about ``cell`` pixels wide."""
    gh, gw = max(2, int(height / cell) + 2), max(2, int(width / cell) + 2)
    grid = rng.standard_normal((gh, gw)).astype(np.float32)
    return cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC)


def _profile(rng: np.random.Generator, width: int, cell: float) -> np.ndarray:
    """A smooth 1-D random profile (length ``width``), roughly in [-1, 1]."""
    knots = rng.uniform(-1.0, 1.0, max(2, int(width / cell) + 2)).astype(np.float32)
    return cv2.resize(knots[None, :], (width, 1), interpolation=cv2.INTER_CUBIC)[0]


def _scene(image: np.ndarray, mask: np.ndarray) -> _Scene | None:
    """Horizon per column from the mask (sky above, sea below); None if there is none to build on."""
    height, width = mask.shape
    is_sea = mask == SEA
    first_sea = np.where(is_sea.any(axis=0), is_sea.argmax(axis=0), height)
    rows = np.arange(height)[:, None]
    above = rows < first_sea[None, :]
    clean_above = ((mask == SKY) | (mask == 255) | ~above).all(axis=0)
    has_sky = ((mask == SKY) & above).any(axis=0)
    valid = clean_above & has_sky & (first_sea < height)
    if valid.mean() < 0.5:
        return None
    sea_top = np.where(valid, first_sea, np.nan).astype(np.float32)
    band = max(3, height // 20)
    near_sky = (mask == SKY) & (rows >= first_sea[None, :] - band) & above
    near_sea = is_sea & (rows < first_sea[None, :] + band)
    if near_sky.sum() < 10 or near_sea.sum() < 10:
        return None
    lo, hi = np.percentile(image, [1, 99])
    return _Scene(_fill_nan(sea_top), float(np.median(image[near_sky])), float(np.median(image[near_sea])),
                  max(float(hi - lo), 1e-3))


def _fill_nan(values: np.ndarray) -> np.ndarray:
    """Interpolate the columns without a horizon from their neighbours."""
    good = np.isfinite(values)
    x = np.arange(values.size)
    return np.interp(x, x[good], values[good]).astype(np.float32)


def _depth_below(scene: _Scene, height: int) -> np.ndarray:
    """Per pixel: distance below the horizon, 0 at the horizon (and above) to 1 at the bottom row."""
    rows = np.arange(height, dtype=np.float32)[:, None]
    span = max(height - float(scene.horizon.min()), 1.0)
    return np.clip((rows - scene.horizon[None, :]) / span, 0.0, 1.0)


def _blend(image: np.ndarray, region: np.ndarray, value: np.ndarray | float, soft: float) -> None:
    """Write ``value`` into ``image`` where ``region`` is set, with an edge ``soft`` pixels wide."""
    alpha = region.astype(np.float32)
    if soft > 0.3:
        alpha = cv2.GaussianBlur(alpha, (0, 0), soft)
    image += alpha * (value - image)


def _paste_coast(image: np.ndarray, mask: np.ndarray, scene: _Scene, rng: np.random.Generator,
                 cfg: PasteConfig) -> None:
    height, width = mask.shape
    horizon = scene.horizon
    start = int(rng.uniform(-0.3, 0.6) * width)
    length = int(rng.uniform(0.25, 1.4) * width)
    x = np.arange(width)
    inside = (x >= start) & (x < start + length)
    if not inside.any():
        return
    # a coast nearer than the sea horizon meets the water below it, hiding the far sea
    waterline = horizon + rng.uniform(0.0, 0.05) * height * (rng.random() < 0.7)
    waterline = waterline + _profile(rng, width, width / 3.0) * rng.uniform(0.0, 0.006) * height
    tall = rng.uniform(0.01, 0.2) * height
    hills = 1.0 + rng.uniform(0.2, 0.9) * _profile(rng, width, rng.uniform(0.05, 0.4) * width)
    ramp = rng.uniform(0.02, 0.3) * min(length, width)
    taper = np.clip(np.minimum(x - start, start + length - 1 - x) / max(ramp, 1.0), 0.0, 1.0)
    if start <= 0:
        taper[x < ramp] = 1.0
    if start + length >= width:
        taper[x > width - ramp] = 1.0
    # the land rises above the sea horizon (at least 1 px), else its top would sit on open water
    top = np.minimum(waterline - np.maximum(tall * hills * np.sqrt(taper), 1.0), horizon - 1.0)
    rows = np.arange(height, dtype=np.float32)[:, None]
    region = inside[None, :] & (rows >= top[None, :]) & (rows < waterline[None, :])
    if cfg.p_skyline and rng.random() < cfg.p_skyline:
        region |= _skyline(rng, height, width, waterline, inside)
    if region.sum() < 8:
        return

    haze = rng.uniform(0.0, cfg.max_haze)
    contrast = rng.choice([-1.0, 1.0], p=[0.3, 0.7]) * rng.uniform(0.05, 0.8) * scene.span * (1.0 - haze)
    texture = (_smooth_noise(rng, height, width, rng.uniform(2.0, 12.0))
               + 0.7 * _smooth_noise(rng, height, width, rng.uniform(12.0, 60.0)))
    streaks = cv2.resize(rng.standard_normal((max(2, height // 3), 4)).astype(np.float32), (width, height),
                         interpolation=cv2.INTER_LINEAR)
    amp = rng.uniform(0.02, 0.25) * scene.span * (1.0 - 0.7 * haze)  # haze flattens texture less than level
    depth = np.clip((rows - top[None, :]) / np.maximum(waterline - top, 1.0)[None, :], 0.0, 1.0)
    value = (scene.sky_near + contrast * (1.0 + rng.uniform(-0.5, 0.5) * depth)
             + amp * (texture + rng.uniform(0.0, 1.0) * streaks)).astype(np.float32)
    if rng.random() < 0.2:  # lights, windows, warm chimneys: a few small hot spots
        spots = rng.random((height, width)) < rng.uniform(0.0005, 0.003)
        value += spots * (abs(contrast) + 0.2 * scene.span)
    if cfg.p_reflection and rng.random() < cfg.p_reflection:
        _reflect(image, mask, region, value, waterline, rng)
    _blend(image, region, value, rng.uniform(0.0, 1.5))
    mask[region] = OTHER


def _skyline(rng: np.random.Generator, height: int, width: int, waterline: np.ndarray,
             inside: np.ndarray) -> np.ndarray:
    """Rectangular buildings standing on the waterline, some tall."""
    region = np.zeros((height, width), bool)
    xs = np.flatnonzero(inside)
    for _ in range(int(rng.integers(3, 25))):
        w = int(rng.uniform(0.01, 0.09) * width) + 1
        x0 = int(rng.choice(xs)) - w // 2
        tall = rng.uniform(0.02, 0.35) * height * (rng.random() ** 1.5)
        base = float(waterline[np.clip(x0 + w // 2, 0, width - 1)])
        y0 = int(max(0.0, base - tall - 2))
        region[y0:int(base) + 1, max(0, x0):max(0, x0 + w)] = True
        if rng.random() < 0.15:  # a mast or spire
            mx = int(np.clip(x0 + rng.integers(0, w), 0, width - 1))
            region[int(max(0.0, y0 - rng.uniform(0.02, 0.1) * height)):y0 + 1, mx:mx + int(rng.integers(1, 3))] = True
    return region


def _reflect(image: np.ndarray, mask: np.ndarray, region: np.ndarray, value: np.ndarray,
             waterline: np.ndarray, rng: np.random.Generator) -> None:
    """Mirror the object about its waterline onto the water; still labelled sea.

    Real reflections of a warm waterfront are strong next to it and broken by the waves into
    streaks and speckle, so the mirror image is modulated by wave-shaped noise, elongated along
    the horizon, and fades with distance below the waterline.
    """
    height, width = mask.shape
    rows = np.arange(height, dtype=np.float32)[:, None]
    mirror_rows = np.clip(2.0 * waterline[None, :] - rows, 0, height - 1).astype(np.float32)
    cols = np.broadcast_to(np.arange(width, dtype=np.float32)[None, :], (height, width))
    wobble = _smooth_noise(rng, height, width, 4.0) * rng.uniform(0.0, 3.0)
    mirrored_alpha = cv2.remap(region.astype(np.float32), cols + wobble, mirror_rows, cv2.INTER_LINEAR)
    mirrored_value = cv2.remap(value, cols + wobble, mirror_rows, cv2.INTER_LINEAR)
    cell_y = rng.uniform(1.0, 4.0)
    cell_x = cell_y * rng.uniform(3.0, 10.0)
    grid = rng.standard_normal((max(2, int(height / cell_y) + 2), max(2, int(width / cell_x) + 2)))
    waves = cv2.resize(grid.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    breakup = np.clip(0.5 + rng.uniform(0.3, 1.2) * waves, 0.0, 1.0)
    reach = rng.uniform(0.02, 0.2) * height
    fade = np.exp(-np.clip(rows - waterline[None, :], 0.0, None) / reach)
    below = (rows > waterline[None, :]) & (mask == SEA)
    alpha = rng.uniform(0.15, 0.8) * mirrored_alpha * breakup * fade * below
    image += alpha * (mirrored_value - image)


def _restyle_sea(image: np.ndarray, mask: np.ndarray, scene: _Scene, rng: np.random.Generator) -> _Scene:
    """Shift the water's level against the sky's and add the brightening away from the horizon.

    At grazing angles water reflects the sky; looking down it emits at its own temperature, so a
    sea warmer than the sky brightens towards the camera (white-hot) and a cold one darkens. One
    real clip shows one such contrast; this shows the network the others. Returns the new scene.
    """
    height, width = mask.shape
    below = _depth_below(scene, height)
    sea = (mask == SEA).astype(np.float32)
    sea = cv2.GaussianBlur(sea, (0, 0), 0.7)
    shift = rng.uniform(-0.6, 0.6) * scene.span
    ramp = rng.uniform(-0.3, 1.0) * scene.span * below ** rng.uniform(0.5, 2.0)
    gain = rng.uniform(0.6, 2.0)
    image += sea * ((image - scene.sea_near) * (gain - 1.0) + shift + ramp)
    return _Scene(scene.horizon, scene.sky_near, scene.sea_near + shift, scene.span)


def _haze_band(image: np.ndarray, mask: np.ndarray, scene: _Scene, rng: np.random.Generator) -> None:
    """Brighten (or, rarely, darken) the sky just above its lower edge, fading upwards.

    Looking lower, the air path is longer and warmer, so a real sky often ends in a bright haze
    band over the horizon or the coast. Without it in training, a bright band over land reads
    as water.
    """
    height, width = mask.shape
    is_sky = mask == SKY
    rows = np.arange(height, dtype=np.float32)[:, None]
    # lowest sky row per column that still has sky above it only (the sky's lower edge)
    not_sky = ~is_sky
    first_not_sky = np.where(not_sky.any(axis=0), not_sky.argmax(axis=0), height).astype(np.float32)
    if not (first_not_sky > 0).any():
        return
    scale = rng.uniform(0.02, 0.3) * height
    amp = rng.choice([-1.0, 1.0], p=[0.15, 0.85]) * rng.uniform(0.1, 0.8) * scene.span
    rise = np.clip(first_not_sky[None, :] - rows, 0.0, None)
    band = np.exp(-rise / scale) * (rows < first_not_sky[None, :])
    texture = 1.0 + 0.1 * _smooth_noise(rng, height, width, rng.uniform(10.0, 60.0))
    image += is_sky * amp * band * texture


def _roughen_sea(image: np.ndarray, mask: np.ndarray, scene: _Scene, rng: np.random.Generator) -> None:
    """Chop and glitter that grow towards the camera, so strong texture alone never means "other".

    Open-sea training frames are smooth; a harbour's near water is not. Waves are elongated along
    the horizon and, by perspective, larger and of more contrast the further below the horizon.
    """
    height, width = mask.shape
    below = _depth_below(scene, height)
    sea = mask == SEA
    waves = np.zeros((height, width), np.float32)
    for cell in (2.0, 4.0, 8.0, 16.0):
        stretch = rng.uniform(2.0, 6.0)
        grid = rng.standard_normal((max(2, int(height / cell) + 2), max(2, int(width / (cell * stretch)) + 2)))
        band = cv2.resize(grid.astype(np.float32), (width, height), interpolation=cv2.INTER_CUBIC)
        # small cells dominate near the horizon, large ones near the camera
        weight = np.exp(-((below * 16.0 - cell) ** 2) / (2.0 * cell**2))
        waves += band * weight
    amp = rng.uniform(0.05, 0.5) * scene.span
    image += sea * amp * below ** rng.uniform(0.5, 1.5) * waves
    if rng.random() < 0.5:  # glitter: sky or sun reflected in wave facets
        glints = sea & (rng.random((height, width)) < rng.uniform(0.002, 0.03) * below)
        image += glints * rng.choice([-1.0, 1.0], p=[0.2, 0.8]) * rng.uniform(0.2, 1.0) * scene.span


def _paste_wake(image: np.ndarray, mask: np.ndarray, scene: _Scene, rng: np.random.Generator,
                stern: tuple[float, float], length: float) -> None:
    """A pasted vessel's wake: a churned band astern and the two Kelvin arms, on the water only.

    Laid on a ground plane seen in perspective (distance ~ 1 / depth below the horizon), so it
    narrows and fades towards the horizon as a real one does. Foam is bright, churned cooler
    water dark; either way it is sea, which the network has to learn apart from a hull.
    """
    height, width = mask.shape
    focal = float(width)  # about a 50-degree lens; units: camera height x focal length = 1
    depth = np.maximum(np.arange(height, dtype=np.float32)[:, None] - scene.horizon[None, :], 0.5)
    ground = 1.0 / depth  # distance along the view
    lateral = (np.arange(width, dtype=np.float32)[None, :] - stern[0]) * ground / focal
    g0 = 1.0 / max(stern[1] - float(scene.horizon[int(np.clip(stern[0], 0, width - 1))]), 0.5)
    beam = length * g0 / focal / 6.0  # the hull's beam (its length in px at the stern's distance, over 6)
    psi = rng.uniform(60.0, 120.0)  # the hull is drawn broadside, bow to the right
    tx, ty = np.sin(np.radians(psi)), np.cos(np.radians(psi))
    dy = ground - g0
    behind = np.maximum(-(lateral * tx + dy * ty), 0.0)
    cross = lateral * ty - dy * tx
    decay = rng.uniform(10.0, 40.0) * beam
    centre = np.exp(-((cross / (beam * (1.0 + 0.15 * behind / beam))) ** 2)) * np.exp(-behind / decay)
    off = np.abs(cross) - behind * np.tan(np.radians(19.47))
    arms = 0.5 * np.exp(-((off / (0.4 * beam + 0.02 * behind)) ** 2)) * np.exp(-behind / (0.6 * decay))
    texture = np.clip(1.0 + 0.6 * _smooth_noise(rng, height, width, rng.uniform(2.0, 6.0)), 0.0, None)
    amp = rng.choice([-1.0, 1.0], p=[0.35, 0.65]) * rng.uniform(0.05, 0.3) * scene.span
    image += (mask == SEA) * amp * np.clip(behind / beam, 0.0, 1.0) * (centre + arms) * texture


def _glint_path(image: np.ndarray, mask: np.ndarray, scene: _Scene, rng: np.random.Generator) -> None:
    """Sparkles of the sun in wave facets, in a path below it that widens towards the camera; sea."""
    height, width = mask.shape
    below = _depth_below(scene, height)
    centre = rng.uniform(0.0, width)
    half = rng.uniform(0.03, 0.15) * width * (0.3 + below)
    x = np.arange(width, dtype=np.float32)[None, :]
    path = np.exp(-(((x - centre) / half) ** 2)) * np.exp(-below / rng.uniform(0.2, 1.0))
    sparkle = rng.random((height, width)) < rng.uniform(0.02, 0.15) * path
    sparkle = cv2.dilate(sparkle.astype(np.uint8), np.ones((1, int(rng.integers(1, 4))), np.uint8)).astype(bool)
    image += (sparkle & (mask == SEA)) * rng.uniform(0.2, 1.0) * scene.span


def _paste_vessel(image: np.ndarray, mask: np.ndarray, scene: _Scene,
                  rng: np.random.Generator) -> tuple[tuple[float, float], float] | None:
    """Paste a boat; returns its stern at the waterline (x, row) and its length in px, for a wake."""
    height, width = mask.shape
    horizon = scene.horizon
    cx = int(rng.uniform(0.0, width))
    h_row = float(horizon[np.clip(cx, 0, width - 1)])
    if h_row >= height - 2:
        return None
    # nearer boats sit lower in the frame and look bigger
    base = h_row + (height - h_row) * rng.uniform(0.0, 0.6) ** 2
    scale = max(base - h_row, 1.0) * rng.uniform(0.1, 0.5) + rng.uniform(1.0, 0.02 * height + 2.0)
    length = scale * rng.uniform(2.0, 6.0)
    hull_h = scale * rng.uniform(0.2, 0.5)
    bow = rng.uniform(0.1, 0.35) * length
    x0, x1 = cx - length / 2, cx + length / 2
    hull = np.array([[x0, base - hull_h], [x1, base - hull_h], [x1 - bow, base], [x0 + bow * 0.3, base]])
    region = np.zeros((height, width), np.uint8)
    cv2.fillPoly(region, [np.round(hull).astype(np.int32)], 1)
    for _ in range(int(rng.integers(0, 3))):
        sw = length * rng.uniform(0.1, 0.4)
        sx = rng.uniform(x0 + 0.1 * length, x1 - sw - 0.1 * length)
        sh = hull_h * rng.uniform(0.5, 2.5)
        top = base - hull_h - sh
        cv2.rectangle(region, (int(sx), int(top)), (int(sx + sw), int(base - hull_h)), 1, -1)
    if rng.random() < 0.3:  # a mast
        mx = int(rng.uniform(x0 + 0.2 * length, x1 - 0.2 * length))
        cv2.line(region, (mx, int(base - hull_h)), (mx, int(base - hull_h - scale * rng.uniform(1, 4))), 1,
                 max(1, int(scale / 12)))
    region = region.astype(bool)
    if region.sum() < 3:
        return None
    contrast = rng.choice([-1.0, 1.0], p=[0.3, 0.7]) * rng.uniform(0.1, 0.9) * scene.span
    value = (scene.sea_near + contrast
             + 0.1 * abs(contrast) * _smooth_noise(rng, height, width, max(2.0, scale / 3))).astype(np.float32)
    _blend(image, region, value, rng.uniform(0.0, 1.0))
    mask[region] = OTHER
    return (x0 + bow * 0.3, base), length


def _paste_own_hull(image: np.ndarray, mask: np.ndarray, scene: _Scene, rng: np.random.Generator) -> None:
    """The own bow (a wedge from the bottom edge) or a rail along a bottom corner."""
    height, width = mask.shape
    region = np.zeros((height, width), np.uint8)
    if rng.random() < 0.6:
        tip_x = rng.uniform(0.2, 0.8) * width
        tip_y = height * (1.0 - rng.uniform(0.03, 0.25))
        half = rng.uniform(0.08, 0.3) * width
        poly = [[tip_x, tip_y], [tip_x + half, height], [tip_x - half, height]]
        if rng.random() < 0.5:  # a pulpit rail above the bow
            cv2.line(region, (int(tip_x), int(tip_y)), (int(tip_x), int(tip_y - rng.uniform(0.03, 0.1) * height)), 1,
                     max(1, width // 150))
    else:
        left = rng.random() < 0.5
        reach = rng.uniform(0.2, 0.8) * width
        y_edge = height * (1.0 - rng.uniform(0.05, 0.3))
        corner = 0.0 if left else width
        far = reach if left else width - reach
        poly = [[corner, y_edge], [far, height], [corner, height]]
    cv2.fillPoly(region, [np.round(np.array(poly)).astype(np.int32)], 1)
    region = region.astype(bool)
    if region.sum() < 8:
        return
    level = scene.sea_near + rng.uniform(-1.0, 1.0) * scene.span
    gradient = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None] * rng.uniform(-0.3, 0.3) * scene.span
    value = (level + gradient + 0.05 * scene.span * _smooth_noise(rng, height, width, 20.0)).astype(np.float32)
    _blend(image, region, value, rng.uniform(0.0, 1.0))
    mask[region] = OTHER


def _paste_bridge(image: np.ndarray, mask: np.ndarray, scene: _Scene, rng: np.random.Generator) -> None:
    height, width = mask.shape
    horizon = scene.horizon
    x = np.arange(width, dtype=np.float32)
    arc = rng.uniform(-0.1, 0.1) * height * ((2 * x / width - 1) ** 2)
    tilt = rng.uniform(-0.15, 0.15) * height * (x / width - 0.5)
    deck_top = rng.uniform(-0.05, 0.3) * height + arc + tilt
    deck = deck_top + rng.uniform(0.03, 0.15) * height
    rows = np.arange(height, dtype=np.float32)[:, None]
    region = (rows >= deck_top[None, :]) & (rows < deck[None, :])
    for _ in range(int(rng.integers(0, 4))):
        px = int(rng.uniform(0, width))
        pw = int(rng.uniform(0.02, 0.1) * width) + 1
        bottom = int(horizon[np.clip(px, 0, width - 1)] + rng.uniform(0.0, 0.1) * height)
        region[:, max(0, px):px + pw] |= (rows[:, 0] < bottom)[:, None] & (rows[:, 0] >= deck_top[px])[:, None]
    if region.sum() < 8:
        return
    value = (scene.sky_near + rng.uniform(-1.0, 1.0) * scene.span
             + 0.05 * scene.span * _smooth_noise(rng, height, width, 10.0)).astype(np.float32)
    _blend(image, region, value, rng.uniform(0.0, 1.0))
    mask[region] = OTHER


def paste_objects(
    image: np.ndarray,
    mask: np.ndarray,
    rng: np.random.Generator,
    cfg: PasteConfig | None = None,
    limits: tuple[float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return copies of (gray float image, uint8 mask) with synthetic "other" objects pasted on.

    Frames whose mask shows no sky->sea horizon over at least half the columns come back
    unchanged: the pastes are placed relative to that horizon. ``limits`` clips the result to
    the sensor's value range (e.g. (0, 255) for 8-bit frames), as a real camera would saturate.
    """
    cfg = cfg or PasteConfig()
    image = np.array(image, dtype=np.float32)
    mask = np.array(mask, dtype=np.uint8)
    if image.shape != mask.shape or image.ndim != 2:
        raise ValueError(f"image {image.shape} and mask {mask.shape} must be the same 2-D shape")
    scene = _scene(image, mask)
    if scene is None:
        return image, mask
    if rng.random() < cfg.p_restyle_sea:
        scene = _restyle_sea(image, mask, scene, rng)
    if rng.random() < cfg.p_rough_sea:
        _roughen_sea(image, mask, scene, rng)
    if rng.random() < cfg.p_coast:
        _paste_coast(image, mask, scene, rng, cfg)
    vessels = [_paste_vessel(image, mask, scene, rng) for _ in range(int(rng.poisson(cfg.vessels_mean)))]
    if rng.random() < cfg.p_bridge:
        _paste_bridge(image, mask, scene, rng)
    if rng.random() < cfg.p_own_hull:
        _paste_own_hull(image, mask, scene, rng)
    if rng.random() < cfg.p_haze_band:
        _haze_band(image, mask, scene, rng)
    # drawn last, so that every earlier paste of a seed is what it was before they existed
    for vessel in vessels:
        if vessel is not None and rng.random() < cfg.p_wake:
            _paste_wake(image, mask, scene, rng, *vessel)
    if rng.random() < cfg.p_glint_path:
        _glint_path(image, mask, scene, rng)
    if limits is not None:
        np.clip(image, limits[0], limits[1], out=image)
    return image, mask
