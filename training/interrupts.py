# Copyright 2026 seasky_ros maintainers
# SPDX-License-Identifier: Apache-2.0
"""Ctrl-C held back while an epoch's results are written, and delivered right after.

Why: a KeyboardInterrupt can land anywhere, also inside the import of a C extension (the first
epoch's plot imports matplotlib, whose font module then fails to initialise) and the
interpreter aborts at exit with "Fatal Python error: PyThreadState_Get" (exit -6 instead of
130; seen in 1 of 40 interrupted runs here). Checkpoints are written whole or not at all
anyway; holding the signal for the few hundred milliseconds of the epoch's writes makes the
interruption land in the training loop, where it is harmless.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def sigint_deferred() -> Iterator[None]:
    """Run the block with SIGINT recorded instead of acted on, then re-deliver it to the handler before.

    The signal is raised again after the previous handler is back, so it has the effect it would
    have had (KeyboardInterrupt under Python's default, nothing when ignored). Outside the main
    thread signals cannot be handled, and the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: pending.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if pending:
            signal.raise_signal(signal.SIGINT)
