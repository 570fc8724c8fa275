# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""A mutation check you can rerun: break one line of core logic at a time, see that a test notices.

Usage (from the repo root; ``make mutants`` does the same)::

    .venv/bin/python tools/mutants.py            # every mutant, then a total
    .venv/bin/python tools/mutants.py -k ransac  # only mutants whose name contains "ransac"
    .venv/bin/python tools/mutants.py --list

Each mutant is (name, file, exact original text, replacement, tests). The tracked and untracked
(not ignored) files of the repo are copied to a temporary folder once; there each mutant is
applied, its tests run with pytest, and the file restored. The working tree is never touched.
A mutant is *caught* when its tests fail (pytest exit 1), *survives* when they pass. The tests
are first run unmutated (they must pass, or every mutant would look caught). Exit status 0 only
when every mutant is caught; a mutant whose original text is not found exactly once is an
error, so the list cannot silently go stale when the code changes. Slow: minutes, not part of
``make test``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NODE_STREAM_TESTS = "test/test_node_stream.py"
GATE = "test/test_accuracy_gate.py"


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    original: str
    replacement: str
    tests: tuple[str, ...]


MUTANTS = [
    # ---- issue 12's table
    Mutant("roll sign flipped in camera_attitude", "seasky_ros/horizon_line.py",
           "roll = math.atan2(-float(up[0]), -float(up[1]))", "roll = math.atan2(float(up[0]), -float(up[1]))",
           ("test/test_horizon.py::test_camera_attitude_recovers_roll_and_pitch",)),
    Mutant("CameraInfo x row scaled by the height factor", "seasky_ros/outputs.py",
           "K[0, :] *= width / info_w", "K[0, :] *= height / info_h",
           ("test/test_mutants_targets.py::test_camera_info_calibrated_at_another_resolution_scales_each_axis_by_its_"
            "own_factor",)),
    Mutant("CameraInfo y row scaled by the width factor", "seasky_ros/outputs.py",
           "K[1, :] *= height / info_h", "K[1, :] *= width / info_w",
           ("test/test_mutants_targets.py::test_camera_info_calibrated_at_another_resolution_scales_each_axis_by_its_"
            "own_factor",)),
    Mutant("RANSAC inlier threshold x4", "seasky_ros/horizon.py",
           "threshold = max(settings.ransac_threshold_px, settings.ransac_threshold_rel * height)",
           "threshold = 4 * max(settings.ransac_threshold_px, settings.ransac_threshold_rel * height)",
           ("test/test_mutants_targets.py::test_a_haze_band_labelled_sea_is_an_outlier_not_part_of_the_line",
            "test/test_accuracy_gate.py")),
    Mutant("RANSAC inlier threshold x10", "seasky_ros/horizon.py",
           "threshold = max(settings.ransac_threshold_px, settings.ransac_threshold_rel * height)",
           "threshold = 10 * max(settings.ransac_threshold_px, settings.ransac_threshold_rel * height)",
           ("test/test_mutants_targets.py::test_a_haze_band_labelled_sea_is_an_outlier_not_part_of_the_line",)),
    Mutant("NaN/inf filled with 0 instead of the median", "seasky_ros/preprocess.py",
           "fill = float(np.median(gray[finite])) if bad < gray.size else 0.0", "fill = 0.0",
           ("test/test_mutants_targets.py::test_nonfinite_pixels_take_the_median_of_the_finite_ones",
            "test/test_mutants_targets.py::test_a_few_dead_pixels_do_not_change_the_labels",
            "test/test_accuracy_gate.py::test_synthetic_frames")),
    Mutant("training labels resized with INTER_NEAREST", "training/samples.py",
           "interpolation=cv2.INTER_NEAREST_EXACT)", "interpolation=cv2.INTER_NEAREST)",
           ("test/test_mutants_targets.py::test_training_labels_are_sampled_at_the_network_pixel_centres",)),
    Mutant("training labels shifted by one network row", "training/samples.py",
           "torch.from_numpy(y.astype(np.int64))", "torch.from_numpy(np.roll(y, 1, axis=0).astype(np.int64))",
           ("test/test_mutants_targets.py::test_training_labels_are_sampled_at_the_network_pixel_centres",)),
    Mutant("logits upsampled nearest instead of bilinear", "seasky_ros/segmenter.py",
           "planes = [cv2.resize(plane, (width, height), interpolation=cv2.INTER_LINEAR) for plane in planes]",
           "planes = [cv2.resize(plane, (width, height), interpolation=cv2.INTER_NEAREST) for plane in planes]",
           ("test/test_mutants_targets.py::test_logits_are_upsampled_bilinearly_before_the_arg_max",
            "test/test_accuracy_gate.py")),
    Mutant("arg-max ties won by the later class", "seasky_ros/segmenter.py",
           "won = cv2.compare(planes[index], best, cv2.CMP_GT)", "won = cv2.compare(planes[index], best, cv2.CMP_GE)",
           ("test/test_segmenter.py::test_arg_max_is_numpys_including_ties",)),
    Mutant("diagnostics OK instead of WARN after a rejected frame", "seasky_ros/node.py",
           "NO_INPUT_WARN_S):\n            status.level = DiagnosticStatus.WARN",
           "NO_INPUT_WARN_S):\n            status.level = DiagnosticStatus.OK",
           (f"{NODE_STREAM_TESTS}::test_diagnostics_content",)),
    Mutant("diagnostics OK instead of WARN when the images stop", "seasky_ros/node.py",
           "input_rate_hz == 0.0:\n            status.level = DiagnosticStatus.WARN",
           "input_rate_hz == 0.0:\n            status.level = DiagnosticStatus.OK",
           (f"{NODE_STREAM_TESTS}::test_diagnostics_content",)),
    Mutant("resume resets best_score", "training/train.py",
           'start_epoch, best_score, history = ckpt["epoch"] + 1, ckpt["best_score"], ckpt["history"]',
           'start_epoch, best_score, history = ckpt["epoch"] + 1, -math.inf, ckpt["history"]',
           ("test/test_mutants_targets.py::test_resume_restores_the_weights_and_keeps_the_best_score_and_best_pt",)),
    Mutant("resume without the model weights", "training/train.py",
           'model.load_state_dict(ckpt["model"])', "pass",
           ("test/test_mutants_targets.py::test_resume_restores_the_weights_and_keeps_the_best_score_and_best_pt",)),
    Mutant("resume without the scheduler", "training/train.py",
           'scheduler.load_state_dict(ckpt["scheduler"])', "pass",
           ("test/test_mutants_targets.py::test_resume_restores_the_weights_and_keeps_the_best_score_and_best_pt",)),
    # ---- the accuracy gate alone notices the quiet numerical ones
    Mutant("RANSAC inlier threshold x4 (accuracy gate alone)", "seasky_ros/horizon.py",
           "threshold = max(settings.ransac_threshold_px, settings.ransac_threshold_rel * height)",
           "threshold = 4 * max(settings.ransac_threshold_px, settings.ransac_threshold_rel * height)",
           (GATE,)),
    Mutant("logits upsampled nearest (accuracy gate alone)", "seasky_ros/segmenter.py",
           "planes = [cv2.resize(plane, (width, height), interpolation=cv2.INTER_LINEAR) for plane in planes]",
           "planes = [cv2.resize(plane, (width, height), interpolation=cv2.INTER_NEAREST) for plane in planes]",
           (GATE,)),
    Mutant("NaN/inf filled with 0 (accuracy gate alone)", "seasky_ros/preprocess.py",
           "fill = float(np.median(gray[finite])) if bad < gray.size else 0.0", "fill = 0.0",
           (GATE,)),
    # ---- more of our own
    Mutant("pitch sign flipped in camera_attitude", "seasky_ros/horizon_line.py",
           "pitch = math.asin(max(-1.0, min(1.0, float(up[2]))))",
           "pitch = -math.asin(max(-1.0, min(1.0, float(up[2]))))",
           ("test/test_horizon.py::test_camera_attitude_recovers_roll_and_pitch",)),
    Mutant("mask boundary half a pixel low", "seasky_ros/horizon.py",
           "ys = 0.5 * (first[usable] + last[usable]) + settings.boundary_offset_px",
           "ys = 0.5 * (first[usable] + last[usable]) + 0.5 + settings.boundary_offset_px",
           ("test/test_horizon.py::test_clean_masks_give_sub_pixel_lines",)),
    Mutant("hazy (lopsided) edge trusted for its position", "seasky_ros/horizon.py",
           "symmetric = abs(_median((sky_side - sea_side) / g_0[good])) <= settings.refine_max_asymmetry",
           "symmetric = True",
           ("test/test_horizon.py::test_a_hazy_edge_places_the_line_a_set_distance_below_its_peak",)),
    Mutant("a search without a line reports its first pass", "seasky_ros/roll_search.py",
           "return max(with_line or passes, key=lambda p: p.certainty)",
           "return max(with_line, key=lambda p: p.certainty) if with_line else passes[0]",
           ("test/test_roll_search.py",)),
    Mutant("a line the image cannot check keeps full confidence", "seasky_ros/horizon.py",
           "        return settings.unchecked_edge\n", "        return 1.0\n",
           ("test/test_horizon_evidence.py",
            "test/test_horizon_waterline.py::test_a_waterline_too_near_the_border_for_the_image_is_refused_or_gets_"
            "half_the_confidence")),
    Mutant("no shortened profile near the border", "seasky_ros/horizon.py",
           "    half = min(half, int(np.partition(room, k)[k]))",
           "    half = half if (room >= half).sum() >= k + 1 else 0",
           ("test/test_horizon_evidence.py",)),
    Mutant("hazy edge: the line left on the peak (offset ignored)", "seasky_ros/horizon.py",
           "a, b = a_r, b_r + settings.hazy_peak_offset_px * math.hypot(1.0, a_r)",
           "a, b = a_r, b_r",
           ("test/test_horizon.py::test_a_hazy_edge_places_the_line_a_set_distance_below_its_peak",
            "test/test_accuracy_gate.py")),
    Mutant("stretch over min..max instead of the percentile window", "seasky_ros/preprocess.py",
           "lo, hi = np.percentile(gray, [low_pct, high_pct])", "lo, hi = float(gray.min()), float(gray.max())",
           ("test/test_preprocess.py::test_dead_and_hot_pixels_do_not_change_the_window",)),
    Mutant("network input not divided by the std", "seasky_ros/preprocess.py",
           "return ((x - np.float32(norm.mean)) * np.float32(1.0 / norm.std)).astype(np.float32, copy=False)",
           "return (x - np.float32(norm.mean)).astype(np.float32, copy=False)",
           ("test/test_preprocess.py::test_prepare_resizes_and_normalises", "test/test_accuracy_gate.py")),
    Mutant("horizon smoothing weights swapped", "seasky_ros/outputs.py",
           "offset = a * self._state[2] + (1.0 - a) * now[2]",
           "offset = (1.0 - a) * self._state[2] + a * now[2]",
           ("test/test_mutants_targets.py::test_horizon_smoothing_weights_the_previous_line_by_the_factor",)),
    Mutant("a replaced frame not counted as dropped", "seasky_ros/node.py",
           "                self.stats.on_dropped()", "                pass",
           (f"{NODE_STREAM_TESTS}::test_flooding_drops_frames_and_diagnostics_report_it",)),
    Mutant("IoU's union counts the true positives twice", "seasky_ros/metrics.py",
           "union = self.matrix.sum(0) + self.matrix.sum(1) - tp", "union = self.matrix.sum(0) + self.matrix.sum(1)",
           ("test/test_metrics.py::test_iou_and_dice_by_hand",)),
    # ---- the stream's temporal filter
    Mutant("temporal filter: a blob seen in any past frame kept", "seasky_ros/temporal.py",
           "if not all(_near_share(", "if not any(_near_share(",
           ("test/test_temporal.py::test_a_blob_seen_in_only_some_of_the_last_n_frames_is_removed",)),
    Mutant("temporal filter: no motion allowance", "seasky_ros/temporal.py",
           "r = int(math.floor(radius))", "r = 0",
           ("test/test_temporal.py::test_a_vessel_moving_a_few_px_a_frame_is_kept",)),
    Mutant("temporal filter: blobs on the border removed too", "seasky_ros/temporal.py",
           "if x == 0 or y == 0 or x + w == width or y + h == height:", "if False:",
           ("test/test_temporal.py::test_blobs_at_the_border_and_large_blobs_are_never_removed",)),
    Mutant("temporal filter: no reset on a stamp going backwards", "seasky_ros/temporal.py",
           "if dt < 0 or dt > limit:", "if dt > limit:",
           ("test/test_temporal.py::test_a_time_jump_or_gap_starts_a_new_stream",)),
]


