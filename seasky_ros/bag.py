# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""``seasky-bag``: the segmenter on recorded data, without a ROS installation.

- ``process`` runs the segmenter on every frame of a rosbag2 (sqlite3 or mcap) and writes a
  new bag with the input topics plus exactly the messages the live node would have
  published (same topics, types and header stamps; bag time = the input's receive time),
  optionally a horizon CSV and an overlay video.
- ``make-sample`` (``bag_sample``) writes a synthetic IR camera bag (mono16 frames of a ship
  rolling in a swell, CameraInfo, ground-truth horizon) to try everything on.
- ``play`` (``bag_play``) publishes a bag over DDS with its own timing (the demo and the
  benchmark use it in place of ``ros2 bag play``, which needs a full ROS install).
- ``from-images`` (``bag_images``) turns a folder of frames into a camera bag.
- ``info`` lists topics, counts and duration.

Messages are converted with the very functions the node uses (``ros_image``, ``outputs``),
so offline and live results are identical.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .attitude import DEFAULT_MAX_AGE_S, AttitudeBuffer
from .bag_images import add_parser as add_from_images_parser
from .bag_io import (
    CAMERA_INFO,
    COMPRESSED,
    IMAGE,
    IMU,
    POLYGON,
    STORAGES,
    BagError,
    BagReader,
    BagWriter,
    check_distinct,
    deserialize,
    message_class,
    set_stamp,
    stamp_ns,
)
from .bag_mount import add_parser as add_mount_parser
from .bag_play import PlayStats, play
from .bag_sample import SAMPLE_FRAME_ID, SAMPLE_START_NS, SAMPLE_TOPICS, make_sample
from .interface import OUTPUT_TOPICS, QOS_KINDS, QOS_SENSOR
from .outputs import imu_orientation
from .params import ParameterError, attitude_settings, node_parameters, segmenter_from_parameters
from .ros_image import MAX_FRAME_PIXELS
from .video import VideoSink

__all__ = ["PlayStats", "SAMPLE_FRAME_ID", "SAMPLE_START_NS", "SAMPLE_TOPICS", "make_sample", "play",
           "set_stamp", "stamp_ns"]  # re-exported: seasky-bag's sub-commands, where callers look


# ---------------------------------------------------------------------------------------- process


class IncompleteInputError(BagError):
    """The input bag ended early (truncated or damaged); ``report`` says what made it to the output."""

    def __init__(self, message: str, report: ProcessReport) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class ProcessReport:
    """What ``process`` wrote."""

    out: Path
    frames: int = 0
    with_horizon: int = 0
    skipped: int = 0
    copied: int = 0
    topics: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    last_error: str | None = None  # why the last skipped frame was skipped
    total: int = 0  # frames on the image topic
    partial: str | None = None  # why the outputs hold only part of the input, if they do
    video_resized: int = 0  # frames of another resolution, resized to the video's
    with_attitude: int = 0  # frames judged with the IMU's attitude (``imu_topic``)
    imu_refused: int = 0  # IMU messages without orientation or damaged


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM during ``process``; the message is the signal's name."""


def _raise_interrupted(signum: int, _frame) -> None:
    for sig in (signal.SIGINT, signal.SIGTERM):  # a second signal must not break the clean-up
        signal.signal(sig, signal.SIG_IGN)
    raise Interrupted(signal.Signals(signum).name)


def check_writable(path: Path, what: str) -> None:
    """BagError naming the problem unless a file can be created at ``path`` (checked before a run)."""
    if path.is_dir():
        raise BagError(f"{what} {path} is a directory; give a file name")
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise BagError(f"cannot write {what} {path}: {ancestor} is not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise BagError(f"cannot write {what} {path}: {ancestor} is not writable")


class _CsvSink:
    """horizons.csv rows, written atomically when closed (also after an error)."""

    HEADER = ("stamp", "x0", "y0", "x1", "y1", "angle_deg", "confidence", "source", "no_horizon_reason")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\n")
        self.writer.writerow(self.HEADER)

    def add(self, stamp: int, horizon, reason: str = "") -> None:
        sec, nsec = divmod(stamp, 10**9)
        if horizon is None:
            self.writer.writerow([f"{sec}.{nsec:09d}", "", "", "", "", "", "", "", reason])
        else:
            values = (horizon.x0, horizon.y0, horizon.x1, horizon.y1, horizon.angle_deg, horizon.confidence)
            self.writer.writerow([f"{sec}.{nsec:09d}", *(f"{v:.3f}" for v in values), horizon.source, ""])

    def close(self) -> None:
        from .atomic_write import write_bytes_atomic

        write_bytes_atomic(self.path, self.buffer.getvalue().encode())


def process(
    in_bag: str | os.PathLike,
    out_bag: str | os.PathLike,
    image_topic: str,
    *,
    weights: str | os.PathLike | None = None,
    device: str | None = None,
    backend: str | None = None,
    params_file: str | os.PathLike | None = None,
    compressed: bool = False,
    camera_info_topic: str | None = None,
    imu_topic: str | None = None,
    storage: str | None = None,
    overlay: bool = False,
    csv_path: str | os.PathLike | None = None,
    video_path: str | os.PathLike | None = None,
    copy_topics: bool = True,
    overwrite: bool = False,
    progress: bool = True,
    max_frame_pixels: int | None = None,
    segmenter=None,
    log=print,
) -> ProcessReport:
    """Segment every frame of ``image_topic`` and write the node's outputs to a new bag.

    Runs as the node started with ``params_file`` would (default: the shipped
    config/segment.yaml): same weights, device, backend, normalisation window, confidence
    threshold, horizon smoothing, temporal filter and largest frame; explicit ``weights``/``device``/``backend``/
    ``max_frame_pixels`` win. With ``imu_topic`` (sensor_msgs/Imu) each frame is judged with the
    IMU's attitude at its stamp as the node with ``use_imu`` judges it (the params file's mount,
    height, error and ``imu_max_age``), from the orientations read before it in the bag.
    The output bag is always finalised, also when the input turns out to be damaged part-way
    (then ``IncompleteInputError`` is raised after closing, carrying the report of what was
    written) or on Ctrl-C, so whatever was processed stays a valid, readable bag.
    """
    from tqdm import tqdm

    from .outputs import OutputBuilder
    from .temporal import DEFAULT_FRAMES, DEFAULT_MOTION_PX, TemporalFilter, TemporalSegmenter

    in_bag, out_bag = Path(in_bag), Path(out_bag)
    check_distinct(in_bag, out_bag)  # before anything is opened, let alone replaced
    for path, what in ((csv_path, "the CSV"), (video_path, "the video")):
        if path:
            check_writable(Path(path), what)
            if in_bag.resolve() in Path(path).resolve().parents:
                raise BagError(f"refusing to write {what} {path}: it lies inside the input {in_bag}")
    started = time.perf_counter()
    report = ProcessReport(out=out_bag)
    with BagReader(in_bag) as reader:
        available = {t.name: t.msgtype for t in reader.topics}
        topic = _choose_image_topic(in_bag, available, image_topic, compressed)
        is_compressed = available[topic] == COMPRESSED
        info_topic = camera_info_topic or next((t for t, m in sorted(available.items()) if m == CAMERA_INFO), None)
        if camera_info_topic and available.get(camera_info_topic) != CAMERA_INFO:
            raise BagError(f"{in_bag}: {camera_info_topic} is not a sensor_msgs/msg/CameraInfo topic")
        if imu_topic and available.get(imu_topic) != IMU:
            raise BagError(f"{in_bag}: {imu_topic} is not a sensor_msgs/msg/Imu topic")
        total = report.total = reader.count(topic)
        fps = (total - 1) / (reader.duration_ns / 1e9) if total > 1 and reader.duration_ns > 0 else 30.0
        try:
            params = node_parameters(params_file)
        except ParameterError as exc:
            raise BagError(str(exc)) from exc
        seg = segmenter or segmenter_from_parameters(
            {**params, **{k: v for k, v in (("weights", weights), ("device", device), ("backend", backend)) if v}})
        filtered = TemporalSegmenter(seg, TemporalFilter(int(params.get("temporal_filter_frames", DEFAULT_FRAMES)),
                                                         float(params.get("temporal_filter_motion_px",
                                                                          DEFAULT_MOTION_PX))))
        try:
            attitude = attitude_settings(params) if imu_topic else None
        except ParameterError as exc:
            raise BagError(str(exc)) from exc
        builder = OutputBuilder(filtered, smoothing=float(params.get("horizon_smoothing", 0.0)),
                                max_pixels=int(max_frame_pixels or params.get("max_frame_pixels", MAX_FRAME_PIXELS)),
                                attitude=attitude)
        orientations = AttitudeBuffer(max_age_s=float(params.get("imu_max_age", DEFAULT_MAX_AGE_S)))
        csv_sink = _CsvSink(Path(csv_path)) if csv_path else None
        video = VideoSink(Path(video_path), fps, total, log=log) if video_path else None
        wanted = sorted(available) if copy_topics else [t for t in (topic, info_topic, imu_topic) if t]
        imu_class = message_class(IMU) if imu_topic else None
        image_class = message_class(available[topic])
        info_class = message_class(CAMERA_INFO)
        storage = storage or _storage_of(in_bag)
        writer = BagWriter(out_bag, storage, overwrite=overwrite)
        writer.open()
        bar = tqdm(total=total, desc=f"process {topic}", unit="frame", disable=not progress)
        camera_info = None
        try:
            for name in wanted:
                writer.add_topic(name, available[name], reader.definition(name))
            writer.add_topic(OUTPUT_TOPICS["mask"], IMAGE)
            writer.add_topic(OUTPUT_TOPICS["horizon"], POLYGON)
            if info_topic:
                writer.add_topic(OUTPUT_TOPICS["attitude"], "geometry_msgs/msg/Vector3Stamped")
            if overlay:
                writer.add_topic(OUTPUT_TOPICS["overlay"], IMAGE)
            for name, _msgtype, timestamp, data in reader.messages(wanted):
                writer.write(name, timestamp, data)
                if name != topic:
                    report.copied += 1
                    if name == info_topic:
                        camera_info = _deserialize_or_none(data, info_class, report) or camera_info
                    elif name == imu_topic:
                        _add_orientation(orientations, _deserialize_or_none(data, imu_class, report), report)
                    continue
                bar.update(1)
                msg = _deserialize_or_none(data, image_class, report)
                filtered.stamp_s = None if msg is None else stamp_ns(msg.header.stamp) / 1e9
                orientation = orientations.at(filtered.stamp_s) if imu_topic and msg is not None else None
                outputs = None if msg is None else _outputs_or_none(builder, msg, is_compressed, camera_info,
                                                                     overlay or video is not None, report,
                                                                     orientation)
                if outputs is None:
                    report.skipped += 1
                    continue
                for key in ("mask", "horizon", "attitude"):
                    if outputs.get(key) is not None:
                        writer.write(OUTPUT_TOPICS[key], timestamp, outputs[key])
                if overlay and outputs.get("overlay") is not None:
                    writer.write(OUTPUT_TOPICS["overlay"], timestamp, outputs["overlay"])
                if video is not None and outputs.get("overlay_bgr") is not None:
                    video.add(outputs["overlay_bgr"])
                report.frames += 1
                report.with_horizon += outputs["result"].horizon is not None
                report.with_attitude += orientation is not None and camera_info is not None
                if csv_sink is not None:
                    result = outputs["result"]
                    csv_sink.add(stamp_ns(msg.header.stamp), result.horizon, result.horizon_reason)
        except BagError as exc:
            report.partial = f"the input is damaged; {report.frames + report.skipped} of {total} frames read"
            raise IncompleteInputError(str(exc), report) from exc
        except KeyboardInterrupt as exc:
            report.partial = (f"interrupted by {str(exc) or 'SIGINT'} after {report.frames + report.skipped} of "
                              f"{total} frames")
            raise
        finally:
            bar.close()
            if report.partial:
                writer.set_custom_data("seasky.partial", report.partial)
            writer.close()
            report.topics = dict(writer.counts)
            report.seconds = time.perf_counter() - started
            if csv_sink is not None:
                csv_sink.close()
            if video is not None:
                video.close()
                report.video_resized = video.resized
    return report


def _add_orientation(orientations: AttitudeBuffer, msg, report: ProcessReport) -> None:
    """An IMU message's orientation into the buffer; one without orientation (REP-145) or a broken one counted."""
    q = None if msg is None else imu_orientation(msg)
    if q is None:
        report.imu_refused += 1
        return
    try:
        orientations.add(stamp_ns(msg.header.stamp) / 1e9, q)
    except ValueError:
        report.imu_refused += 1


def _outputs_or_none(builder, msg, compressed: bool, camera_info, want_overlay: bool, report: ProcessReport,
                     orientation=None):
    """The node's outputs for one frame, or None (reason in the report) for a frame it would skip.

    Like the node, any fault of one frame costs that frame only, not the run.
    """
    try:
        outputs = builder.build(msg, compressed, camera_info, want_overlay=want_overlay, orientation=orientation)
    except Exception as exc:
        report.last_error = f"processing failed ({type(exc).__name__}: {exc})"
        return None
    if outputs is None:
        report.last_error = builder.last_error
    return outputs


def _deserialize_or_none(data: bytes, msg_class: type, report: ProcessReport):
    """A message, or None (noted in the report) when its bytes are damaged."""
    try:
        return deserialize(data, msg_class)
    except BagError as exc:
        report.last_error = str(exc)
        return None


def _storage_of(path: Path) -> str:
    from .bag_io import storage_of

    return storage_of(path)


def _choose_image_topic(bag: Path, available: dict[str, str], topic: str, compressed: bool) -> str:
    """The topic to segment; with ``compressed``, ``TOPIC/compressed`` is used when it exists."""
    if compressed and f"{topic.rstrip('/')}/compressed" in available:
        topic = f"{topic.rstrip('/')}/compressed"
    if topic not in available:
        listing = ", ".join(f"{t} ({m})" for t, m in sorted(available.items()))
        raise BagError(f"{bag}: no topic {topic}; the bag has: {listing}")
    if available[topic] not in (IMAGE, COMPRESSED):
        raise BagError(f"{bag}: {topic} is {available[topic]}, not an Image or CompressedImage topic")
    if compressed and available[topic] != COMPRESSED:
        raise BagError(f"{bag}: --compressed given but {topic} is {available[topic]}")
    return topic


# ---------------------------------------------------------------------------------------- info and CLI


def info(bag: str | os.PathLike) -> str:
    """Topics, types, message counts and duration of a bag, as text."""
    with BagReader(bag) as reader:
        topics = reader.topics
        duration = reader.duration_ns / 1e9
        lines = [f"bag:      {bag} ({_storage_of(Path(bag))})", f"duration: {duration:.3f} s"]
        if topics:
            lines.append(f"start:    {reader.start_ns / 1e9:.9f}")
        partial = reader.custom_data.get("seasky.partial")
        if partial:
            lines.append(f"partial:  {partial}")
        width = max((len(t.name) for t in topics), default=5)
        for t in topics:
            rate = f"{(t.count - 1) / duration:8.2f} Hz" if t.count > 1 and duration > 0 else ""
            lines.append(f"  {t.name:<{width}}  {t.msgtype:<36} {t.count:>7} msgs {rate}")
    return "\n".join(lines)


def _cmd_process(args) -> int:
    handlers = {sig: signal.signal(sig, _raise_interrupted) for sig in (signal.SIGINT, signal.SIGTERM)}
    extras = [p for p in (args.csv, args.video) if p]
    try:
        report = process(
            args.in_bag, args.out_bag, args.image_topic, weights=args.weights, device=args.device,
            backend=args.backend, params_file=args.params_file, compressed=args.compressed,
            camera_info_topic=args.camera_info_topic, imu_topic=args.imu_topic,
            storage=args.storage, overlay=args.overlay, csv_path=args.csv, video_path=args.video,
            copy_topics=not args.no_copy, overwrite=args.overwrite, progress=not args.no_progress,
            max_frame_pixels=args.max_frame_pixels,
        )
    except IncompleteInputError as exc:
        r = exc.report
        print(f"seasky-bag: error: {exc}", file=sys.stderr)
        print(f"seasky-bag: {r.frames} frame(s) made it; the partial outputs {_listing(r.out, extras)} are valid "
              "(marked partial in the bag's metadata)", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        name = str(exc) or "SIGINT"
        existing = [p for p in (args.out_bag, *extras) if Path(p).exists()]
        print(f"seasky-bag: interrupted by {name}; partial outputs with the frames processed so far: "
              f"{', '.join(map(str, existing)) or 'none'} (the bag is valid and marked partial in its metadata)",
              file=sys.stderr)
        return 128 + signal.Signals[name].value
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    if report.skipped:
        print(f"seasky-bag: warning: {report.skipped} frame(s) skipped, the last because: {report.last_error}",
              file=sys.stderr)
    if args.imu_topic:
        refused = f"; {report.imu_refused} IMU message(s) without orientation ignored" if report.imu_refused else ""
        print(f"seasky-bag: {report.with_attitude} of {report.frames} frames judged with the IMU's attitude "
              f"({args.imu_topic}; the others had no orientation within imu_max_age or no camera_info){refused}",
              file=sys.stderr if report.with_attitude < report.frames else sys.stdout)
    fps = report.frames / report.seconds if report.seconds > 0 else math.nan
    print(f"seasky-bag: {report.frames} frames segmented ({report.with_horizon} with a horizon, "
          f"{report.skipped} unusable), {report.copied} other messages copied, {fps:.1f} frames/s -> {report.out}")
    for extra in extras:
        if Path(extra).exists():
            resized = (f" ({report.video_resized} of {report.frames} frames resized from another resolution)"
                       if extra == args.video and report.video_resized else "")
            print(f"seasky-bag: wrote {extra}{resized}")
    return 0


def _listing(out: Path, extras: list) -> str:
    return ", ".join(str(p) for p in (out, *extras) if Path(p).exists())


def _cmd_make_sample(args) -> int:
    out = make_sample(args.out_bag, frames=args.frames, rate_hz=args.rate, seed=args.seed, storage=args.storage,
                      height=args.height, width=args.width, overwrite=args.overwrite, progress=not args.no_progress)
    print(info(out))
    return 0


def _cmd_play(args) -> int:
    import rclpy

    rclpy.init(args=[])
    try:
        stats = play(args.bag, args.topics, rate_scale=args.rate_scale, qos=args.qos, restamp=args.restamp,
                     wait_subscribers=args.wait_subscribers, wait_timeout=args.wait_timeout)
    except KeyboardInterrupt:
        return 130
    finally:
        rclpy.try_shutdown()
    if args.stats:
        from .atomic_write import write_bytes_atomic

        write_bytes_atomic(args.stats, json.dumps(stats.to_json()).encode())
    total = sum(stats.published.values())
    print(f"seasky-bag: published {total} messages in {stats.wall_end - stats.wall_start:.2f} s "
          f"({', '.join(f'{t}: {n}' for t, n in stats.published.items())})", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="seasky-bag", description="The segmenter on rosbag2 files (sqlite3 or mcap).")
    sub = p.add_subparsers(dest="command", required=True)

    pr = sub.add_parser("process", help="segment every frame of a bag into a new bag with the node's outputs")
    pr.add_argument("in_bag", type=Path)
    pr.add_argument("out_bag", type=Path)
    pr.add_argument("--image-topic", required=True, help="sensor_msgs/Image or CompressedImage topic")
    pr.add_argument("--compressed", action="store_true", help="use TOPIC/compressed (CompressedImage)")
    pr.add_argument("--camera-info-topic", default=None, help="default: the bag's CameraInfo topic, if any")
    pr.add_argument("--imu-topic", default=None,
                    help="sensor_msgs/Imu topic: judge each frame with its attitude, as the node with use_imu "
                         "(the params file's camera_mount_rpy_deg, camera_height_m, attitude_sigma_deg, imu_max_age)")
    pr.add_argument("--weights", default=None, help="weights (.pt or .onnx); default: the shipped model")
    pr.add_argument("--device", default=None, help="auto, cpu, cuda, cuda:N (default: as the params file)")
    pr.add_argument("--backend", default=None, choices=("auto", "torch", "onnxruntime"),
                    help="default: as the params file")
    pr.add_argument("--params-file", type=Path, default=None,
                    help="the node's ROS parameter file to run like (default: the shipped config/segment.yaml)")
    pr.add_argument("--storage", choices=STORAGES, default=None, help="output storage (default: as the input)")
    pr.add_argument("--overlay", action="store_true", help=f"also write {OUTPUT_TOPICS['overlay']}")
    pr.add_argument("--csv", type=Path, default=None,
                    help="horizons CSV: stamp,x0,y0,x1,y1,angle_deg,confidence,source,no_horizon_reason")
    pr.add_argument("--video", type=Path, default=None, help="overlay video, .mp4 or .gif")
    pr.add_argument("--max-frame-pixels", type=int, default=None,
                    help="largest frame accepted (pixels); compressed frames are checked before decoding "
                         f"(default: as the params file, else {MAX_FRAME_PIXELS})")
    pr.add_argument("--no-copy", action="store_true", help="do not copy the bag's other topics")
    pr.add_argument("--overwrite", action="store_true", help="replace an existing output bag")
    pr.add_argument("--no-progress", action="store_true")
    pr.set_defaults(func=_cmd_process)

    ms = sub.add_parser("make-sample", help="write a synthetic IR camera bag (ship rolling in a swell)")
    ms.add_argument("out_bag", type=Path)
    ms.add_argument("--frames", type=int, default=300)
    ms.add_argument("--rate", type=float, default=30.0, help="camera rate in Hz")
    ms.add_argument("--seed", type=int, default=0)
    ms.add_argument("--storage", choices=STORAGES, default="sqlite3")
    ms.add_argument("--height", type=int, default=512)
    ms.add_argument("--width", type=int, default=640)
    ms.add_argument("--overwrite", action="store_true")
    ms.add_argument("--no-progress", action="store_true")
    ms.set_defaults(func=_cmd_make_sample)

    pl = sub.add_parser("play", help="publish a bag over DDS with its own timing")
    pl.add_argument("bag", type=Path)
    pl.add_argument("--topics", nargs="+", default=None, help="default: all topics")
    pl.add_argument("--rate-scale", type=float, default=1.0, help="2 = twice as fast")
    pl.add_argument("--qos", choices=QOS_KINDS, default=QOS_SENSOR)
    pl.add_argument("--restamp", action="store_true", help="stamp headers with the wall clock at publication")
    pl.add_argument("--wait-subscribers", type=int, default=0, help="wait for this many subscribers first")
    pl.add_argument("--wait-timeout", type=float, default=60.0)
    pl.add_argument("--stats", type=Path, default=None, help="write what was published (JSON)")
    pl.set_defaults(func=_cmd_play)

    add_from_images_parser(sub)
    add_mount_parser(sub)

    inf = sub.add_parser("info", help="topics, counts and duration")
    inf.add_argument("bag", type=Path)
    inf.set_defaults(func=lambda a: print(info(a.bag)) or 0)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (BagError, FileNotFoundError, TimeoutError, ValueError) as exc:
        print(f"seasky-bag: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a weights or frame problem: one line, not a traceback
        from .preprocess import FrameError
        from .weights import WeightsError

        if isinstance(exc, (WeightsError, FrameError)):
            print(f"seasky-bag: error: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
