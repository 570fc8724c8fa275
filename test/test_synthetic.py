# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The synthetic scene generator: determinism, label/horizon consistency, sensor formats, sequences."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from seasky_ros.dataset_folder import DatasetFolder
from seasky_ros.synthetic import (
    SceneParams,
    Vessel,
    generate_frame,
    horizon_line,
    main,
    render_scene,
    render_sequence,
)
from seasky_ros.synthetic.canvas import _waterline_depression
from seasky_ros.synthetic.render import DISTANT_COAST_RAD, MIN_VISIBLE_SHARE, visible_horizon_share

H, W = 96, 128


def sky_sea_boundary(mask: np.ndarray) -> dict[int, int]:
    """Per column without "other": the first sea row if the column is sky above / sea below."""
    out = {}
    for x in range(mask.shape[1]):
        col = mask[:, x]
        if (col == 2).any():
            continue
        sea = np.nonzero(col == 1)[0]
        if sea.size == 0 or sea.size == col.size:
            continue
        out[x] = int(sea[0])
    return out


@pytest.fixture(scope="module")
def frames():
    return [generate_frame(seed, H, W) for seed in range(120)]


def test_same_seed_same_frame():
    a, b = generate_frame(7, H, W), generate_frame(7, H, W)
    assert np.array_equal(a.image, b.image)
    assert np.array_equal(a.mask, b.mask)
    assert a.horizon == b.horizon
    assert a.params == b.params
    c = generate_frame(8, H, W)
    assert not np.array_equal(a.image, c.image) or a.image.dtype != c.image.dtype


def test_mask_agrees_with_horizon_line(frames):
    checked = 0
    for f in frames:
        if f.horizon is None:
            continue
        x0, y0, x1, y1 = f.horizon
        assert x0 == 0 and x1 == W - 1
        if not (f.mask == 2).any():
            assert {0, 1} <= set(np.unique(f.mask).tolist())  # a line in view splits sky from sea
        for x, first_sea in sky_sea_boundary(f.mask).items():
            line_y = y0 + (y1 - y0) * x / (W - 1)
            # sky strictly above the line, sea from the first pixel centre at or below it
            assert abs(first_sea - line_y) <= 1.0, (f.params.content_seed, x, first_sea, line_y)
            assert (f.mask[:first_sea, x] == 0).all() and (f.mask[first_sea:, x] == 1).all()
            checked += 1
    assert checked > 2000


def test_frames_without_horizon_show_too_little_of_it(frames):
    none = [f for f in frames if f.horizon is None]
    assert 0 < len(none) < len(frames) * 0.4
    for f in none:
        # the sea horizon shows on fewer than MIN_VISIBLE_SHARE of the columns (hidden by a near
        # waterfront or out of view), and no distant coast stands on it instead
        line = horizon_line(f.params, H, W)
        assert visible_horizon_share(f.mask, line) < MIN_VISIBLE_SHARE
    # forced out of view both ways
    rng = np.random.default_rng(3)
    up = render_scene(SceneParams.random(rng, pitch_deg=-40.0, roll_deg=0.0, own_hull=False, vessels=()), H, W)
    down = render_scene(SceneParams.random(rng, pitch_deg=40.0, roll_deg=0.0, coast="none", bridge=False), H, W)
    assert up.horizon is None and not (up.mask == 0).any()
    assert down.horizon is None and not (down.mask == 1).any()


def test_dtypes_encodings_and_ranges(frames):
    encodings = set()
    for f in frames:
        assert f.image.shape == (H, W) and f.mask.shape == (H, W)
        assert f.mask.dtype == np.uint8 and set(np.unique(f.mask).tolist()) <= {0, 1, 2}
        encodings.add(f.encoding)
        if f.encoding == "mono16":
            assert f.image.dtype == np.uint16 and f.params.bit_depth == 14
            assert int(f.image.max()) <= 16383
        else:
            assert f.encoding == "mono8" and f.image.dtype == np.uint8 and f.params.bit_depth == 8
        assert float(np.percentile(f.image, 99)) > float(np.percentile(f.image, 1))  # not blank
    assert encodings == {"mono16", "mono8"}
    bases = [float(np.median(f.image)) for f in frames if f.encoding == "mono16"]
    assert min(bases) < 6000 and max(bases) > 9000  # random offsets of the raw counts


