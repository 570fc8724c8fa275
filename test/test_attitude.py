# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""An IMU's attitude places the horizon: the geometry, the buffer, and the horizon stage that uses it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from seasky_ros.attitude import (
    AttitudeBuffer,
    AttitudeSettings,
    expected_horizon,
    horizon_dip_rad,
    quaternion_from_rpy,
    rotation_from_quaternion,
    rotation_from_rpy,
    tolerance_px,
    world_up_in_camera,
)
from seasky_ros.horizon import REASON_NO_CONTRAST, SOURCE_CODES, HorizonSearch, find_horizon
from seasky_ros.horizon_line import (
    SOURCE_ATTITUDE,
    SOURCE_WATERLINE,
    angle_apart,
    camera_attitude,
    horizon_from_points,
    line_through,
)
from seasky_ros.horizon_prior import (
    REASON_OFF_ATTITUDE,
    REASON_OUT_OF_VIEW,
    HorizonPrior,
    guided_search,
    prior_from_orientation,
    with_prior,
)
from seasky_ros.synthetic import generate_frame
from seasky_ros.synthetic.canvas import horizon_line

H, W = 512, 640
F = 700.0
K = np.array([[F, 0.0, (W - 1) / 2.0], [0.0, F, (H - 1) / 2.0], [0.0, 0.0, 1.0]])


def imu(roll_deg: float, pitch_up_deg: float, yaw_deg: float = 0.0) -> tuple[float, float, float, float]:
    """What an IMU reports for a body rolled right-side-down and pitched nose-up (REP-103 pitch is nose-down)."""
    return quaternion_from_rpy(roll_deg, -pitch_up_deg, yaw_deg)


def prior_for(roll_deg: float, pitch_up_deg: float, sigma_deg: float = 0.25, k: np.ndarray = K,
              shape: tuple[int, int] = (H, W)) -> HorizonPrior:
    settings = AttitudeSettings(sigma_deg=sigma_deg)
    return prior_from_orientation(np.array(imu(roll_deg, pitch_up_deg)), k, shape, settings)


# ------------------------------------------------------------------------------------ geometry


