"""One build at a time per build directory.

Two ``pyrecipe build`` processes on the same build directory would write the same sysroot,
stamps and image. The second one waits on a lock file (and says so, naming the holder's pid)
instead of corrupting the first one's work.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pyrecipe.config.configuration import check_build_dir
from pyrecipe.errors import InputError


@contextmanager
def build_lock(build_dir: Path, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the build directory's lock (creating the directory) while the block runs."""
    check_build_dir(build_dir)
    try:
        build_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"cannot create the build directory {build_dir}: {error.strerror or error}; "
                         "name another with --build-dir") from None
    path = build_dir / ".pyrecipe.lock"
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            say(f"another pyrecipe build is running in {build_dir} (pid {holder}); waiting for it to finish")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
