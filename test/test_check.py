# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""seasky-check: one run names every kind of problem a labelled folder can have."""

from __future__ import annotations

import cv2
import numpy as np
from seasky_training.check import check_folder, contact_sheet, main

from seasky_ros.dataset_folder import save_frame, write_horizon_csv

H, W = 24, 32
LINE_ROW = 10  # sky rows 0..10, sea from 11: the boundary lies at 10.5


def _frame() -> tuple[np.ndarray, np.ndarray]:
    image = np.full((H, W), 40, np.uint8)
    image[LINE_ROW + 1:] = 120
    mask = np.zeros((H, W), np.uint8)
    mask[LINE_ROW + 1:] = 1
    return image, mask


def _clean_folder(root, count: int = 3) -> None:
    rows = {}
    for i in range(count):
        image, mask = _frame()
        save_frame(root, f"f{i}", image, mask)
        rows[f"f{i}"] = (0.0, LINE_ROW + 0.5, W - 1.0, LINE_ROW + 0.5)
    write_horizon_csv(root / "horizon.csv", rows)


def test_a_clean_folder_is_ok(tmp_path):
    _clean_folder(tmp_path)
    report = check_folder(tmp_path)
    assert report.ok, [str(p) for p in report.problems]
    assert (report.frames, report.masks, report.horizon_rows) == (3, 3, 3)
    assert report.sizes == {f"{W}x{H}": 3} and report.bit_depths == {"8-bit": 3}


def test_every_kind_of_problem_in_one_run(tmp_path):
    _clean_folder(tmp_path, count=2)
    image, mask = _frame()
    bad_values = mask.copy()
    bad_values[0, 0] = 7
    save_frame(tmp_path, "bad_values", image, bad_values)
    save_frame(tmp_path, "small_mask", image)
    cv2.imwrite(str(tmp_path / "masks" / "small_mask.png"), mask[:-2])
    save_frame(tmp_path, "deep_mask", image)
    cv2.imwrite(str(tmp_path / "masks" / "deep_mask.png"), mask.astype(np.uint16))
    save_frame(tmp_path, "no_mask", image)
    cv2.imwrite(str(tmp_path / "masks" / "orphan.png"), mask)
    (tmp_path / "images" / "broken.png").write_bytes(b"not a png")
    save_frame(tmp_path, "far_line", image, mask)
    save_frame(tmp_path, "sky_below", image, mask)
    (tmp_path / "horizon.csv").write_text(
        "stem,x0,y0,x1,y1\n"
        f"f0,0,{LINE_ROW + 0.5},{W - 1},{LINE_ROW + 0.5}\n"
        "f1,0,1,2\n"                              # four fields
        f"far_line,0,{LINE_ROW + 6.5},{W - 1},{LINE_ROW + 6.5}\n"
        "ghost,0,1,31,1\n"                        # no such image
        "bad_values,0,abc,31,1\n"
        f"sky_below,{W - 1},{LINE_ROW + 0.5},0,{LINE_ROW + 0.5}\n"  # the right point first: upside down
        "f2,3,4,3,4\n"                            # one point twice
    )
    report = check_folder(tmp_path)
    kinds = sorted(p.kind for p in report.problems)
    assert kinds == sorted(["labels", "mask", "mask", "missing-mask", "stray-mask", "image", "csv", "csv", "csv",
                            "line-vs-mask", "line-vs-mask", "stray-row"]), [str(p) for p in report.problems]
    text = "\n".join(str(p) for p in report.problems)
    assert "label values [7]" in text and "size 32x22 differs" in text and "16-bit" in text
    assert "orphan.png: mask without an image" in text and "'ghost'" in text and "far_line" in text
    assert "horizon.csv:3" in text  # the row with four fields, by its line number
    assert "'sky_below': the mask's sky is on the line's right" in text and "'f2': the two points coincide" in text


def test_frames_without_any_mask_are_fine_unless_training_needs_them(tmp_path):
    image, _ = _frame()
    save_frame(tmp_path, "a", image)
    assert check_folder(tmp_path).ok
    report = check_folder(tmp_path, require_masks=True)
    assert [p.kind for p in report.problems] == ["missing-mask"]


def test_class_map_is_applied_before_the_label_check(tmp_path):
    image, mask = _frame()
    mask[LINE_ROW + 1:] = 5  # a scheme where sea is 5
    save_frame(tmp_path, "a", image, mask)
    assert [p.kind for p in check_folder(tmp_path).problems] == ["labels"]
    assert check_folder(tmp_path, class_map={5: 1}).ok


def test_cli_exit_code_and_contact_sheet(tmp_path, capsys):
    good, bad = tmp_path / "good", tmp_path / "bad"
    _clean_folder(good)
    _clean_folder(bad)
    (bad / "images" / "broken.png").write_bytes(b"")
    assert main([str(good)]) == 0
    assert main([str(good), str(bad)]) == 1
    out = capsys.readouterr().out
    assert "1 problem(s)" in out and "broken.png: empty file" in out
    sheet = tmp_path / "sheet.png"
    assert contact_sheet(good, sheet, tile_width=64, cols=2) == 3
    tiles = cv2.imread(str(sheet))
    assert tiles.shape == (2 * round(H * 64 / W), 2 * 64, 3)
    # The sky half is tinted blue (B > R) and the sea half teal (G > R) at the first tile's centre column.
    assert tiles[4, 32, 0] > tiles[4, 32, 2] and tiles[40, 32, 1] > tiles[40, 32, 2]


def test_labels_kept_apart_from_their_images(tmp_path):
    # images.path: the labels folder covers the frames that have a mask, the others are not "missing"
    images = tmp_path / "camera"
    labels = tmp_path / "labels"
    for i in range(3):
        image, mask = _frame()
        save_frame(images, f"f{i}", image)
        if i != 1:
            save_frame(labels, f"f{i}", image, mask)
    (labels / "images.path").write_text("../camera/images\n")
    for p in (labels / "images").iterdir():
        p.unlink()
    (labels / "images").rmdir()
    report = check_folder(labels, require_masks=True)
    assert report.ok, [str(p) for p in report.problems]
    assert (report.frames, report.masks) == (2, 2)
    assert contact_sheet(labels, tmp_path / "sheet.png", tile_width=32) == 2
    (labels / "images.path").write_text("../nowhere\n")
    assert [p.kind for p in check_folder(labels).problems] == ["layout"]
