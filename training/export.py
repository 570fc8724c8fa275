"""``seasky-export``: weights file -> ONNX (dynamic batch), checked against PyTorch.

The ONNX file carries the same metadata as the weights file, so ``Segmenter.from_file`` and the
node load it directly (backend onnxruntime), e.g. on a Jetson with TensorRT's ONNX parser.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from seasky_ros.atomic_write import write_bytes_atomic
from seasky_ros.segmenter import export_onnx_bytes
from seasky_ros.weights import load_weights


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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="seasky-export", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--weights", default=None, help="weights file; default: the shipped weights")
    p.add_argument("--onnx", type=Path, required=True, help="output .onnx file")
    args = p.parse_args(argv)
    diff = export(args.weights, args.onnx)
    print(f"seasky-export: wrote {args.onnx} (batch dimension dynamic; max |onnx - torch| = {diff:.2e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
