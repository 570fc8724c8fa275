# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The live harness: the segmenter node as a child process, a bag replayed into it over real DDS,
its outputs recorded in this process.

``seasky_ros.demo`` (the main job) and ``seasky-bench`` (end-to-end figures) both run it, so it
lives below both tools. Both processes that publish large frames (player and node) get the
shipped Fast DDS profile through FASTDDS_DEFAULT_PROFILES_FILE: a 640x512 mono16 frame does not
fit the default shared-memory segment, and best-effort delivery then silently loses most frames.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .bag_io import BagWriter, stamp_ns
from .bag_sample import SAMPLE_TOPICS
from .interface import FASTDDS_PROFILE, OUTPUT_TOPICS, PARAMS_FILE, QOS_SENSOR, qos_profile, shipped_config

# where this seasky_ros was imported from (a checkout or site-packages): child processes run the same code
PACKAGE_PARENT = Path(__file__).resolve().parents[1]
LAUNCH_PARAMETERS = ("weights", "device", "publish_overlay")


def beyond_launch(params: dict[str, object] | None) -> list[str]:
    """The parameters ``ros2 launch`` cannot pass (it has arguments for ``LAUNCH_PARAMETERS`` only)."""
    return sorted(set(params or ()) - set(LAUNCH_PARAMETERS))


def check_launch(params: dict[str, object] | None, use_launch: bool | None) -> None:
    """ValueError where launch is asked for and ``params`` holds some it cannot pass: refused, not dropped."""
    if use_launch and (beyond := beyond_launch(params)):
        raise ValueError(f"ros2 launch passes only the parameters {', '.join(LAUNCH_PARAMETERS)} "
                         f"(not {', '.join(beyond)}); start the node without launch to set them")


def pick_domain_id(offset: int = 0) -> int:
    """A ROS_DOMAIN_ID of its own (100..199, by process id) so parallel runs do not cross-talk."""
    if os.environ.get("SEASKY_DEMO_DOMAIN_ID"):
        return int(os.environ["SEASKY_DEMO_DOMAIN_ID"])
    return 100 + (os.getpid() + offset) % 100


def ros_env(domain_id: int) -> dict[str, str]:
    """Environment for every DDS process of a run: domain, RMW, Fast DDS profile, import path."""
    env = dict(os.environ)
    env["ROS_DOMAIN_ID"] = str(domain_id)
    env["RMW_IMPLEMENTATION"] = "rmw_fastrtps_cpp"
    env["FASTDDS_DEFAULT_PROFILES_FILE"] = str(shipped_config(FASTDDS_PROFILE))
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE_PARENT), env.get("PYTHONPATH", "")) if p)
    return env


def _launch_available() -> bool:
    import importlib.util

    return shutil.which("ros2") is not None and importlib.util.find_spec("launch_ros") is not None


def _python_entry(module: str, function: str = "main") -> list[str]:
    """Run ``module.function()`` with this interpreter: works without the package installed."""
    return [sys.executable, "-c", f"import sys; from {module} import {function}; sys.exit({function}())"]


def _shipped_params() -> Path:
    """The shipped parameter file, or a path that does not exist (the node then runs on its defaults)."""
    try:
        return shipped_config(PARAMS_FILE)
    except FileNotFoundError:
        return Path(PARAMS_FILE)


