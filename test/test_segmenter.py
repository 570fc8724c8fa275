# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Segmenter: loading (and its errors), both runtimes, outputs at the frame's resolution."""

import cv2
import numpy as np
import pytest
import torch

from seasky_ros.backends import int8_saturation_risk
from seasky_ros.model import UNet, UNetConfig
from seasky_ros.preprocess import FrameError, Normalization
from seasky_ros.segmenter import Segmenter, labels_from_logits
from seasky_ros.weights import WeightsError, build_meta, load_weights, save_weights


def sea_frame(h=512, w=640, horizon_row=200.0, seed=0):
    """mono16: cold sky gradient above a level line, warmer textured sea below."""
    rng = np.random.default_rng(seed)
    rows = np.arange(h, dtype=np.float32)[:, None]
    sky = 7000 + 600 * rows / horizon_row
    sea = 8200 + 300 * (rows - horizon_row) / h + rng.normal(0, 40, (h, w))
    img = np.where(rows < horizon_row, sky, sea) + rng.normal(0, 10, (h, w))
    return img.astype(np.uint16)


@pytest.fixture
def untrained_file(tmp_path):
    cfg = UNetConfig(base=4, depth=2)
    path = tmp_path / "tiny.pt"
    save_weights(path, UNet(cfg), build_meta(cfg, (48, 64), Normalization()))
    return path


def test_missing_weights_file_names_the_file(tmp_path):
    with pytest.raises(WeightsError, match="nowhere.pt.*not found"):
        Segmenter.from_file(tmp_path / "nowhere.pt")


def test_corrupt_weights_file_names_the_file(tmp_path):
    bad = tmp_path / "garbage.pt"
    bad.write_bytes(b"this is not a torch file")
    with pytest.raises(WeightsError, match="garbage.pt.*not a readable"):
        Segmenter.from_file(bad)


