# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Write files whole or not at all: to a temporary name beside the target, then rename.

An interrupted run (Ctrl-C, a crash, a full disk) then leaves the previous file or none,
never half of one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import cv2
import numpy as np

_UMASK = os.umask(0)
os.umask(_UMASK)


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_image_atomic(path: str | os.PathLike, image: np.ndarray) -> None:
    """Encode by the file's suffix (png keeps 16 bits), then write atomically."""
    suffix = Path(path).suffix or ".png"
    ok, data = cv2.imencode(suffix, image)
    if not ok:
        raise OSError(f"could not encode an image of shape {image.shape} as {suffix} for {path}")
    write_bytes_atomic(path, data.tobytes())
