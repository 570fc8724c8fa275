# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""What the test_node*.py files share: the segmenter node over real DDS, a client node, and helpers.

Most checks run the node in this process on a MultiThreadedExecutor in a background thread,
next to a client node that publishes frames and subscribes to every output. Start-up failure
and clean shutdown on SIGINT/SIGTERM run it as a subprocess, like ``ros2 run`` would. Each test
module gets its own node and rclpy context (the fixtures in conftest.py are module-scoped) on
this run's own ROS_DOMAIN_ID, so nothing else interferes.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

rclpy = pytest.importorskip("rclpy")

from geometry_msgs.msg import PolygonStamped, Vector3Stamped  # noqa: E402
from rcl_interfaces.msg import Parameter as ParameterMsg  # noqa: E402
from rcl_interfaces.msg import ParameterType, ParameterValue  # noqa: E402
from rcl_interfaces.srv import SetParameters  # noqa: E402
from rclpy.context import Context  # noqa: E402
from rclpy.executors import ExternalShutdownException, MultiThreadedExecutor  # noqa: E402
from rclpy.parameter import Parameter  # noqa: E402
from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy  # noqa: E402
from sensor_msgs.msg import CameraInfo, Image  # noqa: E402
from std_msgs.msg import Header  # noqa: E402

from seasky_ros.horizon import horizon_from_points  # noqa: E402
from seasky_ros.node import SegmentNode  # noqa: E402
from seasky_ros.ros_image import numpy_to_image  # noqa: E402
from seasky_ros.segmenter import Segmenter  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
PROFILE = REPO / "config" / "fastdds_large_frames.xml"
PARAMS_FILE = REPO / "config" / "segment.yaml"
DOMAIN_ID = int(os.environ.get("SEASKY_TEST_DOMAIN_ID") or random.Random(os.getpid()).randint(100, 200))
H, W = 512, 640
NODE = "seasky_segmenter"


def qos(reliable: bool, depth: int = 1) -> QoSProfile:
    return QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=depth,
                      reliability=ReliabilityPolicy.RELIABLE if reliable else ReliabilityPolicy.BEST_EFFORT)


def wait_until(condition: Callable[[], object], timeout: float = 10.0, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())


def stamp_of(msg) -> int:
    return msg.header.stamp.sec * 10**9 + msg.header.stamp.nanosec


class Scene:
    """A rendered IR frame (14-bit counts, mono16) with its true horizon and intrinsics."""

    def __init__(self, seed: int, roll_deg: float, pitch_deg: float) -> None:
        from seasky_ros.synthetic import SceneParams, render_scene

        frame = render_scene(SceneParams(content_seed=seed, roll_deg=roll_deg, pitch_deg=pitch_deg), H, W,
                             np.random.default_rng(seed))
        assert frame.encoding == "mono16" and frame.horizon is not None
        self.image = frame.image
        self.truth = horizon_from_points(*frame.horizon, W, H)
        self.K = frame.params.camera_matrix(H, W)


class Collector:
    """Every message of one topic, by header stamp."""

    def __init__(self, node, msg_type, topic: str, reliable: bool = True) -> None:
        self.messages: dict[int, object] = {}
        self.order: list[object] = []
        self.receipts: dict[int, float] = {}
        self._lock = threading.Lock()
        self.sub = node.create_subscription(msg_type, topic, self._on_msg, qos(reliable, depth=50))

    def _on_msg(self, msg) -> None:
        with self._lock:
            self.messages[stamp_of(msg)] = msg
            self.receipts[stamp_of(msg)] = time.monotonic()
            self.order.append(msg)

    def get(self, stamp: int, timeout: float = 10.0):
        wait_until(lambda: stamp in self.messages, timeout)
        return self.messages.get(stamp)


class Harness:
    """The node under test, a client node, and helpers to talk to it."""

    def __init__(self, context: Context, executor: MultiThreadedExecutor, node: SegmentNode, client) -> None:
        self.context, self.executor, self.node, self.client = context, executor, node, client
        self._stamp = 1_700_000_000 * 10**9
        self.header_frame = "ir_camera"

    def header(self) -> Header:
        self._stamp += 33_333_333
        header = Header(frame_id=self.header_frame)
        header.stamp.sec, header.stamp.nanosec = divmod(self._stamp, 10**9)
        return header

    def frame(self, image: np.ndarray, encoding: str = "mono16") -> Image:
        return numpy_to_image(image, encoding, self.header())

    def publisher(self, topic: str, reliable: bool, msg_type=Image, node: SegmentNode | None = None):
        """A publisher that the node has matched (both ways), so the first message is not lost."""
        node = node or self.node
        before = node.image_sub.get_publisher_count() if msg_type is not CameraInfo else 0
        pub = self.client.create_publisher(msg_type, topic, qos(reliable))
        if msg_type is not CameraInfo:
            assert wait_until(lambda: pub.get_subscription_count() > 0), f"node did not match {topic}"
            assert wait_until(lambda: node.image_sub.get_publisher_count() > before)
        return pub

    def collector(self, msg_type, topic: str, reliable: bool = True) -> Collector:
        return Collector(self.client, msg_type, topic, reliable)

    def set_parameters(self, node_name: str, **values) -> list:
        """Through the node's real set_parameters service, like ``ros2 param set``."""
        client = self.client.create_client(SetParameters, f"/{node_name}/set_parameters")
        try:
            assert client.wait_for_service(timeout_sec=10.0)
            request = SetParameters.Request(parameters=[_parameter_msg(k.replace("__", "."), v)
                                                        for k, v in values.items()])
            future = client.call_async(request)
            assert wait_until(future.done, 10.0)
            return future.result().results
        finally:
            self.client.destroy_client(client)

    def start_node(self, namespace: str, **params) -> SegmentNode:
        node = SegmentNode(context=self.context, namespace=namespace,
                           parameter_overrides=[Parameter(k, value=v) for k, v in params.items()])
        self.executor.add_node(node)
        return node

    def stop_node(self, node: SegmentNode) -> None:
        """Detach, let the executor rebuild its wait set, then destroy: destroying a node that a
        spinning executor still waits on can raise in the executor thread (rclpy #1355, #1206)."""
        self.executor.remove_node(node)
        time.sleep(0.3)  # > the 0.1 s spin_once timeout of the fixture's loop
        node.destroy_node()


