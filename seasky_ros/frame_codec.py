# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Raw and compressed frame bytes <-> numpy, without ROS: the core of ``ros_image``.

It works on plain values (bytes, height, width, step, encoding, is_bigendian) so it is tested,
and used by ``seasky-predict``, without ROS, and it checks what a driver may get wrong: row
padding (``step``), byte order, truncated data and unknown encodings, each reported as a
``FrameError`` naming the problem instead of a numpy exception from deep inside.
"""

from __future__ import annotations

import os
import struct
import sys
import tempfile
import threading
from typing import Any

import cv2
import numpy as np

from .preprocess import FrameError, infer_encoding

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
# The largest frame accepted (pixels): 8192 x 4096. A compressed frame declaring more is refused from
# its header, before decoding: a 1 MB PNG can declare a frame that takes tens of GB to decode.
MAX_FRAME_PIXELS = 8192 * 4096
_HOST_BIG_ENDIAN = sys.byteorder == "big"


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


def check_frame_size(width: int, height: int, max_pixels: int | None, what: str = "frame") -> None:
    """FrameError when width x height exceeds ``max_pixels`` (None: no limit)."""
    if max_pixels is not None and width * height > max_pixels:
        raise FrameError(f"{what} of {width}x{height} ({width * height} pixels) is larger than the "
                         f"{max_pixels}-pixel limit (max_frame_pixels)")


def declared_size(data: bytes | memoryview) -> tuple[int, int] | None:
    """(width, height) that a PNG, JPEG or TIFF file declares in its header; None for other data.

    Read from the header alone, so a frame can be refused before a decoder allocates for it.
    """
    head = bytes(data[:8])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        if len(data) < 24 or bytes(data[12:16]) != b"IHDR":
            return None
        return struct.unpack(">II", bytes(data[16:24]))
    if head.startswith(b"\xff\xd8"):
        return _jpeg_size(bytes(data))
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return _tiff_size(bytes(data))
    return None


_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the JPEG markers up to the first start-of-frame segment, which holds the size."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        if marker in _JPEG_SOF:
            if pos + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
            return width, height
        if marker == 0xDA or length < 2:  # image data before any frame header: not a JPEG we read
            return None
        pos += 2 + length
    return None


def _tiff_size(data: bytes) -> tuple[int, int] | None:
    """ImageWidth and ImageLength of a TIFF's (or BigTIFF's) first image directory."""
    order = "<" if data[:2] == b"II" else ">"
    big = data[2:4] in (b"+\x00", b"\x00+")
    try:
        if big:
            (offset,) = struct.unpack(order + "Q", data[8:16])
            (count,) = struct.unpack(order + "Q", data[offset:offset + 8])
            entries, size, first = offset + 8, 20, "HHQ"
        else:
            (offset,) = struct.unpack(order + "I", data[4:8])
            (count,) = struct.unpack(order + "H", data[offset:offset + 2])
            entries, size, first = offset + 2, 12, "HHI"
        values: dict[int, int] = {}
        for i in range(min(count, 4096)):
            entry = data[entries + i * size:entries + (i + 1) * size]
            tag, kind, _n = struct.unpack(order + first, entry[:struct.calcsize(first)])
            if tag in (256, 257):
                raw = entry[struct.calcsize(first):]
                values[tag] = struct.unpack(order + ("H" if kind == 3 else "I"), raw[:2 if kind == 3 else 4])[0]
        return (values[256], values[257]) if len(values) == 2 else None
    except (struct.error, KeyError):
        return None


_DECODE_LOCK = threading.Lock()


def _decode_quietly(buffer: np.ndarray) -> tuple[np.ndarray | None, str]:
    """cv2.imdecode with libpng's and libjpeg's complaints captured instead of printed.

    Those libraries write straight to file descriptor 2, one line per bad frame, so it is
    redirected for the call; whatever else the process wrote there meanwhile is passed on.
    Returns the image (None when it cannot be decoded) and the decoders' text, on one line.
    """
    with _DECODE_LOCK, tempfile.TemporaryFile() as sink:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(sink.fileno(), 2)
            image = cv2.imdecode(buffer, cv2.IMREAD_UNCHANGED)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        sink.seek(0)
        text = sink.read().decode("utf-8", "replace")
    noise, others = [], []
    for line in text.splitlines(keepends=True):
        is_noise = line.startswith(("libpng", "Corrupt JPEG", "Premature end of JPEG", "Invalid SOS", "Bogus")) or (
            line.startswith("[ WARN") and "grfmt_" in line)
        (noise if is_noise else others).append(line)
    if others:
        os.write(2, "".join(others).encode())
    return image, " ".join(line.strip() for line in noise)


def decode_compressed(data: Any, fmt: str = "", max_pixels: int | None = MAX_FRAME_PIXELS) -> tuple[np.ndarray, str]:
    """PNG (8 or 16 bit, gray or colour) or JPEG bytes -> (array, encoding).

    The size the header declares is checked against ``max_pixels`` before anything is decoded.
    """
    buffer = np.frombuffer(data, dtype=np.uint8)
    if buffer.size == 0:
        raise FrameError("empty compressed frame")
    what = f"cannot decode compressed frame (format '{fmt}', {buffer.size} bytes)"
    head = buffer[:8].tobytes()
    if not (head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8")):
        raise FrameError(f"{what}: not PNG or JPEG")
    size = declared_size(buffer)
    if size is None:
        raise FrameError(f"{what}: no readable size in its header")
    check_frame_size(*size, max_pixels, what="compressed frame (by its header)")
    image, noise = _decode_quietly(buffer)
    if image is None or image.size == 0:
        raise FrameError(f"{what}: {noise}" if noise else what)
    if "premature end" in noise.lower():  # libjpeg fills a truncated frame with gray and only warns
        raise FrameError(f"{what}: truncated ({noise})")
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
