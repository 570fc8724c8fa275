# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Ctrl-C held back during an epoch's writes and delivered after them (training.interrupts)."""

import os
import signal

import pytest
from seasky_training.interrupts import sigint_deferred


@pytest.fixture
def python_ctrl_c():
    """Python's own SIGINT handler for the test (pytest or a background job may have another), restored after."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


def test_ctrl_c_inside_the_block_arrives_after_it(python_ctrl_c):
    done = []
    with pytest.raises(KeyboardInterrupt):
        with sigint_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            done.append("rest of the block")  # not cut short
        done.append("after the block")  # never reached: the interrupt comes first
    assert done == ["rest of the block"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler, "the handler before is back"


def test_a_block_without_ctrl_c_runs_as_is(python_ctrl_c):
    with sigint_deferred():
        value = 1 + 1
    assert value == 2 and signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_ignored_ctrl_c_stays_ignored():
    """A job started in the background of a shell ignores SIGINT: held back, it is still ignored."""
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with sigint_deferred():
            os.kill(os.getpid(), signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)
