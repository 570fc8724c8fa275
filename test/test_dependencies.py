# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Every third-party import the installed package makes is declared, for pip and for rosdep.

The imports are read from the sources with ``ast`` (the lazy ones inside functions too), so a
new import without a declaration fails here rather than on a user's fresh install.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCES = ["seasky_ros", "training", "launch"]
FIRST_PARTY = {"seasky_ros", "seasky_training"}

# import name -> (PyPI distribution, rosdep key). The keys were looked up in rosdistro's
# rosdep/python.yaml (2026-12): python3-onnxruntime and python3-rosbags exist only as the
# pip-installed "-pip" keys, and there is no key for onnx at all.
PYTHON = {
    "numpy": ("numpy", "python3-numpy"),
    "cv2": ("opencv-python-headless", "python3-opencv"),
    "yaml": ("pyyaml", "python3-yaml"),
    "torch": ("torch", "python3-torch"),
    "onnxruntime": ("onnxruntime", "python3-onnxruntime-pip"),
    "onnx": ("onnx", None),
    "tqdm": ("tqdm", "python3-tqdm"),
    "rosbags": ("rosbags", "python3-rosbags-pip"),
    "psutil": ("psutil", "python3-psutil"),
    "matplotlib": ("matplotlib", "python3-matplotlib"),
    "PIL": ("pillow", "python3-pil"),
}
# ROS packages: declared in package.xml under their own names (pip users get them as ros-* wheels)
ROS = {"rclpy", "rcl_interfaces", "sensor_msgs", "std_msgs", "geometry_msgs", "diagnostic_msgs", "cv_bridge",
       "launch", "launch_ros", "ament_index_python"}
NODE_MODULES = ["seasky_ros/node.py", "seasky_ros/segmenter.py", "seasky_ros/weights.py", "seasky_ros/model.py",
                "seasky_ros/preprocess.py", "seasky_ros/horizon.py", "seasky_ros/outputs.py",
                "seasky_ros/ros_image.py", "seasky_ros/overlay.py", "seasky_ros/stream_stats.py",
                "seasky_ros/frame_codec.py", "seasky_ros/interface.py", "seasky_ros/params.py",
                "seasky_ros/backends.py", "seasky_ros/imu_input.py", "seasky_ros/attitude.py",
                "seasky_ros/horizon_prior.py"]


def _optional(node: ast.Try) -> bool:
    """A ``try`` that falls back when the import fails: the package works without the module."""
    names = set()
    for handler in node.handlers:
        if handler.type is None:
            return True
        for t in handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]:
            names.add(getattr(t, "id", None))
    return bool(names & {"ImportError", "ModuleNotFoundError", "Exception"})


def imports(path: Path) -> dict[str, bool]:
    """Top-level module -> True when every import of it in ``path`` is optional."""
    found: dict[str, bool] = {}

    def visit(node: ast.AST, optional: bool) -> None:
        if isinstance(node, ast.Try):
            for child in node.body:
                visit(child, optional or _optional(node))
            for child in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(child, optional)
            return
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            found[top] = found.get(top, True) and optional
        for child in ast.iter_child_nodes(node):
            visit(child, optional)

    visit(ast.parse(path.read_text(), filename=str(path)), False)
    return found


def third_party_imports(files: list[Path]) -> dict[str, list[str]]:
    """Required (not optional) third-party imports -> the files that make them."""
    found: dict[str, list[str]] = {}
    for path in files:
        for name, optional in imports(path).items():
            if optional or name in sys.stdlib_module_names or name in FIRST_PARTY or name == "__future__":
                continue
            found.setdefault(name, []).append(str(path.relative_to(REPO)))
    return found


def _setup_requirements() -> tuple[set[str], set[str]]:
    """(install_requires, all extras) as bare distribution names, read by running setup.py's setup() call."""
    captured: dict = {}
    import setuptools

    real = setuptools.setup
    setuptools.setup = lambda **kwargs: captured.update(kwargs)
    try:
        code = compile((REPO / "setup.py").read_text(), str(REPO / "setup.py"), "exec")
        exec(code, {"__name__": "__main__", "__file__": str(REPO / "setup.py")})
    finally:
        setuptools.setup = real

    def bare(spec: str) -> str:
        for sep in "<>=!~[; ":
            spec = spec.split(sep)[0]
        return spec.lower()

    extras = {bare(s) for specs in captured["extras_require"].values() for s in specs}
    return {bare(s) for s in captured["install_requires"]}, extras


