# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The drawing passes on the canvas: sky, sea, haze, coast, bridge, vessels, own hull."""

from __future__ import annotations

import math

import cv2
import numpy as np

from .canvas import _Canvas, _Layer, _plane_layers, _waterline_depression
from .content import TILE, _Content, _sample_1d, _VesselLook
from .scene import OTHER, SceneParams, Vessel


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


def _draw_bank(canvas: _Canvas, value: np.ndarray, p: SceneParams, content: _Content) -> None:
    """A low cloud bank over the horizon: soft, lumpy-topped, warmer or colder than the sky under it.

    Drawn in the sky rows only, so its label stays sky wherever it sits, resting on the horizon
    included (dark there, it is the cloud the network read as sea).
    """
    if p.bank_height_deg <= 0 or canvas.split == 0:
        return
    base = math.radians(p.bank_base_deg)
    height = math.radians(p.bank_height_deg)
    top = base + height * np.clip(0.65 + 0.35 * _sample_1d(content.bank_top, canvas.az), 0.15, None)
    r0 = int(np.clip(math.floor(canvas.row_of_elevation(float(top.max()))) - 2, 0, canvas.split))
    if r0 >= canvas.split:
        return
    e = canvas.elev[r0:canvas.split].astype(np.float32)[:, None]
    # a soft top (a coast's is sharp; resting on the horizon, softer still) and a patchy, partly
    # translucent body (land is opaque)
    upper = np.clip((top[None, :] - e) / np.float32((0.6 if base > 0 else 1.0) * height), 0.0, 1.0)
    lower = np.clip((e - np.float32(base)) / np.float32(0.3 * height), 0.0, 1.0) if base > 0 else np.float32(1.0)
    tex = content.cloud[(np.arange(r0, canvas.split) % TILE)[:, None], ((np.arange(canvas.w) + canvas.u0) // 3) % TILE]
    density = upper * upper * (3.0 - 2.0 * upper) * lower * np.clip(0.7 + 0.4 * tex, 0.2, 1.0)
    base_deg = math.degrees(base)
    under = p.sky_zenith_k * (1.0 - math.exp(-base_deg / p.sky_scale_deg)) + p.sky_gradient_k * canvas.az[None, :]
    bank = under + np.float32(p.bank_temp_k) * (1.0 + 0.3 * tex)
    sub = value[r0:canvas.split]
    sub += density * (bank - sub)


def _draw_wake(canvas: _Canvas, value: np.ndarray, p: SceneParams) -> None:
    """A wake on the sea plane: a churned centre band and the two Kelvin arms (19.5 deg), fading astern.

    Features thinner than a pixel's footprint are widened to it with their amplitude scaled
    down (what a pixel averaging them would see), so a far wake fades instead of aliasing.
    """
    if p.wake_k == 0 or canvas.split >= canvas.h or canvas.wave_tex is None:
        return
    dep = np.maximum(-canvas.elev[canvas.split:], 1e-5)
    dist = np.minimum(p.camera_height_m / np.tan(dep), 20000.0)
    foot_y = np.abs(np.gradient(dist)) if dist.size > 1 else np.ones_like(dist)
    foot_x = dist / canvas.f
    psi = math.radians(p.wake_heading_deg)
    tx, ty = math.sin(psi), math.cos(psi)
    dx = np.multiply.outer(dist, canvas.az.astype(np.float64)) - p.wake_az_tan * p.wake_distance_m
    dy = (dist - p.wake_distance_m)[:, None]
    behind = -(dx * tx + dy * ty)
    cross = dx * ty - dy * tx
    foot = np.sqrt((foot_x * ty) ** 2 + (foot_y * tx) ** 2)[:, None]  # a pixel's extent across the wake
    start = np.clip(behind / 2.0, 0.0, 1.0)
    centre_w = 3.0 + 0.05 * np.maximum(behind, 0.0)
    centre_eff = np.sqrt(centre_w**2 + foot**2)
    centre = (centre_w / centre_eff) * np.exp(-((cross / centre_eff) ** 2)) * np.exp(-np.maximum(behind, 0.0)
                                                                                   / p.wake_decay_m)
    arm_w = 1.0 + 0.02 * np.maximum(behind, 0.0)
    arm_eff = np.sqrt(arm_w**2 + foot**2)
    off = np.abs(cross) - np.maximum(behind, 0.0) * math.tan(math.radians(19.47))
    arms = 0.5 * (arm_w / arm_eff) * np.exp(-((off / arm_eff) ** 2)) * np.exp(-np.maximum(behind, 0.0)
                                                                             / (0.6 * p.wake_decay_m))
    texture = np.clip(1.0 + 0.5 * canvas.wave_tex, 0.0, None)
    value[canvas.split:] += (np.float32(p.wake_k) * start * (centre + arms)).astype(np.float32) * texture


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
    # drawn where the pixel centre is above the waterline; render_scene cuts the label to the mask convention
    bottom = canvas.row_of_depression(_waterline_depression(p.coast_distance_m, p.camera_height_m))
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
