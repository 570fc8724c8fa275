# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The package installs the way ROS 2 tools expect: `colcon build` gives the ament layout."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXECUTABLES = ["segment_node", "seasky-train", "seasky-eval", "seasky-predict", "seasky-export", "seasky-synth",
               "seasky-bag", "seasky-bench"]


def _colcon() -> str | None:
    return shutil.which("colcon", path=str(Path(sys.executable).parent)) or shutil.which("colcon")


@pytest.fixture(scope="module")
def colcon_install(tmp_path_factory) -> Path:
    colcon = _colcon()
    if colcon is None:
        pytest.skip("colcon is not installed (make test installs colcon-common-extensions)")
    ws = tmp_path_factory.mktemp("ws")
    ignore = shutil.ignore_patterns(".venv", ".git", "build", "install", "log", "runs", "__pycache__", "*.egg-info",
                                    ".pytest_cache", ".ruff_cache", "out")
    shutil.copytree(REPO, ws / "src" / "seasky_ros", ignore=ignore)
    run = subprocess.run([colcon, "build", "--event-handlers", "console_direct-"], cwd=ws, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    return ws / "install" / "seasky_ros"


@pytest.mark.slow
def test_colcon_build_installs_the_ament_layout(colcon_install):
    share = colcon_install / "share" / "seasky_ros"
    assert (share / "package.xml").is_file()
    assert (share / "launch" / "segment.launch.py").is_file()
    assert (share / "config" / "segment.yaml").is_file()
    assert list((share / "config").glob("*.xml")), "the Fast DDS profile is installed beside the params"
    assert (colcon_install / "share" / "ament_index" / "resource_index" / "packages" / "seasky_ros").is_file()
    for name in EXECUTABLES:
        exe = colcon_install / "lib" / "seasky_ros" / name
        assert exe.is_file(), f"{name} missing under lib/seasky_ros (ros2 run would not find it)"
    weights = list(colcon_install.glob("lib/python3*/site-packages/seasky_ros/weights/*.pt"))
    assert weights, "the shipped weights are installed with the package"
    site = next(colcon_install.glob("lib/python3*/site-packages"))
    assert (site / "seasky_training" / "train.py").is_file(), "training/ installs as seasky_training"
    assert not (site / "training").exists(), "no top-level package named training (a generic name that collides)"
    env = {**os.environ, "PYTHONPATH": str(site)}  # the install alone, not this checkout
    run = subprocess.run([sys.executable, "-c", "import seasky_training.train as t; print(t.__file__)"],
                         cwd=colcon_install, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.startswith(str(site)), run.stdout + run.stderr


@pytest.mark.slow
def test_colcon_test_runs_pytest_and_test_result_counts_it(colcon_install):
    """colcon runs pytest only when setup.py names it (extras_require["test"]); before, it reported 0 tests."""
    ws = colcon_install.parents[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}  # not the outer run's junit file
    selected = "test_lint and (package_xml or license)"
    run = subprocess.run([_colcon(), "test", "--packages-select", "seasky_ros", "--event-handlers",
                          "console_direct-", "--pytest-args", "-k", selected], cwd=ws, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    result = subprocess.run([_colcon(), "test-result"],
                            cwd=ws, capture_output=True, text=True, timeout=60)
    summary = re.search(r"Summary: (\d+) tests, (\d+) errors, (\d+) failures, (\d+) skipped", result.stdout)
    assert summary, result.stdout + result.stderr
    tests, errors, failures, _ = (int(g) for g in summary.groups())
    assert tests >= 4 and errors == 0 and failures == 0, result.stdout
    assert result.returncode == 0


def test_package_xml_declares_what_the_node_needs():
    import xml.etree.ElementTree as ET

    root = ET.parse(REPO / "package.xml").getroot()
    assert root.get("format") == "3"
    assert root.findtext("name") == "seasky_ros"
    deps = {e.text for e in root.iter("exec_depend")}
    assert {"rclpy", "sensor_msgs", "std_msgs", "geometry_msgs", "diagnostic_msgs", "cv_bridge",
            "python3-numpy", "python3-opencv"} <= deps
    assert root.find("export/build_type").text == "ament_python"