def _package_xml_keys(*tags: str) -> set[str]:
    root = ET.parse(REPO / "package.xml").getroot()
    return {e.text.strip() for tag in tags for e in root.iter(tag)}


def _all_sources() -> list[Path]:
    return [p for d in SOURCES for p in sorted((REPO / d).rglob("*.py"))]


def test_the_import_reader_sees_lazy_and_optional_imports(tmp_path):
    source = tmp_path / "m.py"
    source.write_text("import os\n"
                      "def f():\n    import torch.nn\n    from rclpy.node import Node\n"
                      "try:\n    import PIL.Image\nexcept ImportError:\n    PIL = None\n"
                      "try:\n    import tqdm\nfinally:\n    pass\n")
    assert imports(source) == {"os": False, "torch": False, "rclpy": False, "PIL": True, "tqdm": False}


def test_every_third_party_import_is_known():
    unknown = {name: files for name, files in third_party_imports(_all_sources()).items()
               if name not in PYTHON and name not in ROS}
    assert not unknown, f"imports with no declared dependency (add them to setup.py, package.xml and here): {unknown}"


def test_python_dependencies_are_declared_in_setup_py_and_package_xml():
    install, extras = _setup_requirements()
    exec_keys = _package_xml_keys("exec_depend", "depend")
    used = third_party_imports(_all_sources())
    node_used = third_party_imports([REPO / p for p in NODE_MODULES])
    for name in used.keys() & PYTHON.keys():
        dist, key = PYTHON[name]
        where = ", ".join(used[name])
        assert dist in install | extras, f"{name} (imported in {where}) is not in setup.py"
        if key is not None:
            assert key in exec_keys, f"{name} (imported in {where}) lacks <exec_depend>{key}</exec_depend>"
    # onnx: imported by the segmenter's exporter only; the start without it is the last test here
    for name in node_used.keys() & PYTHON.keys() - {"onnx"}:
        assert PYTHON[name][0] in install, f"the node imports {name}: it belongs in install_requires"


def test_ros_dependencies_are_declared_in_package_xml():
    exec_keys = _package_xml_keys("exec_depend", "depend")
    used = third_party_imports(_all_sources())
    missing = {name: files for name, files in used.items() if name in ROS and name not in exec_keys}
    assert not missing, f"ROS packages imported but not <exec_depend>: {missing}"


def test_colcon_runs_pytest_and_the_test_tools_are_declared():
    _, extras = _setup_requirements()
    assert {"pytest", "ruff"} <= extras
    assert {"python3-pytest", "python3-ruff-pip"} <= _package_xml_keys("test_depend")


def test_the_shipped_model_starts_without_the_onnx_package():
    """The default CPU path (int8 .onnx) reads its metadata through onnxruntime; onnx is only for export."""
    pytest.importorskip("onnxruntime")
    script = (
        "import sys\n"
        "sys.modules['onnx'] = None  # as if it were not installed\n"
        "import numpy as np\n"
        "from seasky_ros.segmenter import Segmenter\n"
        "seg = Segmenter.from_file(device='cpu', warmup=0)\n"
        "result = seg.segment(np.full((64, 80), 1000, np.uint16), encoding='mono16')\n"
        "print(seg.source.name, seg.backend, result.labels.shape)\n"
        "seg = Segmenter.from_file(device='cpu', int8=False, warmup=0)\n"
        "print(seg.backend)\n"
        "try:\n"
        "    Segmenter.from_file(device='cpu', int8=False, backend='onnxruntime', warmup=0)\n"
        "except ValueError as exc:\n"
        "    print(exc)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "seasky_lite_int8.onnx onnxruntime (64, 80)"
    assert lines[1] == "torch"  # a .pt file reaches ONNX Runtime only through torch's exporter, which needs onnx
    assert "needs the onnx package" in lines[2]
