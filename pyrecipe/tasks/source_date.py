"""SOURCE_DATE_EPOCH: when a recipe's sources last changed, the one time its outputs may carry.

Why: builds of the same sources must give the same bytes (reproducible-builds.org), yet wheels
store file times in their zip entries, ``.deb`` members carry mtimes and an SBOM a creation date.
Backends (setuptools' bdist_wheel, flit, hatchling, maturin), dpkg-deb and pyrecipe's own writers
take those from ``SOURCE_DATE_EPOCH`` when it is set. As OpenEmbedded derives it, do_unpack finds
it before any patch is applied and writes it to ``SDE_FILE``: the newest commit of a git
checkout, else the newest of the change logs a project keeps, else the newest file of the
sources, else ``SOURCE_DATE_EPOCH_FALLBACK``. An sdist's files keep the times its author's tool
gave them, so every build of it finds the same value.
"""

from __future__ import annotations

import os
from pathlib import Path

from pyrecipe.fsutil import atomic_write_text, real_directory
from pyrecipe.parse import DataSmart
from pyrecipe.sources.git import head_commit_time

#: Files whose time says when a release was made (OpenEmbedded's list).
KNOWN_CHANGE_FILES = ("NEWS", "ChangeLog", "Changelog", "CHANGES")
#: Directories whose files are no part of the sources' history.
_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__"})


def _from_git(source: Path) -> int | None:
    """HEAD's commit time; the ``.git`` came with the sources, so it is read as data
    (:func:`~pyrecipe.sources.git.head_commit_time`), never opened as a repository by git."""
    git_dir = source / ".git"
    if git_dir.is_symlink() or not git_dir.is_dir():
        return None
    return head_commit_time(git_dir)


def _from_known_files(source: Path) -> int | None:
    times = [int((source / name).lstat().st_mtime) for name in KNOWN_CHANGE_FILES if (source / name).is_file()]
    return max(times, default=None)


def _from_youngest_file(source: Path) -> int | None:
    newest: int | None = None
    for directory, dirnames, filenames in os.walk(source):
        dirnames[:] = [name for name in dirnames if name not in _SKIPPED_DIRS]
        for name in filenames:
            mtime = int(os.lstat(os.path.join(directory, name)).st_mtime)
            newest = mtime if newest is None else max(newest, mtime)
    return newest


def source_date_epoch(source: Path, fallback: int) -> int:
    """The epoch of the sources in ``source`` (see the module's docstring for the order)."""
    for finder in (_from_git, _from_known_files, _from_youngest_file):
        found = finder(source) if source.is_dir() else None
        if found is not None and found > 0:
            return found
    return fallback


def _fallback(d: DataSmart) -> int:
    return int(d.getVar("SOURCE_DATE_EPOCH_FALLBACK") or 0)


def record(d: DataSmart) -> int:
    """Write the recipe's epoch to SDE_FILE (the end of do_unpack, before do_patch) and return it."""
    epoch = source_date_epoch(Path(d.getVar("S")), _fallback(d))
    sde_file = Path(d.getVar("SDE_FILE"))
    real_directory(sde_file.parent, Path(d.getVar("WORKDIR")))  # no link a task before left on the way
    atomic_write_text(sde_file, f"{epoch}\n")
    return epoch


def value(d: DataSmart) -> str:
    """SOURCE_DATE_EPOCH's value: what do_unpack recorded, else the fallback (before do_unpack)."""
    try:
        recorded = Path(d.getVar("SDE_FILE")).read_text().strip()
    except OSError:
        recorded = ""
    return recorded if recorded.isdigit() else str(_fallback(d))
