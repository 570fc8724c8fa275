"""Horizon estimation: known lines in synthetic masks, occlusions, noise, refinement, attitude, real masks."""

import csv
import math

import cv2
import numpy as np
import pytest

from seasky_ros.horizon import Horizon, camera_attitude, estimate_horizon, horizon_from_points

SKY, SEA, OTHER = 0, 1, 2


def line_mask(height, width, y_left, angle_deg):
    """Mask of a known line: a pixel is sea when its area reaches below the line (r + 0.5 > y)."""
    xs = np.arange(width)
    ys = y_left + math.tan(math.radians(angle_deg)) * xs
    rows = np.arange(height)[:, None]
    return np.where(rows + 0.5 > ys[None, :], SEA, SKY).astype(np.uint8), ys


def errors(h: Horizon, ys: np.ndarray, angle_deg: float):
    xc = (len(ys) - 1) / 2
    y_true = np.interp(xc, np.arange(len(ys)), ys)
    return abs(h.y_at(xc) - y_true), abs(h.angle_deg - angle_deg)


@pytest.mark.parametrize(
    ("y_left", "angle"),
    [(200.0, 0.0), (200.3, 0.8), (180.7, 3.3), (420.2, -30.0), (60.4, 30.0), (12.6, 0.4), (497.25, -0.3),
     (250.5, 12.0)],
)
def test_clean_masks_give_sub_pixel_lines(y_left, angle):
    mask, ys = line_mask(512, 640, y_left, angle)
    h = estimate_horizon(mask)
    assert h is not None
    pos, ang = errors(h, ys, angle)
    assert pos < 0.3
    assert ang < 0.05
    assert h.x0 == 0 and h.x1 == 639
    assert h.confidence > 0.9


def test_line_near_the_top_and_bottom_borders():
    for y_left in (2.2, 508.4):
        mask, ys = line_mask(512, 640, y_left, 0.0)
        h = estimate_horizon(mask)
        assert h is not None and errors(h, ys, 0.0)[0] < 0.5


def test_vessels_and_coast_on_the_horizon_are_not_the_horizon():
    mask, ys = line_mask(480, 640, 230.4, 2.0)
    cv2.rectangle(mask, (40, 190), (130, 260), OTHER, -1)  # a vessel across the line
    cv2.ellipse(mask, (300, 235), (40, 25), 0, 0, 360, OTHER, -1)  # another
    mask[150:int(ys[-1]) + 4, 430:] = OTHER  # a coast strip on the right third
    h = estimate_horizon(mask)
    assert h is not None
    pos, ang = errors(h, ys, 2.0)
    assert pos < 0.4 and ang < 0.1
    assert 0.25 < h.support < 0.75


def test_noisy_boundary_still_fits_well():
    rng = np.random.default_rng(1)
    mask, ys = line_mask(512, 640, 240.0, -4.0)
    band = np.abs(np.arange(512)[:, None] - ys[None, :]) < 3
    flips = band & (rng.random(mask.shape) < 0.25)
    mask[flips] = 1 - mask[flips]
    speckle = rng.random(mask.shape) < 0.002
    mask[speckle] = 1 - mask[speckle]
    h = estimate_horizon(mask)
    assert h is not None
    pos, ang = errors(h, ys, -4.0)
    assert pos < 0.6 and ang < 0.15


@pytest.mark.parametrize("fill", [SKY, SEA, OTHER])
def test_no_horizon_in_view_gives_none(fill):
    assert estimate_horizon(np.full((288, 384), fill, np.uint8)) is None


def test_too_little_support_gives_none():
    mask, _ = line_mask(288, 384, 140.0, 0.0)
    mask[:, 30:] = OTHER  # only 30 columns of open horizon left
    assert estimate_horizon(mask) is None


def test_sea_above_sky_is_not_a_horizon():
    mask, _ = line_mask(288, 384, 140.0, 0.0)
    assert estimate_horizon(1 - mask) is None


def edge_image(ys, height, width, blur=1.2, contrast=40.0, seed=0):
    """A blurred step: sky 100 above the sub-pixel line, 100 + contrast below, plus noise."""
    rng = np.random.default_rng(seed)
    fine = 8
    rows = (np.arange(height * fine)[:, None] + 0.5) / fine - 0.5
    step = (rows > np.repeat(ys[None, :], 1, axis=0)).astype(np.float32)
    img = 100 + contrast * cv2.resize(step, (width, height), interpolation=cv2.INTER_AREA)
    img = cv2.GaussianBlur(img.astype(np.float32), (0, 0), blur)
    return img + rng.normal(0, 0.5, img.shape).astype(np.float32)


