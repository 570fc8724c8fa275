# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The shipped Fast DDS profile for a node started without launch: full-size frames over shared memory."""

from __future__ import annotations

import os

from .interface import FASTDDS_PROFILE, shipped_config

FASTDDS_PROFILE_VARIABLES = ("FASTDDS_DEFAULT_PROFILES_FILE", "FASTRTPS_DEFAULT_PROFILES_FILE")


def use_shipped_fastdds_profile(environ: dict | os._Environ) -> str | None:
    """Point Fast DDS at the shipped large-frame profile when nothing chose one; returns the log line.

    The launch file does this for the node; a node started by its console script or ``ros2 run``
    would otherwise get Fast DDS's 512 KB shared-memory segment and lose most full-size frames
    over fragmented UDP. A variable already in the environment (even empty) is left alone, and
    so are other RMW implementations. Must run before ``rclpy.init`` creates the participant.
    """
    if any(name in environ for name in FASTDDS_PROFILE_VARIABLES):
        return None
    if environ.get("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp") not in ("rmw_fastrtps_cpp", "rmw_fastrtps_dynamic_cpp"):
        return None
    try:
        profile = shipped_config(FASTDDS_PROFILE)
    except FileNotFoundError:
        return None
    # Fast DDS 2.x (Humble, Jazzy) reads the old name, 3.x the new one and warns about the old. Unlike the
    # launch file (which sets both without ROS_DISTRO), no ROS_DISTRO here means the pip wheels: Kilted, 3.x
    name = FASTDDS_PROFILE_VARIABLES[environ.get("ROS_DISTRO", "") in ("humble", "iron", "jazzy")]
    environ[name] = str(profile)
    return (f"Fast DDS profile: the shipped {profile} (large frames over shared memory), as no profile was set; "
            f"set {name} to choose another, or to empty for none")
