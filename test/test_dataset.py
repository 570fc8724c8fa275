# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""The dataset folder format: reading, writing, validation errors and class maps."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from seasky_ros.dataset_folder import (
    CLASS_MAP_PRESETS,
    DatasetError,
    DatasetFolder,
    load_image,
    parse_class_map,
    read_horizon_csv,
    save_frame,
    write_horizon_csv,
)


def labels(h=12, w=16):
    m = np.zeros((h, w), np.uint8)
    m[h // 2:] = 1
    m[-2:, :3] = 2
    m[0, 0] = 255
    return m


def test_round_trip_16_and_8_bit(tmp_path):
    rng = np.random.default_rng(0)
    img16 = rng.integers(3000, 16000, size=(12, 16), dtype=np.uint16)
    img8 = rng.integers(0, 256, size=(12, 16), dtype=np.uint8)
    save_frame(tmp_path, "b", img16, labels())
    save_frame(tmp_path, "a", img8)
    write_horizon_csv(tmp_path / "horizon.csv", {"b": (0.0, 5.5, 15.0, 6.25), "a": None})
    folder = DatasetFolder(tmp_path)
    assert folder.stems == ["a", "b"] and len(folder) == 2
    a, b = folder[0], folder[1]
    assert a.image.dtype == np.uint8 and np.array_equal(a.image, img8) and a.mask is None
    assert a.has_horizon_label and a.horizon is None
    assert b.image.dtype == np.uint16 and np.array_equal(b.image, img16)
    assert np.array_equal(b.mask, labels()) and b.horizon == (0.0, 5.5, 15.0, 6.25)
    assert not list(tmp_path.rglob("*.tmp"))


def test_tiff_and_colour_to_gray(tmp_path):
    (tmp_path / "images").mkdir()
    img16 = np.arange(12 * 16, dtype=np.uint16).reshape(12, 16) * 50
    assert cv2.imwrite(str(tmp_path / "images" / "t.tiff"), img16)
    colour = np.zeros((12, 16, 3), np.uint8)
    colour[..., 1] = 200
    assert cv2.imwrite(str(tmp_path / "images" / "c.png"), colour)
    folder = DatasetFolder(tmp_path)
    assert folder.stems == ["c", "t"]
    assert np.array_equal(folder[1].image, img16)
    gray = folder[0].image
    assert gray.ndim == 2 and gray.dtype == np.uint8
    assert abs(int(gray[0, 0]) - round(0.587 * 200)) <= 1


def test_mask_size_mismatch_names_file(tmp_path):
    save_frame(tmp_path, "x", np.zeros((12, 16), np.uint8))
    (tmp_path / "masks").mkdir()
    cv2.imwrite(str(tmp_path / "masks" / "x.png"), np.zeros((10, 16), np.uint8))
    with pytest.raises(DatasetError, match=r"masks/x\.png.*differs"):
        DatasetFolder(tmp_path)[0]


def test_unknown_labels_name_file_and_values(tmp_path):
    mask = labels()
    mask[3, 3] = 7
    mask[4, 4] = 9
    save_frame(tmp_path, "y", np.zeros((12, 16), np.uint8), mask)
    with pytest.raises(DatasetError, match=r"y\.png.*\[7, 9\]"):
        DatasetFolder(tmp_path)[0]


def test_unreadable_image_names_file(tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "broken.png").write_bytes(b"not a png at all")
    folder = DatasetFolder(tmp_path)
    with pytest.raises(DatasetError, match=r"broken\.png"):
        folder[0]
    (tmp_path / "blank.png").write_bytes(b"")
    with pytest.raises(DatasetError, match=r"blank\.png: empty file"):
        load_image(tmp_path / "blank.png")
    with pytest.raises(DatasetError, match=r"missing\.png: cannot read"):
        load_image(tmp_path / "missing.png")


def test_missing_images_dir(tmp_path):
    with pytest.raises(DatasetError, match="images"):
        DatasetFolder(tmp_path / "nowhere")


def test_class_map_parse_and_apply(tmp_path):
    assert parse_class_map("0:0, 1:1,3:2,6:255") == {0: 0, 1: 1, 3: 2, 6: 255}
    for bad in ("0-1", "0:7", "", "a:b"):
        with pytest.raises(ValueError):
            parse_class_map(bad)
    assert parse_class_map("0:0,1:1,2:2,3:2,4:2,5:2,6:2") == CLASS_MAP_PRESETS["massmind"]
    assert parse_class_map(" MassMIND ") == CLASS_MAP_PRESETS["massmind"]
    stored = np.array([[0, 1, 2, 3], [4, 5, 6, 6]], np.uint8)
    save_frame(tmp_path, "m", np.zeros((2, 4), np.uint8), stored)
    with pytest.raises(DatasetError, match=r"\[3, 4, 5, 6\]"):
        DatasetFolder(tmp_path)[0]
    mapped = DatasetFolder(tmp_path, class_map=CLASS_MAP_PRESETS["massmind"])[0].mask
    assert np.array_equal(mapped, [[0, 1, 2, 2], [2, 2, 2, 2]])


def test_horizon_csv_empty_fields_and_errors(tmp_path):
    path = tmp_path / "horizon.csv"
    path.write_text("stem,x0,y0,x1,y1\nf1,0,10.5,99,12\nf2,,,,\n\n")
    rows = read_horizon_csv(path)
    assert rows == {"f1": (0.0, 10.5, 99.0, 12.0), "f2": None}
    write_horizon_csv(path, rows)
    assert path.read_text().splitlines() == ["stem,x0,y0,x1,y1", "f1,0.000,10.500,99.000,12.000", "f2,,,,"]
    path.write_text("stem,x0,y0,x1,y1\nf1,0,1,,2\n")
    with pytest.raises(DatasetError, match="horizon.csv: line 2"):
        read_horizon_csv(path)
    path.write_text("name,a,b\n")
    with pytest.raises(DatasetError, match="header"):
        read_horizon_csv(path)


def test_unlabelled_stem_has_no_horizon_label(tmp_path):
    save_frame(tmp_path, "p", np.zeros((4, 4), np.uint8))
    save_frame(tmp_path, "q", np.zeros((4, 4), np.uint8))
    write_horizon_csv(tmp_path / "horizon.csv", {"p": (0, 1, 3, 1)})
    folder = DatasetFolder(tmp_path)
    assert folder[0].has_horizon_label and not folder[1].has_horizon_label and folder[1].horizon is None
