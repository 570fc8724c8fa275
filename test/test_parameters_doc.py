# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The node's parameters are documented once: the README's table and config/segment.yaml say what
the running node declares (names, defaults, which are live), so neither can drift from the code."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

pytest.importorskip("rclpy")

import rclpy  # noqa: E402
from rclpy.context import Context  # noqa: E402

from seasky_ros.node import SegmentNode  # noqa: E402
from seasky_ros.params import node_parameters  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
FROM_WEIGHTS = "from the weights file"
ROS_OWN = {"use_sim_time", "start_type_description_service"}  # every rclpy node declares these


def readme_table() -> dict[str, tuple[str, str]]:
    """parameter -> (default, live) as the README's parameter table writes them."""
    lines = (REPO / "README.md").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| parameter | default | live |"))
    rows: dict[str, tuple[str, str]] = {}
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        for name in re.findall(r"`([^`]+)`", cells[0]):
            rows[name] = (cells[1], cells[2])
    return rows


def as_written(value: object) -> str:
    """A parameter value the way the table writes it."""
    if isinstance(value, bool):
        return str(value).lower()
    return '""' if value == "" else str(value)


@pytest.fixture(scope="module")
def declared() -> dict[str, tuple[object, bool]]:
    """parameter -> (default, read_only) of a node started with no parameters at all (the shipped model)."""
    context = Context()
    rclpy.init(context=context, domain_id=random.Random().randint(150, 230))
    try:
        node = SegmentNode(context=context)
        try:
            names = [n for n in node._parameters if n not in ROS_OWN]
            descriptors = node.describe_parameters(names)
            return {n: (node.get_parameter(n).value, d.read_only) for n, d in zip(names, descriptors, strict=True)}
        finally:
            node.destroy_node()
    finally:
        rclpy.try_shutdown(context=context)


def test_the_readme_table_is_the_nodes_parameters(declared):
    table = readme_table()
    assert set(table) == set(declared), "README parameter table vs the node's declarations"
    for name, (default, read_only) in declared.items():
        written, live = table[name]
        assert live == ("no" if read_only else "yes"), f"{name}: live column"
        if written != FROM_WEIGHTS:
            assert written == as_written(default), f"{name}: README says {written}, the node's default is {default}"


def test_the_shipped_params_file_holds_the_defaults(declared):
    """segment.yaml lists the node's parameters with their defaults: a site edits a copy of it."""
    shipped = node_parameters(REPO / "config" / "segment.yaml")
    table = readme_table()
    for name, value in shipped.items():
        assert name in declared, f"segment.yaml sets {name}, which the node does not declare"
        assert value == declared[name][0], f"segment.yaml's {name} = {value}, the node's default is {declared[name][0]}"
    missing = {n for n in declared if n not in shipped and table[n][0] != FROM_WEIGHTS}
    assert not missing, f"segment.yaml lacks {sorted(missing)}"
