# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Training augmentations that keep image, label mask and horizon line in agreement.

Geometric transforms (mirror, small roll or a roll anywhere on the full circle, zoom/shift) are
composed into one affine matrix and applied to the image (bilinear), the mask (nearest
neighbour, so no invented label values) and the horizon line (two points transformed and the
line re-expressed by its crossings of the new border, the sky on its left as everywhere, so a
line at any roll, upside down or mirrored keeps its label). Pixels that the transform brings in
from outside the frame get the ignore label 255: the loss must not learn what is there.
Photometric changes (gain, offset, gamma, noise, blur, polarity) act on
the float gray image in sensor units, before the percentile stretch of ``preprocess``, so the
network learns invariance to what real IR cameras actually vary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from seasky_ros.horizon_line import horizon_from_points
from seasky_ros.labels import IGNORE, HorizonPoints


@dataclass
class AugmentConfig:
    """Probabilities and ranges of each augmentation (each drawn independently per sample)."""

    p_flip: float = 0.5  # mirror left-right
    p_rotate: float = 0.5  # roll the image about its centre ...
    max_rotate_deg: float = 10.0  # ... by up to this many degrees either way
    p_full_roll: float = 0.0  # instead, roll by any angle on the full circle (upside down included)
    p_scale: float = 0.4  # zoom in or out about a random point ...
    scale_range: tuple[float, float] = (0.85, 1.35)  # ... by a factor in this range (>1 zooms in)
    max_shift_frac: float = 0.08  # random shift, as a fraction of the image size, with a zoom
    p_gain: float = 0.5  # multiply by a gain and add an offset (sensor units)
    gain_range: tuple[float, float] = (0.5, 2.0)
    offset_frac: float = 0.2  # offset up to this fraction of the image's value range
    p_gamma: float = 0.3  # gamma on the image's robust value range
    gamma_range: tuple[float, float] = (0.6, 1.6)
    p_noise: float = 0.3  # additive Gaussian noise ...
    noise_frac: tuple[float, float] = (0.003, 0.03)  # ... std as a fraction of the value range
    p_blur: float = 0.2  # Gaussian blur (defocus, motion) ...
    blur_sigma: tuple[float, float] = (0.5, 1.5)  # ... sigma in pixels
    p_invert: float = 0.15  # white-hot <-> black-hot


def transform_horizon(horizon: HorizonPoints | None, matrix: np.ndarray, width: int, height: int
                      ) -> HorizonPoints | None:
    """Map a line (sky on its left from the first point to the second) through an affine matrix.

    ``matrix`` is 2x3, input -> output pixel coordinates, a similarity (roll, zoom, shift,
    mirror). The sky side goes through the map with the line (a mirror swaps the points), so
    any roll, upside down included, keeps a true label. The result is the pair of points where
    the line crosses the output's border (``seasky_ros.horizon_line``); None if the output has
    no sky or no sea left by the mask convention (a pixel is sea when its area reaches the sea
    side: its centre lies less than 0.5 px on the sky side of the line).
    """
    if horizon is None:
        return None
    x0, y0, x1, y1 = horizon
    matrix = np.asarray(matrix, dtype=np.float64)
    (ax, ay), (bx, by) = np.array([[x0, y0, 1.0], [x1, y1, 1.0]]) @ matrix.T
    sky_x, sky_y = matrix[:, :2] @ np.array([y1 - y0, x0 - x1])  # the normal towards the sky, mapped
    if (by - ay) * sky_x - (bx - ax) * sky_y < 0:  # the sky ended up on the right: walk the other way
        (ax, ay), (bx, by) = (bx, by), (ax, ay)
    line = horizon_from_points(ax, ay, bx, by, width, height)
    corners = line.signed_distance(np.array([0.0, width - 1.0, 0.0, width - 1.0]),
                                   np.array([0.0, 0.0, height - 1.0, height - 1.0]))
    if corners.max() < 0.5 or corners.min() >= 0.5:
        return None
    return (line.x0, line.y0, line.x1, line.y1)


def roll_crop_size(width: int, height: int) -> tuple[int, int]:
    """(w, h): the largest crop of the frame's aspect that a turn by any angle about the centre keeps inside it."""
    scale = min(width, height) / math.hypot(width, height)
    return int(width * scale), int(height * scale)