class NodeProcess:
    """The segmenter node as a child process, stopped with SIGINT like Ctrl-C would."""

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        remaps: dict[str, str] | None = None,
        params: dict[str, object] | None = None,
        params_file: Path | None = None,
        use_launch: bool | None = None,
    ) -> None:
        self.env = env
        self.log_path = Path(log_path)
        self.remaps = remaps or {}
        self.params = params or {}
        self.params_file = params_file or _shipped_params()
        check_launch(self.params, use_launch)
        if use_launch is None:
            use_launch = not beyond_launch(self.params) and _launch_available()
        self.use_launch = use_launch
        self.proc: subprocess.Popen | None = None
        self._log = None

    def command(self) -> list[str]:
        if self.use_launch:  # the launch file's arguments: <name>_topic for remaps, a few parameters
            args = [f"{k}_topic:={v}" for k, v in self.remaps.items()]
            args += [f"{k}:={v}" for k, v in self.params.items()]  # __init__ let only launch arguments through
            if self.params_file.is_file():
                args.append(f"params_file:={self.params_file}")
            return ["ros2", "launch", "seasky_ros", "segment.launch.py", *args]
        script = shutil.which("segment_node") or shutil.which("segment_node", path=str(Path(sys.executable).parent))
        cmd = [script] if script else _python_entry("seasky_ros.node")
        cmd += ["--ros-args"]
        if self.params_file.is_file():
            cmd += ["--params-file", str(self.params_file)]
        for src, dst in self.remaps.items():
            cmd += ["-r", f"{src}:={dst}"]
        for key, value in self.params.items():
            cmd += ["-p", f"{key}:={value}"]
        return cmd

    def start(self) -> NodeProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - lives as long as the process
        self.proc = subprocess.Popen(
            self.command(), env=self.env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def node_pid(self) -> int | None:
        """The process that runs the node (under ``ros2 launch`` it is a child of the launcher)."""
        if self.proc is None:
            return None
        if not self.use_launch:
            return self.proc.pid
        import psutil

        try:
            for child in psutil.Process(self.proc.pid).children(recursive=True):
                if any("segment_node" in part for part in child.cmdline()):
                    return child.pid
        except psutil.Error:
            return None
        return None

    def log_tail(self, lines: int = 20) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGINT, then SIGTERM, then SIGKILL if it will not go; returns the exit status."""
        proc = self.proc
        if proc is None:
            return None
        try:
            for sig, wait in ((signal.SIGINT, timeout), (signal.SIGTERM, 5.0), (signal.SIGKILL, 5.0)):
                if proc.poll() is not None:
                    break
                proc.send_signal(sig)
                try:
                    proc.wait(wait)
                except subprocess.TimeoutExpired:
                    continue
        finally:
            if self._log is not None:
                self._log.close()
                self._log = None
        return proc.returncode


@dataclass
class Received:
    """One output frame as it arrived: header stamp, wall-clock receipt, horizon points."""

    stamp_ns: int
    received_ns: int
    horizon: tuple[float, float, float, float] | None


class OutputRecorder:
    """Subscribes to the node's outputs in this process (best effort: matches any publisher).

    Keeps every horizon with its receipt time, every ``mask_stride``-th mask (0: none), and
    with ``record`` writes everything received to that bag (bag time = receipt time).
    """

    def __init__(self, node, mask_stride: int = 0, record: BagWriter | None = None, qos: str = QOS_SENSOR) -> None:
        from geometry_msgs.msg import PolygonStamped, Vector3Stamped
        from sensor_msgs.msg import Image

        self.node = node
        self.mask_stride = int(mask_stride)
        self.record = record
        self.horizons: dict[int, Received] = {}
        self.masks: dict[int, object] = {}
        self.mask_count = 0
        self.last_receipt = time.monotonic()
        self._lock = threading.Lock()
        qos = qos_profile(qos, depth=100)
        self.horizon_sub = node.create_subscription(PolygonStamped, OUTPUT_TOPICS["horizon"], self._on_horizon, qos)
        self.mask_sub = node.create_subscription(Image, OUTPUT_TOPICS["mask"], self._on_mask, qos)
        if record is not None:
            node.create_subscription(Vector3Stamped, OUTPUT_TOPICS["attitude"], self._on_attitude, qos)

    def _record(self, topic: str, received_ns: int, msg) -> None:
        if self.record is not None:
            self.record.write(topic, received_ns, msg)

    def _on_horizon(self, msg) -> None:
        received = time.time_ns()
        points = msg.polygon.points
        line = None
        if len(points) >= 2:
            line = (float(points[0].x), float(points[0].y), float(points[-1].x), float(points[-1].y))
        with self._lock:
            self.horizons[stamp_ns(msg.header.stamp)] = Received(stamp_ns(msg.header.stamp), received, line)
            self.last_receipt = time.monotonic()
            self._record(OUTPUT_TOPICS["horizon"], received, msg)

    def _on_attitude(self, msg) -> None:
        received = time.time_ns()
        with self._lock:
            self._record(OUTPUT_TOPICS["attitude"], received, msg)

    def _on_mask(self, msg) -> None:
        received = time.time_ns()
        stamp = stamp_ns(msg.header.stamp)
        with self._lock:
            self._record(OUTPUT_TOPICS["mask"], received, msg)
            if self.mask_stride > 0 and self.mask_count % self.mask_stride == 0:
                self.masks[stamp] = msg
            self.mask_count += 1
            self.last_receipt = time.monotonic()

    def snapshot(self) -> tuple[dict[int, Received], dict[int, object], int]:
        """Horizons and kept masks by sent stamp, and how many masks arrived."""
        with self._lock:
            return dict(self.horizons), dict(self.masks), self.mask_count

    def node_is_up(self) -> bool:
        return self.horizon_sub.get_publisher_count() > 0 and self.mask_sub.get_publisher_count() > 0


@dataclass
class LiveResult:
    """What one replay into the live node gave."""

    frames_in: int = 0
    frames_out: int = 0
    masks_out: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    stamp_map: dict[int, int] = field(default_factory=dict)  # sent stamp -> bag stamp
    received: dict[int, Received] = field(default_factory=dict)  # keyed by bag stamp
    masks: dict[int, object] = field(default_factory=dict)  # keyed by bag stamp
    input_rate_hz: float = math.nan
    output_rate_hz: float = math.nan
    node_cpu_idle_pct: float = math.nan
    node_cpu_run_pct: float = math.nan
    node_rss_start_mb: float = math.nan
    node_rss_end_mb: float = math.nan
    system_cpu_pct: float = math.nan  # whole machine while streaming (100 % = all cores busy)
    load_avg_1min: float = math.nan  # at the end of the stream: other work competing for the cores
    node_exit_code: int | None = None
    node_command: str = ""
    node_log: str = ""
    player_late_ms_max: float = math.nan

    @property
    def drops(self) -> int:
        return self.frames_in - self.frames_out

    def node_log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(Path(self.node_log).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def live_remaps(image_topic: str, camera_info_topic: str | None, imu_topic: str | None,
                node_params: dict[str, object] | None) -> dict[str, str]:
    """The node's input topics -> the bag's (the player replays these): the IMU only for a node with ``use_imu``."""
    remaps = {"image": image_topic}
    if camera_info_topic:
        remaps["camera_info"] = camera_info_topic
    if imu_topic and str((node_params or {}).get("use_imu", "")).lower() == "true":
        remaps["imu"] = imu_topic
    return remaps


def run_live(
    bag: Path,
    work_dir: Path,
    *,
    image_topic: str = SAMPLE_TOPICS["image"],
    camera_info_topic: str | None = SAMPLE_TOPICS["camera_info"],
    imu_topic: str | None = SAMPLE_TOPICS["imu"],
    rate_scale: float = 1.0,
    qos: str = QOS_SENSOR,
    restamp: bool = True,
    node_params: dict[str, object] | None = None,
    use_launch: bool | None = None,
    mask_stride: int = 0,
    record: BagWriter | None = None,
    domain_id: int | None = None,
    startup_timeout: float = 90.0,
    log: Callable[[str], None] = print,
) -> LiveResult:
    """Start the node, replay ``bag`` into it from a player process, record what comes out.

    ``imu_topic`` is remapped and replayed only for a node started with ``use_imu`` (the sample bag
    carries one): without it the node subscribes to no IMU and the replay stays as it was.
    """
    import psutil
    import rclpy
    from rclpy.executors import SingleThreadedExecutor

    work_dir.mkdir(parents=True, exist_ok=True)
    domain_id = pick_domain_id() if domain_id is None else domain_id
    env = ros_env(domain_id)
    remaps = live_remaps(image_topic, camera_info_topic, imu_topic, node_params)
    node_proc = NodeProcess(env, work_dir / "node.log", remaps=remaps, params=node_params, use_launch=use_launch)
    result = LiveResult(node_command=" ".join(node_proc.command()), node_log=str(node_proc.log_path))
    context = rclpy.Context()
    rclpy.init(args=[], context=context, domain_id=domain_id)
    executor = SingleThreadedExecutor(context=context)
    spin = None
    try:
        node = rclpy.create_node("seasky_demo_recorder", context=context)
        recorder = OutputRecorder(node, mask_stride=mask_stride, record=record, qos=qos)
        executor.add_node(node)
        spin = threading.Thread(target=_spin, args=(executor, context), daemon=True)
        spin.start()
        log(f"starting the node: {result.node_command}  (ROS_DOMAIN_ID={domain_id})")
        node_proc.start()
        deadline = time.monotonic() + startup_timeout
        while not recorder.node_is_up():
            if not node_proc.running:
                raise RuntimeError(f"the node exited during start-up; its log:\n{node_proc.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the node did not come up in {startup_timeout:.0f} s; its log:\n{node_proc.log_tail()}"
                )
            time.sleep(0.1)
        pid = node_proc.node_pid()
        proc = psutil.Process(pid) if pid else None
        if proc is not None:
            proc.cpu_percent(None)
            time.sleep(1.0)
            result.node_cpu_idle_pct = proc.cpu_percent(None)
            result.node_rss_start_mb = proc.memory_info().rss / 2**20
        stats_path = work_dir / "player_stats.json"
        player_cmd = [
            *_python_entry("seasky_ros.bag"), "play", str(bag), "--topics", *remaps.values(),
            "--rate-scale", str(rate_scale), "--qos", qos, "--wait-subscribers", "1", "--stats", str(stats_path),
            *(["--restamp"] if restamp else []),
        ]
        log(f"replaying {bag} at {rate_scale:g}x camera rate over DDS")
        psutil.cpu_percent(None)
        player = subprocess.run(player_cmd, env=env, capture_output=True, text=True, timeout=600)
        if player.returncode != 0:
            raise RuntimeError(f"the bag player failed ({player.returncode}):\n{player.stderr[-2000:]}")
        stats = json.loads(stats_path.read_text())
        result.player_late_ms_max = float(stats.get("late_ms_max", math.nan))
        result.stamp_map = {int(sent): int(orig) for orig, sent in stats["stamps"]}
        result.frames_in = len(result.stamp_map)
        span = stats["wall_end"] - stats["wall_start"]
        # drain: outputs still in flight or in the node's queue
        while time.monotonic() - recorder.last_receipt < 1.0 and node_proc.running:
            time.sleep(0.1)
        result.system_cpu_pct = psutil.cpu_percent(None)
        result.load_avg_1min = os.getloadavg()[0]
        if proc is not None and proc.is_running():
            result.node_cpu_run_pct = proc.cpu_percent(None)
            result.node_rss_end_mb = proc.memory_info().rss / 2**20
        received, masks_by_sent, result.masks_out = recorder.snapshot()
        for sent, item in received.items():
            if sent in result.stamp_map:
                result.received[result.stamp_map[sent]] = item
                result.latencies_ms.append((item.received_ns - sent) / 1e6)
        result.masks = {result.stamp_map[s]: m for s, m in masks_by_sent.items() if s in result.stamp_map}
        result.frames_out = len(result.received)
        if span > 0 and result.frames_in > 1:
            result.input_rate_hz = (result.frames_in - 1) / span
            result.output_rate_hz = result.input_rate_hz * result.frames_out / result.frames_in
    finally:
        result.node_exit_code = node_proc.stop()
        context.try_shutdown()
        if spin is not None:
            spin.join(timeout=5)
    return result


def _spin(executor, context) -> None:
    """Spin until shutdown; a failing callback is reported once and does not stop the recording."""
    reported = False
    while context.ok():
        try:
            executor.spin_once(timeout_sec=0.1)
        except Exception as exc:
            if not context.ok():
                return
            if not reported:
                print(f"[demo] recorder callback failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
                reported = True