def test_polarity_variety_and_effect():
    rng = np.random.default_rng(11)
    params = SceneParams.random(rng, coast="none", vessels=(), bridge=False, own_hull=False, bit_depth=14,
                                sea_horizon_k=4.0, sea_near_k=4.0, haze_strength=0.0, pitch_deg=0.0, roll_deg=0.0)
    white = render_scene(replace(params, polarity="white_hot"), H, W)
    black = render_scene(replace(params, polarity="black_hot"), H, W)
    sky, sea = white.mask == 0, white.mask == 1
    assert white.image[sea].mean() > white.image[sky].mean()
    assert black.image[sea].mean() < black.image[sky].mean()
    polarities = {generate_frame(s, 16, 16).params.polarity for s in range(40)}
    assert polarities == {"white_hot", "black_hot"}


def test_other_objects_are_labelled_and_warm():
    rng = np.random.default_rng(5)
    params = SceneParams.random(rng, coast="city", coast_temp_k=10.0, coast_height_deg=3.0, coast_extent=(-2.0, 2.0),
                                coast_distance_m=1000.0, visibility_m=1e6, polarity="white_hot", bit_depth=14,
                                pitch_deg=0.0, roll_deg=0.0, haze_strength=0.0, own_hull=False)
    f = render_scene(params, H, W)
    other = f.mask == 2
    assert other.sum() > 0.02 * other.size
    assert f.image[other].mean() > f.image[f.mask == 0].mean()


def test_objects_lost_in_haze_are_not_labelled():
    rng = np.random.default_rng(6)
    base = SceneParams.random(rng, coast="hills", coast_extent=(-2.0, 2.0), coast_height_deg=2.0, coast_temp_k=6.0,
                              haze_temp_k=0.0, hfov_deg=30.0, vessels=(), bridge=False, own_hull=False,
                              pitch_deg=0.0, roll_deg=0.0)
    near = render_scene(replace(base, coast_distance_m=2000.0, visibility_m=20000.0), H, W)
    lost = render_scene(replace(base, coast_distance_m=20000.0, visibility_m=2000.0), H, W)
    assert (near.mask == 2).mean() > 0.01
    assert not (lost.mask == 2).any() and lost.horizon is not None


