# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Rolling stream statistics: rates, drops, transport-loss estimate, latency percentiles, bounded memory."""

from __future__ import annotations

import math

import pytest

from seasky_ros.stream_stats import StreamStats, percentile


def test_rates_and_latency():
    stats = StreamStats(window_s=5.0)
    for i in range(151):  # 30 Hz in, every other frame out, 20 ms latency
        t = i / 30.0
        stats.on_input(stamp_s=100.0 + t, now=t)
        if i % 2 == 0:
            stats.on_output(0.020, now=t + 0.020)
    snap = stats.snapshot(now=5.0)
    assert snap.input_rate_hz == pytest.approx(30.0, rel=0.02)
    assert snap.output_rate_hz == pytest.approx(15.0, rel=0.05)
    assert snap.latency_mean_ms == pytest.approx(20.0)
    assert snap.latency_p95_ms == pytest.approx(20.0)
    assert snap.frame_period_ms == pytest.approx(1000 / 30.0, rel=1e-6)
    assert (snap.received, snap.processed, snap.transport_lost) == (151, 76, 0)


def test_rates_fall_to_zero_when_the_stream_stops():
    stats = StreamStats(window_s=2.0)
    for i in range(20):
        stats.on_input(now=i * 0.1)
    assert stats.snapshot(now=2.0).input_rate_hz == pytest.approx(19 / 2.0)
    assert stats.snapshot(now=10.0).input_rate_hz == 0.0


def test_transport_losses_from_stamp_gaps():
    stats = StreamStats()
    stamps = [i * 0.1 for i in range(10)] + [1.2, 1.3, 1.7, 1.8]  # 1.0, 1.1 missing; then 1.4..1.6 missing
    for s in stamps:
        stats.on_input(stamp_s=s)
    assert stats.snapshot().transport_lost == 5
    stats.on_input(stamp_s=0.0)  # stamps going back (bag restart): no losses counted
    stats.on_input(stamp_s=0.1)
    assert stats.snapshot().transport_lost == 5


def test_jittery_stamps_are_not_losses():
    import random

    rng = random.Random(3)
    stats = StreamStats()
    t = 0.0
    for _ in range(500):
        t += 0.0333 * rng.uniform(0.75, 1.25)  # +-25 % jitter, no gaps
        stats.on_input(stamp_s=t)
    assert stats.snapshot().transport_lost == 0


def test_a_rate_change_is_not_a_loss():
    """30 Hz, then the camera switches to 10 Hz: every frame arrives, nothing is lost."""
    stats = StreamStats()
    stamps = [i / 30.0 for i in range(100)] + [100 / 30.0 + i / 10.0 for i in range(100)]
    for s in stamps:
        stats.on_input(stamp_s=s)
    snap = stats.snapshot()
    assert snap.transport_lost == 0
    assert snap.frame_period_ms == pytest.approx(100.0, rel=1e-6)
    for s in [stamps[-1] + 0.1 * i for i in (1, 2, 5, 6)]:  # then 2 frames of the 10 Hz stream go missing
        stats.on_input(stamp_s=s)
    assert stats.snapshot().transport_lost == 2


def test_a_start_up_burst_does_not_fix_the_period():
    """A driver flushing 50 queued frames 1 ms apart, then 60 s at 30 Hz with one frame lost."""
    stats = StreamStats()
    stamps = [i * 0.001 for i in range(50)] + [0.049 + i / 30.0 for i in range(1, 1801) if i != 900]
    for s in stamps:
        stats.on_input(stamp_s=s)
    assert stats.snapshot().transport_lost == 1


def test_drops_errors_and_p95():
    stats = StreamStats(latency_window=100)
    for i in range(100):
        stats.on_output((i + 1) / 1000.0, now=float(i))
    stats.on_dropped(3)
    stats.on_error()
    snap = stats.snapshot(now=100.0)
    assert snap.dropped == 3 and snap.errors == 1
    assert snap.latency_p95_ms == pytest.approx(95.05)
    assert snap.latency_max_ms == pytest.approx(100.0)
    values = snap.as_dict()
    assert values["frames dropped (replaced before processing)"] == "3"
    assert values["latency p95 (ms)"] == "95.05"


def test_empty_snapshot_and_bounded_memory():
    stats = StreamStats(latency_window=10, max_events=50, period_window=20)
    snap = stats.snapshot()
    assert math.isnan(snap.latency_mean_ms) and snap.as_dict()["latency mean (ms)"] == "n/a"
    for i in range(10_000):
        stats.on_input(stamp_s=i * 0.01, now=i * 0.01)
        stats.on_output(0.001, now=i * 0.01)
    assert len(stats._arrivals) == 50 and len(stats._latencies) == 10 and len(stats._periods) == 20
    assert stats.snapshot(now=100.0).received == 10_000


def test_percentile_interpolates_between_ranks_and_is_nan_without_values():
    """The one percentile helper of the node, the demo and the benchmark, on values worked out by hand."""
    values = [5.0, 1.0, 9.0, 3.0, 7.0, 2.0]  # sorted: 1 2 3 5 7 9
    assert [percentile(values, q) for q in (0, 50, 100)] == [1.0, 4.0, 9.0]
    assert percentile(values, 95) == pytest.approx(8.5)  # rank 4.75: 7 + 0.75 * (9 - 7)
    assert math.isnan(percentile([], 50))