def test_rotations_agree_with_each_other():
    for rpy in [(10.0, -20.0, 30.0), (-170.0, 45.0, 90.0), (0.0, 0.0, 0.0)]:
        assert np.allclose(rotation_from_quaternion(quaternion_from_rpy(*rpy)), rotation_from_rpy(*rpy), atol=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_expected_line_is_the_generators_horizon(seed):
    """The generator draws the horizon from roll, pitch and K (its dip folded into the pitch); an IMU at that
    attitude gives the same line to 1e-6 px, and camera_attitude reads the attitude back from it."""
    frame = generate_frame(9_000 + seed)
    p = frame.params
    h, w = frame.image.shape[:2]
    k = p.camera_matrix(h, w)
    line = expected_horizon(world_up_in_camera(p.imu_orientation()), k, (h, w))
    rows = horizon_line(p, h, w)
    if line is None:
        assert rows.max() < 0 or rows.min() > h - 1
        return
    xs = np.arange(w, dtype=np.float64)
    assert np.abs(line.y_at(xs) - rows).max() < 1e-6
    roll, pitch = camera_attitude(line, k)
    assert math.degrees(roll) == pytest.approx(-p.roll_deg, abs=1e-6)
    assert math.degrees(pitch) == pytest.approx(p.pitch_deg, abs=1e-6)


def test_level_camera_sees_the_horizon_through_the_principal_point_and_yaw_does_not_move_it():
    for yaw in (0.0, 73.0, -160.0):
        line = expected_horizon(world_up_in_camera(imu(0.0, 0.0, yaw)), K, (H, W))
        assert line.angle_deg == pytest.approx(0.0, abs=1e-9)
        assert line.center_row == pytest.approx((H - 1) / 2.0, abs=1e-9)


def test_pitch_up_lowers_the_line_and_roll_right_down_tilts_it_up_to_the_right():
    up = expected_horizon(world_up_in_camera(imu(0.0, 5.0)), K, (H, W))
    assert up.center_row == pytest.approx((H - 1) / 2.0 + F * math.tan(math.radians(5.0)), abs=1e-6)
    rolled = expected_horizon(world_up_in_camera(imu(10.0, 0.0)), K, (H, W))
    assert rolled.angle_deg == pytest.approx(-10.0, abs=1e-6)  # rises towards the right


def test_mount_and_imu_rotations_compose():
    """A camera mounted 8 deg nose-down on a level IMU sees what a camera on an IMU pitched 8 deg down does;
    upside down (roll 180 on the mount) the sky is on the other side."""
    mounted = expected_horizon(world_up_in_camera(imu(0.0, 0.0), (0.0, 8.0, 0.0)), K, (H, W))
    pitched = expected_horizon(world_up_in_camera(imu(0.0, -8.0)), K, (H, W))
    assert mounted.center_row == pytest.approx(pitched.center_row, abs=1e-9)
    assert mounted.center_row < (H - 1) / 2.0  # looking down: the horizon above the centre
    flipped = expected_horizon(world_up_in_camera(imu(0.0, 0.0), (180.0, 0.0, 0.0)), K, (H, W))
    assert abs(flipped.angle_deg) == pytest.approx(180.0, abs=1e-9)


def test_a_yawed_mount_turns_the_imus_roll_into_the_cameras_pitch():
    """A camera looking out to the IMU's left (mount yaw +90): the IMU rolling right side down (its left side up)
    tilts that camera up by as much; the IMU pitching nose down (the camera's right is the IMU's forward) rolls it
    right side down. The order the two
    rotations compose in is what this checks (the reverse order gives the camera's roll instead)."""
    up = world_up_in_camera(imu(10.0, 0.0), (0.0, 0.0, 90.0))
    roll, pitch = camera_attitude(expected_horizon(up, K, (H, W)), K)
    assert math.degrees(pitch) == pytest.approx(10.0, abs=1e-9) and math.degrees(roll) == pytest.approx(0.0, abs=1e-9)
    up = world_up_in_camera(imu(0.0, -10.0), (0.0, 0.0, 90.0))  # nose down
    roll, pitch = camera_attitude(expected_horizon(up, K, (H, W)), K)
    assert math.degrees(roll) == pytest.approx(10.0, abs=1e-9) and math.degrees(pitch) == pytest.approx(0.0, abs=1e-9)


def test_dip_lowers_the_horizon_by_its_angle():
    dip = horizon_dip_rad(10.0)
    assert dip == pytest.approx(math.sqrt(2 * 10.0 / 6_371_000.0), rel=1e-3)  # 1.8 mrad
    line = expected_horizon(world_up_in_camera(imu(0.0, 0.0)), K, (H, W), camera_height_m=10.0)
    assert line.center_row - (H - 1) / 2.0 == pytest.approx(F * math.tan(dip), abs=1e-6)


def test_a_view_without_the_horizon_gives_none():
    assert expected_horizon(world_up_in_camera(imu(0.0, 40.0)), K, (H, W)) is None  # all sky
    assert expected_horizon(world_up_in_camera(imu(0.0, -40.0)), K, (H, W)) is None  # all sea


def test_tolerance_is_three_sigma_with_a_floor():
    assert tolerance_px(K, (H, W), 0.0, 0.023) == pytest.approx(0.023 * H)
    assert tolerance_px(K, (H, W), 1.0, 0.023) == pytest.approx(3 * F * math.tan(math.radians(1.0)))


# ------------------------------------------------------------------------------------ buffer


def test_buffer_interpolates_holds_briefly_and_refuses_stale_or_broken_orientations():
    buf = AttitudeBuffer(max_age_s=0.05, keep_s=1.0)
    buf.add(10.00, imu(0.0, 0.0))
    buf.add(10.02, imu(4.0, 0.0))
    mid = expected_horizon(world_up_in_camera(buf.at(10.01)), K, (H, W))
    assert mid.angle_deg == pytest.approx(-2.0, abs=1e-6)  # slerp halfway
    assert buf.at(10.06) is not None  # the newest, held for max_age
    assert buf.at(10.08) is None and buf.at(9.9) is None
    with pytest.raises(ValueError, match="not a rotation"):
        buf.add(10.03, (0.0, 0.0, 0.0, 0.0))  # an IMU without orientation
    buf.add(10.9, imu(0.0, 0.0))
    buf.add(11.8, imu(0.0, 0.0))
    assert len(buf) == 2  # the two older than keep_s behind the newest: dropped


def test_a_jump_of_the_clock_starts_the_buffer_again():
    """A bag played again (time back) or one stamp far ahead: the new samples are used, not dropped."""
    buf = AttitudeBuffer(max_age_s=0.05, keep_s=2.0)
    for i in range(100):
        buf.add(100.0 + 0.01 * i, imu(0.0, 0.0))
    buf.add(0.0, imu(4.0, 0.0))  # one glitched stamp: dropped, the history kept
    assert len(buf) == 100 and buf.at(100.5) is not None
    buf.add(100.995, imu(0.0, 0.0))
    buf.add(0.5, imu(4.0, 0.0))  # the clock went back (a bag played again): the second sample confirms it
    buf.add(0.51, imu(4.0, 0.0))
    assert len(buf) == 2 and buf.at(0.505) is not None and buf.at(100.5) is None
    buf.add(1000.0, imu(0.0, 0.0))  # and jumps far ahead
    buf.add(1000.01, imu(0.0, 0.0))
    assert len(buf) == 2 and buf.at(1000.005) is not None
    with pytest.raises(ValueError, match="not a time"):
        buf.add(float("nan"), imu(0.0, 0.0))


def test_stamps_that_never_advance_cannot_grow_the_buffer():
    buf = AttitudeBuffer()
    for _ in range(AttitudeBuffer.MAX_SAMPLES + 500):
        buf.add(0.0, imu(0.0, 0.0))
    assert len(buf) == AttitudeBuffer.MAX_SAMPLES and buf.at(0.0) is not None


def test_out_of_order_messages_are_sorted():
    buf = AttitudeBuffer(max_age_s=0.05)
    buf.add(5.02, imu(4.0, 0.0))
    buf.add(5.00, imu(0.0, 0.0))
    assert expected_horizon(world_up_in_camera(buf.at(5.01)), K, (H, W)).angle_deg == pytest.approx(-2.0, abs=1e-6)


# ------------------------------------------------------------------------------------ the horizon stage


def hazy_scene(row: float, step: float = 6.0, seed: int = 0) -> np.ndarray:
    """A faint level horizon: sky 100 above ``row``, sea 100 + ``step`` below, noise sd 1.5."""
    rng = np.random.default_rng(seed)
    rows = np.arange(H, dtype=np.float32)[:, None]
    image = 100.0 + step * np.clip(rows - row + 0.5, 0.0, 1.0) * np.ones((1, W), np.float32)
    return (image + rng.normal(0.0, 1.5, (H, W))).astype(np.float32)


def test_line_near_the_expected_one_is_kept_as_it_is():
    prior = prior_for(0.0, 0.0)
    line = horizon_from_points(0.0, 258.0, W - 1.0, 258.0, W, H)
    search = HorizonSearch(line)
    labels = np.zeros((H, W), np.uint8)
    assert with_prior(search, labels, hazy_scene(255.5), prior) is search


def test_waterline_far_below_the_expected_horizon_is_refused():
    """A near coast's waterline 40 px below where the attitude puts the horizon, the coast hiding it: no line."""
    prior = prior_for(0.0, 0.0)
    labels = np.zeros((H, W), np.uint8)
    labels[215:296] = 2  # the coast, over the whole width
    labels[296:] = 1
    image = np.full((H, W), 100.0, np.float32)
    image[215:296] = 140.0
    image[296:] = 110.0
    image += np.random.default_rng(1).normal(0.0, 1.0, (H, W)).astype(np.float32)
    waterline = horizon_from_points(0.0, 295.5, W - 1.0, 295.5, W, H)
    search = with_prior(HorizonSearch(waterline), labels, image, prior)
    assert search.horizon is None and search.reason == REASON_OFF_ATTITUDE


def test_view_without_a_horizon_gets_none_whatever_the_mask_says():
    line = horizon_from_points(0.0, 20.0, W - 1.0, 20.0, W, H)
    search = with_prior(HorizonSearch(line), np.zeros((H, W), np.uint8), hazy_scene(20.0), prior_for(0.0, -40.0))
    assert search.horizon is None and search.reason == REASON_OUT_OF_VIEW


def test_faint_horizon_the_mask_missed_is_found_along_the_expected_line():
    """The mask is all sky (a network that read a hazy sea as sky); the image has a 6-count step 7 px below
    where the attitude puts the horizon (an IMU 0.57 deg off at f = 700): found there, within half a pixel."""
    prior = prior_for(0.0, 0.0)
    truth = (H - 1) / 2.0 + 7.0
    labels = np.zeros((H, W), np.uint8)
    search = with_prior(HorizonSearch(None, "no sky-to-sea boundary"), labels, hazy_scene(truth), prior)
    line = search.horizon
    assert line is not None and line.source == SOURCE_ATTITUDE and SOURCE_CODES[line.source] == 2
    assert abs(line.center_row - truth) < 0.5 and abs(line.angle_deg) < 0.2
    assert line.confidence > 0.5


@pytest.mark.parametrize(("k", "roll_deg"), [(1, 90.0), (2, 180.0), (3, -90.0)])
def test_guided_search_at_any_roll(k, roll_deg):
    """The same faint step turned by quarter turns (``np.rot90``; the camera rolled by as much): found on the
    step, the sky on its side (the attitude's, as the image shows it)."""
    truth_row = (H - 1) / 2.0 + 5.0
    image = np.ascontiguousarray(np.rot90(hazy_scene(truth_row), k))
    th, tw = image.shape
    k_turned = np.array([[F, 0.0, (tw - 1) / 2.0], [0.0, F, (th - 1) / 2.0], [0.0, 0.0, 1.0]])
    prior = prior_for(roll_deg, 0.0, k=k_turned, shape=(th, tw))
    x, y = (W - 1) / 2.0, truth_row  # a point of the step, and where it goes when turned
    x, y = {1: (y, W - 1.0 - x), 2: (W - 1.0 - x, H - 1.0 - y), 3: (H - 1.0 - y, x)}[k]
    assert float(prior.line.signed_distance(x, y)) == pytest.approx(-5.0, abs=1e-6)  # 5 px to the sea side
    line = guided_search(np.zeros((th, tw), np.uint8), image, prior)
    assert line is not None and line.source == SOURCE_ATTITUDE
    assert abs(float(line.signed_distance(x, y))) < 0.5
    assert angle_apart(line, prior.line) < 1.0  # the same way up

    def patch(sign: float) -> float:  # the mean of a 5x5 patch 20 px from the step, towards the sky (+1) or sea
        cx, cy = int(round(x + sign * 20 * line.up[0])), int(round(y + sign * 20 * line.up[1]))
        return float(image[cy - 2:cy + 3, cx - 2:cx + 3].mean())

    assert patch(+1.0) == pytest.approx(100.0, abs=1.5) and patch(-1.0) == pytest.approx(106.0, abs=1.5)


def test_no_line_from_a_fog_gradient_or_a_blank_frame():
    prior = prior_for(0.0, 0.0)
    labels = np.zeros((H, W), np.uint8)
    fog = (np.linspace(90.0, 130.0, H, dtype=np.float32)[:, None] * np.ones((1, W), np.float32)
           + np.random.default_rng(2).normal(0.0, 1.0, (H, W)).astype(np.float32))
    assert guided_search(labels, fog, prior) is None
    blank = np.zeros((H, W), np.float32)
    search = find_horizon(labels, blank)
    assert search.reason == REASON_NO_CONTRAST
    assert with_prior(search, labels, blank, prior).horizon is None


def test_obstacles_on_the_line_are_not_searched():
    """A vessel across the whole expected line: nothing to look at, no line."""
    prior = prior_for(0.0, 0.0)
    labels = np.zeros((H, W), np.uint8)
    labels[230:290] = 2
    assert guided_search(labels, hazy_scene((H - 1) / 2.0), prior) is None


# ------------------------------------------------------------------------------------ with the shipped network


@pytest.fixture(scope="module")
def shipped():
    from seasky_ros.segmenter import Segmenter

    return Segmenter.from_file(device="cpu")


def frame_prior(frame, error_deg: tuple[float, float] = (0.0, 0.0), sigma_deg: float = 0.25) -> HorizonPrior:
    p = frame.params
    h, w = frame.image.shape[:2]
    return prior_from_orientation(np.array(p.imu_orientation(error_deg)), p.camera_matrix(h, w), (h, w),
                                  AttitudeSettings(sigma_deg=sigma_deg))


def test_shipped_network_near_coast_waterline_refused_with_the_attitude(shipped):
    """Synthetic seed 515151 frame 48: a coast about 1 km away; alone the node reports its waterline 29 px below
    the hidden horizon, with the attitude no line (the coast hides the horizon)."""
    frame = generate_frame(515151 * 1_000_003 + 48)
    assert frame.horizon is None  # the generator's definition: a near coast, no horizon in view
    alone = shipped.segment(frame.image, encoding=frame.encoding)
    assert alone.horizon is not None and alone.horizon.source == SOURCE_WATERLINE
    prior = frame_prior(frame)
    assert alone.horizon.center_row - prior.line.center_row > 20.0
    guided = shipped.finish(shipped.start(frame.image, frame.encoding), prior=prior)
    assert guided.horizon is None and guided.horizon_reason == REASON_OFF_ATTITUDE


def test_shipped_network_hazy_horizon_found_with_the_attitude(shipped):
    """Synthetic seed 515151 frame 89: a hazy horizon the network's mask gives no line for; with the attitude
    (its error 0.25 deg) the image's step along the expected line is found within 1 px of the truth."""
    frame = generate_frame(515151 * 1_000_003 + 89)
    h, w = frame.image.shape[:2]
    alone = shipped.segment(frame.image, encoding=frame.encoding)
    assert alone.horizon is None
    prior = frame_prior(frame, error_deg=(-0.25, -0.25))
    result = shipped.finish(shipped.start(frame.image, frame.encoding), prior=prior)
    assert result.horizon is not None and result.horizon.source == SOURCE_ATTITUDE
    truth = horizon_from_points(*frame.horizon, w, h)
    xs = np.arange(w, dtype=np.float64)
    assert np.median(np.abs(result.horizon.y_at(xs) - truth.y_at(xs))) < 1.0


def test_zoomed_line_outside_the_attitudes_band_keeps_the_first(shipped):
    """Synthetic seed 515151 frame 7: horizon_zoom moves the line 1.7 px down. With a band that holds the first
    line but not the zoomed one (its centre 1 px above the first line, 1.2 px wide), the first line stays;
    with the band centred on the zoomed line, the zoomed one is taken."""
    import dataclasses

    frame = generate_frame(515151 * 1_000_003 + 7)
    h, w = frame.image.shape[:2]
    shipped.horizon_zoom = 0.0
    try:
        first = shipped.segment(frame.image, encoding=frame.encoding).horizon
        shipped.horizon_zoom = 1.75
        zoomed = shipped.segment(frame.image, encoding=frame.encoding).horizon
        assert zoomed.center_row - first.center_row > 1.0

        def band_at(line, dy: float, tolerance: float) -> HorizonPrior:
            moved = horizon_from_points(line.x0, line.y0 + dy, line.x1, line.y1 + dy, w, h)
            return HorizonPrior(moved, tolerance, 2.0)

        kept = shipped.finish(shipped.start(frame.image, frame.encoding), prior=band_at(first, -1.0, 1.2)).horizon
        assert kept.center_row == pytest.approx(first.center_row, abs=1e-6)
        taken = shipped.finish(shipped.start(frame.image, frame.encoding), prior=band_at(zoomed, 0.0, 2.0)).horizon
        assert taken.center_row == pytest.approx(zoomed.center_row, abs=1e-6)
        assert dataclasses.asdict(taken) == dataclasses.asdict(zoomed)
    finally:
        shipped.horizon_zoom = 0.0


def test_upside_down_the_attitude_turns_the_first_pass(shipped):
    """Synthetic seed 515151 frame 2 upside down (the camera mounted rolled 180 deg): with the attitude the first
    network pass is the frame turned level by it, which holds; the line comes with the sky on its side."""
    frame = generate_frame(515151 * 1_000_003 + 2)
    h, w = frame.image.shape[:2]
    image = np.ascontiguousarray(frame.image[::-1, ::-1])
    x0, y0, x1, y1 = frame.horizon
    truth = line_through(w - 1.0 - x0, h - 1.0 - y0, x0 - x1, y0 - y1, w, h)  # a half turn keeps the sky on the left
    assert abs(abs(truth.angle_deg) - 180.0) < 15.0
    prior = frame_prior(frame, error_deg=(180.0, 0.0))
    assert angle_apart(prior.line, truth) < 0.01
    result = shipped.segment(image, encoding=frame.encoding, prior=prior)
    assert result.network_passes == 1
    assert result.horizon is not None and angle_apart(result.horizon, truth) < 1.0
    assert abs(float(truth.signed_distance((w - 1) / 2.0, float(result.horizon.y_at((w - 1) / 2.0))))) < 3.0


# ------------------------------------------------------------------------------------ mount calibration


def _pairs(mount, tilts, noise_deg: float = 0.0, seed: int = 0):
    """(camera ups, IMU ups) for IMU attitudes ``tilts`` (roll, pitch-up, yaw) seen through ``mount``."""
    from seasky_ros.attitude import rotation_from_quaternion

    rng = np.random.default_rng(seed)
    cams, imus = [], []
    for roll, pitch, yaw in tilts:
        q = imu(roll, pitch, yaw)
        up = world_up_in_camera(q, mount)
        up = up + rng.normal(0.0, math.radians(noise_deg), 3)
        cams.append(up / np.linalg.norm(up))
        imus.append(rotation_from_quaternion(q).T @ np.array([0.0, 0.0, 1.0]))
    return np.array(cams), np.array(imus)


def test_fit_mount_recovers_a_mount_from_a_rolling_ship():
    """A camera 3 deg rolled, 6 deg down and 25 deg to port on its IMU, the ship rolling 4 and pitching 1.5 deg,
    the camera's horizon read with 0.03 deg of noise: the mount comes back within 0.05 deg (roll, pitch) and
    1 deg (yaw)."""
    from seasky_ros.attitude import fit_mount

    t = np.linspace(0.0, 20.0, 200)
    tilts = np.stack([4.0 * np.sin(t), 1.5 * np.sin(0.73 * t + 1.0), 40.0 * t], axis=1)
    cams, imus = _pairs((3.0, 6.0, 25.0), tilts, noise_deg=0.03)
    fit = fit_mount(cams, imus)
    assert fit.yaw_fitted and fit.tilt_spread_deg > 2.0
    assert fit.mount_rpy_deg[0] == pytest.approx(3.0, abs=0.05)
    assert fit.mount_rpy_deg[1] == pytest.approx(6.0, abs=0.05)
    assert fit.mount_rpy_deg[2] == pytest.approx(25.0, abs=1.0)
    assert np.median(fit.residuals_deg) < 0.1


@pytest.mark.parametrize("mount", [(180.0, 0.0, 0.0), (180.0, 2.0, 0.0), (-150.0, 1.0, 45.0), (90.0, -3.0, 0.0)])
def test_fit_mount_on_a_calm_sea_finds_a_camera_mounted_any_way_round(mount):
    """The IMU barely tilting (yaw kept as given), the camera upside down or on its side: found, not a level
    answer 180 deg off."""
    from seasky_ros.attitude import fit_mount

    tilts = [(0.3 * math.sin(i), 0.2 * math.cos(i), 0.0) for i in range(60)]
    cams, imus = _pairs(mount, tilts, noise_deg=0.05)
    fit = fit_mount(cams, imus, yaw_deg=mount[2])
    assert not fit.yaw_fitted
    assert np.median(fit.residuals_deg) < 0.1
    assert fit.mount_rpy_deg[1] == pytest.approx(mount[1], abs=0.1)
    assert (fit.mount_rpy_deg[0] - mount[0] + 180.0) % 360.0 - 180.0 == pytest.approx(0.0, abs=0.1)


def test_one_tilted_sample_does_not_make_the_yaw_fitted():
    from seasky_ros.attitude import fit_mount

    tilts = [(0.2 * math.sin(i), 0.1 * math.cos(i), 0.0) for i in range(60)] + [(3.0, 0.0, 0.0)]
    cams, imus = _pairs((0.0, 4.0, 10.0), tilts, noise_deg=0.03)
    fit = fit_mount(cams, imus, yaw_deg=10.0)
    assert not fit.yaw_fitted and fit.mount_rpy_deg[2] == pytest.approx(10.0)


def test_fit_mount_keeps_the_given_yaw_when_the_imu_hardly_tilts():
    from seasky_ros.attitude import fit_mount

    tilts = [(0.3 * math.sin(i), 0.2 * math.cos(i), 0.0) for i in range(50)]
    cams, imus = _pairs((1.0, -4.0, 90.0), tilts)
    fit = fit_mount(cams, imus, yaw_deg=90.0)
    assert not fit.yaw_fitted
    assert fit.mount_rpy_deg == pytest.approx((1.0, -4.0, 90.0), abs=1e-4)
    with pytest.raises(ValueError, match="N >= 3"):
        fit_mount(cams[:2], imus[:2])


def test_the_overlay_draws_the_attitudes_line(shipped):
    """The result carries the prior's line, and the overlay draws it (magenta) where it lies, apart from the
    found line: a mount that is off shows as two lines."""
    from seasky_ros.overlay import EXPECTED_COLOUR_BGR, render_overlay

    frame = generate_frame(515151 * 1_000_003 + 89)
    h, w = frame.image.shape[:2]
    prior = frame_prior(frame, error_deg=(0.0, 2.0))  # an IMU 2 deg off in pitch: its line apart from the image's
    result = shipped.segment(frame.image, encoding=frame.encoding, prior=prior)
    assert result.expected_horizon is prior.line
    bgr = render_overlay(frame.image.astype(np.float32), result.labels, None, expected=result.expected_horizon)
    column = w // 2
    row = int(round(float(prior.line.y_at(column))))
    near = bgr[row - 1:row + 2, column].astype(int)
    assert np.abs(near - np.array(EXPECTED_COLOUR_BGR)).sum(axis=1).min() < 120
    far = bgr[max(0, row - 40), column].astype(int)
    assert np.abs(far - np.array(EXPECTED_COLOUR_BGR)).sum() > 120
    assert shipped.segment(frame.image, encoding=frame.encoding).expected_horizon is None
