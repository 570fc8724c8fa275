# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Temporal consistency of the label stream: an "other" blob that flickers is no obstacle.

Single frames of the network paint small blobs of "other" into open sky (clouds) and sea
(glint, waves). A robot reads each as an obstacle. In a video a real obstacle persists from
frame to frame; many of these blobs do not. ``TemporalFilter`` keeps the last N frames' raw
(unfiltered) "other" masks and, in the current mask, turns a blob back into the sky or sea
around it unless "other" lay on at least half of it in *each* of those N frames, allowing
``motion_px`` of motion per frame of age (a vessel moving with the ship's roll).

Never removed, whatever their history:

- blobs touching the image border (a vessel entering the view, the own hull, a coast);
- blobs larger than ``max_blob_share`` of the frame (a coast, a near ship).

What it costs a true obstacle: a **latency of N frames** for a new, small, interior object
(N / 30 s at 30 Hz: 67 ms for the default N = 2), longer when the network's own detection of it drops
out for a frame (it must be seen in each of the N frames before). Obstacles in view when the
stream starts are shown at once: with no history (after a reset) a blob is kept; the k-th
frame after a reset checks the k frames it has.

The state resets on a new stream: a change of frame size, a stamp that goes backwards (a bag
restarting), or a gap longer than ``max(MIN_GAP_S, GAP_FACTOR x the median frame interval)``
(a pause, a camera restarting); and when N changes. numpy/OpenCV only, no ROS: the node and
the bag tool share it.
"""

from __future__ import annotations

import math
import time
from collections import deque

import cv2
import numpy as np

from .labels import OTHER, SEA, SKY

MIN_GAP_S = 0.5  # a pause at least this long starts a new stream
GAP_FACTOR = 3.0  # ... and so does one longer than this many median frame intervals (slow cameras)
DEFAULT_FRAMES = 2  # the node's and seasky-bag's default N, chosen from docs/FALSE_OBSTACLES.md's measurement
DEFAULT_MOTION_PX = 2.0
DEFAULT_MAX_BLOB_SHARE = 0.02
MIN_COVER = 0.5  # share of a blob's pixels a past frame's "other" must lie near for that frame to count


class TemporalFilter:
    """Removes "other" blobs that were not "other" in each of the last ``frames`` frames (0 = off).

    Call it once per frame, in stream order, with the frame's labels and header stamp (seconds);
    it returns the labels to publish (the input itself when nothing changes, else a copy).
    ``removed`` is how many blobs the last call removed.
    """

    def __init__(self, frames: int = 0, motion_px: float = DEFAULT_MOTION_PX,
                 max_blob_share: float = DEFAULT_MAX_BLOB_SHARE) -> None:
        if frames < 0 or motion_px < 0 or not 0.0 < max_blob_share <= 1.0:
            raise ValueError(f"need frames >= 0, motion_px >= 0 and 0 < max_blob_share <= 1, got {frames}, "
                             f"{motion_px}, {max_blob_share}")
        self.frames = int(frames)  # may be changed between calls (a live parameter): the history restarts
        self.motion_px = float(motion_px)
        self.max_blob_share = float(max_blob_share)
        self.removed = 0
        self._history: deque[np.ndarray] = deque()  # raw "other" masks, newest first
        self._frames_in_use = self.frames
        self._shape: tuple[int, int] | None = None
        self._last_stamp: float | None = None
        self._intervals: deque[float] = deque(maxlen=9)

    def reset(self) -> None:
        """Forget everything: the next frame starts a new stream."""
        self._history.clear()
        self._shape = None
        self._last_stamp = None
        self._intervals.clear()

    def __call__(self, labels: np.ndarray, stamp_s: float | None = None) -> np.ndarray:
        """The labels with flickering "other" blobs turned into the sky or sea around them."""
        labels = np.asarray(labels)
        if labels.ndim != 2:
            raise ValueError(f"labels must be a 2-D mask, got shape {labels.shape}")
        self.removed = 0
        frames = int(self.frames)
        if frames != self._frames_in_use:
            self._frames_in_use = frames
            self._history.clear()
        self._follow_stream(labels.shape, stamp_s)
        if frames <= 0:
            return labels
        other = labels == OTHER
        past = list(self._history)
        self._history.appendleft(other)
        while len(self._history) > frames:
            self._history.pop()
        if not past or not other.any():
            return labels
        doomed = self._flickering(other, past)
        if not doomed:
            return labels
        out = labels.copy()
        for blob, box in doomed:
            _fill_from_surroundings(out, blob, box)
        self.removed = len(doomed)
        return out

    def _follow_stream(self, shape: tuple[int, int], stamp_s: float | None) -> None:
        """Reset on a new stream: another frame size, a stamp going backwards, a gap in the frame rate."""
        if shape != self._shape:
            self.reset()
            self._shape = shape
        if stamp_s is None or not math.isfinite(stamp_s):
            return
        if self._last_stamp is not None:
            dt = stamp_s - self._last_stamp
            limit = max(MIN_GAP_S, GAP_FACTOR * float(np.median(self._intervals))) if self._intervals else MIN_GAP_S
            if dt < 0 or dt > limit:
                self._history.clear()
            if dt > 0:
                self._intervals.append(dt)  # a slow camera's first interval teaches the limit its rate
        self._last_stamp = stamp_s

    def _flickering(self, other: np.ndarray, past: list[np.ndarray]) -> list[tuple[np.ndarray, tuple[slice, slice]]]:
        """The blobs to remove, each as (mask, box): small, off the border, and not "other" in some past frame.

        The blobs are found from their outer contours (8-connected, like the components), then cut out
        of their bounding box: under load this is ~10x cheaper than a whole-frame component labelling
        with statistics. An "other" island inside a hole of another blob is not examined (kept).
        """
        height, width = other.shape
        contours, _ = cv2.findContours(other.view(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        largest = self.max_blob_share * other.size
        reach = math.ceil(self.motion_px * len(past)) + 1
        doomed = []
        for contour in contours:
            x, y, w, h = cv2.boundingRect(contour)
            if x == 0 or y == 0 or x + w == width or y + h == height:
                continue
            _, comp = cv2.connectedComponents(other[y:y + h, x:x + w].view(np.uint8), connectivity=8)
            px, py = contour[0, 0]
            inner = comp == comp[py - y, px - x]
            if np.count_nonzero(inner) > largest:
                continue
            top, left = max(0, y - reach), max(0, x - reach)
            box = (slice(top, min(height, y + h + reach)), slice(left, min(width, x + w + reach)))
            blob = np.zeros((box[0].stop - top, box[1].stop - left), bool)
            blob[y - top:y - top + h, x - left:x - left + w] = inner
            if not all(_near_share(blob, frame[box], self.motion_px * age) >= MIN_COVER
                       for age, frame in enumerate(past, start=1)):
                doomed.append((blob, box))
        return doomed


def _near_share(blob: np.ndarray, other: np.ndarray, radius: float) -> float:
    """Share of the blob's pixels within ``radius`` px of an "other" pixel of a past frame."""
    if not other.any():
        return 0.0
    r = int(math.floor(radius))
    if r > 0:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
        other = cv2.dilate(other.view(np.uint8), kernel).view(bool)
    return float(np.count_nonzero(blob & other)) / float(np.count_nonzero(blob))


def _fill_from_surroundings(labels: np.ndarray, blob: np.ndarray, box: tuple[slice, slice]) -> None:
    """Give each blob pixel the label of the nearest sky or sea pixel, in place.

    Nearest rather than the ring's majority: a blob on the horizon goes back to sky above and
    sea below. The blob is an 8-connected component off the border, so every pixel next to it
    is sky or sea, and the box holds them.
    """
    crop = labels[box]
    source = ((crop != SKY) & (crop != SEA)).astype(np.uint8)  # 0 where a label may be copied from
    _, nearest = cv2.distanceTransformWithLabels(source, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL)
    # DIST_LABEL_PIXEL numbers the zero pixels 1, 2, ... in raster order
    donors = crop.reshape(-1)[np.flatnonzero(source.reshape(-1) == 0)]
    crop[blob] = donors[nearest[blob] - 1]


class TemporalSegmenter:
    """A Segmenter whose results' labels go through a ``TemporalFilter``; everything else is the segmenter's.

    What the node and ``seasky-bag process`` hand their ``OutputBuilder``: the published mask and
    overlay are then the filtered labels, while the horizon stays the one fitted to the network's
    own labels (a removed blob never moves it). The filter needs each frame's stamp: the caller
    sets ``stamp_s`` (the header stamp, seconds) before the frame is segmented. The filter's time
    is added to the result's timings as "temporal" (and to "total").
    """

    def __init__(self, segmenter, temporal: TemporalFilter) -> None:
        self.segmenter = segmenter
        self.temporal = temporal
        self.stamp_s: float | None = None

    def segment(self, frame: np.ndarray, encoding: str | None = None, prior=None, **kwargs):
        """``Segmenter.segment`` with the labels filtered (the input of ``TemporalFilter.__call__``)."""
        return self.finish(self.segmenter.start(frame, encoding, prior), **kwargs)

    def finish(self, started, **kwargs):
        """``Segmenter.finish`` with the labels filtered; ``start`` is the segmenter's own."""
        result = self.segmenter.finish(started, **kwargs)
        t0 = time.perf_counter()
        result.labels = self.temporal(result.labels, self.stamp_s)
        spent = (time.perf_counter() - t0) * 1e3
        timings = {k: v for k, v in result.timings_ms.items() if k != "total"}
        timings["temporal"] = spent
        if "total" in result.timings_ms:
            timings["total"] = result.timings_ms["total"] + spent
        result.timings_ms = timings
        return result

    def __getattr__(self, name: str):
        return getattr(self.segmenter, name)
