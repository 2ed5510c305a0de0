"""SIGTERM handled as Ctrl-C, for the whole of a command and for a build run as a library."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: Set when SIGINT or SIGTERM reached this process (see :func:`signalled`).
_signalled = threading.Event()


def _raise_interrupt(signum: int, frame: object) -> None:
    _signalled.set()
    raise KeyboardInterrupt


def signalled() -> bool:
    """Whether a KeyboardInterrupt may have come from a signal (Ctrl-C, SIGTERM) rather than from a
    ``raise`` in recipe Python, which is an error of that recipe, to be reported naming it."""
    return _signalled.is_set()


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
    # Ctrl-C as before (unless ignored, as in a background job), but noted as a signal.
    previous_int = signal.getsignal(signal.SIGINT)
    if previous_int is signal.default_int_handler:
        signal.signal(signal.SIGINT, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        if previous_int is signal.default_int_handler:
            signal.signal(signal.SIGINT, previous_int)
