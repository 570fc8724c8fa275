# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""ament-style lint as plain pytest tests, so `colcon test` and `make test` both run them.

The ROS 2 core packages run ament_copyright, ament_xmllint and ament_flake8/pep257 from their
test folders; here the same checks use what this package already depends on: ruff (the
project's rules, ruff.toml) and catkin_pkg, the parser colcon and rosdep read package.xml with.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# REP 149 (package format 3): the children a <package> may have; name, version and
# description come first, in that order (the schema's sequence)
PACKAGE_TAGS = {"name", "version", "description", "maintainer", "license", "url", "author", "build_depend",
                "build_export_depend", "buildtool_depend", "buildtool_export_depend", "exec_depend", "depend",
                "doc_depend", "test_depend", "conflict", "replace", "group_depend", "member_of_group", "export"}
DEPEND_TAGS = {t for t in PACKAGE_TAGS if t.endswith("depend")}


def test_ruff():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install ruff; rosdep key python3-ruff-pip)")
    run = subprocess.run([ruff, "check", "--no-cache", "."], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_package_xml_is_well_formed_format_3():
    text = (REPO / "package.xml").read_text()
    assert text.startswith('<?xml version="1.0"?>')
    assert 'href="http://download.ros.org/schema/package_format3.xsd"' in text  # the schema xmllint checks against
    root = ET.fromstring(text)
    assert root.tag == "package" and root.get("format") == "3"
    tags = [child.tag for child in root]
    assert tags[:3] == ["name", "version", "description"], tags
    assert set(tags) <= PACKAGE_TAGS, set(tags) - PACKAGE_TAGS
    assert re.fullmatch(r"[a-z][a-z0-9_]*", root.findtext("name"))
    assert re.fullmatch(r"\d+\.\d+\.\d+", root.findtext("version"))
    assert root.findtext("description").strip()
    maintainers = root.findall("maintainer")
    assert maintainers and all(m.get("email") and m.text.strip() for m in maintainers)
    assert [e.text for e in root.findall("license")] == ["Apache-2.0"]
    deps = [(e.tag, e.text) for e in root if e.tag in DEPEND_TAGS]
    assert all(text and text == text.strip() for _, text in deps)
    assert len(deps) == len(set(deps)), "a dependency is listed twice"
    assert root.findtext("export/build_type") == "ament_python"


def test_package_xml_parses_with_catkin_pkg_without_warnings():
    package_module = pytest.importorskip("catkin_pkg.package")
    warnings: list[str] = []
    package = package_module.parse_package_string((REPO / "package.xml").read_text(), warnings=warnings)
    package.validate(warnings=warnings)
    assert warnings == []
    assert package.name == "seasky_ros"


def test_package_xml_and_setup_py_agree():
    setup = (REPO / "setup.py").read_text()
    root = ET.parse(REPO / "package.xml").getroot()
    assert re.search(r'PACKAGE = "(\w+)"', setup).group(1) == root.findtext("name")
    assert re.search(r'version="([^"]+)"', setup).group(1) == root.findtext("version")
    assert re.search(r'license="([^"]+)"', setup).group(1) == root.findtext("license")


def test_license_file_is_the_apache_2_0_text():
    text = (REPO / "LICENSE").read_text()
    assert text.lstrip().startswith("Apache License")
    assert "Version 2.0, January 2004" in text and "http://www.apache.org/licenses/" in text
    sections = re.findall(r"^\s*(\d)\. (\w+)", text, flags=re.MULTILINE)
    assert [int(n) for n, _ in sections] == list(range(1, 10))  # the nine sections of the terms
    assert "END OF TERMS AND CONDITIONS" in text
    assert "APPENDIX: How to apply the Apache License to your work." in text


HEADER = ("# Copyright 2026 seasky_ros maintainers", "# SPDX-License-Identifier: Apache-2.0")


def _tracked_python_files() -> list[Path]:
    """The repository's Python files (git's list where there is one, so build and venv folders never count)."""
    try:
        listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"], cwd=REPO,
                                capture_output=True, text=True, timeout=60, check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):  # an exported tree (colcon workspace copy): no git
        skip = {".venv", "build", "install", "log", ".git"}
        return [p for p in sorted(REPO.rglob("*.py")) if not skip & set(p.relative_to(REPO).parts)]
    return [REPO / name for name in listed if (REPO / name).is_file()]


def test_every_python_file_carries_the_copyright_and_spdx_header():
    """ament_copyright's check in the SPDX form: the first two lines (after a shebang) name holder and licence."""
    files = _tracked_python_files()
    assert len(files) > 20
    missing = []
    for path in files:
        lines = path.read_text().splitlines()
        if lines and lines[0].startswith("#!"):
            lines = lines[1:]
        if tuple(lines[:2]) != HEADER:
            missing.append(str(path.relative_to(REPO)))
    assert not missing, f"add the two header lines {HEADER} to: {missing}"
