# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""``seasky-bag play``: publish a bag over DDS with its own timing.

The demo and the benchmark use it in place of ``ros2 bag play``, which needs a full ROS install.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from .bag_io import COMPRESSED, IMAGE, BagError, BagReader, deserialize, message_class, set_stamp, stamp_ns
from .interface import QOS_RELIABLE, QOS_SENSOR, qos_profile


@dataclass
class PlayStats:
    """What a replay published; ``stamps`` pairs each frame's bag header stamp with the one sent."""

    published: dict[str, int] = field(default_factory=dict)
    stamps: list[tuple[int, int]] = field(default_factory=list)
    wall_start: float = 0.0
    wall_end: float = 0.0
    late_ms_max: float = 0.0

    def to_json(self) -> dict:
        return asdict(self)


def play(
    bag_path: str | os.PathLike,
    topics: Sequence[str] | None = None,
    *,
    rate_scale: float = 1.0,
    qos: str = QOS_SENSOR,
    restamp: bool = False,
    frame_topic: str | None = None,
    wait_subscribers: int = 0,
    wait_timeout: float = 30.0,
    settle_s: float = 0.5,
) -> PlayStats:
    """Publish a bag's messages with its timing (``rate_scale`` 2 = twice as fast).

    ``restamp`` replaces every header stamp by the wall-clock time at publication (messages
    that shared a stamp in the bag share the new one), so subscribers can measure latency.
    Before starting, waits until ``frame_topic`` (default: the first image topic) has
    ``wait_subscribers`` matched subscriptions. Call inside ``rclpy.init``/``shutdown``.
    """
    import rclpy
    from rclpy.duration import Duration

    if rate_scale <= 0:
        raise ValueError(f"rate scale must be positive, got {rate_scale}")
    stats = PlayStats()
    node = rclpy.create_node("seasky_bag_player")
    try:
        with BagReader(bag_path) as reader:
            available = {t.name: t.msgtype for t in reader.topics}
            chosen = list(topics) if topics else sorted(available)
            missing = [t for t in chosen if t not in available]
            if missing:
                raise BagError(f"{bag_path}: no topic(s) {', '.join(missing)} (has {', '.join(sorted(available))})")
            classes = {t: message_class(available[t]) for t in chosen}
            publishers = {t: node.create_publisher(classes[t], t, qos_profile(qos, depth=5)) for t in chosen}
            if frame_topic is None:
                frame_topic = next((t for t in chosen if available[t] in (IMAGE, COMPRESSED)), chosen[0])
            stats.published = dict.fromkeys(chosen, 0)
            _wait_for_subscribers(publishers[frame_topic], wait_subscribers, wait_timeout, frame_topic)
            if settle_s > 0:
                time.sleep(settle_s)
            new_stamps: dict[int, int] = {}
            t0_wall = time.perf_counter()
            stats.wall_start = time.time()
            t0_bag = None
            for topic, _msgtype, timestamp, data in reader.messages(chosen):
                if t0_bag is None:
                    t0_bag = timestamp
                due = t0_wall + (timestamp - t0_bag) / 1e9 / rate_scale
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                else:
                    stats.late_ms_max = max(stats.late_ms_max, -delay * 1e3)
                msg = deserialize(data, classes[topic])
                header = getattr(msg, "header", None)
                if restamp and header is not None:
                    original = stamp_ns(header.stamp)
                    if original not in new_stamps:
                        new_stamps = {original: time.time_ns()}  # a frame's messages are consecutive in a bag
                    set_stamp(header.stamp, new_stamps[original])
                    if topic == frame_topic:
                        stats.stamps.append((original, new_stamps[original]))
                elif topic == frame_topic and header is not None:
                    stats.stamps.append((stamp_ns(header.stamp), stamp_ns(header.stamp)))
                publishers[topic].publish(msg)
                stats.published[topic] += 1
            stats.wall_end = time.time()
            if qos == QOS_RELIABLE:
                for publisher in publishers.values():
                    publisher.wait_for_all_acked(Duration(seconds=5))
    finally:
        node.destroy_node()
    return stats


def _wait_for_subscribers(publisher, count: int, timeout: float, topic: str) -> None:
    deadline = time.monotonic() + timeout
    while publisher.get_subscription_count() < count:
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"no subscriber on {topic} after {timeout:.0f} s "
                f"({publisher.get_subscription_count()} of {count}); is the node running on this ROS_DOMAIN_ID?"
            )
        time.sleep(0.05)
