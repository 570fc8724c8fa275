# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The main job, end to end: a camera bag replayed over real DDS into the running node.

``python -m seasky_ros.demo`` (``make demo``) creates the synthetic sample bag if it is
missing, starts the segmenter node (``ros2 launch`` when ROS 2 and launch_ros are installed,
otherwise the node's console script with the same parameter file), replays the bag at camera
rate from a separate player process with best-effort sensor QoS and wall-clock stamps,
records the node's outputs in this process, and reports what a robot integrator wants to
know: did every frame come out, how late, and how close to the true horizon. It writes
``summary.md``, ``overlay.png`` and an overlay GIF (MP4 when Pillow is missing) under
``--out``. The exit status is non-zero when the node produced nothing.

The harness (node process, player, recorder) lives in ``live``, below the demo and ``seasky-bench``.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .bag_io import BagError, BagReader, BagWriter, stamp_ns
from .bag_sample import SAMPLE_TOPICS, make_sample
from .live import LiveResult, run_live
from .outputs import line_points
from .stream_stats import percentile
from .video import VideoSink

DEFAULT_OUT = Path("out/demo")

# ---------------------------------------------------------------------------------------- the demo


def ensure_sample(bag: Path, frames: int, rate_hz: float, seed: int, log: Callable[[str], None] = print) -> Path:
    """The sample bag, (re)made when missing or made with another frame count or rate."""
    if (bag / "metadata.yaml").is_file():
        try:
            with BagReader(bag) as reader:
                count = reader.count(SAMPLE_TOPICS["image"])
                duration = reader.duration_ns / 1e9
            rate = (count - 1) / duration if count > 1 and duration > 0 else math.nan
            if count == frames and (frames < 2 or abs(rate - rate_hz) < 0.01 * rate_hz):
                log(f"using the sample bag {bag} ({count} frames at {rate:.1f} Hz)")
                return bag
        except BagError as exc:  # damaged: make a fresh one
            log(f"remaking {bag}: {exc}")
    log(f"writing the sample bag {bag}: {frames} frames of 640x512 at {rate_hz:g} Hz")
    return make_sample(bag, frames=frames, rate_hz=rate_hz, seed=seed, overwrite=True, progress=False)


@dataclass
class BagTopics:
    """Which topics of the replayed bag hold the frames, the intrinsics and the ground truth."""

    image: str = SAMPLE_TOPICS["image"]
    camera_info: str | None = SAMPLE_TOPICS["camera_info"]
    truth: str | None = SAMPLE_TOPICS["truth"]


def _read_bag_frames(bag: Path, topics: BagTopics, stamps: set[int]) -> tuple[dict[int, tuple | None], dict]:
    """Ground-truth lines of every frame, and (array, encoding) of the frames in ``stamps``, by header stamp."""
    from .bag_io import deserialize, message_class
    from .ros_image import message_to_numpy

    truth: dict[int, tuple | None] = {}
    images: dict[int, tuple] = {}
    classes: dict[str, type] = {}
    with BagReader(bag) as reader:
        wanted = [t for t in (topics.image, topics.truth) if t and reader.msgtype(t)]
        for topic, msgtype, _t, data in reader.messages(wanted):
            msg = deserialize(data, classes.setdefault(msgtype, message_class(msgtype)))
            stamp = stamp_ns(msg.header.stamp)
            if topic == topics.truth:
                truth[stamp] = line_points(msg)
            elif stamp in stamps:
                images[stamp] = message_to_numpy(msg)
    return truth, images


def horizon_accuracy(result: LiveResult, truth: dict[int, tuple | None], size_hw: tuple[int, int]) -> dict | None:
    """Errors of the received horizons against the bag's ground truth (project definition); None without truth."""
    from .horizon import horizon_from_points
    from .metrics import HorizonTally

    if not truth:
        return None
    height, width = size_hw
    tally = HorizonTally()
    for stamp, item in result.received.items():
        if stamp not in truth:
            continue
        line = truth[stamp]
        true_h = horizon_from_points(*line, width=width, height=height) if line else None
        pred = horizon_from_points(*item.horizon, width=width, height=height) if item.horizon else None
        tally.update(true_h, pred, width, height)
    return tally.summary()


def write_overlays(result: LiveResult, bag: Path, topics: BagTopics, out: Path,
                   log: Callable[[str], None] = print) -> list[Path]:
    """overlay.png (middle kept frame) and overlay.gif (MP4 without Pillow) from what the node sent."""
    from .atomic_write import write_image_atomic
    from .horizon import horizon_from_points
    from .overlay import render_overlay
    from .preprocess import fill_nonfinite, to_gray
    from .ros_image import image_to_numpy

    if not result.masks:
        return []
    _, images = _read_bag_frames(bag, topics, set(result.masks))
    try:
        import PIL  # noqa: F401

        video_path = out / "overlay.gif"
    except ImportError:
        video_path = out / "overlay.mp4"
    stamps = sorted(s for s in result.masks if s in images)
    if not stamps:
        return []
    fps = (len(stamps) - 1) / ((stamps[-1] - stamps[0]) / 1e9) if len(stamps) > 1 else 30.0
    video = VideoSink(video_path, fps, len(stamps), gif_width=320, log=log)
    written = []
    middle = stamps[len(stamps) // 2]
    for stamp in stamps:
        frame, encoding = images[stamp]
        gray, _ = fill_nonfinite(to_gray(frame, encoding))
        labels, _ = image_to_numpy(result.masks[stamp])
        item = result.received.get(stamp)
        height, width = labels.shape
        horizon = None
        if item is not None and item.horizon is not None:
            horizon = horizon_from_points(*item.horizon, width=width, height=height)
        bgr = render_overlay(gray, labels, horizon, text=f"t = {(stamp - stamps[0]) / 1e9:.2f} s")
        video.add(bgr)
        if stamp == middle:
            write_image_atomic(out / "overlay.png", bgr)
            written.append(out / "overlay.png")
    path = video.close()
    if path is not None:
        written.append(path)
    return written


def summary_markdown(bag: Path, result: LiveResult, accuracy: dict | None, files: list[Path], seconds: float) -> str:
    """The demo's report: delivery, latency, accuracy, resources, files."""
    lat = result.latencies_ms
    lines = [
        "# seasky_ros demo",
        "",
        f"- bag: `{bag}` ({result.frames_in} frames replayed at {result.input_rate_hz:.1f} Hz, best-effort sensor QoS)",
        f"- node: `{result.node_command}` (log: `{result.node_log}`, exit code {result.node_exit_code})",
        f"- frames in: {result.frames_in}, frames out: {result.frames_out}, dropped: {result.drops} "
        f"({100.0 * result.drops / max(1, result.frames_in):.1f} %); output rate {result.output_rate_hz:.1f} Hz",
        f"- latency, input stamp to horizon received: p50 {percentile(lat, 50):.1f} ms, "
        f"p95 {percentile(lat, 95):.1f} ms, max {max(lat) if lat else math.nan:.1f} ms",
    ]
    if accuracy is None:
        lines.append("- horizon error: no ground-truth topic in the bag")
    else:
        pos, ang = accuracy["position_px"], accuracy["angle_deg"]
        lines.append(
            f"- horizon error against the bag's ground truth ({pos['count']} frames with both lines): "
            f"position median {pos['median']:.2f} px, p95 {pos['p95']:.2f} px; "
            f"angle median {ang['median']:.2f} deg, p95 {ang['p95']:.2f} deg; "
            f"detection rate {accuracy['detection_rate']:.3f}"
        )
    lines += [
        f"- node process: CPU {result.node_cpu_run_pct:.0f} % while streaming (100 % = one core), "
        f"resident memory {result.node_rss_start_mb:.0f} MB before -> {result.node_rss_end_mb:.0f} MB after; "
        f"whole machine {result.system_cpu_pct:.0f} % busy, load average {result.load_avg_1min:.1f} "
        f"on {os.cpu_count()} cores (other work slows the node down)",
        f"- files: {', '.join(f'`{p}`' for p in files) or 'none'}",
        f"- took {seconds:.0f} s",
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m seasky_ros.demo", description=__doc__.split("\n\n")[0])
    p.add_argument("--frames", type=int, default=300, help="frames in the sample bag (default 300 = 10 s)")
    p.add_argument("--rate", type=float, default=30.0, help="camera rate of the sample bag, Hz")
    p.add_argument("--seed", type=int, default=0, help="scene of the sample bag")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default out/demo)")
    p.add_argument("--bag", type=Path, default=None,
                   help="replay this bag instead of OUT/sample_bag (made if missing)")
    p.add_argument("--image-topic", default=SAMPLE_TOPICS["image"])
    p.add_argument("--camera-info-topic", default=SAMPLE_TOPICS["camera_info"], help="'' for none")
    p.add_argument("--truth-topic", default=SAMPLE_TOPICS["truth"],
                   help="PolygonStamped ground-truth horizon ('' for none)")
    p.add_argument("--weights", default=None, help="weights for the node (default: its params file's)")
    p.add_argument("--launch", choices=("auto", "yes", "no"), default="auto",
                   help="start the node with ros2 launch (auto: when ros2 and launch_ros are installed)")
    p.add_argument("--record", action="store_true", help="also write the received outputs to OUT/outputs_bag")
    args = p.parse_args(argv)
    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[demo] {msg}", flush=True)

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    bag = args.bag or out / "sample_bag"
    try:
        if args.bag is None:
            ensure_sample(bag, args.frames, args.rate, args.seed, log)
        with BagReader(bag) as reader:
            frames = reader.count(args.image_topic)
            topics = BagTopics(args.image_topic, args.camera_info_topic if reader.msgtype(args.camera_info_topic or "")
                               else None, args.truth_topic if reader.msgtype(args.truth_topic or "") else None)
    except BagError as exc:
        log(f"failed: {exc}")
        return 1
    if frames == 0:
        log(f"failed: {bag} has no messages on {args.image_topic}")
        return 1
    record = None
    if args.record:
        # mcap: written from the executor thread (the sqlite3 writer is bound to the thread that opened it)
        record = BagWriter(out / "outputs_bag", "mcap", overwrite=True)
        record.open()
    params = {"weights": args.weights} if args.weights else None
    try:
        result = run_live(bag, out / "run", image_topic=topics.image, camera_info_topic=topics.camera_info,
                          node_params=params, mask_stride=max(1, frames // 60), record=record,
                          use_launch={"auto": None, "yes": True, "no": False}[args.launch], log=log)
    except (RuntimeError, TimeoutError) as exc:
        log(f"failed: {exc}")
        return 1
    finally:
        if record is not None:
            record.close()
    truth, first = _read_bag_frames(bag, topics, {min(result.stamp_map.values(), default=-1)})
    size = next((image.shape[:2] for image, _ in first.values()), None)
    accuracy = horizon_accuracy(result, truth, size) if size else None
    files = write_overlays(result, bag, topics, out, log)
    if record is not None:
        files.append(out / "outputs_bag")
    text = summary_markdown(bag, result, accuracy, files, time.perf_counter() - started)
    from .atomic_write import write_bytes_atomic

    write_bytes_atomic(out / "summary.md", text.encode())
    print(text, end="")
    log(f"wrote {out / 'summary.md'}")
    if result.frames_out == 0:
        log(f"the node produced nothing; its log:\n{result.node_log_tail()}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