def _parameter_msg(name: str, value) -> ParameterMsg:
    if isinstance(value, bool):
        pv = ParameterValue(type=ParameterType.PARAMETER_BOOL, bool_value=value)
    elif isinstance(value, float):
        pv = ParameterValue(type=ParameterType.PARAMETER_DOUBLE, double_value=value)
    elif isinstance(value, int):
        pv = ParameterValue(type=ParameterType.PARAMETER_INTEGER, integer_value=value)
    elif isinstance(value, (list, tuple)) and all(isinstance(v, int) for v in value):
        pv = ParameterValue(type=ParameterType.PARAMETER_INTEGER_ARRAY, integer_array_value=list(value))
    elif isinstance(value, (list, tuple)):
        pv = ParameterValue(type=ParameterType.PARAMETER_DOUBLE_ARRAY, double_array_value=[float(v) for v in value])
    else:
        pv = ParameterValue(type=ParameterType.PARAMETER_STRING, string_value=str(value))
    return ParameterMsg(name=name, value=pv)


def ros_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "ROS_DOMAIN_ID": str(DOMAIN_ID),
        "FASTDDS_DEFAULT_PROFILES_FILE": str(PROFILE),
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
    })
    return env


def make_scenes() -> list[Scene]:
    """The `scenes` fixture: four frames at different roll and pitch."""
    return [Scene(i, roll, pitch) for i, (roll, pitch) in enumerate([(0, 0), (3, 1), (-4, -2), (2, 3)])]


@contextmanager
def running_node(trained_weights: Path) -> Iterator[Harness]:
    """The `ros` fixture: the node and a client spinning on their own context and domain until the block ends."""
    saved = {k: os.environ.get(k) for k in ("ROS_DOMAIN_ID", "FASTDDS_DEFAULT_PROFILES_FILE")}
    os.environ["ROS_DOMAIN_ID"] = str(DOMAIN_ID)
    os.environ["FASTDDS_DEFAULT_PROFILES_FILE"] = str(PROFILE)
    context = Context()
    rclpy.init(context=context, domain_id=DOMAIN_ID)
    executor = MultiThreadedExecutor(num_threads=4, context=context)
    # the 4-epoch test model's lines are ~20 px off, so their confidence is low by design: keep them all;
    # no temporal filter: these tests compare each frame's mask with the Segmenter's labels for that frame
    node = SegmentNode(context=context, parameter_overrides=[Parameter("weights", value=str(trained_weights)),
                                                             Parameter("min_horizon_confidence", value=0.0),
                                                             Parameter("temporal_filter_frames", value=0)])
    client = rclpy.create_node("seasky_test_client", context=context)
    executor.add_node(node)
    executor.add_node(client)
    def spin() -> None:
        """Spin until shutdown; an exception in a callback is printed instead of silently ending
        the thread, which would starve every later test of callbacks."""
        while context.ok():
            try:
                executor.spin_once(timeout_sec=0.1)
            except ExternalShutdownException:
                return
            except Exception:
                if not context.ok():
                    return
                print(f"executor callback failed:\n{traceback.format_exc()}", file=sys.stderr, flush=True)

    thread = threading.Thread(target=spin, daemon=True)
    thread.start()
    try:
        yield Harness(context, executor, node, client)
    finally:
        executor.shutdown(timeout_sec=5.0)
        node.destroy_node()
        client.destroy_node()
        rclpy.try_shutdown(context=context)
        thread.join(timeout=5.0)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def output_collectors(ros: Harness) -> dict[str, Collector]:
    """The `outputs` fixture: the node's mask, horizon and attitude topics, collected from the start."""
    return {
        "mask": ros.collector(Image, f"/{NODE}/mask"),
        "horizon": ros.collector(PolygonStamped, f"/{NODE}/horizon"),
        "attitude": ros.collector(Vector3Stamped, f"/{NODE}/horizon_attitude"),
    }


def offline_segmenter(trained_weights: Path) -> Segmenter:
    """The `offline` fixture: a Segmenter made the way the module's node makes its own (confidence threshold 0
    included), outside ROS: what the node must publish."""
    return Segmenter.from_file(trained_weights, min_horizon_confidence=0.0)


def send(ros: Harness, pub, msg, collector: Collector, timeout: float = 15.0):
    """Publish one frame and wait for its output (re-sent once in a while: best effort may lose it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pub.publish(msg)
        out = collector.get(stamp_of(msg), timeout=min(3.0, max(0.1, deadline - time.monotonic())))
        if out is not None:
            return out
    return None


def start_node_process(tmp_path: Path, name: str, *ros_args: str) -> tuple[subprocess.Popen, Path]:
    """The node as ``ros2 run`` starts it, on this run's domain, its output in a log file."""
    log = tmp_path / f"{name}.log"
    cmd = [sys.executable, "-m", "seasky_ros.node", "--ros-args", *ros_args]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=ros_env(), stdout=out, stderr=subprocess.STDOUT)
    return proc, log