def repo_files(repo: Path) -> list[str]:
    """Tracked files and untracked ones git does not ignore: what a fresh checkout plus your edits holds."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=repo,
                         capture_output=True, check=True).stdout.decode()
    return [p for p in out.split("\0") if p and (repo / p).is_file()]


def copy_repo(repo: Path, dest: Path) -> None:
    for rel in repo_files(repo):
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(repo / rel, target)


def test_env(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(copy), env.get("PYTHONPATH", "")) if p)
    if "SEASKY_REAL_DATA" not in env:  # the copy has no ../shared beside it
        sys.path.insert(0, str(REPO / "test"))
        from conftest import real_data_root

        env["SEASKY_REAL_DATA"] = str(real_data_root())
    return env


def train_test_model(copy: Path, env: dict[str, str]) -> Path:
    """The suite's tiny test model, trained once by the unmutated code (conftest's own recipe) for every run."""
    out = copy.parent / "test-model"
    code = "import sys; from pathlib import Path; from conftest import train_test_model; " \
           "print(train_test_model(Path(sys.argv[1])))"
    proc = subprocess.run([sys.executable, "-c", code, str(out)], cwd=copy / "test", env=env, capture_output=True,
                          text=True, check=True)
    return Path(proc.stdout.strip().splitlines()[-1])


def run_tests(copy: Path, tests: tuple[str, ...], timeout: float) -> tuple[int, float, str]:
    """pytest on ``tests`` inside the copy: (exit code, seconds, last lines of output)."""
    env = test_env(copy)
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=copy, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return -1, time.monotonic() - start, "timed out"
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    tail = "\n".join([line for line in lines if line.startswith("E ")][:12] + lines[-3:])
    return proc.returncode, time.monotonic() - start, tail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", dest="select", default="", help="only mutants whose name contains this text")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per pytest run")
    args = parser.parse_args(argv)
    mutants = [m for m in MUTANTS if args.select.lower() in m.name.lower()]
    if args.list:
        for m in mutants:
            print(f"{m.name}  [{m.path}]  -> {' '.join(m.tests)}")
        return 0
    if not mutants:
        print(f"no mutant matches '{args.select}'", file=sys.stderr)
        return 2
    stale = [m for m in mutants if (REPO / m.path).read_text().count(m.original) != 1]
    for m in stale:
        print(f"STALE     {m.name}: its original text is not found exactly once in {m.path}; update the list")
    if stale:
        return 2

    with tempfile.TemporaryDirectory(prefix="seasky-mutants-") as tmp:
        copy = Path(tmp) / "repo"
        copy_repo(REPO, copy)
        baseline = tuple(dict.fromkeys(t for m in mutants for t in m.tests))
        files = {copy / t.split("::")[0] for t in baseline}
        if "SEASKY_TEST_MODEL" not in os.environ and any("trained_weights" in f.read_text() for f in files):
            start = time.monotonic()
            os.environ["SEASKY_TEST_MODEL"] = str(train_test_model(copy, test_env(copy)))
            print(f"test model trained once for every run ({time.monotonic() - start:.0f} s)", flush=True)
        code, seconds, tail = run_tests(copy, baseline, args.timeout)
        if code != 0:
            print(f"the tests fail without any mutant (exit {code}, {seconds:.0f} s), so no mutant can be judged:\n"
                  f"{tail}")
            return 2
        print(f"baseline: {len(baseline)} test selections pass unmutated ({seconds:.0f} s)", flush=True)
        caught, survived, errors = 0, [], []
        for m in mutants:
            target = copy / m.path
            original = target.read_text()
            target.write_text(original.replace(m.original, m.replacement, 1))
            try:
                code, seconds, tail = run_tests(copy, m.tests, args.timeout)
            finally:
                target.write_text(original)
            if code == 1:
                caught += 1
                verdict = "caught"
            elif code == 0:
                survived.append(m.name)
                verdict = "SURVIVED"
            else:
                errors.append(m.name)
                verdict = f"ERROR ({code})"
            print(f"{verdict:9s} {m.name}  [{m.path}, {seconds:.0f} s]", flush=True)
            if code not in (0, 1):
                print(f"          {tail}")
    print(f"total: {len(mutants)} mutants, {caught} caught, {len(survived)} survived, {len(errors)} errors")
    return 0 if caught == len(mutants) else 1


if __name__ == "__main__":
    sys.exit(main())