def test_truncated_weights_file_is_reported(untrained_file):
    data = untrained_file.read_bytes()
    untrained_file.write_bytes(data[: len(data) // 2])
    with pytest.raises(WeightsError, match="tiny.pt"):
        Segmenter.from_file(untrained_file)


def test_foreign_torch_file_is_rejected(tmp_path):
    other = tmp_path / "other.pt"
    torch.save({"state_dict": {}}, other)
    with pytest.raises(WeightsError, match="not a seasky_ros weights file"):
        load_weights(other)


def test_mismatched_architecture_is_reported(tmp_path):
    cfg = UNetConfig(base=4, depth=2)
    path = tmp_path / "mismatch.pt"
    meta = build_meta(UNetConfig(base=8, depth=2), (48, 64), Normalization())
    save_weights(path, UNet(cfg), meta)
    with pytest.raises(WeightsError, match="mismatch.pt.*do not match"):
        load_weights(path)


def test_metadata_without_input_size_is_reported(tmp_path):
    cfg = UNetConfig(base=4, depth=2)
    meta = build_meta(cfg, (48, 64), Normalization())
    del meta["input_size"]
    path = tmp_path / "nometa.pt"
    save_weights(path, UNet(cfg), meta)
    with pytest.raises(WeightsError, match="input_size"):
        load_weights(path)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the no-CUDA error")
def test_explicit_cuda_request_without_cuda_is_an_error(untrained_file):
    with pytest.raises(RuntimeError, match="CUDA is not available"):
        Segmenter.from_file(untrained_file, device="cuda")


def test_unknown_backend_and_device_are_errors(untrained_file):
    with pytest.raises(ValueError, match="backend"):
        Segmenter.from_file(untrained_file, backend="tensorflow")
    with pytest.raises(ValueError, match="device"):
        Segmenter.from_file(untrained_file, device="tpu")


@pytest.mark.parametrize("backend", ["torch", "onnxruntime"])
@pytest.mark.parametrize(("h", "w"), [(512, 640), (288, 384), (101, 157)])
def test_labels_come_back_at_the_frame_resolution(untrained_file, backend, h, w):
    seg = Segmenter.from_file(untrained_file, device="cpu", backend=backend)
    result = seg.segment(sea_frame(h, w, horizon_row=h * 0.4), with_confidence=True)
    assert result.labels.shape == (h, w) and result.labels.dtype == np.uint8
    assert set(np.unique(result.labels)) <= {0, 1, 2}
    assert result.confidence.shape == (h, w)
    assert np.all(result.confidence >= 1 / 3 - 1e-6) and np.all(result.confidence <= 1 + 1e-6)
    assert {"preprocess", "network", "upsample", "horizon", "total"} <= set(result.timings_ms)
    assert seg.describe()["backend"] == backend


def test_bad_frame_raises_frame_error(untrained_file):
    seg = Segmenter.from_file(untrained_file, device="cpu", backend="torch")
    with pytest.raises(FrameError):
        seg.segment(np.zeros((10, 10), np.uint8), encoding="yuv422")


def test_upsampled_logits_give_a_sub_pixel_border():
    """Two classes crossing half-way between low-res rows land between the right full-res rows."""
    logits = np.zeros((3, 4, 4), np.float32)
    logits[0] = np.array([3, 1, -1, -3], np.float32)[:, None]  # sky falls off downwards
    logits[1] = -logits[0]
    labels, _ = labels_from_logits(logits, (40, 40))
    first_sea = int(np.argmax(labels[:, 0] == 1))
    assert 18 <= first_sea <= 21


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_arg_max_is_numpys_including_ties(classes):
    """The plane-wise arg-max gives np.argmax's labels, the first class winning a tie."""
    rng = np.random.default_rng(classes)
    logits = rng.integers(-2, 3, (classes, 30, 40)).astype(np.float32)  # small integers: many ties
    upsampled = np.stack([cv2.resize(p, (80, 60), interpolation=cv2.INTER_LINEAR) for p in logits])
    labels, confidence = labels_from_logits(logits, (60, 80), with_confidence=True)
    assert np.array_equal(labels, np.argmax(upsampled, axis=0))
    same, _ = labels_from_logits(logits, (30, 40))
    assert np.array_equal(same, np.argmax(logits, axis=0))
    assert np.allclose(confidence, 1.0 / np.exp(upsampled - upsampled.max(axis=0)).sum(axis=0), rtol=1e-6)


def test_int8_saturation_risk_is_named_for_8_bit_weights_on_a_cpu_without_vnni():
    legacy, seven = {"quantization": {"format": "qdq-int8"}}, {"quantization": {"weight_bits": 7}}
    avx2 = frozenset({"sse4_2", "avx", "avx2", "fma"})
    assert "re-export" in int8_saturation_risk(legacy, avx2)
    assert int8_saturation_risk(legacy, avx2 | {"avx512_vnni"}) is None
    assert int8_saturation_risk(legacy, avx2 | {"avx_vnni"}) is None
    assert int8_saturation_risk(legacy, frozenset()) is None  # not x86, or flags unknown
    assert int8_saturation_risk(seven, avx2) is None
    assert int8_saturation_risk({}, avx2) is None  # float32


def test_trained_weights_segment_a_sea_frame(trained_weights):
    frame = sea_frame(512, 640, horizon_row=230.0, seed=3)
    torch_seg = Segmenter.from_file(trained_weights, device="cpu", backend="torch")
    onnx_seg = Segmenter.from_file(trained_weights, device="cpu", backend="onnxruntime")
    a = torch_seg.segment(frame)
    b = onnx_seg.segment(frame)
    assert np.mean(a.labels == b.labels) > 0.999
    sky_share = np.mean(a.labels[:200] == 0)
    sea_share = np.mean(a.labels[260:] == 1)
    # the 4-epoch test model (validation mean IoU about 0.57) is rough, and how rough depends on the
    # torch thread count it trained with: sea 0.86 with two threads, 0.96 with one; untrained, about a third
    assert sky_share > 0.8 and sea_share > 0.8


def test_shipped_weights_run_as_int8_on_the_cpu_with_onnxruntime_only():
    from seasky_ros.weights import default_int8_path, default_weights_path

    fast = Segmenter.from_file(device="cpu", backend="onnxruntime", warmup=0)
    assert fast.int8 and fast.source == default_int8_path()
    assert fast.describe()["int8"] == "True"
    plain = Segmenter.from_file(device="cpu", backend="onnxruntime", int8=False, warmup=0)
    assert not plain.int8 and plain.source == default_weights_path()
    eager = Segmenter.from_file(device="cpu", backend="torch", warmup=0)
    assert not eager.int8 and eager.backend == "torch"
    with pytest.raises(ValueError, match="seasky-export --int8"):
        Segmenter.from_file(device="cpu", backend="torch", int8=True)


def test_explicit_weights_with_int8_is_a_clear_error(untrained_file):
    with pytest.raises(ValueError, match="int8 needs the shipped weights"):
        Segmenter.from_file(untrained_file, device="cpu", int8=True)


def test_shipped_int8_model_agrees_with_float32_on_real_frames(real_data):
    """Every fourth infml-hdd-dev frame: >= 99 % of the pixels keep their label, horizons within 0.5 px."""
    import cv2

    fast = Segmenter.from_file(device="cpu", backend="onnxruntime")
    plain = Segmenter.from_file(device="cpu", backend="onnxruntime", int8=False)
    agree, shifts = [], []
    for path in sorted((real_data / "infml-hdd-dev" / "images").glob("*.png"))[::4]:
        frame = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        a, b = fast.segment(frame), plain.segment(frame)
        agree.append(np.mean(a.labels == b.labels))
        shifts.append(abs(a.horizon.center_row - b.horizon.center_row))
    assert np.mean(agree) > 0.99
    assert np.median(shifts) < 0.5
