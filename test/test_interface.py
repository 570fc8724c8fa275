# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The names the outside sees, where an installed package finds its files, and the parameters -> Segmenter recipe."""

from __future__ import annotations

from pathlib import Path

import pytest

from seasky_ros import bench
from seasky_ros.interface import CONFIG_ENV, NODE_NAME, OUTPUT_TOPICS, QOS_KINDS, shipped_config
from seasky_ros.params import ParameterError, node_parameters, parse_auto_bool, segmenter_from_parameters
from seasky_ros.synthetic import generate_frame

REPO = Path(__file__).resolve().parents[1]


def test_config_directory_from_the_environment_comes_first(tmp_path, monkeypatch):
    (tmp_path / "segment.yaml").write_text("/**:\n  ros__parameters: {threads: 3}\n")
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path))
    assert shipped_config("segment.yaml") == tmp_path / "segment.yaml"
    assert node_parameters()["threads"] == 3  # the default parameter file is the one found there


def test_a_missing_config_file_names_where_it_was_looked_for(monkeypatch, tmp_path):
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path))
    with pytest.raises(FileNotFoundError) as err:
        shipped_config("absent.yaml")
    assert str(tmp_path) in str(err.value) and str(REPO / "config") in str(err.value) and CONFIG_ENV in str(err.value)


def test_bench_finds_real_data_through_the_environment_only(monkeypatch):
    monkeypatch.delenv(bench.REAL_ENV, raising=False)
    assert bench.default_real_dir() is None  # an installed package knows no data path
    monkeypatch.setenv(bench.REAL_ENV, "/data/real")
    assert bench.default_real_dir() == Path("/data/real/infml-hdd-dev")


def test_output_topics_carry_the_node_name():
    assert OUTPUT_TOPICS["mask"] == f"/{NODE_NAME}/mask"
    assert OUTPUT_TOPICS["attitude"] == f"/{NODE_NAME}/horizon_attitude"


def test_one_qos_vocabulary_for_the_node_and_the_player():
    pytest.importorskip("rclpy")
    from rclpy.qos import ReliabilityPolicy

    from seasky_ros.bag import build_parser
    from seasky_ros.interface import qos_profile

    assert qos_profile("sensor_data", 1).reliability == ReliabilityPolicy.BEST_EFFORT
    assert qos_profile("reliable", 5).reliability == ReliabilityPolicy.RELIABLE
    with pytest.raises(ValueError, match="sensor_data, reliable"):
        qos_profile("sensor", 1)
    play = build_parser().parse_args(["play", "bag"])
    assert play.qos == "sensor_data" and QOS_KINDS == ("sensor_data", "reliable")


def test_parameter_file_sections_apply_as_ros_applies_them(tmp_path):
    """The wildcard section first, the node's own section over it; nested names are dotted."""
    path = tmp_path / "p.yaml"
    path.write_text(f"/**:\n  ros__parameters: {{threads: 2, device: cpu}}\n"
                    f"{NODE_NAME}:\n  ros__parameters: {{threads: 4, normalization: {{low_pct: 2.0}}}}\n"
                    "other_node:\n  ros__parameters: {threads: 9}\n")
    assert node_parameters(path) == {"threads": 4, "device": "cpu", "normalization.low_pct": 2.0}
    (tmp_path / "bad.yaml").write_text("just a string\n")
    with pytest.raises(ParameterError, match="bad.yaml"):
        node_parameters(tmp_path / "bad.yaml")


def test_auto_bool():
    assert [parse_auto_bool(v, "half") for v in ("auto", "", "true", "No", True, None)] == [None, None, True, False,
                                                                                          True, None]
    with pytest.raises(ParameterError, match="half must be auto, true or false, got 'maybe'"):
        parse_auto_bool("maybe", "half")


def test_segmenter_from_parameters_applies_the_window_and_the_confidence():
    seg = segmenter_from_parameters({"normalization.low_pct": 3.0, "normalization.high_pct": 97.0,
                                     "min_horizon_confidence": 0.45, "int8": "false"})
    assert (seg.normalization.low_pct, seg.normalization.high_pct, seg.min_horizon_confidence) == (3.0, 97.0, 0.45)
    with pytest.raises(ParameterError, match=r"low_pct \(60.0\) must be below"):
        segmenter_from_parameters({"normalization.low_pct": 60.0, "normalization.high_pct": 40.0, "int8": "false"})


def test_segmenter_from_parameters_places_a_hazy_horizon_by_its_parameter():
    """horizon_hazy_offset_px reaches the horizon stage: on a hazy frame the line moves with it, across its range."""
    frame = generate_frame(31)  # a synthetic scene whose horizon edge is a haze ramp
    rows = {}
    for offset in (0.3, 1.8):
        seg = segmenter_from_parameters({"horizon_hazy_offset_px": offset, "int8": "false"})
        assert seg.horizon_settings.hazy_peak_offset_px == offset
        rows[offset] = seg.segment(frame.image, encoding=frame.encoding).horizon.center_row
    assert rows[1.8] - rows[0.3] == pytest.approx(1.5, abs=0.1)
    for bad in (-0.5, 9.0, float("nan")):
        with pytest.raises(ParameterError, match="horizon_hazy_offset_px"):
            segmenter_from_parameters({"horizon_hazy_offset_px": bad, "int8": "false"})
