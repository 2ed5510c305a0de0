"""Writing files and trees so that a reader never sees half of one, even after an interrupted run.

Every finished file or tree pyrecipe makes (downloads, unpacked sources, staging trees, the image,
its manifests, rendered cross files) is written under a temporary name beside its destination (same
file system, so the last step is a rename): a crash leaves the old complete result or nothing, and
the temporary names carry the markers that :mod:`pyrecipe.engine.leftovers` removes on the next run.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Mode of a finished directory (mkdtemp creates 0700, which would hide it from other users).
DIRECTORY_MODE = 0o755
#: Mode of a finished file (mkstemp creates 0600).
FILE_MODE = 0o644
CHUNK_SIZE = 1 << 16


@contextmanager
def writing_file(final: Path, mode: int = FILE_MODE) -> Iterator[Path]:
    """Yield a temporary path beside ``final`` to write; on success it becomes ``final`` with ``mode``.

    On any exception the temporary file is removed and ``final`` is left as it was.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.tmp-")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, mode)
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, mode: int = FILE_MODE) -> bool:
    """Write ``text`` to ``path`` through a temporary file renamed into place.

    Returns whether the file changed: an unchanged file is not rewritten, so its mtime stays
    and a second provisioning run does no work.
    """
    path = Path(path)
    if path.is_file() and path.read_text() == text and path.stat().st_mode & 0o777 == mode:
        return False
    with writing_file(path, mode) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return True


def file_sha256(path: Path | str) -> str:
    """Hex sha256 of a file's content, read in chunks (downloads can be large)."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_digest(*paths: Path, extra: str = "") -> str:
    """sha256 over the contents of ``paths`` and ``extra``: the key of a cached result."""
    digest = hashlib.sha256(extra.encode())
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


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


def remove_path(path: Path) -> None:
    """Remove ``path``, a tree or a file (a link is removed, not followed); absent is fine."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
