# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The node's names as the outside sees them: node name, topics, QoS kinds, shipped config files.

One place for them, read by the node, the launch file, ``seasky-bag``, the demo, the benchmark
and the tests, so a rename cannot leave one of them listening on the old topic.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

PACKAGE = "seasky_ros"
NODE_NAME = "seasky_segmenter"
# output topics, relative to the node (``~/<name>``)
OUTPUT_NAMES = {"mask": "mask", "horizon": "horizon", "attitude": "horizon_attitude", "overlay": "overlay"}
# the same with the default node name, as a recording or a subscriber sees them
OUTPUT_TOPICS = {key: f"/{NODE_NAME}/{name}" for key, name in OUTPUT_NAMES.items()}
DIAGNOSTICS_TOPIC = "/diagnostics"

QOS_SENSOR = "sensor_data"  # best effort keep-last: what cameras publish, matches every publisher
QOS_RELIABLE = "reliable"
QOS_KINDS = (QOS_SENSOR, QOS_RELIABLE)

PARAMS_FILE = "segment.yaml"
FASTDDS_PROFILE = "fastdds_large_frames.xml"
CONFIG_ENV = "SEASKY_CONFIG_DIR"  # a config directory of one's own, searched first


def qos_profile(kind: str, depth: int):
    """Keep-last ``depth``, volatile; best effort for ``sensor_data``, reliable for ``reliable``."""
    from rclpy.qos import DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy

    if kind not in QOS_KINDS:
        raise ValueError(f"QoS must be one of {', '.join(QOS_KINDS)}, got '{kind}'")
    reliability = ReliabilityPolicy.BEST_EFFORT if kind == QOS_SENSOR else ReliabilityPolicy.RELIABLE
    return QoSProfile(history=HistoryPolicy.KEEP_LAST, depth=depth, reliability=reliability,
                      durability=DurabilityPolicy.VOLATILE)


def config_dirs() -> list[Path]:
    """Where the shipped config files are looked for, in order.

    ``$SEASKY_CONFIG_DIR``; the colcon install's share directory; the source tree next to the
    package (a checkout); a pip install's ``<prefix>/share/seasky_ros/config`` (setup.py's data_files).
    """
    dirs = [Path(os.environ[CONFIG_ENV])] if os.environ.get(CONFIG_ENV) else []
    try:
        from ament_index_python.packages import PackageNotFoundError, get_package_share_directory

        with contextlib.suppress(PackageNotFoundError, OSError):  # OSError: no AMENT_PREFIX_PATH
            dirs.append(Path(get_package_share_directory(PACKAGE)) / "config")
    except ImportError:  # no ament index: a pip install or a checkout
        pass
    dirs.append(Path(__file__).resolve().parents[1] / "config")
    dirs.append(Path(sys.prefix) / "share" / PACKAGE / "config")
    return dirs


def shipped_config(name: str) -> Path:
    """A file of the package's config/ (see ``config_dirs``); FileNotFoundError names where it was looked for."""
    dirs = config_dirs()
    for directory in dirs:
        if (directory / name).is_file():
            return directory / name
    raise FileNotFoundError(f"config file {name} not found in {', '.join(map(str, dirs))} (set {CONFIG_ENV})")
