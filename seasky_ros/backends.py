# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""How the network is run: PyTorch or ONNX Runtime, on which device, and the int8 model's CPU caveat.

Why apart from ``segmenter``: choosing and wrapping a runtime is one job (the device and backend
rules, the ONNX export a CPU run uses, the VNNI check); turning frames into labels and a
horizon is another. ``Segmenter.from_file`` picks a runner here and only ever calls it.
"""

from __future__ import annotations

import importlib.util
import io
import json
import warnings

import numpy as np

BACKENDS = ("auto", "torch", "onnxruntime")
ONNX_META_KEY = "seasky_meta"


def _onnx_providers(device: str) -> list[str]:
    import onnxruntime as ort

    available = ort.get_available_providers()
    if device.startswith("cuda"):
        if "CUDAExecutionProvider" not in available:
            raise RuntimeError(
                f"device '{device}' was requested but onnxruntime has no CUDA provider "
                f"(available: {', '.join(available)}); install onnxruntime-gpu or use device 'cpu'"
            )
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]


MIN_INT8_AGREEMENT = 0.97
"""Share of pixels an int8 model must label as its float32 model does (seasky-export, seasky-bench)."""
VNNI_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8"})


def cpu_flags() -> frozenset[str]:
    """This machine's x86 CPU flags from /proc/cpuinfo (empty elsewhere: no warning can be given)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            for line in info:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


def int8_saturation_risk(meta: dict, flags: frozenset[str]) -> str | None:
    """Why an int8 model may label wrongly on this CPU, or None.

    ONNX Runtime's uint8 x int8 kernels on x86 without VNNI sum products in int16 pairs, which
    saturates with 8-bit weights; ``seasky-export`` writes 7-bit ones (metadata ``weight_bits``).
    A file from an earlier export gave infml-hdd-dev's sky IoU 0.87 instead of 0.99 on such a CPU.
    """
    quantization = meta.get("quantization")
    if not quantization or int(quantization.get("weight_bits", 8)) <= 7:
        return None
    if "avx2" not in flags or flags & VNNI_FLAGS:
        return None
    return ("this int8 model has 8-bit weights and this CPU has no VNNI: ONNX Runtime's int8 kernels saturate "
            "and the labels can be wrong; re-export it with seasky-export --int8 (7-bit weights) or run int8=false")


def export_onnx_bytes(model, input_size_hw: tuple[int, int], meta: dict | None = None) -> bytes:
    """Export a U-Net to ONNX (dynamic batch); the metadata rides along in the model's properties."""
    import torch

    model = model.eval().cpu()
    sample = torch.zeros(1, model.config.in_channels, *input_size_hw)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # the U-Net pads a decoder level only when its size differs from the skip's; height and width
        # are fixed in this graph (only the batch is dynamic), so the traced decision is the right one
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        torch.onnx.export(
            model,
            sample,
            buffer,
            dynamo=False,
            input_names=["image"],
            output_names=["logits"],
            dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
            opset_version=17,
        )
    data = buffer.getvalue()
    if meta is None:
        return data
    import onnx

    proto = onnx.load_from_string(data)
    entry = proto.metadata_props.add()
    entry.key, entry.value = ONNX_META_KEY, json.dumps(meta)
    return proto.SerializeToString()


class _TorchRunner:
    """Runs the network with PyTorch on CPU or CUDA (optionally float16 on CUDA)."""

    def __init__(self, model, device: str, half: bool) -> None:
        import torch

        self.torch = torch
        self.device = torch.device(device)
        self.half = half
        self.model = model.to(self.device).eval()
        if half:
            self.model = self.model.half()

    def __call__(self, x: np.ndarray) -> np.ndarray:
        torch = self.torch
        with torch.inference_mode():
            t = torch.from_numpy(x).to(self.device, non_blocking=True)
            if self.half:
                t = t.half()
            return self.model(t).float().cpu().numpy()


class _OnnxRunner:
    """Runs the network with ONNX Runtime: about twice as fast as eager torch on a CPU."""

    def __init__(self, onnx_bytes: bytes, device: str, threads: int | None) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        if threads:
            options.intra_op_num_threads = threads
        # no busy-waiting between runs: spinning worker threads starve the node's DDS and
        # executor threads of the same cores
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(onnx_bytes, options, providers=_onnx_providers(device))
        self.input_name = self.session.get_inputs()[0].name

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self.input_name: x})[0]


def _pick_device(device: str) -> str:
    """'auto' -> CUDA when available; an explicit CUDA request that cannot be met is an error."""
    device = (device or "auto").strip().lower()
    if device == "auto":
        try:
            import torch

            return "cuda:0" if torch.cuda.is_available() else "cpu"
        except ImportError:
            return "cpu"
    if device == "cpu":
        return "cpu"
    if device == "cuda" or device.startswith("cuda:"):
        import torch

        index = int(device.split(":", 1)[1]) if ":" in device else 0
        if not torch.cuda.is_available():
            raise RuntimeError(f"device '{device}' was requested but CUDA is not available on this machine")
        if index >= torch.cuda.device_count():
            raise RuntimeError(
                f"device '{device}' was requested but only {torch.cuda.device_count()} CUDA device(s) exist"
            )
        return f"cuda:{index}"
    raise ValueError(f"unknown device '{device}' (use auto, cpu, cuda or cuda:N)")


def _importable(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _pick_backend(backend: str, device: str, needs_onnx: bool = False) -> str:
    """'auto' -> ONNX Runtime on a CPU when it is installed, PyTorch on CUDA.

    ``needs_onnx``: a ``.pt`` file reaches ONNX Runtime through torch's exporter, which needs
    the optional ``onnx`` package; without it 'auto' runs PyTorch instead.
    """
    backend = (backend or "auto").strip().lower()
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend '{backend}' (use {', '.join(BACKENDS)})")
    if backend == "onnxruntime" and needs_onnx and not _importable("onnx"):
        raise ValueError("backend 'onnxruntime' with a .pt file needs the onnx package to convert it "
                         "(pip install onnx), or an .onnx file from seasky-export")
    if backend != "auto":
        return backend
    if device.startswith("cuda"):
        return "torch"
    if _importable("onnxruntime") and (not needs_onnx or _importable("onnx")):
        return "onnxruntime"
    return "torch"
