# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Overlay frames to a video file: ``seasky-bag process --video`` and the demo's GIF both write one."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np


class VideoSink:
    """Overlay frames to MP4 (OpenCV, mp4v) or GIF (Pillow; skipped with a message without it).

    A GIF keeps at most ``gif_max_frames`` frames (evenly thinned) at most ``gif_width`` wide,
    so a long bag does not turn into a gigabyte of palette images in memory.
    """

    def __init__(self, path: Path, fps: float, total_frames: int, gif_max_frames: int = 150,
                 gif_width: int = 480, log=print) -> None:
        self.path = Path(path)
        self.fps = fps if fps > 0 and math.isfinite(fps) else 30.0
        self.kind = "gif" if self.path.suffix.lower() == ".gif" else "mp4"
        self.stride = max(1, math.ceil(total_frames / gif_max_frames)) if self.kind == "gif" else 1
        self.gif_width = gif_width
        self.frames: list = []
        self.count = 0
        self.resized = 0  # frames of another resolution than the first, resized to it
        self.size: tuple[int, int] | None = None  # (width, height) of the video
        self.writer = None
        self.enabled = True
        self.tmp = self.path.with_name(f".{self.path.stem}.partial{self.path.suffix}")
        self.log = log
        if self.kind == "gif":
            try:
                import PIL.Image  # noqa: F401
            except ImportError:
                self.enabled = False
                log(f"seasky-bag: Pillow is not installed, not writing {self.path} (pip install pillow, or use .mp4)")

    def add(self, bgr: np.ndarray) -> None:
        if not self.enabled:
            return
        import cv2

        index = self.count
        self.count += 1
        h, w = bgr.shape[:2]
        if self.size is None:
            self.size = (w, h)
        elif self.size != (w, h):  # a video has one size: a resolution change is resized to the first one
            bgr = cv2.resize(bgr, self.size, interpolation=cv2.INTER_AREA)
            self.resized += 1
        if self.kind == "mp4":
            if self.writer is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.writer = cv2.VideoWriter(str(self.tmp), cv2.VideoWriter_fourcc(*"mp4v"), self.fps, self.size)
                if not self.writer.isOpened():
                    self.writer, self.enabled = None, False
                    self.log(f"seasky-bag: OpenCV cannot write MP4 here, not writing {self.path}")
                    return
            self.writer.write(bgr)
        elif index % self.stride == 0:
            h, w = bgr.shape[:2]
            if w > self.gif_width:
                bgr = cv2.resize(bgr, (self.gif_width, round(h * self.gif_width / w)), interpolation=cv2.INTER_AREA)
            self.frames.append(np.ascontiguousarray(bgr[:, :, ::-1]))

    def close(self) -> Path | None:
        """Finish the file; returns its path, or None when nothing was written."""
        if self.kind == "mp4":
            if self.writer is None:
                return None
            self.writer.release()
            os.replace(self.tmp, self.path)
            return self.path
        if not self.enabled or not self.frames:
            return None
        from PIL import Image

        self.path.parent.mkdir(parents=True, exist_ok=True)
        images = [Image.fromarray(f) for f in self.frames]
        duration = round(1000.0 * self.stride / self.fps)
        images[0].save(self.tmp, format="GIF", save_all=True, append_images=images[1:], duration=duration, loop=0)
        os.replace(self.tmp, self.path)
        return self.path
