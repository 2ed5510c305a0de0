"""Progress notes from long steps (provisioning a toolchain): a callable that takes one line.

The command line passes its progress display's ``note``; library callers and tests take the
default, which says nothing.
"""

from __future__ import annotations

from collections.abc import Callable

Note = Callable[[str], None]


def silent(message: str) -> None:
    """The note of callers that want no output."""
