# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""``seasky-export``: weights file -> ONNX (dynamic batch), checked against PyTorch.

The ONNX file carries the same metadata as the weights file, so ``Segmenter.from_file`` and the
node load it directly (backend onnxruntime), e.g. on a Jetson with TensorRT's ONNX parser.

``--int8`` writes a statically quantised model instead (8-bit weights and activations, QDQ
format), calibrated on frames run through the very preprocessing inference uses: built-in
synthetic scenes and, better, frames of your own camera (``--calibration DIR``). On a 2-core
CPU it runs the network about twice as fast as float32, which is what lets the node keep up
with a 30 Hz camera there; its labels are checked against float32 on the calibration frames.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from seasky_ros.atomic_write import write_bytes_atomic
from seasky_ros.backends import MIN_INT8_AGREEMENT, ONNX_META_KEY, export_onnx_bytes
from seasky_ros.preprocess import Normalization, prepare
from seasky_ros.weights import WeightsError, load_weights


def export(weights: str | Path | None, onnx_path: Path, batch: int = 2, seed: int = 0) -> float:
    """Write the ONNX file; returns the largest |onnx - torch| logit difference on random inputs."""
    import onnxruntime as ort
    import torch

    model, meta = load_weights(weights)
    size = (int(meta["input_size"][0]), int(meta["input_size"][1]))
    data = export_onnx_bytes(model, size, meta)
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(seed).normal(size=(batch, model.config.in_channels, *size)).astype(np.float32)
    with torch.inference_mode():
        expected = model(torch.from_numpy(x)).numpy()
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    diff = float(np.max(np.abs(expected - got)))
    tolerance = 1e-3 * max(1.0, float(np.max(np.abs(expected))))
    if diff > tolerance:
        raise RuntimeError(f"ONNX export disagrees with PyTorch: max |diff| {diff:.3g} > {tolerance:.3g}")
    write_bytes_atomic(onnx_path, data)
    return diff


def calibration_inputs(folders: Sequence[str | Path], synthetic: int, input_size_hw: tuple[int, int],
                       norm: Normalization, seed: int = 0, fraction: float = 1.0) -> list[np.ndarray]:
    """(1, 1, H, W) network inputs: the first ``fraction`` of each folder's frames (time order,
    like seasky-train's split), then ``synthetic`` built-in scenes."""
    from seasky_ros.dataset_folder import DatasetFolder
    from seasky_ros.synthetic import generate_frame

    inputs = []
    for root in folders:
        folder = DatasetFolder(root)
        for i in range(int(round(len(folder) * fraction))):
            inputs.append(prepare(folder[i].image, input_size_hw, norm).tensor)
    for i in range(synthetic):
        frame = generate_frame(seed * 1_000_003 + i)
        inputs.append(prepare(frame.image, input_size_hw, norm, frame.encoding).tensor)
    if not inputs:
        raise ValueError("int8 calibration needs frames: give --calibration DIR and/or --calibration-synthetic N")
    return inputs


def export_int8(weights: str | Path | None, onnx_path: Path, folders: Sequence[str | Path] = (),
                synthetic: int = 32, seed: int = 0, fraction: float = 1.0) -> float:
    """Write a statically quantised (QDQ int8) ONNX file; returns its label agreement with float32.

    Raises when fewer than ``MIN_INT8_AGREEMENT`` of the calibration pixels keep their label:
    a model that quantises badly is not written.
    """
    import onnx
    import onnxruntime as ort
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    from onnxruntime.quantization.shape_inference import quant_pre_process

    model, meta = load_weights(weights)
    size = (int(meta["input_size"][0]), int(meta["input_size"][1]))
    norm = Normalization.from_dict(meta["normalization"])
    inputs = calibration_inputs(folders, synthetic, size, norm, seed, fraction)

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.items = iter(inputs)

        def get_next(self) -> dict | None:
            x = next(self.items, None)
            return None if x is None else {"image": x}

    with tempfile.TemporaryDirectory() as tmp:
        fp32, pre, int8 = Path(tmp) / "fp32.onnx", Path(tmp) / "pre.onnx", Path(tmp) / "int8.onnx"
        fp32.write_bytes(export_onnx_bytes(model, size))
        quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=True)
        # reduce_range (7-bit weights): x86 CPUs without VNNI (AVX2 alone: most AMD before Zen 4,
        # Intel before Cascade Lake) multiply uint8 by int8 in pairs summed into int16, which
        # saturates with 8-bit weights; ONNX Runtime then returns wrong labels (sky IoU 0.99 ->
        # 0.87 on infml-hdd-dev). 7 bits cannot overflow there; they cost the horizon 0.04-0.08 px
        # (docs/MODEL_CARD.md, "The int8 model").
        quantize_static(str(pre), str(int8), Reader(), quant_format=QuantFormat.QDQ, reduce_range=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8, per_channel=True)
        proto = onnx.load(str(int8))
        reference = ort.InferenceSession(str(fp32), providers=["CPUExecutionProvider"])
    quantized_meta = dict(meta, quantization={
        "format": "qdq-int8", "weight_bits": 7, "calibration_frames": len(inputs), "calibration_fraction": fraction,
        "calibration": [str(f) for f in folders] + [f"synthetic:{synthetic}"]})
    entry = proto.metadata_props.add()
    entry.key, entry.value = ONNX_META_KEY, json.dumps(quantized_meta)
    data = proto.SerializeToString()
    session = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    same = total = 0
    for x in inputs:
        a = reference.run(None, {"image": x})[0].argmax(axis=1)
        b = session.run(None, {"image": x})[0].argmax(axis=1)
        same += int((a == b).sum())
        total += a.size
    agreement = same / total
    if agreement < MIN_INT8_AGREEMENT:
        raise RuntimeError(f"int8 model keeps only {agreement:.1%} of the float32 labels on the calibration "
                           f"frames (< {MIN_INT8_AGREEMENT:.0%}); not written")
    write_bytes_atomic(onnx_path, data)
    return agreement


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="seasky-export", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--weights", default=None, help="weights file; default: the shipped weights")
    p.add_argument("--onnx", type=Path, required=True, help="output .onnx file")
    p.add_argument("--int8", action="store_true", help="statically quantised int8 model (fast on CPUs)")
    p.add_argument("--calibration", action="append", default=[],
                   help="dataset folder of frames to calibrate int8 on (repeatable; your camera's frames are best)")
    p.add_argument("--calibration-fraction", type=float, default=1.0,
                   help="use the first fraction of each calibration folder (time order), e.g. its training part")
    p.add_argument("--calibration-synthetic", type=int, default=32, help="built-in synthetic calibration scenes")
    args = p.parse_args(argv)
    if not 0.0 < args.calibration_fraction <= 1.0:
        p.error("--calibration-fraction must be in (0, 1]")
    try:
        return _run(args)
    except (WeightsError, OSError, RuntimeError, ValueError) as exc:  # a file problem: one line, not a traceback
        print(f"seasky-export: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.onnx.is_dir():
        raise ValueError(f"--onnx {args.onnx} is a directory; give the .onnx file's name")
    if args.int8:
        agreement = export_int8(args.weights, args.onnx, args.calibration, args.calibration_synthetic,
                                fraction=args.calibration_fraction)
        print(f"seasky-export: wrote {args.onnx} (int8; {agreement:.2%} of the float32 labels kept on the "
              "calibration frames)")
        return 0
    diff = export(args.weights, args.onnx)
    print(f"seasky-export: wrote {args.onnx} (batch dimension dynamic; max |onnx - torch| = {diff:.2e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
