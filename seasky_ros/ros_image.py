# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""sensor_msgs Image / CompressedImage <-> numpy, without needing ROS's cv_bridge.

ROS's ``cv_bridge`` is used for raw images when it can be imported, but it is not on PyPI (the
``cv-bridge`` package there is the ROS 1 one and breaks on numpy 2), so the conversion also
lives here. Its core works on plain values (bytes, height, width, step, encoding,
is_bigendian) so it is tested without ROS, and it checks what a driver may get wrong: row
padding (``step``), byte order, truncated data and unknown encodings, each reported as a
``FrameError`` naming the problem instead of a numpy exception from deep inside.
"""

from __future__ import annotations

import sys
from typing import Any

import cv2
import numpy as np

from .preprocess import FrameError, infer_encoding

# encoding -> (numpy dtype, channels)
ENCODINGS: dict[str, tuple[np.dtype, int]] = {
    "mono8": (np.dtype(np.uint8), 1),
    "8UC1": (np.dtype(np.uint8), 1),
    "mono16": (np.dtype(np.uint16), 1),
    "16UC1": (np.dtype(np.uint16), 1),
    "32FC1": (np.dtype(np.float32), 1),
    "bgr8": (np.dtype(np.uint8), 3),
    "rgb8": (np.dtype(np.uint8), 3),
    "bgra8": (np.dtype(np.uint8), 4),
    "rgba8": (np.dtype(np.uint8), 4),
}
OUTPUT_ENCODINGS = ("mono8", "bgr8", "mono16", "32FC1")
COMPRESSED_FORMATS = ("png", "jpeg")
_HOST_BIG_ENDIAN = sys.byteorder == "big"


def _load_cv_bridge() -> Any:
    """ROS's CvBridge when it is importable and works, else None (any failure counts as absent)."""
    try:
        from cv_bridge import CvBridge

        return CvBridge()
    except Exception:
        return None


_BRIDGE = _load_cv_bridge()


def bytes_per_pixel(encoding: str) -> int:
    dtype, channels = _layout(encoding)
    return dtype.itemsize * channels


def _layout(encoding: str) -> tuple[np.dtype, int]:
    try:
        return ENCODINGS[encoding]
    except KeyError:
        raise FrameError(f"unsupported encoding '{encoding}' (supported: {', '.join(ENCODINGS)})") from None


def check_layout(size: int, height: int, width: int, step: int, encoding: str) -> None:
    """Raise FrameError unless ``size`` bytes hold a height x width frame of ``encoding`` with row ``step``."""
    bpp = bytes_per_pixel(encoding)
    if height <= 0 or width <= 0:
        raise FrameError(f"zero-size frame ({width}x{height})")
    if step < width * bpp:
        raise FrameError(f"step {step} is less than width {width} x {bpp} bytes per pixel of '{encoding}'")
    if size < step * height:
        raise FrameError(
            f"truncated frame: {size} bytes of data, {step * height} expected (step {step} x height {height})"
        )


def decode_raw(
    data: Any, height: int, width: int, step: int, encoding: str, is_bigendian: bool = False
) -> np.ndarray:
    """Raw image bytes -> array (H, W) or (H, W, C); a copy only when padding or byte order need one."""
    height, width, step = int(height), int(width), int(step)
    dtype, channels = _layout(encoding)
    buffer = np.frombuffer(data, dtype=np.uint8)
    check_layout(buffer.size, height, width, step, encoding)
    row_bytes = width * dtype.itemsize * channels
    rows = buffer[: step * height].reshape(height, step)[:, :row_bytes]
    if dtype.itemsize > 1 and step % dtype.itemsize:
        rows = np.ascontiguousarray(rows)  # odd padding: realign so the view below is legal
    wire = dtype.newbyteorder(">" if is_bigendian else "<")
    image = rows.view(wire).reshape((height, width, channels) if channels > 1 else (height, width))
    if dtype.itemsize > 1 and bool(is_bigendian) != _HOST_BIG_ENDIAN:
        image = image.astype(dtype)  # to native byte order
    return image


def encode_raw(image: np.ndarray, encoding: str | None = None) -> tuple[bytes, int, int, int, str, bool]:
    """Array -> (data, height, width, step, encoding, is_bigendian) with no row padding, host byte order."""
    image = np.asarray(image)
    if encoding is None:
        encoding = infer_encoding(image)
    dtype, channels = _layout(encoding)
    if image.ndim == 3 and image.shape[2] == 1 and channels == 1:
        image = image[:, :, 0]
    expected_ndim = 2 if channels == 1 else 3
    if image.ndim != expected_ndim or (channels > 1 and image.shape[2] != channels):
        raise FrameError(f"array of shape {image.shape} does not fit encoding '{encoding}'")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise FrameError(f"zero-size frame of shape {image.shape}")
    if image.dtype != dtype:
        if dtype == np.float32 and np.issubdtype(image.dtype, np.floating):
            image = image.astype(np.float32)
        else:
            raise FrameError(f"encoding '{encoding}' needs dtype {dtype}, got {image.dtype}")
    image = np.ascontiguousarray(image)
    height, width = image.shape[:2]
    return image.tobytes(), height, width, width * dtype.itemsize * channels, encoding, _HOST_BIG_ENDIAN


