"""Provisioning results made once per user and reused by every build directory.

Why: before its first task, a fresh build directory spends minutes making what depends on no build
directory at all: the distro's build root (mmdebstrap, about a minute and 1.9 GB for trixie), the
target sysroot (apt, then unpacking), the native tools venv (pip). Each depends only on its inputs
(the Debian suite, archive and packages; the pins and the build interpreter), so, as ccache keeps
compilations, this cache keeps them by those inputs outside any build directory:
``PROVISION_CACHE_DIR`` (default ``$PYRECIPE_CACHE_DIR``, else ``$XDG_CACHE_HOME/pyrecipe`` or
``~/.cache/pyrecipe``; set it empty in ``conf/local.conf`` for none).

An entry is made under a temporary name and renamed, and never changed afterwards. A build root
is used where it is (the build directory's ``buildroot`` is a link to the entry: tasks only read
it). A sysroot and a venv, which builds add to, are trees of hard links to the entry's files
(copying 560 MB took 2 to 5 s on this machine's disk, linking a fraction of a second): every
writer replaces a file and none writes into one. Staging a recipe renames a new file into the
sysroot, unstaging removes it, and Debian packages added later are unpacked by tar, which
removes a file before it writes one (tasks see the sysroot read-only); pip unlinks a file
before it installs another there and Python replaces its .pyc; the venv's scripts, which name
its place, are replaced by rewritten ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.errors import BuildError
from pyrecipe.fsutil import building_dir, remove_path, replace_dir, writing_file

#: Environment variable naming the cache when PROVISION_CACHE_DIR is not set.
CACHE_ENV = "PYRECIPE_CACHE_DIR"
#: Kinds of entry, one folder each.
BUILD_ROOTS, SYSROOTS, VENVS = "buildroot", "sysroot", "venv"
#: Written in a cached venv: the directory it was made in, which its scripts name.
VENV_ORIGIN_NAME = ".pyrecipe-origin"
#: Lines of cp's errors a failed copy shows (one per file: a full disk says it thousands of times).
COPY_ERRORS_SHOWN = 5
#: Seconds after which a temporary name in the cache (``.NAME.new-*``) is a killed provisioning's
#: leftover, not one running now (mmdebstrap takes minutes, not hours).
LEFTOVER_AGE = 6 * 3600


def default_cache_dir() -> Path:
    """Where the cache is when the configuration does not say: the user's cache directory."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pyrecipe"


def configured_cache_dir(value: str | None) -> Path | None:
    """The cache that ``PROVISION_CACHE_DIR``'s value names: unset, the default; empty, none."""
    if value is None:
        return default_cache_dir()
    return Path(value).absolute() if value.strip() else None


