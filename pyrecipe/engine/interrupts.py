"""SIGTERM handled as Ctrl-C, for the whole of a command and for a build run as a library."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (``kill``, a CI timeout) stops a command as Ctrl-C does: running tasks, and the
    programs provisioning runs (mmdebstrap, apt), are stopped too.

    Python's default for SIGTERM ends the process at once, leaving its shell tasks running as
    orphans that go on writing into the build dir after the build lock is released.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
