# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Large frames between processes over DDS, with and without the shipped Fast DDS profile.

A 640x512 mono16 frame (655 KB) exceeds Fast DDS's default 512 KB shared-memory segment, so a
publisher without ``config/fastdds_large_frames.xml`` sends it as fragmented UDP, where best
effort loses frames once the machine is busy. How many it loses depends on the machine and its
load, so ``seasky-bench`` measures it (this module) and no test asserts it.

    python -m seasky_ros.bench_transport publish TOPIC COUNT RATE_HZ   # waits for a subscriber first
    python -m seasky_ros.bench_transport receive TOPIC SECONDS         # prints how many frames came
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import numpy as np

FRAME_HW = (512, 640)


def _qos():
    from rclpy.qos import HistoryPolicy, QoSProfile, ReliabilityPolicy

    return QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=5, reliability=ReliabilityPolicy.BEST_EFFORT)


def publish(topic: str, count: int, rate_hz: float) -> None:
    """``count`` mono16 frames at ``rate_hz``, best effort, stamped 1000 s + index, once a subscriber matched."""
    import rclpy
    from sensor_msgs.msg import Image
    from std_msgs.msg import Header

    from .ros_image import numpy_to_image

    rclpy.init()
    node = rclpy.create_node("frame_source")
    pub = node.create_publisher(Image, topic, _qos())
    deadline = time.monotonic() + 30
    while pub.get_subscription_count() == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    image = np.random.default_rng(0).integers(7000, 9000, FRAME_HW, dtype=np.uint16)
    start = time.monotonic()
    for i in range(count):
        header = Header(frame_id="ir")
        header.stamp.sec, header.stamp.nanosec = 1000 + i, 0
        pub.publish(numpy_to_image(image, "mono16", header))
        time.sleep(max(0.0, start + (i + 1) / rate_hz - time.monotonic()))
    time.sleep(1.0)
    node.destroy_node()
    rclpy.shutdown()


def receive(topic: str, seconds: float) -> int:
    """Frames received on ``topic`` within ``seconds``, or until 3 s pass without one after the first."""
    import rclpy
    from sensor_msgs.msg import Image

    rclpy.init()
    node = rclpy.create_node("frame_sink")
    stamps: set[int] = set()
    last = [0.0]

    def on_frame(msg) -> None:
        stamps.add(msg.header.stamp.sec)
        last[0] = time.monotonic()

    node.create_subscription(Image, topic, on_frame, _qos())
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not (stamps and time.monotonic() - last[0] > 3.0):
        rclpy.spin_once(node, timeout_sec=0.1)
    node.destroy_node()
    rclpy.shutdown()
    return len(stamps)


def delivery(count: int, rate_hz: float, domain_id: int, publisher_profile: bool) -> int:
    """How many of ``count`` frames sent at ``rate_hz`` arrive in another process; the receiver always
    has the profile, the publisher only with ``publisher_profile``."""
    from .live import ros_env

    env = ros_env(domain_id)
    publisher_env = dict(env)
    if not publisher_profile:
        publisher_env.pop("FASTDDS_DEFAULT_PROFILES_FILE", None)
    topic = f"/seasky_transport_{os.getpid()}_{int(publisher_profile)}"
    module = [sys.executable, "-m", "seasky_ros.bench_transport"]
    seconds = count / rate_hz + 40
    receiver = subprocess.Popen([*module, "receive", topic, str(seconds)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        subprocess.run([*module, "publish", topic, str(count), str(rate_hz)], env=publisher_env, check=True,
                       timeout=seconds, stdout=subprocess.DEVNULL)
        out, _ = receiver.communicate(timeout=seconds)
    finally:
        if receiver.poll() is None:
            receiver.kill()
            receiver.wait()
    return int(out.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    if len(argv) == 4 and argv[0] == "publish":
        publish(argv[1], int(argv[2]), float(argv[3]))
        return 0
    if len(argv) == 3 and argv[0] == "receive":
        print(receive(argv[1], float(argv[2])), flush=True)
        return 0
    print(f"usage: python -m seasky_ros.bench_transport publish TOPIC COUNT RATE_HZ | receive TOPIC SECONDS "
          f"(got {' '.join(argv)})", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

