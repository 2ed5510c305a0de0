"""Writing files and trees so that a reader never sees half of one, even after an interrupted run.

Every finished file or tree pyrecipe makes (downloads, unpacked sources, staging trees, the image,
its manifests, rendered cross files) is written under a temporary name beside its destination (same
file system, so the last step is a rename): a crash leaves the old complete result or nothing, and
the temporary names carry the markers that :mod:`pyrecipe.engine.leftovers` removes on the next run.

A recipe's work directory is written by its tasks, which may be hostile, and then by pyrecipe
with its own rights: there a rename replaces a link a task left instead of following it,
directories are checked to be no links (:func:`real_directory`), paths read from a task's files
must stay inside their tree (:func:`entry_inside`), and a file is read only when it is a regular
file, bounded (:func:`read_regular`, :func:`tail_lines`: a log's last lines).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from pyrecipe.errors import BuildError

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
    if _unchanged(path, text, mode):
        return False
    with writing_file(path, mode) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return True


def _unchanged(path: Path, text: str, mode: int) -> bool:
    """Whether ``path`` is a regular file (not a link to one: never read through a link a task may
    have left) holding ``text`` with ``mode``."""
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(status.st_mode) or stat.S_IMODE(status.st_mode) != mode or status.st_size != len(text.encode()):
        return False
    return read_regular(path, status.st_size) == text.encode()


#: Free space under which a file system counts as full (a task that fills a disk leaves a few blocks).
FULL_DISK_BYTES = 1 << 20
#: Bytes read from the end of a log to show its last lines: a 400 MB log costs no more than this.
TAIL_BYTES = 64 * 1024


def read_regular(path: Path, limit: int, start: int = 0) -> bytes:
    """At most ``limit`` bytes of ``path`` from offset ``start`` (negative: that many bytes before
    its end), read only when it is a regular file.

    For a file a task could have left (its log, a list it may have replaced): a symbolic link is
    not followed (it could name a host secret, which would be printed as the log), a FIFO is not
    waited on (opened without blocking, then refused), and a huge file is not read whole. Raises
    OSError saying what the path is when it is not a regular file.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        if error.errno == errno.ELOOP:  # O_NOFOLLOW's answer, which reads "too many levels of links"
            raise OSError(errno.ELOOP, "a symbolic link, not a regular file: not followed", str(path)) from None
        raise
    with os.fdopen(fd, "rb") as stream:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise OSError(errno.EINVAL, f"not a regular file ({_kind(status.st_mode)})", str(path))
        stream.seek(max(0, status.st_size + start) if start < 0 else start)
        return stream.read(limit)


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"))
    return next((word for test, word in kinds if test(mode)), "not a regular file")


def tail_lines(path: Path, count: int, limit: int = TAIL_BYTES) -> list[str]:
    """The last ``count`` lines of the regular file ``path`` (see :func:`read_regular`), from at
    most its last ``limit`` bytes: what a failure shows of a task's log. OSError as read_regular."""
    data = read_regular(path, limit, start=-limit)
    lines = data.decode(errors="replace").splitlines()
    if len(data) == limit and lines:
        lines = lines[1:]  # the first line read is cut: the bytes before it are not read
    return lines[-count:] if count else []


def open_new(path: Path) -> TextIO:
    """``path`` opened for writing as a new regular file, whatever was there before removed
    (a link is removed, not followed: :func:`remove_path`): a task's log, which the task and the
    ones before it could have replaced with a link to a host file or a FIFO."""
    remove_path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, FILE_MODE)
    return os.fdopen(fd, "w", encoding="utf-8")


def full_disk(path: Path) -> str | None:
    """What to say when the file system holding ``path`` (or its nearest existing parent) is full:
    a task that failed there failed for that, whatever its log could still hold (often nothing:
    the log is on the same disk). None when there is room."""
    existing = next((p for p in (path, *path.parents) if p.exists()), Path("/"))
    try:
        space = os.statvfs(existing)
    except OSError:
        return None
    free = space.f_bavail * space.f_frsize
    if free < FULL_DISK_BYTES:
        return f"the disk is full: {free} bytes free on the file system of {existing}; free some space and build again"
    if space.f_files and not space.f_favail:
        return f"the disk is full: no free inodes on the file system of {existing}; free some space and build again"
    return None


def real_directory(path: Path, root: Path, create: bool = True) -> Path:
    """Make ``path`` (``root`` or below it) a directory, and refuse when ``path`` or one of the
    directories between ``root`` and it is a symbolic link or not a directory. With ``create``
    False, a missing directory is not made (the caller says what its absence means).

    For the directories pyrecipe writes or reads after a task ran, in the recipe's work directory
    (``root``), which a task could write: a link it left (``${T}`` to ``/etc``, ``${D}`` to a
    host directory) would send pyrecipe's own writes (the log, stamps, signature records) out of
    the work directory, with pyrecipe's rights, or bring host files into what ships. A file
    written there under a temporary name renamed over the final one (:func:`writing_file`)
    replaces a link left at that name instead of following it.
    """
    root.mkdir(parents=True, exist_ok=True)
    current = root
    for part in Path(os.path.relpath(path, root)).parts:
        if part == "..":
            raise BuildError(f"{path} is not inside {root}")
        current = current / part
        try:
            if create:
                os.mkdir(current)
                continue
            status = os.lstat(current)
        except FileExistsError:
            status = os.lstat(current)
        except FileNotFoundError:
            return path
        if not stat.S_ISDIR(status.st_mode):
            what = "a symbolic link" if stat.S_ISLNK(status.st_mode) else "not a directory"
            raise BuildError(f"{current} is {what}, left by a task of the recipe: pyrecipe neither writes nor reads through it "
                             f"(remove it, and find what made it)")
    return path


def entry_inside(root: Path, relative: str) -> Path | None:
    """``root / relative`` when ``relative``, a line of a file a task could have written (a staging
    manifest, a package list), names a place inside ``root``: a normalized relative path (no
    ``..``, not absolute) whose parent directory, symbolic links resolved, is ``root`` or below
    it (a sysroot's own ``lib -> usr/lib`` is fine, a link to ``/etc`` is not). None when not:
    pyrecipe must neither remove, nor write, nor read there."""
    parts = relative.split("/")
    if not relative or relative.startswith("/") or any(part in ("", ".", "..") for part in parts):
        return None
    path = root.joinpath(*parts)
    if not Path(os.path.realpath(path.parent)).is_relative_to(os.path.realpath(root)):
        return None
    return path


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
