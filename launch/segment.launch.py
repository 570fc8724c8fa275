# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Launch the seasky_ros segmenter for one infrared camera.

    ros2 launch seasky_ros segment.launch.py image_topic:=/ir/image_raw

Parameters come from ``params_file`` (the package's config/segment.yaml by default). The
``weights``, ``device`` and ``publish_overlay`` arguments override it only when they are given:
left empty, the params file's value stands, so a site's own params file is never overridden
by a launch default behind its back. ``use_sim_time`` is always passed (default false). For
compressed input set ``input_compressed: true`` in the params file: ``<image_topic>/compressed``
is remapped as well. ``camera_info_topic`` follows image_transport's convention unless given:
``camera_info`` beside the image topic (``/ir/image_raw`` -> ``/ir/camera_info``).
``imu_topic`` (sensor_msgs/Imu with orientation), when given, is remapped to the node's ``imu``
and turns ``use_imu`` on: the attitude then refuses lines far from the horizon and finds faint
ones along it (the camera's mount and the IMU's error are parameters of the params file).

A node that exits with an error (it cannot start: weights, device, parameters; or it crashes)
ends the launch with a non-zero exit code, so a script or a systemd unit sees the failure; the
node's own last line says why.

``fastdds_profile`` (default: the shipped config/fastdds_large_frames.xml; empty = leave the
environment alone) is given to the node as its Fast DDS default profile: a larger shared-memory
segment, so full-resolution frames and the ~1 MB overlay are not fragmented over UDP and lost
with best-effort QoS. It only helps what the node *publishes*; start the camera driver or
``ros2 bag play`` with the same file. Fast DDS 2.x (Humble, Jazzy) reads
FASTRTPS_DEFAULT_PROFILES_FILE, Fast DDS 3 (Kilted on) FASTDDS_DEFAULT_PROFILES_FILE.

Only launch APIs that exist since Humble are used.
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch.actions import DeclareLaunchArgument, OpaqueFunction, RegisterEventHandler
from launch.event_handlers import OnProcessExit
from launch.launch_context import LaunchContext
from launch.launch_description import LaunchDescription
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from seasky_ros.interface import NODE_NAME, PARAMS_FILE


def parameter_overrides(values: dict) -> dict:
    """Launch-argument strings -> parameters applied over the params file; empty ones are not applied."""

    def as_bool(name: str, text: str) -> bool:
        word = text.strip().lower()
        if word in ("true", "1", "yes", "on"):
            return True
        if word in ("false", "0", "no", "off"):
            return False
        raise ValueError(f"launch argument '{name}' must be true or false, got '{text}'")

    overrides = {"use_sim_time": as_bool("use_sim_time", values["use_sim_time"])}
    for name in ("weights", "device"):
        if values[name].strip():
            overrides[name] = values[name].strip()
    if values["publish_overlay"].strip():
        overrides["publish_overlay"] = as_bool("publish_overlay", values["publish_overlay"])
    if values["imu_topic"].strip():
        overrides["use_imu"] = True
    return overrides


def fastdds_environment(profile: str, ros_distro: str) -> dict:
    """The variable(s) that make ``profile`` the Fast DDS default profile on this ROS distribution."""
    if not profile.strip():
        return {}
    if ros_distro in ("humble", "iron", "jazzy"):  # Fast DDS 2.x
        return {"FASTRTPS_DEFAULT_PROFILES_FILE": profile}
    if ros_distro:  # Fast DDS 3: the old name still works there, but is deprecated
        return {"FASTDDS_DEFAULT_PROFILES_FILE": profile}
    return {"FASTDDS_DEFAULT_PROFILES_FILE": profile, "FASTRTPS_DEFAULT_PROFILES_FILE": profile}


LOG_LEVELS = ("debug", "info", "warn", "error", "fatal")


def log_level(text: str) -> str:
    """The node's log level, refused here: rcl would reject it inside the node, which dies while launch goes on."""
    level = text.strip().lower()
    if level not in LOG_LEVELS:
        raise ValueError(f"launch argument 'log_level' must be one of {', '.join(LOG_LEVELS)}, got '{text}'")
    return level


def camera_info_topic(image_topic: str, given: str) -> str:
    """image_transport's convention: ``camera_info`` in the image topic's namespace, unless given."""
    if given.strip():
        return given.strip()
    head, slash, _ = image_topic.rpartition("/")
    return f"{head}/camera_info" if slash else "camera_info"


def remappings(image_topic: str, camera_info: str, imu_topic: str = "") -> list[tuple[str, str]]:
    """The node's relative input topics -> the camera's (and the IMU's, when given) topics."""
    image_topic = image_topic.strip().rstrip("/")
    pairs = [
        ("image", image_topic),
        ("image/compressed", image_topic + "/compressed"),
        ("camera_info", camera_info_topic(image_topic, camera_info)),
    ]
    return pairs + ([("imu", imu_topic.strip())] if imu_topic.strip() else [])


def exit_error(returncode: int | None, shutting_down: bool) -> str | None:
    """Why the launch must fail when the node exited, or None: a clean exit, or one during shutdown."""
    if shutting_down or not returncode:
        return None
    return (f"segment_node exited with code {returncode} (the reason is on its last line above); "
            "ending the launch with an error")


def _fail_on_node_error(event, context: LaunchContext) -> None:
    # launch's own way to end non-zero: an exception in an event handler is logged as one
    # [ERROR] line, shuts the launch down and makes LaunchService.run() return 1
    message = exit_error(event.returncode, context.is_shutdown)
    if message:
        raise RuntimeError(message)


def launch_node(context: LaunchContext) -> list:
    values = {
        name: LaunchConfiguration(name).perform(context)
        for name in ("image_topic", "camera_info_topic", "namespace", "params_file", "weights", "device",
                     "use_sim_time", "log_level", "fastdds_profile", "publish_overlay", "imu_topic")
    }
    # launch_ros only warns about a missing parameters file and starts the node without it
    if not os.path.isfile(values["params_file"]):
        raise FileNotFoundError(f"launch argument 'params_file': no such file '{values['params_file']}'")
    node = Node(
        package="seasky_ros",
        executable="segment_node",
        name=NODE_NAME,
        namespace=values["namespace"],
        parameters=[values["params_file"], parameter_overrides(values)],
        remappings=remappings(values["image_topic"], values["camera_info_topic"], values["imu_topic"]),
        arguments=["--ros-args", "--log-level", log_level(values["log_level"])],
        additional_env=fastdds_environment(values["fastdds_profile"], context.environment.get("ROS_DISTRO", "")),
        output="screen",
    )
    return [node, RegisterEventHandler(OnProcessExit(target_action=node, on_exit=_fail_on_node_error))]


def generate_launch_description() -> LaunchDescription:
    share = get_package_share_directory("seasky_ros")
    return LaunchDescription([
        DeclareLaunchArgument("image_topic", default_value="/camera/image_raw",
                              description="Input sensor_msgs/Image topic (<image_topic>/compressed for "
                                          "compressed input)"),
        DeclareLaunchArgument("camera_info_topic", default_value="",
                              description="CameraInfo topic; with it the node publishes roll and pitch. "
                                          "Empty = camera_info beside image_topic (image_transport)"),
        DeclareLaunchArgument("imu_topic", default_value="",
                              description="sensor_msgs/Imu topic with orientation: given, the node uses the "
                                          "attitude (use_imu); empty = as in params_file"),
        DeclareLaunchArgument("namespace", default_value="", description="Namespace of the node"),
        DeclareLaunchArgument("params_file", default_value=os.path.join(share, "config", PARAMS_FILE),
                              description="ROS 2 parameters file for the node"),
        DeclareLaunchArgument("weights", default_value="",
                              description="Weights file (.pt or .onnx); empty = as in params_file"),
        DeclareLaunchArgument("device", default_value="",
                              description="auto, cpu, cuda or cuda:N; empty = as in params_file"),
        DeclareLaunchArgument("use_sim_time", default_value="false",
                              description="Use /clock (e.g. ros2 bag play --clock)"),
        DeclareLaunchArgument("log_level", default_value="info", description="debug, info, warn, error or fatal"),
        DeclareLaunchArgument("fastdds_profile",
                              default_value=os.path.join(share, "config", "fastdds_large_frames.xml"),
                              description="Fast DDS XML profile for the node; empty = leave the environment alone"),
        DeclareLaunchArgument("publish_overlay", default_value="",
                              description="true or false: render ~/overlay while it has subscribers; "
                                          "empty = as in params_file"),
        OpaqueFunction(function=launch_node),
    ])