def inputs_key(*parts: object) -> str:
    """A short name for a set of inputs (the entry's folder name)."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ProvisionCache:
    """The folder of cached build roots, sysroots and venvs."""

    directory: Path

    def entry(self, kind: str, name: str) -> Path:
        return self.directory.absolute() / kind / name

    def smallest_holding(self, kind: str, prefix: str, wanted: Iterable[str], held: Callable[[Path], set[str]]) -> Path | None:
        """The entry named ``prefix``-something whose ``held`` packages include all of ``wanted``,
        the one with the fewest (what the same request made before, when it was made)."""
        wanted_set = set(wanted)
        fits = [(len(have), path) for path in (self.directory / kind).glob(f"{prefix}-*")
                if not path.name.startswith(".") and wanted_set <= (have := held(path)) and have]
        return self.mark_used(min(fits)[1].absolute()) if fits else None

    def mark_used(self, entry: Path) -> Path:
        """Note that ``entry`` is used now (its modification time, which :meth:`prune` goes by)."""
        try:
            os.utime(entry)
        except OSError:
            pass  # a cache others share read-only: used all the same
        return entry

    def prune(self, keep_days: float, now: float) -> list[Path]:
        """Remove the entries no provisioning used in ``keep_days`` days, and what a killed one
        left (a temporary name LEFTOVER_AGE old). Build directories that copied an entry keep
        their hard links; one whose build root was a removed entry makes or finds another."""
        removed = []
        for kind in (BUILD_ROOTS, SYSROOTS, VENVS):
            folder = self.directory / kind
            for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
                age = now - entry.lstat().st_mtime
                if age > (LEFTOVER_AGE if entry.name.startswith(".") else keep_days * 86400):
                    remove_path(entry)
                    removed.append(entry)
        return removed

    def store_copy(self, source: Path, kind: str, name: str, after: Callable[[Path], object] = lambda _: None) -> Path:
        """A copy of ``source`` as the entry ``kind``/``name`` (kept when one is there already);
        ``after`` finishes the copy before it is renamed into place."""
        entry = self.entry(kind, name)
        if not entry.exists():
            with building_dir(entry) as scratch:
                copy_tree(source, scratch)
                after(scratch)
        return self.mark_used(entry)


def copy_tree(source: Path, dest: Path, hard_links: bool = False) -> None:
    """``source``'s files into the existing empty folder ``dest``, links kept as links, modes and
    times kept; with ``hard_links``, files are hard links to ``source``'s, for a tree whose users
    replace files and never write into them.

    Hard links cannot cross file systems (a build directory on another disk or a tmpfs than the
    cache: ``cp -l`` said "Invalid cross-device link" once per file, thousands of lines): there the
    files are copied, sharing their blocks where the file system can (``--reflink=auto``).

    GNU cp rather than shutil.copytree: a sysroot and a venv are some 15,000 files, which cp
    links in 0.3 s and copytree copies in 6 (measured here).
    """
    if hard_links and os.stat(source).st_dev == os.stat(dest).st_dev:
        linked = _cp(["-l"], source, dest)
        if linked.returncode == 0:
            return
        # One device, yet no links (two mounts of one file system, a file's link count at its limit): copy.
        for entry in list(dest.iterdir()):
            remove_path(entry)
    copied = _cp(["--reflink=auto"], source, dest)
    if copied.returncode != 0:
        errors = copied.stderr.strip().splitlines()
        more = f" (and {len(errors) - COPY_ERRORS_SHOWN} more lines)" if len(errors) > COPY_ERRORS_SHOWN else ""
        raise BuildError(f"cannot copy {source} to {dest}: {'; '.join(errors[:COPY_ERRORS_SHOWN])}{more}")


def _cp(options: list[str], source: Path, dest: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["cp", "-a", *options, "--", f"{source}/.", str(dest)], capture_output=True, text=True, check=False)


def link_to(entry: Path, path: Path) -> None:
    """Make ``path`` a link to ``entry``, replacing what was there by renames (never half done)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() and os.readlink(path) == str(entry):
        return
    scratch = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.new-"))
    link = scratch / path.name
    link.symlink_to(entry)
    try:
        if path.is_dir() and not path.is_symlink():
            replace_dir(link, path)
        else:
            os.replace(link, path)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def relocate_venv(venv: Path, old: str, new: Path) -> None:
    """Point the venv copied to ``venv`` (which becomes ``new``) at ``new`` instead of ``old``:
    its scripts and ``pyvenv.cfg``.

    A venv's console scripts start with ``#!<venv>/bin/python`` and its activate scripts set
    ``VIRTUAL_ENV``: the only places it names itself (compiled programs in ``bin/`` do not).
    """
    before, after = old.encode(), str(new).encode()
    for path in [*(venv / "bin").iterdir(), venv / "pyvenv.cfg"]:
        if path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        if data.startswith(b"\x7fELF") or before not in data:
            continue
        # A new file in its place: the copy's files may be hard links to the cache's.
        with writing_file(path, stat.S_IMODE(path.stat().st_mode)) as scratch:
            scratch.write_bytes(data.replace(before, after))