# ------------------------------------------------------------------------------------ ROS messages


def image_to_numpy(msg: Any) -> tuple[np.ndarray, str]:
    """sensor_msgs/Image -> (array, encoding). Raises FrameError for frames that cannot be read."""
    encoding = str(msg.encoding)
    check_layout(len(msg.data), int(msg.height), int(msg.width), int(msg.step), encoding)
    if _BRIDGE is not None:
        try:
            return np.asarray(_BRIDGE.imgmsg_to_cv2(msg, desired_encoding="passthrough")), encoding
        except Exception:  # fall through to our own conversion, which names the problem
            pass
    return decode_raw(msg.data, msg.height, msg.width, msg.step, encoding, bool(msg.is_bigendian)), encoding


def numpy_to_image(image: np.ndarray, encoding: str | None = None, header: Any = None) -> Any:
    """Array -> sensor_msgs/Image (mono8, bgr8, mono16 and 32FC1 are the usual ones; any of ENCODINGS)."""
    from sensor_msgs.msg import Image

    data, height, width, step, encoding, big = encode_raw(image, encoding)
    msg = Image()
    if header is not None:
        msg.header = header
    msg.height, msg.width, msg.step = height, width, step
    msg.encoding = encoding
    msg.is_bigendian = int(big)
    msg.data = data
    return msg


def decode_compressed(data: Any, fmt: str = "") -> tuple[np.ndarray, str]:
    """PNG (8 or 16 bit, gray or colour) or JPEG bytes -> (array, encoding)."""
    buffer = np.frombuffer(data, dtype=np.uint8)
    if buffer.size == 0:
        raise FrameError("empty compressed frame")
    image = cv2.imdecode(buffer, cv2.IMREAD_UNCHANGED)
    if image is None or image.size == 0:
        raise FrameError(f"cannot decode compressed frame (format '{fmt}', {buffer.size} bytes)")
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    if image.ndim == 2:
        encoding = {np.dtype(np.uint8): "mono8", np.dtype(np.uint16): "mono16"}.get(image.dtype)
    else:
        encoding = {3: "bgr8", 4: "bgra8"}.get(image.shape[2]) if image.dtype == np.uint8 else None
        if encoding is None and image.dtype == np.uint16:  # 16-bit colour PNG: keep the information as gray
            image = cv2.cvtColor(image[:, :, :3], cv2.COLOR_BGR2GRAY)
            encoding = "mono16"
    if encoding is None:
        raise FrameError(f"compressed frame decodes to unsupported {image.dtype} with shape {image.shape}")
    return image, encoding


def encode_compressed(image: np.ndarray, fmt: str = "png", quality: int = 90) -> bytes:
    """Array -> PNG (lossless; 8/16 bit) or JPEG (8 bit) bytes."""
    fmt = fmt.lower()
    if fmt == "jpg":
        fmt = "jpeg"
    if fmt not in COMPRESSED_FORMATS:
        raise FrameError(f"unsupported compressed format '{fmt}' (use png or jpeg)")
    image = np.ascontiguousarray(image)
    if fmt == "jpeg" and image.dtype != np.uint8:
        raise FrameError(f"JPEG holds 8-bit images only, got {image.dtype}; use png")
    params = [cv2.IMWRITE_JPEG_QUALITY, int(quality)] if fmt == "jpeg" else []
    ok, buffer = cv2.imencode(".png" if fmt == "png" else ".jpg", image, params)
    if not ok:
        raise FrameError(f"cannot encode an array of shape {image.shape} and dtype {image.dtype} as {fmt}")
    return buffer.tobytes()


def compressed_to_numpy(msg: Any) -> tuple[np.ndarray, str]:
    """sensor_msgs/CompressedImage -> (array, encoding)."""
    return decode_compressed(msg.data, str(msg.format))


def numpy_to_compressed(image: np.ndarray, fmt: str = "png", header: Any = None, quality: int = 90) -> Any:
    """Array -> sensor_msgs/CompressedImage."""
    from sensor_msgs.msg import CompressedImage

    msg = CompressedImage()
    if header is not None:
        msg.header = header
    msg.format = "jpeg" if fmt.lower() in ("jpg", "jpeg") else fmt.lower()
    msg.data = encode_compressed(image, fmt, quality)
    return msg


def message_to_numpy(msg: Any, compressed: bool | None = None) -> tuple[np.ndarray, str]:
    """Image or CompressedImage -> (array, encoding); ``compressed`` None = decide by the message."""
    if compressed is None:
        compressed = hasattr(msg, "format") and not hasattr(msg, "encoding")
    return compressed_to_numpy(msg) if compressed else image_to_numpy(msg)
