# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""``segment_node``: the ROS 2 shell around the segmenter. ROS in, numpy out, ROS back.

Why it is built this way:

- The subscription callback only puts the newest frame into a single slot and wakes the
  workers. The network worker always takes the newest frame, so the node never falls behind a
  camera that is faster than the network; a frame replaced before it was taken counts as dropped
  (reported on /diagnostics). There is no queue that could grow.
- Two workers, one frame apart: the network worker decodes frame N+1 and runs its network
  (``OutputBuilder.start``) while the output worker computes frame N's labels, horizon and messages
  (``finish``) and publishes them, in order. The network runs outside Python's lock, so on two
  cores the stages overlap (docs/SPEED.md); the network worker takes a frame only once the output
  worker has taken the one before, so one frame at most waits between them.
- Everything that thinks lives in plain modules (``outputs``, ``ros_image``, ``overlay``,
  ``stream_stats``, ``segmenter``) that the bag tool shares, so live and offline outputs agree.
- Bad input (unknown encodings, truncated or empty frames, NaNs, resolution changes) costs one
  frame and a throttled warning, never the node. Missing or broken weights stop it at start-up
  with one clear line naming the file.

Topics (relative names, so namespaces and remappings work):

- in: ``image`` (sensor_msgs/Image) or ``image/compressed`` (with ``input_compressed``), and
  optionally ``camera_info`` and (with ``use_imu``) ``imu`` (``imu_input``);
- out: ``~/mask``, ``~/horizon``, ``~/horizon_attitude``, ``~/overlay``, ``/diagnostics``.