def test_vessel_reflection_is_warm_sea():
    vessel = Vessel(az_tan=0.0, distance_m=150.0, length_m=40.0, hull_height_m=3.0, cabin_height_m=6.0, temp_k=10.0)
    params = SceneParams.random(np.random.default_rng(8), vessels=(vessel,), reflection=0.6, coast="none",
                                bridge=False, own_hull=False, pitch_deg=1.0, roll_deg=0.0, hfov_deg=30.0,
                                camera_height_m=10.0, streaks=0, wave_amp_k=0.1, glint_k=0.0, haze_strength=0.0,
                                visibility_m=1e6, polarity="white_hot", bit_depth=14, sea_near_k=0.0)
    f = render_scene(params, H, W)
    rows, cols = np.nonzero(f.mask == 2)
    bottom, c0, c1 = rows.max(), cols.min(), cols.max()
    mid = slice(c0 + (c1 - c0) // 3, c1 - (c1 - c0) // 3)
    assert (f.mask[bottom + 1:bottom + 5, mid] == 1).all()
    below = f.image[bottom + 2:bottom + 4, mid].astype(float).mean()
    aside = f.image[bottom + 2:bottom + 4, :max(c0 - 8, 2)].astype(float).mean()
    assert below > aside + 1.0 * params.counts_per_k


def test_render_sequence_is_smooth_and_one_scene():
    seq = list(render_sequence(12, 30.0, seed=4, height=H, width=W))
    again = list(render_sequence(12, 30.0, seed=4, height=H, width=W))
    assert all(np.array_equal(a.image, b.image) for a, b in zip(seq, again, strict=True))
    angles, offsets = [], []
    for f in seq:
        assert f.horizon is not None
        x0, y0, x1, y1 = f.horizon
        angles.append(math.degrees(math.atan2(y1 - y0, x1 - x0)))
        offsets.append((y0 + y1) / 2)
    assert np.max(np.abs(np.diff(angles))) < 1.0
    assert np.max(np.abs(np.diff(offsets))) < 3.0
    assert np.ptp(angles) > 0.2  # it does move
    first = seq[0].params
    for f in seq[1:]:
        assert replace(f.params, roll_deg=0, pitch_deg=0, time_s=0) == replace(first, roll_deg=0, pitch_deg=0, time_s=0)
        assert f.params.hfov_deg == first.hfov_deg
    assert not np.array_equal(seq[0].image, seq[1].image)


def test_camera_matrix():
    params = SceneParams(hfov_deg=90.0)
    k = params.camera_matrix(480, 640)
    assert k[0, 0] == pytest.approx(320.0) and k[1, 1] == pytest.approx(320.0)
    assert (k[0, 2], k[1, 2]) == (319.5, 239.5)


def test_unknown_override_rejected():
    with pytest.raises(TypeError, match="nonsense"):
        SceneParams.random(np.random.default_rng(0), nonsense=1)


def test_cli_writes_readable_folder(tmp_path, capsys):
    out = tmp_path / "synth"
    assert main([str(out), "--count", "5", "--seed", "2", "--height", "48", "--width", "64", "--no-progress"]) == 0
    folder = DatasetFolder(out)
    assert len(folder) == 5
    item = folder[3]
    assert item.image.shape == (48, 64) and item.mask.shape == (48, 64)
    assert item.has_horizon_label
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "seasky-synth" in capsys.readouterr().out


def test_harbour_share_sets_how_many_scenes_are_harbours():
    """With share 0 no scene is a harbour and seeds keep their open-sea scenes; with 1 every one is."""
    open_sea = [generate_frame(s, 32, 40, harbour_share=0.0).params for s in range(30)]
    harbours = [generate_frame(s, 32, 40, harbour_share=1.0).params for s in range(30)]
    assert all(p.camera_height_m >= 1.5 for p in open_sea)
    assert all(p.coast in ("city", "hills") and p.coast_distance_m <= 800.0 and p.camera_height_m <= 6.0
               for p in harbours)
    assert sum(p.coast_distance_m <= 800.0 and p.coast in ("city", "hills") for p in open_sea) < 10
    default = [generate_frame(s, 32, 40).params for s in range(200)]
    share = np.mean([p == h for p, h in zip(default, [generate_frame(s, 32, 40, harbour_share=1.0).params
                                                       for s in range(200)], strict=True)])
    assert 0.1 < share < 0.3


def test_waterline_depression_on_a_sphere():
    # (sqrt(h/d) - sqrt(d/2R))**2 below the sea horizon: 0.62 mrad for 5 km from 10 m (the
    # horizon issue's figure), close to atan(h/d) for a quay, 0 at and beyond the horizon.
    assert _waterline_depression(5000.0, 10.0) == pytest.approx(0.62e-3, abs=0.01e-3)
    assert _waterline_depression(100.0, 10.0) == pytest.approx(math.atan(0.1), rel=0.02)
    assert _waterline_depression(11_300.0, 10.0) < 1e-6 and _waterline_depression(20_000.0, 10.0) == 0.0
    depressions = [_waterline_depression(d, 10.0) for d in (200.0, 1000.0, 3000.0, 8000.0)]
    assert depressions == sorted(depressions, reverse=True)


def _coast_scene(distance_m: float, height_deg: float) -> SceneParams:
    return SceneParams(coast="hills", coast_distance_m=distance_m, coast_extent=(-2.0, 2.0), coast_temp_k=8.0,
                       coast_height_deg=height_deg, camera_height_m=10.0, visibility_m=40000.0, roll_deg=3.0,
                       haze_strength=0.0, blur_sigma=0.0, noise_k=0.0, fpn_k=0.0, bad_pixel_frac=0.0)


def test_a_distant_coast_hiding_the_horizon_gives_its_waterline():
    frame = render_scene(_coast_scene(5000.0, 1.5), 480, 640)
    assert frame.horizon is not None
    x0, y0, x1, y1 = frame.horizon
    sea_horizon = horizon_line(frame.params, 480, 640)
    fx = frame.params.camera_matrix(480, 640)[0, 0]
    drop = fx * _waterline_depression(5000.0, 10.0) / math.cos(math.radians(3.0))
    assert 0.3 < drop < 1.0  # a fraction of a pixel below the sea horizon
    assert y0 == pytest.approx(sea_horizon[0] + drop, abs=0.01)
    assert y1 == pytest.approx(sea_horizon[-1] + drop, abs=0.01)
    # the mask's coast -> sea step lies on the labelled line in every column
    for x in range(0, 640, 7):
        col = frame.mask[:, x]
        first_sea = int(np.flatnonzero(col == 1)[0])
        assert col[first_sea - 1] == 2
        # as for the sea horizon, the first sea row is the one holding the line
        assert first_sea == math.floor(y0 + (y1 - y0) * x / 639 - 0.5) + 1


def test_a_near_waterfront_hiding_the_horizon_gives_none():
    near = _coast_scene(400.0, 6.0)
    assert _waterline_depression(400.0, 10.0) > 10 * DISTANT_COAST_RAD
    frame = render_scene(near, 480, 640)
    assert frame.horizon is None
    assert {0, 1, 2} <= set(np.unique(frame.mask).tolist())  # sky over the waterfront, sea below it
    # the same waterfront with a gap of open sea beside it shows the sea horizon there: the line is labelled
    gap = render_scene(replace(near, coast_extent=(-2.0, 0.1)), 480, 640)
    assert gap.horizon is not None
    assert gap.horizon[1] == pytest.approx(horizon_line(gap.params, 480, 640)[0])


HARD_FIELDS = {"bank_height_deg", "bank_base_deg", "bank_temp_k", "wake_k", "wake_az_tan", "wake_distance_m",
               "wake_heading_deg", "wake_decay_m", "glint_k", "glint_az_tan"}


def test_hard_cases_leave_every_other_field_of_a_seed_alone():
    """Cloud banks, glint and wakes come from a stream of their own: a seed's scene is otherwise the same."""
    banks = wakes = glints = at_vessels = 0
    for seed in range(200):
        plain = SceneParams.random(np.random.default_rng(seed), hard_cases=False)
        hard = SceneParams.random(np.random.default_rng(seed))
        changed = {f for f in plain.__dataclass_fields__ if getattr(plain, f) != getattr(hard, f)}
        assert changed <= HARD_FIELDS, f"seed {seed}: {changed - HARD_FIELDS}"
        assert hard == SceneParams.random(np.random.default_rng(seed)), "deterministic per seed"
        banks += hard.bank_height_deg > 0
        wakes += hard.wake_k != 0
        glints += plain.glint_k == 0 and hard.glint_k > 0
        at_vessels += any(hard.wake_distance_m == v.distance_m for v in hard.vessels) and hard.wake_k != 0
    assert 40 <= banks <= 80 and 40 <= wakes <= 80 and 20 <= glints <= 60 and at_vessels >= 10


def _plain_open_sea(**fields) -> SceneParams:
    return SceneParams.random(np.random.default_rng(21), harbour_share=0.0, hard_cases=False, coast="none",
                              vessels=(), bridge=False, own_hull=False, bit_depth=14, roll_deg=2.0, pitch_deg=0.5,
                              **fields)


def _changed_rows(a, b, line: np.ndarray, counts_per_k: float) -> tuple[np.ndarray, np.ndarray]:
    """Rows (relative to the horizon line of each column) where two renders differ by > 0.2 K."""
    diff = np.abs(a.image.astype(np.float64) - b.image.astype(np.float64)) > 0.2 * counts_per_k
    rows, cols = np.nonzero(diff)
    return rows - line[cols], diff


@pytest.mark.parametrize("base_deg, temp_k", [(0.0, -3.0), (0.0, 6.0), (0.5, -2.0)])
def test_a_cloud_bank_stays_sky_and_changes_only_the_sky(base_deg, temp_k):
    plain = _plain_open_sea()
    bank = replace(plain, bank_height_deg=3.0, bank_base_deg=base_deg, bank_temp_k=temp_k)
    a, b = render_scene(plain, H, W), render_scene(bank, H, W)
    assert np.array_equal(a.mask, b.mask) and a.horizon == b.horizon, "a bank is sky"
    offset, diff = _changed_rows(a, b, horizon_line(plain, H, W), plain.counts_per_k)
    assert diff.sum() > 0.02 * diff.size, "the bank shows"
    assert offset.max() < 4, "only the sky changes (up to the sensor blur below the line)"


@pytest.mark.parametrize("heading, at", [(180.0, 40.0), (90.0, 150.0), (20.0, 60.0)])
def test_a_wake_stays_sea_and_changes_only_the_water(heading, at):
    plain = _plain_open_sea(camera_height_m=8.0, hfov_deg=40.0)
    wake = replace(plain, wake_k=3.0, wake_az_tan=0.0, wake_distance_m=at, wake_heading_deg=heading, wake_decay_m=400.0)
    a, b = render_scene(plain, H, W), render_scene(wake, H, W)
    assert np.array_equal(a.mask, b.mask) and a.horizon == b.horizon, "a wake is sea"
    offset, diff = _changed_rows(a, b, horizon_line(plain, H, W), plain.counts_per_k)
    assert diff.sum() > 0.005 * diff.size, "the wake shows"
    assert offset.min() > -4, "only the water changes (up to the sensor blur above the line)"


def test_the_sample_bag_scene_has_no_hard_cases():
    """The demo bag stays the scene it was, so its figures compare across weights."""
    for seed in (0, 1, 3):  # 1 and 3 would draw a cloud bank
        params = next(iter(render_sequence(1, 30.0, seed, height=H, width=W))).params
        assert params.bank_height_deg == 0.0 and params.wake_k == 0.0


def test_no_hard_cases_renders_the_seeds_earlier_scenes(tmp_path):
    """seasky-synth --no-hard-cases rebuilds a held-out set as the generator made it before the hard cases."""
    seeds = [s for s in range(60) if SceneParams.random(np.random.default_rng(s)).bank_height_deg > 0][:4]
    differ = 0
    for seed in seeds:
        plain = generate_frame(seed, H, W, hard_cases=False)
        assert plain.params == SceneParams.random(np.random.default_rng(seed), hard_cases=False)
        differ += not np.array_equal(plain.image, generate_frame(seed, H, W).image)
    assert differ >= 2, "a bank shows where the frame has sky near the horizon"
    assert main([str(tmp_path / "s"), "--count", "2", "--seed", "5", "--height", str(H), "--width", str(W),
                 "--no-hard-cases", "--no-progress"]) == 0
    item = DatasetFolder(tmp_path / "s")[1]
    assert np.array_equal(item.image, generate_frame(5 * 1_000_003 + 1, H, W, hard_cases=False).image)
