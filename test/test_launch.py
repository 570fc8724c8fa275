"""The launch file: loaded for real where launch_ros is installed, checked statically everywhere."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LAUNCH_FILE = REPO / "launch" / "segment.launch.py"
ARGUMENTS = {
    "image_topic": "/camera/image_raw",
    "camera_info_topic": "/camera/camera_info",
    "namespace": "",
    "weights": "",
    "device": "auto",
    "use_sim_time": "false",
    "log_level": "info",
    "publish_overlay": "true",
}
ALL_ARGUMENTS = set(ARGUMENTS) | {"params_file", "fastdds_profile"}


def _calls(tree: ast.AST, name: str) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call)
            and getattr(n.func, "id", getattr(n.func, "attr", None)) == name]


def _constant(node: ast.AST):
    return node.value if isinstance(node, ast.Constant) else None


def test_static_structure():
    tree = ast.parse(LAUNCH_FILE.read_text(), filename=str(LAUNCH_FILE))
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert "generate_launch_description" in functions
    declared = {}
    for call in _calls(tree, "DeclareLaunchArgument"):
        defaults = [_constant(k.value) for k in call.keywords if k.arg == "default_value"]
        declared[_constant(call.args[0])] = defaults[0] if defaults else None
    assert set(declared) == ALL_ARGUMENTS
    for name, default in ARGUMENTS.items():
        assert declared[name] == default, name
    nodes = _calls(tree, "Node")
    assert len(nodes) == 1
    kwargs = {k.arg: k.value for k in nodes[0].keywords}
    assert _constant(kwargs["package"]) == "seasky_ros"
    assert _constant(kwargs["executable"]) == "segment_node"
    assert _constant(kwargs["name"]) == "seasky_segmenter"
    for key in ("namespace", "parameters", "remappings", "arguments"):
        assert key in kwargs, key
    remapped = {_constant(t.elts[0]) for t in kwargs["remappings"].elts}
    assert remapped == {"image", "image/compressed", "camera_info"}
    text = LAUNCH_FILE.read_text()
    assert "segment.yaml" in text and "fastdds_large_frames.xml" in text
    assert "get_package_share_directory" in text
    env = _calls(tree, "SetEnvironmentVariable")
    assert len(env) == 1 and _constant(env[0].args[0]) == "FASTDDS_DEFAULT_PROFILES_FILE"


def test_config_files_exist_and_params_file_names_the_node_parameters():
    yaml = pytest.importorskip("yaml")
    params = yaml.safe_load((REPO / "config" / "segment.yaml").read_text())["/**"]["ros__parameters"]
    assert {"weights", "device", "backend", "half", "threads", "input_compressed", "image_qos", "publish_overlay",
            "min_horizon_confidence", "horizon_smoothing", "diagnostics_period"} <= set(params)
    import xml.etree.ElementTree as ET

    root = ET.parse(REPO / "config" / "fastdds_large_frames.xml").getroot()
    ns = {"d": "http://www.eprosima.com"}
    assert int(root.find(".//d:transport_descriptor[d:type='SHM']/d:segment_size", ns).text) >= 16 * 2**20
    participant = root.find(".//d:participant", ns)
    assert participant.get("is_default_profile") == "true"
    assert participant.find(".//d:useBuiltinTransports", ns).text == "false"


def test_loads_with_launch_ros(monkeypatch, tmp_path):
    pytest.importorskip("launch_ros")  # also the real launch: the repo's launch/ folder is no package
    pytest.importorskip("launch.actions")
    from launch.actions import DeclareLaunchArgument, SetEnvironmentVariable
    from launch_ros.actions import Node

    share = tmp_path / "share" / "seasky_ros"
    import ament_index_python.packages as packages

    monkeypatch.setattr(packages, "get_package_share_directory", lambda name: str(share))
    spec = importlib.util.spec_from_file_location("segment_launch", LAUNCH_FILE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    description = module.generate_launch_description()
    arguments = {e.name: e for e in description.entities if isinstance(e, DeclareLaunchArgument)}
    assert set(arguments) == ALL_ARGUMENTS
    assert str(share / "config" / "segment.yaml") in "".join(str(s.text) for s in
                                                            arguments["params_file"].default_value)
    assert any(isinstance(e, SetEnvironmentVariable) for e in description.entities)
    nodes = [e for e in description.entities if isinstance(e, Node)]
    assert len(nodes) == 1
    assert nodes[0].node_package == "seasky_ros" and nodes[0].node_executable == "segment_node"
