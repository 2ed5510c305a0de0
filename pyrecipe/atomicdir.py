"""Building a directory somewhere safe and swapping it into place.

Unpacked sources, a recipe's staging tree and the assembled image are all whole directories
that other tasks read. Building them in a temporary directory beside the destination (same
file system, so the final step is a rename) means a crash or an error leaves either the old
complete tree or nothing, never a half-written one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Mode of the finished directory (mkdtemp creates 0700, which would hide it from other users).
DIRECTORY_MODE = 0o755


@contextmanager
def building_dir(dest: Path) -> Iterator[Path]:
    """Yield an empty temporary directory beside ``dest``; on success it replaces ``dest``.

    On any exception the temporary directory is removed and ``dest`` is left as it was.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.new-"))
    try:
        yield tmp
        os.chmod(tmp, DIRECTORY_MODE)
        replace_dir(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def replace_dir(new: Path, dest: Path) -> None:
    """Put the directory ``new`` at ``dest``, removing whatever ``dest`` held before.

    The old tree is renamed aside first and deleted only after ``new`` is in place, so the
    window in which ``dest`` is missing is two renames long (Python has no RENAME_EXCHANGE).
    """
    old: Path | None = None
    if dest.exists() or dest.is_symlink():
        old = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}.old-")) / dest.name
        os.rename(dest, old)
    os.rename(new, dest)
    if old is not None:
        shutil.rmtree(old.parent, ignore_errors=True)
