"""Launch the seasky_ros segmenter for one infrared camera.

    ros2 launch seasky_ros segment.launch.py image_topic:=/ir/image_raw camera_info_topic:=/ir/camera_info

Parameters come from ``params_file`` (the package"s config/segment.yaml by default); the
``weights``, ``device``, ``publish_overlay`` and ``use_sim_time`` arguments are applied on top
of it, so they win over the file (their defaults equal the file"s). For compressed input set
``input_compressed: true`` in the params file: ``<image_topic>/compressed`` is remapped too.

``fastdds_profile`` is exported as FASTDDS_DEFAULT_PROFILES_FILE for the node: a larger
shared-memory segment so full-resolution frames (and the ~1 MB overlay) are not fragmented over
UDP and lost with best-effort QoS. The camera driver or ``ros2 bag play`` should use it too.
Only APIs available since Humble are used.
"""

import os

from ament_index_python.packages import get_package_share_directory
from launch.actions import DeclareLaunchArgument, SetEnvironmentVariable
from launch.launch_description import LaunchDescription
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import ParameterValue


def generate_launch_description() -> LaunchDescription:
    share = get_package_share_directory("seasky_ros")
    image_topic = LaunchConfiguration("image_topic")
    camera_info_topic = LaunchConfiguration("camera_info_topic")
    namespace = LaunchConfiguration("namespace")
    params_file = LaunchConfiguration("params_file")
    weights = LaunchConfiguration("weights")
    device = LaunchConfiguration("device")
    use_sim_time = LaunchConfiguration("use_sim_time")
    log_level = LaunchConfiguration("log_level")
    fastdds_profile = LaunchConfiguration("fastdds_profile")
    publish_overlay = LaunchConfiguration("publish_overlay")

    arguments = [
        DeclareLaunchArgument("image_topic", default_value="/camera/image_raw",
                              description="Input sensor_msgs/Image topic (its /compressed for compressed input)"),
        DeclareLaunchArgument("camera_info_topic", default_value="/camera/camera_info",
                              description="CameraInfo topic; with it the node publishes roll and pitch"),
        DeclareLaunchArgument("namespace", default_value="", description="Namespace of the node"),
        DeclareLaunchArgument("params_file", default_value=os.path.join(share, "config", "segment.yaml"),
                              description="ROS 2 parameters file for the node"),
        DeclareLaunchArgument("weights", default_value="",
                              description="Weights file (.pt or .onnx); empty = the model shipped with the package"),
        DeclareLaunchArgument("device", default_value="auto", description="auto, cpu, cuda or cuda:N"),
        DeclareLaunchArgument("use_sim_time", default_value="false",
                              description="Use /clock (e.g. ros2 bag play --clock)"),
        DeclareLaunchArgument("log_level", default_value="info", description="debug, info, warn, error or fatal"),
        DeclareLaunchArgument("fastdds_profile",
                              default_value=os.path.join(share, "config", "fastdds_large_frames.xml"),
                              description="Fast DDS XML profile, exported as FASTDDS_DEFAULT_PROFILES_FILE"),
        DeclareLaunchArgument("publish_overlay", default_value="true",
                              description="Render ~/overlay while it has subscribers"),
    ]

    node = Node(
        package="seasky_ros",
        executable="segment_node",
        name="seasky_segmenter",
        namespace=namespace,
        parameters=[
            params_file,
            {
                "weights": ParameterValue(weights, value_type=str),
                "device": ParameterValue(device, value_type=str),
                "use_sim_time": ParameterValue(use_sim_time, value_type=bool),
                "publish_overlay": ParameterValue(publish_overlay, value_type=bool),
            },
        ],
        remappings=[
            ("image", image_topic),
            ("image/compressed", [image_topic, "/compressed"]),
            ("camera_info", camera_info_topic),
        ],
        arguments=["--ros-args", "--log-level", log_level],
        output="screen",
    )

    return LaunchDescription([
        *arguments,
        SetEnvironmentVariable("FASTDDS_DEFAULT_PROFILES_FILE", fastdds_profile),
        node,
    ])