QoS: image input is best-effort keep-last 1 by default (``image_qos: sensor_data``), which
matches camera drivers and ``ros2 bag play``, both reliable and best-effort; ``reliable``
connects only to reliable publishers. Outputs are *reliable* keep-last 5, volatile: a
reliable publisher serves both reliable and best-effort subscribers, and keep-last never
blocks the worker on a slow consumer.
"""

from __future__ import annotations

import logging
import math
import os
import signal
import sys
import threading
import time
from typing import Any

import rclpy
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from geometry_msgs.msg import PolygonStamped, Vector3Stamped
from rcl_interfaces.msg import SetParametersResult
from rclpy.clock import Clock, ClockType
from rclpy.exceptions import ParameterException, ParameterNotDeclaredException
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import QoSProfile
from sensor_msgs.msg import CameraInfo, CompressedImage, Image

from .fastdds import use_shipped_fastdds_profile
from .horizon import BLANK_IMAGE_REASONS, DEFAULT_MIN_CONFIDENCE, DEFAULT_SETTINGS
from .horizon_zoom import DEFAULT_HORIZON_ZOOM, MAX_HORIZON_ZOOM
from .imu_input import PARAMETERS as IMU_PARAMETERS
from .imu_input import ImuInput
from .interface import (
    DIAGNOSTICS_TOPIC,
    NODE_NAME,
    OUTPUT_NAMES,
    QOS_KINDS,
    QOS_RELIABLE,
    QOS_SENSOR,
    qos_profile,
)
from .outputs import OutputBuilder, camera_info_problem, horizon_state, stamp_seconds
from .params import (
    MAX_HAZY_OFFSET_PX,
    ParameterError,
    apply_live_parameters,
    descriptor,
    load_segmenter,
    params_file_problem,
    parse_auto_bool,
    roll_search_mode,
    set_hazy_offset,
    set_horizon_zoom,
    set_roll_search,
)
from .preprocess import FrameError, Normalization
from .roll_search import DEFAULT_ROLL_SEARCH
from .ros_image import MAX_FRAME_PIXELS
from .stream_stats import StreamStats
from .temporal import DEFAULT_FRAMES, DEFAULT_MOTION_PX, TemporalFilter, TemporalSegmenter

WARN_EVERY_S = 5.0
NO_INPUT_WARN_S = 2.0


class StartupError(RuntimeError):
    """The node cannot start (weights, device or configuration); the message says why."""


def image_qos(kind: str) -> QoSProfile:
    """Keep-last 1 for image input: only the newest frame matters."""
    if kind not in QOS_KINDS:
        raise StartupError(f"image_qos must be one of {', '.join(QOS_KINDS)}, got '{kind}'")
    return qos_profile(kind, depth=1)


OUTPUT_QOS = qos_profile(QOS_RELIABLE, depth=5)  # serves reliable and best-effort subscribers alike
CAMERA_INFO_QOS = qos_profile(QOS_SENSOR, depth=1)


class _Throttle:
    """At most one message per key every ``period`` seconds, with a count of the ones held back."""

    def __init__(self, period: float = WARN_EVERY_S) -> None:
        self.period = period
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}

    def __call__(self, key: str) -> int | None:
        """None: stay quiet; else the number of messages suppressed since the last one."""
        now = time.monotonic()
        if now - self._last.get(key, -math.inf) < self.period:
            self._held[key] = self._held.get(key, 0) + 1
            return None
        self._last[key] = now
        return self._held.pop(key, 0)


class SegmentNode(Node):
    """Sky/sea/other masks and the horizon line for one infrared camera stream."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(NODE_NAME, **kwargs)
        try:
            self._setup()
        except BaseException as exc:
            self._stop_worker()
            self.destroy_node()
            if isinstance(exc, ParameterException):  # a value of the wrong type or out of range
                raise StartupError(f"invalid parameter: {exc}") from exc
            if isinstance(exc, ParameterError):
                raise StartupError(str(exc)) from exc
            raise

    # ------------------------------------------------------------------------------------ setup

    def _setup(self) -> None:
        self._stop = threading.Event()
        self._slot_lock = threading.Condition()
        self._slot: tuple[Any, float] | None = None  # the newest message and when it came
        self._ready: tuple[Any, float] | None = None  # a started frame (OutputBuilder.start) and when it came
        self._workers: list[threading.Thread] = []
        self._camera_info: CameraInfo | None = None
        self._camera_info_problem = ""  # why the last CameraInfo was ignored, if it was
        self._last_error = ""
        self._last_error_time = -math.inf
        self._last_size: tuple[int, int] | None = None
        self._last_encoding = ""
        self._last_timings: dict[str, float] = {}
        self._last_passes = 0
        self._last_horizon = "n/a"
        self._throttle = _Throttle()
        self.stats = StreamStats()
        self.overlays_published = 0

        self._declare_static_parameters()
        seg = self._load_segmenter()
        self.segmenter = seg
        self._declare_live_parameters(seg)
        for warning in seg.warnings:
            self.get_logger().warning(warning)
        if self.half and not seg.half:
            self.get_logger().warning(f"half precision was requested, but the {seg.backend} backend on {seg.device} "
                                      "runs in float32")
        # the published mask and overlay are filtered over time; the horizon is fitted before the filter
        self.temporal_filter = TemporalFilter(self.temporal_filter_frames, self.temporal_filter_motion_px)
        self.filtered = TemporalSegmenter(seg, self.temporal_filter)
        self.imu = ImuInput(self)
        self.builder = OutputBuilder(self.filtered, smoothing=self.horizon_smoothing, max_pixels=self.max_frame_pixels,
                                     attitude=self.imu.settings)

        self.mask_pub = self.create_publisher(Image, f"~/{OUTPUT_NAMES['mask']}", OUTPUT_QOS)
        self.horizon_pub = self.create_publisher(PolygonStamped, f"~/{OUTPUT_NAMES['horizon']}", OUTPUT_QOS)
        self.attitude_pub = self.create_publisher(Vector3Stamped, f"~/{OUTPUT_NAMES['attitude']}", OUTPUT_QOS)
        self.overlay_pub = self.create_publisher(Image, f"~/{OUTPUT_NAMES['overlay']}", OUTPUT_QOS)
        self.diagnostics_pub = self.create_publisher(DiagnosticArray, DIAGNOSTICS_TOPIC, 10)

        qos = image_qos(self.image_qos_kind)
        if self.input_compressed:
            self.image_sub = self.create_subscription(CompressedImage, self._compressed_topic(), self._on_image, qos)
        else:
            self.image_sub = self.create_subscription(Image, "image", self._on_image, qos)
        self.camera_info_sub = self.create_subscription(CameraInfo, "camera_info", self._on_camera_info,
                                                        CAMERA_INFO_QOS)
        self.add_on_set_parameters_callback(self._on_set_parameters)
        self._make_set_parameters_atomic()
        # Steady clock: diagnostics keep coming with use_sim_time even while no /clock is published.
        self.diagnostics_timer = self.create_timer(self.diagnostics_period, self._publish_diagnostics,
                                                   clock=Clock(clock_type=ClockType.STEADY_TIME))
        self._workers = [threading.Thread(target=self._work_network, name="seasky_network", daemon=True),
                         threading.Thread(target=self._work_outputs, name="seasky_outputs", daemon=True)]
        for worker in self._workers:
            worker.start()
        facts = seg.describe()
        self.get_logger().info(
            f"segmenting {self.image_sub.topic_name} ({'CompressedImage' if self.input_compressed else 'Image'}, "
            f"{self.image_qos_kind} QoS) with {facts['weights']} on {facts['device']} ({facts['backend']}); "
            f"outputs under {self.get_fully_qualified_name()}/"
        )

    def _compressed_topic(self) -> str:
        """image_transport's convention: ``<image>/compressed``, so ``-r image:=X`` also moves it to
        ``X/compressed``; an explicit remapping of ``image/compressed`` wins."""
        explicit = self.resolve_topic_name("image/compressed")
        if explicit != self.resolve_topic_name("image/compressed", only_expand=True):
            return explicit
        return f"{self.resolve_topic_name('image').rstrip('/')}/compressed"

    def _declare_static_parameters(self) -> None:
        declare = self.declare_parameter
        self.weights = declare("weights", "", descriptor(
            "Weights file (.pt, or .onnx from seasky-export); empty = the model shipped with the package",
            read_only=True)).value
        self.device = declare("device", "auto", descriptor(
            "auto (CUDA when available), cpu, cuda or cuda:N", read_only=True)).value
        self.backend = declare("backend", "auto", descriptor(
            "auto (ONNX Runtime on CPU, PyTorch on CUDA), torch or onnxruntime", read_only=True)).value
        self.half = parse_auto_bool(declare("half", "auto", descriptor(
            "float16 inference: auto (exactly for torch on CUDA), true or false", read_only=True,
            dynamic_typing=True)).value, "half")
        self.int8 = parse_auto_bool(declare("int8", "auto", descriptor(
            "8-bit inference: auto (the shipped weights' int8 model where ONNX Runtime runs on the CPU), "
            "true or false", read_only=True, dynamic_typing=True)).value, "int8")
        self.threads = declare("threads", 0, descriptor(
            "CPU threads for inference; 0 = the library's default", read_only=True, int_range=(0, 256))).value
        self.input_compressed = declare("input_compressed", False, descriptor(
            "Subscribe to image/compressed (sensor_msgs/CompressedImage: png incl. 16 bit, jpeg) instead of image",
            read_only=True)).value
        self.image_qos_kind = declare("image_qos", QOS_SENSOR, descriptor(
            "Image subscription QoS: sensor_data (best effort, matches every publisher) or reliable "
            "(matches reliable publishers only); keep-last 1 either way", read_only=True,
            )).value
        self.max_frame_pixels = declare("max_frame_pixels", MAX_FRAME_PIXELS, descriptor(
            "Largest frame accepted, in pixels (width x height); a compressed frame declaring more is refused "
            "from its header, before decoding", read_only=True, int_range=(1, 2**31 - 1))).value
        self.diagnostics_period = declare("diagnostics_period", 1.0, descriptor(
            "Seconds between /diagnostics messages", read_only=True, float_range=(0.1, 60.0))).value

    def _load_segmenter(self):
        image_qos(self.image_qos_kind)  # a typo here fails at start-up, not on the first frame
        try:
            return load_segmenter({"weights": self.weights, "device": self.device, "backend": self.backend,
                                   "half": self.half, "threads": self.threads, "int8": self.int8})
        except Exception as exc:  # WeightsError, CUDA requested but absent, bad backend, ...
            raise StartupError(" ".join(str(exc).split())) from exc

    def _declare_live_parameters(self, seg) -> None:
        declare = self.declare_parameter
        norm = seg.normalization
        low = declare("normalization.low_pct", float(norm.low_pct), descriptor(
            "Lower percentile of the gray-value window (default: the weights file's)",
            float_range=(0.0, 100.0))).value
        high = declare("normalization.high_pct", float(norm.high_pct), descriptor(
            "Upper percentile of the gray-value window (default: the weights file's); must exceed low_pct",
            float_range=(0.0, 100.0))).value
        self.publish_overlay = declare("publish_overlay", True, descriptor(
            "Render ~/overlay (only while it has subscribers)")).value
        confidence = declare("min_horizon_confidence", DEFAULT_MIN_CONFIDENCE, descriptor(
            "Report no horizon below this confidence", float_range=(0.0, 1.0))).value
        hazy = declare("horizon_hazy_offset_px", DEFAULT_SETTINGS.hazy_peak_offset_px, descriptor(
            "A hazy horizon is placed this far below the image's haze-ramp peak (calibrated for the shipped "
            "data; your camera's labels may want another value, docs/OWN_CAMERA.md)",
            float_range=(0.0, MAX_HAZY_OFFSET_PX))).value
        roll_search = declare("horizon_roll_search", DEFAULT_ROLL_SEARCH, descriptor(
            "upright: one network pass as the frame comes (rolls up to ~15 deg); auto: turned passes when the "
            "image leans past 20 deg (rolls up to ~160 deg); full: any roll, upside down included (2 passes a "
            "frame until a line is tracked); seasky_ros.roll_search")).value
        zoom = declare("horizon_zoom", DEFAULT_HORIZON_ZOOM, descriptor(
            "A second network pass on the found line's band at this many times the resolution (1.75 measured: "
            "docs/HORIZON.md; one more pass a frame with a line); 1 or less = off; seasky_ros.horizon_zoom",
            float_range=(0.0, MAX_HORIZON_ZOOM))).value
        apply_live_parameters(seg, {"normalization.low_pct": low, "normalization.high_pct": high,
                                    "min_horizon_confidence": confidence, "horizon_hazy_offset_px": hazy,
                                    "horizon_roll_search": roll_search, "horizon_zoom": zoom})
        self.horizon_smoothing = declare("horizon_smoothing", 0.0, descriptor(
            "Exponential smoothing of the horizon over frames: weight of the previous line, 0 = off "
            "(capped at 0.99); resets on a resolution change or after 1 s without a horizon",
            float_range=(0.0, 1.0))).value
        self.temporal_filter_frames = declare("temporal_filter_frames", DEFAULT_FRAMES, descriptor(
            "~/mask: an 'other' blob (small, off the border) not 'other' in each of the last N frames becomes "
            "the sky or sea around it; a new obstacle shows N frames late; 0 = off (seasky_ros.temporal)",
            int_range=(0, 30))).value
        self.temporal_filter_motion_px = declare("temporal_filter_motion_px", DEFAULT_MOTION_PX, descriptor(
            "Motion allowed to a persistent 'other' blob, px per frame of age", float_range=(0.0, 50.0))).value

    # ------------------------------------------------------------------------------------ parameters

    def _make_set_parameters_atomic(self) -> None:
        """rclpy's set_parameters service applies a request one parameter at a time, so a rejected
        pair (low_pct 90, high_pct 10) would leave low_pct at 90; here a request is applied whole or
        not at all, and judged as a whole (both window ends may move past each other in one call)."""
        name = f"{self.get_fully_qualified_name()}/set_parameters"
        service = next((s for s in self.services if s.service_name == name), None)
        if service is None:
            raise StartupError(f"no {name} service to make atomic (parameter services disabled?)")
        service.callback = self._set_parameters_whole

    def _set_parameters_whole(self, request: Any, response: Any) -> Any:
        params = [Parameter.from_parameter_msg(p) for p in request.parameters]
        try:
            result = self.set_parameters_atomically(params)
        except ParameterNotDeclaredException as exc:
            result = SetParametersResult(successful=False, reason=str(exc))
        if not result.successful and len(params) > 1:
            result.reason = f"{result.reason} (nothing in this request was changed)"
        response.results = [result] * len(params)
        return response

    def _on_set_parameters(self, params: list[Parameter]) -> SetParametersResult:
        norm = self.segmenter.normalization
        low, high = norm.low_pct, norm.high_pct
        for p in params:
            if p.name == "normalization.low_pct":
                low = float(p.value)
            elif p.name == "normalization.high_pct":
                high = float(p.value)
        if not 0.0 <= low < high <= 100.0:
            return SetParametersResult(
                successful=False,
                reason=f"normalization.low_pct ({low}) must be below normalization.high_pct ({high}), both in 0..100",
            )
        if (problem := self.imu.check(params)) is not None:
            return SetParametersResult(successful=False, reason=problem)
        for p in params:  # judged before anything is applied: the request is whole or nothing
            if p.name == "horizon_roll_search":
                try:
                    roll_search_mode(str(p.value))
                except ParameterError as exc:
                    return SetParametersResult(successful=False, reason=str(exc))
        for p in params:
            if p.name == "publish_overlay":
                self.publish_overlay = bool(p.value)
            elif p.name == "min_horizon_confidence":
                self.segmenter.min_horizon_confidence = float(p.value)
            elif p.name == "horizon_hazy_offset_px":
                set_hazy_offset(self.segmenter, float(p.value))
            elif p.name == "horizon_roll_search":
                set_roll_search(self.segmenter, str(p.value))
            elif p.name == "horizon_zoom":
                set_horizon_zoom(self.segmenter, float(p.value))
            elif p.name == "horizon_smoothing":
                self.horizon_smoothing = float(p.value)
                self.builder.smoother.factor = self.horizon_smoothing
            elif p.name == "temporal_filter_frames":
                self.temporal_filter.frames = int(p.value)
            elif p.name == "temporal_filter_motion_px":
                self.temporal_filter.motion_px = float(p.value)
        if any(p.name in IMU_PARAMETERS for p in params):
            self.imu.apply(params)
            self.builder.attitude = self.imu.settings
        if (low, high) != (norm.low_pct, norm.high_pct):
            self.segmenter.normalization = Normalization(low, high, norm.mean, norm.std)
        return SetParametersResult(successful=True)

    # ------------------------------------------------------------------------------------ input

    def _on_camera_info(self, msg: CameraInfo) -> None:
        problem = camera_info_problem(msg)
        if problem is None:
            self._camera_info, self._camera_info_problem = msg, ""
            return
        self._camera_info_problem = problem  # a bad one is ignored: an earlier good one stays in use
        self.get_logger().warning(f"camera_info ignored, no attitude from it: {problem}",
                                  throttle_duration_sec=WARN_EVERY_S)

    def _on_image(self, msg: Any) -> None:
        """Keep only the newest frame; the worker does the rest."""
        received = time.monotonic()
        self.stats.on_input(stamp_seconds(msg.header), received)
        with self._slot_lock:
            if self._slot is not None:
                self.stats.on_dropped()
            self._slot = (msg, received)
            self._slot_lock.notify_all()

    # ------------------------------------------------------------------------------------ worker

    def _work_network(self) -> None:
        """Take the newest frame once the output worker has taken the last one; decode it, run its network."""
        while not self._stop.is_set():
            with self._slot_lock:
                while (self._slot is None or self._ready is not None) and not self._stop.is_set():
                    self._slot_lock.wait(timeout=0.5)
                if self._stop.is_set():
                    return
                msg, received = self._slot
                self._slot = None
            try:
                camera_info = self._camera_info
                orientation = self.imu.orientation_at(stamp_seconds(msg.header), camera_info is not None)
                begun = self.builder.start(msg, self.input_compressed, camera_info, orientation)
            except Exception as exc:  # the worker must outlive any frame
                self._fail(exc)
                continue
            with self._slot_lock:
                self._ready = (begun, received)
                self._slot_lock.notify_all()

    def _work_outputs(self) -> None:
        """Finish and publish the started frames, in order."""
        while not self._stop.is_set():
            with self._slot_lock:
                while self._ready is None and not self._stop.is_set():
                    self._slot_lock.wait(timeout=0.5)
                if self._stop.is_set():
                    return
                begun, received = self._ready
                self._ready = None
                self._slot_lock.notify_all()
            try:
                self._handle(begun, received)
            except Exception as exc:  # last line of defence: the worker must outlive any frame
                self._reject("worker", f"frame skipped ({type(exc).__name__}: {exc})")

    def _fail(self, exc: Exception) -> None:
        """A frame that could not be processed: a bad frame, or a fault (not reported while shutting down)."""
        if isinstance(exc, FrameError):
            self._reject("bad-frame", f"frame skipped: {exc}")
        elif not self._stop.is_set() and rclpy.ok(context=self.context):
            self._reject("processing", f"processing failed, frame skipped ({type(exc).__name__}: {exc})")

    def _handle(self, begun: Any, received: float) -> None:
        msg = begun.msg
        want_overlay = self.publish_overlay and self.overlay_pub.get_subscription_count() > 0
        self.filtered.stamp_s = stamp_seconds(msg.header)
        camera_info = self._camera_info
        late = None  # an IMU that lags the camera: its orientation may have come since the network pass
        if self.imu.enabled and begun.started.prior is None:
            late = self.imu.orientation_at(self.filtered.stamp_s, camera_info is not None)
        try:
            outputs = self.builder.finish(begun, camera_info, want_overlay, late)
        except Exception as exc:  # a fault in processing must not end the stream
            self._fail(exc)
            return
        result = outputs["result"]
        self._note_frame(msg, result)
        try:
            self.mask_pub.publish(outputs["mask"])
            self.horizon_pub.publish(outputs["horizon"])
            if outputs["attitude"] is not None:
                self.attitude_pub.publish(outputs["attitude"])
            if outputs["overlay"] is not None:
                self.overlay_pub.publish(outputs["overlay"])
                self.overlays_published += 1
        except Exception as exc:  # the context is going down under us
            if not self._stop.is_set() and rclpy.ok(context=self.context):
                self._reject("publish", f"publishing failed ({type(exc).__name__}: {exc})")
            return
        self.stats.on_output(time.monotonic() - received)

    def _note_frame(self, msg: Any, result: Any) -> None:
        size = tuple(result.labels.shape)
        if self._last_size is not None and size != self._last_size:
            self.get_logger().info(f"input resolution changed from {self._last_size[1]}x{self._last_size[0]} "
                                   f"to {size[1]}x{size[0]}", throttle_duration_sec=WARN_EVERY_S)
        self._last_size = size
        self._last_encoding = getattr(msg, "encoding", "") or getattr(msg, "format", "")
        self._last_timings = result.timings_ms
        self._last_passes = result.network_passes
        self._last_horizon = horizon_state(result)
        if result.horizon_reason in BLANK_IMAGE_REASONS:
            self._warn("blank", f"no horizon: the frame shows none ({result.horizon_reason})")
        if result.nonfinite_pixels:
            self._warn("nonfinite", f"{result.nonfinite_pixels} NaN/inf pixels in a frame, "
                                    "replaced by the median of the others")

    def _reject(self, key: str, message: str) -> None:
        self.stats.on_error()
        self._last_error = message
        self._last_error_time = time.monotonic()
        self._warn(key, message)

    def _warn(self, key: str, message: str) -> None:
        held = self._throttle(key)
        if held is not None:
            more = f" ({held} more like it since the last report)" if held else ""
            self.get_logger().warning(message + more)

    # ------------------------------------------------------------------------------------ diagnostics

    def _publish_diagnostics(self) -> None:
        snap = self.stats.snapshot()
        now = time.monotonic()
        # The namespace is part of the name: several cameras, several segmenters, distinct statuses.
        name = f"{self.get_fully_qualified_name().lstrip('/')}: segmentation"
        status = DiagnosticStatus(name=name, hardware_id=self.segmenter.device)
        if snap.received == 0:
            status.level = DiagnosticStatus.STALE
            status.message = f"waiting for images on {self.image_sub.topic_name}"
        elif now - self._last_error_time < max(self.diagnostics_period, NO_INPUT_WARN_S):
            status.level = DiagnosticStatus.WARN
            status.message = self._last_error
        elif snap.input_rate_hz == 0.0:
            status.level = DiagnosticStatus.WARN
            status.message = f"no images on {self.image_sub.topic_name} for {NO_INPUT_WARN_S:.0f}+ s"
        else:
            status.level = DiagnosticStatus.OK
            status.message = f"{snap.input_rate_hz:.1f} Hz in, {snap.output_rate_hz:.1f} Hz out"
        facts = self.segmenter.describe()
        values = snap.as_dict()
        values.update({
            "device": facts["device"],
            "backend": facts["backend"],
            "half precision": facts["half"],
            "int8": facts["int8"],
            "model file": facts["weights"],
            "network input size": facts["input_size"],
            "input topic": self.image_sub.topic_name,
            "input encoding": self._last_encoding or "n/a",
            "input resolution": f"{self._last_size[1]}x{self._last_size[0]}" if self._last_size else "n/a",
            "processing time (ms, last frame)": ", ".join(f"{k} {v:.1f}" for k, v in self._last_timings.items())
            or "n/a",
            "network passes (last frame)": f"{self._last_passes} (horizon_roll_search {self.segmenter.roll_search})",
            "horizon": self._last_horizon,
            "camera_info": self._camera_info_state(),
            "attitude (imu)": self.imu.state(),
            "last error": self._last_error or "none",
        })
        status.values = [KeyValue(key=k, value=v) for k, v in values.items()]
        array = DiagnosticArray(status=[status])
        array.header.stamp = self.get_clock().now().to_msg()
        self.diagnostics_pub.publish(array)

    def _camera_info_state(self) -> str:
        if self._camera_info_problem:
            earlier = "; an earlier one is in use" if self._camera_info is not None else ""
            return f"ignored: {self._camera_info_problem}{earlier}"
        return "received" if self._camera_info is not None else "not received"

    # ------------------------------------------------------------------------------------ shutdown

    def _stop_worker(self) -> None:
        stop = getattr(self, "_stop", None)
        if stop is None:
            return
        stop.set()
        with self._slot_lock:
            self._slot_lock.notify_all()
        for worker in getattr(self, "_workers", []):
            if worker is not threading.current_thread():
                worker.join(timeout=5.0)

    def destroy_node(self) -> None:
        self._stop_worker()
        super().destroy_node()


