# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The camera: blur, vignetting, fixed-pattern and temporal noise, bad pixels, 14-bit counts or 8-bit AGC."""

from __future__ import annotations

import math

import cv2
import numpy as np

from .content import _Content, _white_noise
from .scene import SceneParams

MAX_COUNT_14 = 16383


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