def roll_crop(image: np.ndarray, mask: np.ndarray | None, horizon: HorizonPoints | None, roll_deg: float
              ) -> tuple[np.ndarray, np.ndarray | None, HorizonPoints | None]:
    """The frame as a camera rolled by ``roll_deg`` (> 0: right side down) would see it, with no invented border.

    Turns image (bilinear), mask (nearest) and line about the frame's centre and keeps the
    centre crop of ``roll_crop_size``, the same at every angle, so rolls compare on equal
    terms. For measuring the horizon at any roll (``seasky-eval --rolls``, the roll tests).
    """
    height, width = image.shape[:2]
    w, h = roll_crop_size(width, height)
    matrix = cv2.getRotationMatrix2D(((width - 1) / 2.0, (height - 1) / 2.0), roll_deg, 1.0)
    matrix[0, 2] -= (width - w) / 2.0
    matrix[1, 2] -= (height - h) / 2.0
    turned = cv2.warpAffine(np.asarray(image, dtype=np.float32), matrix, (w, h), flags=cv2.INTER_LINEAR)
    labels = None if mask is None else cv2.warpAffine(mask, matrix, (w, h), flags=cv2.INTER_NEAREST)
    return turned, labels, transform_horizon(horizon, matrix, w, h)


def _geometric_matrix(rng: np.random.Generator, cfg: AugmentConfig, width: int, height: int) -> np.ndarray | None:
    """A random affine map input -> output pixel coordinates, or None for the identity."""
    cx, cy = (width - 1) / 2.0, (height - 1) / 2.0
    m = np.eye(3)
    changed = False
    if rng.random() < cfg.p_flip:
        m = np.array([[-1.0, 0.0, width - 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]) @ m
        changed = True
    angle = 0.0
    scale = 1.0
    shift = (0.0, 0.0)
    if cfg.p_full_roll > 0.0 and rng.random() < cfg.p_full_roll:  # no draw when off: old runs stay as they were
        angle = float(rng.uniform(-180.0, 180.0))
        changed = True
    elif rng.random() < cfg.p_rotate:
        angle = float(rng.uniform(-cfg.max_rotate_deg, cfg.max_rotate_deg))
        changed = True
    if rng.random() < cfg.p_scale:
        scale = float(rng.uniform(*cfg.scale_range))
        shift = (float(rng.uniform(-1, 1) * cfg.max_shift_frac * width),
                 float(rng.uniform(-1, 1) * cfg.max_shift_frac * height))
        changed = True
    if not changed:
        return None
    rot = np.vstack([cv2.getRotationMatrix2D((cx, cy), angle, scale), [0.0, 0.0, 1.0]])
    rot[0, 2] += shift[0]
    rot[1, 2] += shift[1]
    return (rot @ m)[:2]


def _robust_range(image: np.ndarray) -> tuple[float, float]:
    step = max(1, int(math.sqrt(image.size / 4096)))
    lo, hi = np.percentile(image[::step, ::step], [1.0, 99.0])
    if not hi > lo:
        hi = lo + 1.0
    return float(lo), float(hi)


def augment(
    image: np.ndarray,
    mask: np.ndarray,
    horizon: HorizonPoints | None,
    rng: np.random.Generator,
    cfg: AugmentConfig | None = None,
) -> tuple[np.ndarray, np.ndarray, HorizonPoints | None]:
    """Randomly transform (gray float32 image, uint8 mask, horizon line); returns new copies."""
    cfg = cfg or AugmentConfig()
    image = np.asarray(image, dtype=np.float32)
    height, width = image.shape
    if mask.shape != image.shape:
        raise ValueError(f"mask shape {mask.shape} differs from image shape {image.shape}")
    matrix = _geometric_matrix(rng, cfg, width, height)
    if matrix is not None:
        image = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REFLECT_101)
        mask = cv2.warpAffine(mask, matrix, (width, height), flags=cv2.INTER_NEAREST,
                              borderMode=cv2.BORDER_CONSTANT, borderValue=IGNORE)
        horizon = transform_horizon(horizon, matrix, width, height)
    else:
        image = image.copy()
        mask = mask.copy()

    lo, hi = _robust_range(image)
    span = hi - lo
    if rng.random() < cfg.p_gamma:
        gamma = float(rng.uniform(*cfg.gamma_range))
        unit = np.clip((image - lo) / span, 0.0, None)
        image = (np.power(unit, gamma) * span + lo).astype(np.float32)
    if rng.random() < cfg.p_blur:
        image = cv2.GaussianBlur(image, (0, 0), float(rng.uniform(*cfg.blur_sigma)))
    if rng.random() < cfg.p_noise:
        std = float(rng.uniform(*cfg.noise_frac)) * span
        image += rng.standard_normal(image.shape, dtype=np.float32) * np.float32(std)
    if rng.random() < cfg.p_invert:
        image = np.float32(lo + hi) - image
    if rng.random() < cfg.p_gain:
        gain = float(math.exp(rng.uniform(math.log(cfg.gain_range[0]), math.log(cfg.gain_range[1]))))
        offset = float(rng.uniform(-1, 1)) * cfg.offset_frac * span
        image = image * np.float32(gain) + np.float32(offset)
    return image.astype(np.float32, copy=False), mask, horizon
