# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Broken weights files, unreadable images and odd output paths: refused in one line naming the file.

Real files written by the project's own code (``save_weights``, ``export_onnx_bytes``), then
damaged; real CLIs run in-process. No training: an untrained network is enough to load.
"""

from __future__ import annotations

import json
import zipfile

import cv2
import numpy as np
import pytest
import torch
from seasky_training import export, predict

from seasky_ros.backends import ONNX_META_KEY, export_onnx_bytes
from seasky_ros.dataset_folder import read_horizon_csv
from seasky_ros.model import UNet, UNetConfig
from seasky_ros.preprocess import Normalization
from seasky_ros.segmenter import Segmenter
from seasky_ros.weights import WeightsError, build_meta, save_weights

CFG = UNetConfig(base=4, depth=2)
SIZE = (48, 64)


def tiny_model(cfg: UNetConfig = CFG) -> UNet:
    torch.manual_seed(0)
    return UNet(cfg).eval()


@pytest.fixture
def weights(tmp_path):
    path = tmp_path / "tiny.pt"
    save_weights(path, tiny_model(), build_meta(CFG, SIZE, Normalization()))
    return path


def onnx_file(path, model: UNet, meta: dict | None, size=SIZE):
    path.write_bytes(export_onnx_bytes(model, size, meta))
    return path


def refused(path, match: str) -> str:
    """The one-line WeightsError that loading ``path`` gives."""
    with pytest.raises(WeightsError) as info:
        Segmenter.from_file(path, device="cpu")
    text = str(info.value)
    assert str(path) in text and "\n" not in text, text
    assert match in text, text
    return text


# ------------------------------------------------------------------------------------------ weights


def test_weights_with_nan_or_inf_values_are_refused(tmp_path):
    model = tiny_model()
    with torch.no_grad():
        next(iter(model.parameters()))[0].fill_(float("nan"))
    meta = build_meta(CFG, SIZE, Normalization())
    save_weights(tmp_path / "nan.pt", model, meta)
    refused(tmp_path / "nan.pt", "NaN or inf")
    refused(onnx_file(tmp_path / "nan.onnx", model, meta), "NaN or inf")


def test_an_onnx_with_the_wrong_number_of_classes_is_refused(tmp_path):
    two = UNetConfig(base=4, depth=2, num_classes=2)
    meta = build_meta(CFG, SIZE, Normalization())  # claims sky/sea/other, the network gives 2 logits
    refused(onnx_file(tmp_path / "two.onnx", tiny_model(two), meta), "2 classes")
    save_weights(tmp_path / "two.pt", tiny_model(two), build_meta(two, SIZE, Normalization(), classes=("a", "b")))
    refused(tmp_path / "two.pt", "3 classes")


def test_an_absurd_input_size_is_refused_at_once(tmp_path):
    meta = build_meta(CFG, (4000, 5000), Normalization())
    save_weights(tmp_path / "huge.pt", tiny_model(), meta)
    refused(tmp_path / "huge.pt", "4000x5000")
    refused(onnx_file(tmp_path / "huge.onnx", tiny_model(), meta), "4000x5000")


def test_every_broken_weights_file_is_one_line_naming_it(tmp_path, weights):
    good = weights.read_bytes()
    cases = {
        "empty.pt": b"",
        "text.pt": b"this is not a weights file",
        "truncated.pt": good[: len(good) // 2],
        "flipped.pt": good[:200] + bytes(b ^ 0xFF for b in good[200:400]) + good[400:],
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        refused(tmp_path / name, "")
    with zipfile.ZipFile(tmp_path / "zip.pt", "w") as z:
        z.writestr("archive/data.pkl", b"garbage")
    refused(tmp_path / "zip.pt", "")
    torch.save({"format": "seasky-weights", "version": 1, "meta": build_meta(CFG, SIZE, Normalization()),
                "state_dict": {"weird": torch.zeros(2)}}, tmp_path / "keys.pt")
    refused(tmp_path / "keys.pt", "do not match")  # load_state_dict's many-line message, in one line
    save_weights(tmp_path / "arch.pt", tiny_model(), dict(build_meta(CFG, SIZE, Normalization()), arch="unet"))
    refused(tmp_path / "arch.pt", "arch")

    meta = build_meta(CFG, SIZE, Normalization())
    onnx = onnx_file(tmp_path / "good.onnx", tiny_model(), meta).read_bytes()
    (tmp_path / "text.onnx").write_bytes(b"not onnx")
    refused(tmp_path / "text.onnx", "")
    (tmp_path / "truncated.onnx").write_bytes(onnx[: len(onnx) // 2])
    refused(tmp_path / "truncated.onnx", "")
    import onnx as onnx_lib

    proto = onnx_lib.load_from_string(onnx)
    next(p for p in proto.metadata_props if p.key == ONNX_META_KEY).value = "{not json"
    (tmp_path / "json.onnx").write_bytes(proto.SerializeToString())
    refused(tmp_path / "json.onnx", "metadata")
    next(p for p in proto.metadata_props if p.key == ONNX_META_KEY).value = json.dumps({"classes": []})
    (tmp_path / "keys.onnx").write_bytes(proto.SerializeToString())
    refused(tmp_path / "keys.onnx", "arch")


# ------------------------------------------------------------------------------------------ seasky-predict


def test_predict_skips_unreadable_images_and_writes_the_rest(tmp_path, weights, capsys):
    images = tmp_path / "in" / "images"
    images.mkdir(parents=True)
    frame = (np.random.default_rng(0).random((60, 80)) * 4000 + 8000).astype(np.uint16)
    cv2.imwrite(str(images / "a.png"), frame)
    (images / "b.png").write_bytes(b"\x89PNG\r\n\x1a\n and then nothing useful")
    big = np.zeros((600, 800), np.uint8)
    cv2.imwrite(str(images / "c.png"), big)  # a few hundred bytes declaring 480000 pixels
    cv2.imwrite(str(images / "d.png"), frame)
    out = tmp_path / "out"
    assert predict.main(["--input", str(tmp_path / "in"), "--output", str(out), "--weights", str(weights),
                         "--device", "cpu", "--max-frame-pixels", "100000", "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert set(read_horizon_csv(out / "horizon.csv")) == {"a", "d"}
    assert sorted(p.name for p in (out / "masks").iterdir()) == ["a.png", "d.png"]
    assert "2 skipped" in captured.out and "Traceback" not in captured.err
    assert "b.png" in captured.err and "c.png" in captured.err and "800x600" in captured.err


# ------------------------------------------------------------------------------------------ seasky-export


def test_export_to_a_directory_is_one_line(tmp_path, weights, capsys):
    assert export.main(["--weights", str(weights), "--onnx", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and str(tmp_path) in err and "directory" in err, err
    assert export.main(["--weights", str(tmp_path / "none.pt"), "--onnx", str(tmp_path / "x.onnx")]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "none.pt" in err and "not found" in err, err
