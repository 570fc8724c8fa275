# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The layers point one way (docs/ARCHITECTURE.md), checked on every import, function-level ones too.

core <- shell <- kit <- tools, and training <- core only. A new module must be given a layer here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

CORE = {"atomic_write", "attitude", "backends", "dataset_folder", "frame_codec", "horizon", "horizon_fit",
        "horizon_line", "horizon_prior", "horizon_turns", "horizon_waterline", "horizon_zoom", "hough_baseline",
        "labels", "metrics", "model", "overlay", "preprocess", "roll_search", "segmenter", "synthetic", "temporal",
        "video", "weights"}
SHELL = {"node", "imu_input", "outputs", "ros_image", "stream_stats", "interface", "params", "fastdds"}
KIT = {"bag_io", "bag_sample", "live"}  # what two tools share: below both
TOOLS = {"bag": {"bag", "bag_images", "bag_mount", "bag_play"}, "demo": {"demo"},
         "bench": {"bench", "bench_report", "bench_transport"}}
LAYER_OF = {**dict.fromkeys(CORE, "core"), **dict.fromkeys(SHELL, "shell"), **dict.fromkeys(KIT, "kit"),
            **{m: f"tool {tool}" for tool, mods in TOOLS.items() for m in mods}}
ROS = {"rclpy", "rcl_interfaces", "builtin_interfaces", "sensor_msgs", "std_msgs", "geometry_msgs", "diagnostic_msgs",
       "cv_bridge", "launch", "launch_ros", "ament_index_python", "rosbags"}
ALLOWED = {  # what each layer may import from seasky_ros
    "core": {"core"},
    "shell": {"core", "shell"},
    "kit": {"core", "shell", "kit"},
}


def _modules(package: str) -> dict[str, Path]:
    """Dotted name -> file for every module of a package (subpackages included)."""
    root = REPO / ("training" if package == "seasky_training" else package)
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join([package, *parts])] = path
    return out


def _imports(name: str, path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in it, as an absolute dotted name."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.add(module)
            if node.module is None:  # from . import x
                found.update(f"{module}.{a.name}" for a in node.names)
    return found


def _layer(module: str) -> str | None:
    """The layer of a seasky_ros module (by its first name below the package); None outside it."""
    parts = module.split(".")
    if parts[0] != "seasky_ros" or len(parts) < 2:
        return None
    return LAYER_OF.get(parts[1], "unplaced")


SEASKY = _modules("seasky_ros")
TRAINING = _modules("seasky_training")


def test_every_runtime_module_has_a_layer():
    unplaced = sorted(m for m in SEASKY if m != "seasky_ros" and _layer(m) == "unplaced")
    assert unplaced == [], f"give these modules a layer in test_layers.py and docs/ARCHITECTURE.md: {unplaced}"


@pytest.mark.parametrize("module", sorted(m for m in SEASKY if m != "seasky_ros"))
def test_runtime_module_imports_point_down(module):
    layer = _layer(module)
    imports = _imports(module, SEASKY[module])
    assert not {i for i in imports if i.split(".")[0] in ("training", "seasky_training")}, "runtime imports training"
    if layer in ("core",):
        assert not {i for i in imports if i.split(".")[0] in ROS}, f"the core imports ROS: {sorted(imports)}"
    wrong = set()
    for imported in imports:
        target = _layer(imported)
        if target is None or target == layer:
            continue
        if layer.startswith("tool"):
            if target.startswith("tool"):
                wrong.add(imported)  # a tool never imports another tool
        elif target not in ALLOWED[layer]:
            wrong.add(imported)
    assert not wrong, f"{module} ({layer}) imports {sorted(wrong)}"


@pytest.mark.parametrize("module", sorted(TRAINING))
def test_training_imports_only_the_core(module):
    imports = _imports(module, TRAINING[module])
    assert not {i for i in imports if i.split(".")[0] in ROS}, "training imports ROS"
    wrong = {i for i in imports if _layer(i) not in (None, "core")}
    assert not wrong, f"{module} imports {sorted(wrong)} (training may import the core only)"


def test_the_checker_sees_function_level_and_relative_imports():
    """The parser itself: a violation hidden inside a function, relative or absolute, is found."""
    source = REPO / "seasky_ros" / "bag.py"
    found = _imports("seasky_ros.bag", source)
    assert "seasky_ros.bag_io" in found  # module level, relative
    assert "seasky_ros.outputs" in found  # inside process(), relative
    assert _layer("seasky_ros.demo") == "tool demo" and _layer("seasky_ros.synthetic.render") == "core"
