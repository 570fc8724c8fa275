# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""sensor_msgs Image / CompressedImage <-> numpy, without needing ROS's cv_bridge.

ROS's ``cv_bridge`` is used for raw images when it can be imported, but it is not on PyPI (the
``cv-bridge`` package there is the ROS 1 one and breaks on numpy 2), so the conversion also
lives here, on ``frame_codec``'s functions of plain values.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .frame_codec import (
    MAX_FRAME_PIXELS,
    check_frame_size,
    check_layout,
    decode_compressed,
    decode_raw,
    encode_compressed,
    encode_raw,
)


def _load_cv_bridge() -> Any:
    """ROS's CvBridge when it is importable and works, else None (any failure counts as absent)."""
    try:
        from cv_bridge import CvBridge

        return CvBridge()
    except Exception:
        return None


_BRIDGE = _load_cv_bridge()


def image_to_numpy(msg: Any, max_pixels: int | None = MAX_FRAME_PIXELS) -> tuple[np.ndarray, str]:
    """sensor_msgs/Image -> (array, encoding). Raises FrameError for frames that cannot be read."""
    encoding = str(msg.encoding)
    check_frame_size(int(msg.width), int(msg.height), max_pixels)
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


def compressed_to_numpy(msg: Any, max_pixels: int | None = MAX_FRAME_PIXELS) -> tuple[np.ndarray, str]:
    """sensor_msgs/CompressedImage -> (array, encoding)."""
    return decode_compressed(msg.data, str(msg.format), max_pixels)


def numpy_to_compressed(image: np.ndarray, fmt: str = "png", header: Any = None, quality: int = 90) -> Any:
    """Array -> sensor_msgs/CompressedImage."""
    from sensor_msgs.msg import CompressedImage

    msg = CompressedImage()
    if header is not None:
        msg.header = header
    msg.format = "jpeg" if fmt.lower() in ("jpg", "jpeg") else fmt.lower()
    msg.data = encode_compressed(image, fmt, quality)
    return msg


def message_to_numpy(msg: Any, compressed: bool | None = None, max_pixels: int | None = MAX_FRAME_PIXELS
                     ) -> tuple[np.ndarray, str]:
    """Image or CompressedImage -> (array, encoding); ``compressed`` None = decide by the message.

    Frames over ``max_pixels`` are refused (compressed ones from their header, before decoding).
    """
    if compressed is None:
        compressed = hasattr(msg, "format") and not hasattr(msg, "encoding")
    return compressed_to_numpy(msg, max_pixels) if compressed else image_to_numpy(msg, max_pixels)
