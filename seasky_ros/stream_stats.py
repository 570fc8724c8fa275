# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Rolling statistics of a frame stream, for the node's /diagnostics.

Plain Python (no ROS) so it is tested directly. What it tells an integrator:

- input and output rates over the last ``window_s`` seconds;
- dropped frames: frames that arrived but were replaced by a newer one before the worker got
  to them (the node keeps only the newest frame, by design, so it never falls behind);
- estimated losses before reception: frames the camera sent that never reached the callback
  (lost in transport, or replaced in the subscription's keep-last-1 queue), inferred from gaps
  in the input header stamps against the median frame period around each gap (a gap of 3
  periods = 2 lost). The median is taken over the ``LOSS_CONTEXT`` gaps before *and* after, so
  a rate change (30 -> 10 Hz) or a start-up burst moves the period instead of reading as losses;
  a gap is counted provisionally until its later neighbours have arrived. Frames lost between
  more than ``LOSS_CONTEXT`` consecutive receptions look like a rate change and are not
  counted: it is an estimate;
- latency (receipt -> publication) mean and 95th percentile over the last ``latency_window`` frames.

Memory is bounded: every history is a deque with a maxlen.
"""

from __future__ import annotations

import math
import statistics
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Snapshot:
    """The statistics at one moment."""

    received: int
    processed: int
    dropped: int
    errors: int
    transport_lost: int
    input_rate_hz: float
    output_rate_hz: float
    latency_mean_ms: float
    latency_p95_ms: float
    latency_max_ms: float
    frame_period_ms: float

    def as_dict(self) -> dict[str, str]:
        """Key/value strings as DiagnosticStatus.values wants them."""
        return {
            "frames received": str(self.received),
            "frames processed": str(self.processed),
            "frames dropped (replaced before processing)": str(self.dropped),
            "frames rejected (errors)": str(self.errors),
            "frames lost before reception (stamp gaps, estimate)": str(self.transport_lost),
            "input rate (Hz)": _fmt(self.input_rate_hz),
            "output rate (Hz)": _fmt(self.output_rate_hz),
            "latency mean (ms)": _fmt(self.latency_mean_ms),
            "latency p95 (ms)": _fmt(self.latency_p95_ms),
            "latency max (ms)": _fmt(self.latency_max_ms),
            "input frame period (ms)": _fmt(self.frame_period_ms),
        }


def _fmt(value: float) -> str:
    return "n/a" if not math.isfinite(value) else f"{value:.2f}"


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..100); NaN for no values (a report prints "n/a")."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else math.nan


LOSS_CONTEXT = 10  # gaps on each side of a gap that set the frame period it is judged against
MAX_LOSS_RUN = 1000  # a longer gap is a pause of the source, not losses


def _missing(gap: float, neighbourhood: list[float]) -> int:
    """Frames missing in one stamp gap, judged against the median of its neighbourhood."""
    if len(neighbourhood) < 5:
        return 0  # too little context to know the period
    period = statistics.median(neighbourhood)
    missing = round(gap / period) - 1 if period > 0 else 0
    return missing if 1 <= missing <= MAX_LOSS_RUN else 0


class StreamStats:
    """Thread-safe counters and rolling windows; times in seconds."""

    def __init__(self, window_s: float = 5.0, latency_window: int = 300, max_events: int = 2000,
                 period_window: int = 60, clock=time.monotonic) -> None:
        self.window_s = float(window_s)
        self._clock = clock
        self._lock = threading.Lock()
        self._arrivals: deque[float] = deque(maxlen=max_events)
        self._outputs: deque[float] = deque(maxlen=max_events)
        self._latencies: deque[float] = deque(maxlen=latency_window)
        self._periods: deque[float] = deque(maxlen=period_window)
        self._judged: deque[float] = deque(maxlen=LOSS_CONTEXT)  # the last gaps whose losses are final
        self._pending: list[float] = []  # later gaps, waiting for LOSS_CONTEXT successors
        self._last_stamp: float | None = None
        self.received = 0
        self.processed = 0
        self.dropped = 0
        self.errors = 0
        self._lost_final = 0

    def on_input(self, stamp_s: float | None = None, now: float | None = None) -> None:
        """A frame arrived; ``stamp_s`` is its header stamp (for the transport-loss estimate)."""
        now = self._clock() if now is None else now
        with self._lock:
            self.received += 1
            self._arrivals.append(now)
            if stamp_s is not None:
                self._track_stamp(float(stamp_s))

    def _track_stamp(self, stamp: float) -> None:
        last, self._last_stamp = self._last_stamp, stamp
        if last is None or stamp <= last:
            return  # first frame, a repeated stamp or a restart: nothing to learn
        gap = stamp - last
        self._periods.append(gap)
        self._pending.append(gap)
        while len(self._pending) > LOSS_CONTEXT:
            gap = self._pending.pop(0)
            self._lost_final += _missing(gap, [*self._judged, gap, *self._pending])
            self._judged.append(gap)

    @property
    def transport_lost(self) -> int:
        """Final losses plus the provisional ones of the newest gaps (judged on the context so far)."""
        context = [*self._judged, *self._pending]
        return self._lost_final + sum(_missing(gap, context) for gap in self._pending)

    def on_dropped(self, count: int = 1) -> None:
        """Frames replaced in the single-slot buffer before they were processed."""
        with self._lock:
            self.dropped += count

    def on_error(self) -> None:
        with self._lock:
            self.errors += 1

    def on_output(self, latency_s: float, now: float | None = None) -> None:
        """A frame's outputs were published ``latency_s`` after it arrived."""
        now = self._clock() if now is None else now
        with self._lock:
            self.processed += 1
            self._outputs.append(now)
            self._latencies.append(float(latency_s))

    def _rate(self, events: deque[float], now: float) -> float:
        recent = [t for t in events if now - t <= self.window_s]
        if len(recent) < 2:
            return 0.0 if not recent else math.nan
        span = max(now - recent[0], recent[-1] - recent[0])
        return (len(recent) - 1) / span if span > 0 else math.nan

    def snapshot(self, now: float | None = None) -> Snapshot:
        now = self._clock() if now is None else now
        with self._lock:
            latencies_ms = [1e3 * v for v in self._latencies]
            period = statistics.median(self._periods) if self._periods else math.nan
            return Snapshot(
                received=self.received,
                processed=self.processed,
                dropped=self.dropped,
                errors=self.errors,
                transport_lost=self.transport_lost,
                input_rate_hz=self._rate(self._arrivals, now),
                output_rate_hz=self._rate(self._outputs, now),
                latency_mean_ms=sum(latencies_ms) / len(latencies_ms) if latencies_ms else math.nan,
                latency_p95_ms=percentile(latencies_ms, 95.0) if latencies_ms else math.nan,
                latency_max_ms=max(latencies_ms) if latencies_ms else math.nan,
                frame_period_ms=1e3 * period,
            )