_ROS_UP = threading.Event()


def _interrupt_before_ros(signum: int, frame: object) -> None:
    """Ctrl-C as KeyboardInterrupt until rclpy is up; from then on rclpy's own handler is the answer.

    rclpy's handler (installed by ``rclpy.init``, chaining to this one) shuts the context down, so
    ``spin`` ends with ExternalShutdownException. Raising here as well would land in whatever runs
    when Python gets to it: often the clean-up, as a traceback, and under ros2 launch Ctrl-C arrives
    twice (the terminal's, then launch's own).
    """
    if not _ROS_UP.is_set():
        raise KeyboardInterrupt


def main(args: list[str] | None = None) -> int:
    """Entry point of ``ros2 run seasky_ros segment_node`` and ``python -m seasky_ros.node``."""
    problem = params_file_problem(list(sys.argv if args is None else args))
    if problem is not None:
        rclpy.logging.get_logger(NODE_NAME).fatal(f"cannot start: {problem}")
        return 1
    profile_note = use_shipped_fastdds_profile(os.environ)
    # the core's warnings reach the node's ROS log (Segmenter.warnings), not stderr a second time
    logging.getLogger("seasky_ros").addHandler(logging.NullHandler())
    signal.signal(signal.SIGINT, _interrupt_before_ros)
    try:
        rclpy.init(args=args)
    except RuntimeError as exc:  # rcl cannot parse the ROS arguments
        rclpy.logging.get_logger(NODE_NAME).fatal(f"cannot start: {' '.join(str(exc).split())}")
        return 1
    _ROS_UP.set()
    if profile_note:
        rclpy.logging.get_logger(NODE_NAME).info(profile_note)
    node = None
    try:
        node = SegmentNode()
        rclpy.spin(node)
    except StartupError as exc:
        rclpy.logging.get_logger(NODE_NAME).fatal(f"cannot start: {exc}")
        return 1
    except (KeyboardInterrupt, ExternalShutdownException):
        pass  # Ctrl-C or a shutdown from outside: the clean-up below is the whole answer
    except RuntimeError:
        # a signal can shut the context down while spin() builds its wait set (rclpy raises
        # RCLError, a RuntimeError): that is a shutdown too, anything else is a real error
        if rclpy.ok():
            raise
    finally:
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown()
        # the interpreter's exit resets Python-level handlers to the default, under which a Ctrl-C
        # arriving while it exits kills the process (exit -2); the process is ending, so ignore it
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return 0


if __name__ == "__main__":
    sys.exit(main())