def test_refinement_sharpens_a_coarse_mask_on_the_image_edge():
    height, width, angle = 480, 640, 1.5
    fine_mask, ys = line_mask(height, width, 200.37, angle)
    coarse = cv2.resize(cv2.resize(fine_mask, (width // 4, height // 4), interpolation=cv2.INTER_NEAREST),
                        (width, height), interpolation=cv2.INTER_NEAREST)
    image = edge_image(ys, height, width)
    plain = estimate_horizon(coarse)
    refined = estimate_horizon(coarse, image)
    assert plain is not None and refined is not None
    assert errors(refined, ys, angle)[0] < 0.2
    assert errors(refined, ys, angle)[0] < errors(plain, ys, angle)[0]


def test_refinement_keeps_the_mask_line_when_the_image_has_no_edge():
    mask, ys = line_mask(288, 384, 140.4, 1.0)
    flat = np.random.default_rng(2).normal(100, 3, mask.shape).astype(np.float32)
    h = estimate_horizon(mask, flat)
    assert h is not None and errors(h, ys, 1.0)[0] < 0.3


def test_image_of_another_size_is_an_error():
    mask, _ = line_mask(100, 120, 50.0, 0.0)
    with pytest.raises(ValueError, match="differ"):
        estimate_horizon(mask, np.zeros((50, 60), np.float32))


def project_horizon(K, roll, pitch, width):
    """Image of the horizontal plane's vanishing line for a camera with the given roll and pitch."""
    # world up in camera coordinates (x right, y down, z forward): pitch tilts it towards +z,
    # roll (right side down) towards -x
    up = np.array([-math.sin(roll) * math.cos(pitch), -math.cos(roll) * math.cos(pitch), math.sin(pitch)])
    line = np.linalg.inv(K).T @ up  # l = K^-T n
    a, b, c = line
    y_at = lambda x: -(a * x + c) / b  # noqa: E731
    return horizon_from_points(0.0, y_at(0.0), width - 1.0, y_at(width - 1.0), width=width, height=512)


@pytest.mark.parametrize(("roll_deg", "pitch_deg"), [(0, 0), (5, -2), (-12, 3.5), (20, 8), (-3, -9)])
def test_camera_attitude_recovers_roll_and_pitch(roll_deg, pitch_deg):
    K = np.array([[800.0, 0, 319.5], [0, 800.0, 255.5], [0, 0, 1]])
    h = project_horizon(K, math.radians(roll_deg), math.radians(pitch_deg), 640)
    roll, pitch = camera_attitude(h, K)
    assert math.degrees(roll) == pytest.approx(roll_deg, abs=1e-6)
    assert math.degrees(pitch) == pytest.approx(pitch_deg, abs=1e-6)


def test_attitude_signs_match_the_documented_convention():
    K = np.array([[500.0, 0, 320], [0, 500.0, 256], [0, 0, 1]])
    looking_up = horizon_from_points(0, 300, 640, 300, width=641, height=512)  # horizon below centre
    rises_right = horizon_from_points(0, 280, 640, 230, width=641, height=512)
    assert camera_attitude(looking_up, K)[1] > 0
    assert camera_attitude(rises_right, K)[0] > 0


def test_oracle_masks_of_real_ir_frames(real_data):
    """Ground-truth masks in, horizon out: median error < 0.3 px and < 0.05 deg (infml-hdd-dev)."""
    root = real_data / "infml-hdd-dev"
    with open(root / "horizon.csv") as f:
        rows = list(csv.DictReader(f))
    positions, angles = [], []
    for row in rows:
        mask = cv2.imread(str(root / "masks" / f"{row['stem']}.png"), cv2.IMREAD_UNCHANGED)
        height, width = mask.shape
        truth = horizon_from_points(*(float(row[k]) for k in ("x0", "y0", "x1", "y1")), width=width, height=height)
        pred = estimate_horizon(mask)
        assert pred is not None, row["stem"]
        xc = (width - 1) / 2
        positions.append(abs(truth.y_at(xc) - pred.y_at(xc)))
        angles.append(abs(truth.angle_deg - pred.angle_deg))
    assert len(positions) >= 100
    assert np.median(positions) < 0.3
    assert np.median(angles) < 0.05
