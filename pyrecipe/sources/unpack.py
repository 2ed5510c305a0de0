"""Unpacking source archives (tar.gz/bz2/xz, zip, wheels) safely and completely.

Source archives and shared-state archives come from the network, so every member is checked
before anything is written: no absolute paths, no ``..``, no device files or FIFOs, no links that
point out of the tree, no path nested deeper than :data:`MAX_DEPTH` directories, and the members'
number and total size are limited (:class:`UnpackLimits`: a 610 KB .tar.xz of zeros would
otherwise fill 4 GiB, a 1.2 MB tarball holds 200,000 empty files). Symbolic links are created only after every regular file, so nothing is ever written
through a link, and at the end every link in the tree must resolve inside it (a chain of
individually harmless links can otherwise escape). For tar the standard library's ``data``
filter (Python 3.11.4+) is applied as well. The tree is built beside ``dest`` and renamed into
place, so ``dest`` is never half unpacked.
"""

from __future__ import annotations

import calendar
import gzip
import lzma
import os
import posixpath
import shutil
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pyrecipe.errors import BuildError, InputError
from pyrecipe.fsutil import building_dir

#: Archive name endings we unpack, and the reader for each.
ARCHIVE_KINDS = {
    ".tar.gz": "tar", ".tgz": "tar", ".tar.bz2": "tar", ".tbz2": "tar", ".tar.xz": "tar",
    ".txz": "tar", ".tar": "tar", ".zip": "zip", ".whl": "zip", ".crate": "tar",
}
#: ``data`` where the interpreter has extraction filters (3.11.4+), else our checks alone.
TAR_EXTRACTION_FILTER: Literal["data"] | None = "data" if hasattr(tarfile, "data_filter") else None
#: Below this total, an archive may expand by any ratio (a 2 KB tarball of a 1 MB table is fine).
RATIO_FLOOR = 16 << 20
#: How many directories deep a member may lie. Python's tree walks (os.walk, shutil.rmtree,
#: os.makedirs) recurse once per level and stop at about a thousand with a RecursionError, and
#: no project nests its sources anywhere near this deep.
MAX_DEPTH = 256
#: How many symbolic links a path may pass through (the kernel's limit, ELOOP past it).
_MAX_LINK_HOPS = 40
#: Suffixes of UNPACK_MAX_SIZE.
_SIZE_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
_UNREADABLE = (tarfile.TarError, zipfile.BadZipFile, EOFError, zlib.error, lzma.LZMAError, gzip.BadGzipFile)


@dataclass(frozen=True)
class UnpackLimits:
    """How far an archive may expand: in total bytes, as a multiple of its own size, and in members.

    Recipes set them with UNPACK_MAX_SIZE, UNPACK_MAX_RATIO and UNPACK_MAX_MEMBERS. Member sizes
    are read from the archive's headers, which the readers hold each member to, and added up as
    the members are listed, so a bomb is refused after reading at most the limit, before anything
    is written.
    """

    max_size: int = 2 << 30
    max_ratio: float = 100.0
    #: Far above the largest sources built (the Linux kernel's tree has about 90,000 files).
    max_members: int = 100_000

    @classmethod
    def from_variables(cls, getvar: Callable[[str], str | None], pn: str) -> UnpackLimits:
        """UNPACK_MAX_SIZE (bytes, or with a K/M/G suffix), UNPACK_MAX_RATIO and UNPACK_MAX_MEMBERS
        of recipe ``pn``, each defaulting to the class's value; InputError for a value that is no number."""
        size, ratio, members = ((getvar(name) or "").strip() for name in ("UNPACK_MAX_SIZE", "UNPACK_MAX_RATIO",
                                                                             "UNPACK_MAX_MEMBERS"))
        defaults = cls()
        try:
            max_size = size_value(size) if size else defaults.max_size
            max_ratio = float(ratio) if ratio else defaults.max_ratio
            max_members = int(members) if members else defaults.max_members
        except (ValueError, KeyError):
            raise InputError(f"recipe {pn}: UNPACK_MAX_SIZE={size!r} must be bytes with an optional K, M or G "
                             f"suffix, UNPACK_MAX_RATIO={ratio!r} a number and UNPACK_MAX_MEMBERS={members!r} "
                             "a whole number") from None
        return cls(max_size, max_ratio, max_members)

    def check(self, archive: Path, total: int, members: int = 0) -> None:
        """InputError when ``members`` members adding up to ``total`` bytes exceed a limit."""
        if members > self.max_members:
            raise InputError(f"{archive}: refusing to unpack: it holds more than {self.max_members} members "
                             "(UNPACK_MAX_MEMBERS; raise it in conf/local.conf, for one recipe as UNPACK_MAX_MEMBERS:pn-<recipe>, if the sources really have that many files)")
        compressed = max(archive.stat().st_size, 1)
        if total > self.max_size:
            raise InputError(f"{archive}: refusing to unpack: it expands to more than {self.max_size} bytes "
                             "(UNPACK_MAX_SIZE; raise it in conf/local.conf, for one recipe as UNPACK_MAX_SIZE:pn-<recipe>, if the sources really are that large)")
        if total > RATIO_FLOOR and total > self.max_ratio * compressed:
            raise InputError(f"{archive}: refusing to unpack: it expands to more than {self.max_ratio:g} times its "
                             f"size of {compressed} bytes (UNPACK_MAX_RATIO), as a decompression bomb does")


def size_value(text: str) -> int:
    """A size as recipes write it: bytes, or with a K, M or G suffix; ValueError or KeyError else."""
    number, unit = (text[:-1], text[-1].upper()) if text[-1:].isalpha() else (text, "")
    return int(number) * _SIZE_UNITS[unit]


def archive_kind(archive: Path) -> str:
    """``tar`` or ``zip`` from the file name; InputError for anything else."""
    name = archive.name.lower()
    for suffix, kind in ARCHIVE_KINDS.items():
        if name.endswith(suffix):
            return kind
    raise InputError(f"{archive}: unknown archive type (known: {', '.join(ARCHIVE_KINDS)}); use ;unpack=0 for plain files")


def unpack(archive: Path, dest: Path, limits: UnpackLimits = UnpackLimits(), roots: tuple[str, ...] = ()) -> Path:
    """Unpack ``archive`` so that ``dest`` holds exactly its content; return the source dir.

    A previous ``dest`` is replaced; an archive beyond ``limits`` is refused. The source dir is the archive's single top-level
    directory when it has exactly one (``foo-1.0/``, as ``S = ${WORKDIR}/${BP}`` expects),
    else ``dest`` itself. ``roots`` are directories of the archive that are a root file system
    of their own (a shared-state archive's ``image``): a symbolic link in one may point to an
    absolute path, read from that root (``/usr/lib/x`` in ``${D}`` is the board's), as
    update-alternatives and systemd make them.
    """
    kind = archive_kind(archive)
    if not archive.is_file():
        raise InputError(f"archive {archive} does not exist")
    with building_dir(dest) as tmp:
        try:
            if kind == "tar":
                _extract_tar(archive, tmp, limits, roots)
            else:
                _extract_zip(archive, tmp, limits)
        except _UNREADABLE as error:
            raise InputError(f"{archive}: cannot read the archive ({error}); delete it to fetch it again") from None
        except OSError as error:
            raise BuildError(f"{archive}: unpacking into {dest} failed: {error}") from None
        _check_links_stay_inside(archive, tmp, roots)
    return source_dir(dest)


def source_dir(dest: Path) -> Path:
    """The single top-level directory of an unpacked tree, or the tree itself."""
    entries = list(dest.iterdir())
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return dest


def _refuse(archive: Path, member: str, why: str) -> InputError:
    return InputError(f"{archive}: refusing to unpack member {member!r}: {why}")


def _check_name(archive: Path, name: str, path: str | None = None, what: str = "path") -> None:
    """A member's path (or a hard link's target ``path``) must be relative and stay inside."""
    path = name if path is None else path
    if path.startswith("/") or path.startswith("\\"):
        raise _refuse(archive, name, f"absolute {what} {path!r}")
    parts = path.replace("\\", "/").split("/")
    if ".." in parts:
        raise _refuse(archive, name, f"{what} {path!r} contains '..'")
    if len(parts) > MAX_DEPTH:
        raise _refuse(archive, name[:200] + "...", f"it lies {len(parts)} directories deep (at most {MAX_DEPTH})")


def _root_of(name: str, roots: tuple[str, ...]) -> str | None:
    """The one of ``roots`` that the member ``name`` lies in, if any."""
    return next((root for root in roots if name.startswith(root + "/")), None)


def _check_symlink(archive: Path, name: str, target: str, roots: tuple[str, ...] = ()) -> None:
    """A symlink's target, read relative to the link's directory (an absolute one from the top of
    the root it lies in, if any), must stay inside the tree."""
    if target.startswith("/"):
        if _root_of(name, roots) is None:
            raise _refuse(archive, name, f"symbolic link to absolute path {target!r}")
        return  # "/.." is "/": an absolute target never leaves its root
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(name), target))
    if resolved == ".." or resolved.startswith("../"):
        raise _refuse(archive, name, f"symbolic link {target!r} points outside the tree")


def _check_links_stay_inside(archive: Path, top: Path, roots: tuple[str, ...] = ()) -> None:
    """Every symlink in the finished tree must resolve inside it, following whole chains (a chain
    of individually harmless links can escape)."""
    for dirpath, dirnames, filenames in os.walk(top):
        for entry in dirnames + filenames:
            path = os.path.join(dirpath, entry)
            if os.path.islink(path) and not _resolves_inside(top, os.path.relpath(path, top), roots):
                raise _refuse(archive, os.path.relpath(path, top), "symbolic link resolves outside the tree")


def _resolves_inside(top: Path, name: str, roots: tuple[str, ...]) -> bool:
    """Whether ``name`` stays inside the tree ``top`` when each link on its way is followed as the
    kernel would in that tree, an absolute target from the top of its link's root (never the host's)."""
    pending = name.split("/")
    resolved: list[str] = []
    hops = 0
    while pending:
        part = pending.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if not resolved:
                return False
            resolved.pop()
            continue
        if not os.path.islink(os.path.join(top, *resolved, part)):
            resolved.append(part)
            continue
        hops += 1
        target = os.readlink(os.path.join(top, *resolved, part))
        if hops > _MAX_LINK_HOPS:
            return False
        if target.startswith("/"):
            root = _root_of("/".join([*resolved, part]), roots)
            if root is None:
                return False
            resolved = root.split("/")
        pending = target.split("/") + pending
    return True


def check_tar_member(archive: Path, member: tarfile.TarInfo, roots: tuple[str, ...] = ()) -> None:
    """InputError unless ``member`` stays inside the tree it is unpacked into: a relative path not
    too deep, links that resolve inside, no device file or FIFO. Whoever writes an archive for
    this unpacker (shared state) checks each member with this too, so that it writes none that
    would be refused. ``roots``: as for :func:`unpack`."""
    _check_name(archive, member.name)
    if member.issym():
        _check_symlink(archive, member.name, member.linkname, roots)
    elif member.islnk():
        _check_name(archive, member.name, member.linkname, "hard link target")
    elif member.ischr() or member.isblk() or member.isfifo():
        raise _refuse(archive, member.name, "device file or FIFO")


def _extract_tar(archive: Path, root: Path, limits: UnpackLimits, roots: tuple[str, ...]) -> None:
    with tarfile.open(archive) as tar:
        members: list[tarfile.TarInfo] = []
        total = 0
        for member in tar:  # listed one by one: a bomb stops at the limit, not at its end
            members.append(member)
            total += member.size
            limits.check(archive, total, len(members))
            check_tar_member(archive, member, roots)
        # Links last: no file is ever extracted through a link made earlier.
        members.sort(key=lambda m: 2 if m.issym() else 1 if m.islnk() else 0)
        try:
            if TAR_EXTRACTION_FILTER is None:
                tar.extractall(root, members=members)
            else:
                tar.extractall(root, members=members, filter=_data_filter(roots))
        except tarfile.FilterError as error:
            raise _refuse(archive, error.tarinfo.name, str(error)) from None


def _data_filter(roots: tuple[str, ...]) -> Callable[[tarfile.TarInfo, str], tarfile.TarInfo | None]:
    """tarfile's ``data`` filter, but for the absolute links of ``roots`` (checked by us): for
    those, its ``tar`` filter (the member's own path still inside, no high mode bits)."""
    def chosen(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
        if member.issym() and member.linkname.startswith("/") and _root_of(member.name, roots):
            return tarfile.tar_filter(member, dest)
        return tarfile.data_filter(member, dest)
    return chosen


def _extract_zip(archive: Path, root: Path, limits: UnpackLimits) -> None:
    """Our own extraction: zipfile.extract silently rewrites bad names instead of refusing."""
    symlinks: list[tuple[str, str]] = []
    with zipfile.ZipFile(archive) as zf:
        limits.check(archive, sum(info.file_size for info in zf.infolist()), len(zf.infolist()))
        for info in zf.infolist():
            name = info.filename
            _check_name(archive, name)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                target = zf.read(info).decode()
                _check_symlink(archive, name, target)
                symlinks.append((name, target))
            elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
                raise _refuse(archive, name, "device file, FIFO or socket")
            elif info.is_dir():
                (root / name).mkdir(parents=True, exist_ok=True)
            else:
                path = root / name
                path.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as source, open(path, "wb") as out:
                    shutil.copyfileobj(source, out)
                os.chmod(path, 0o755 if mode & 0o111 else 0o644)
                # The entry's own time (as unzip keeps it; read as UTC, the same on every build
                # machine): SOURCE_DATE_EPOCH is the newest time of the sources.
                when = calendar.timegm((*info.date_time, 0, 0, 0))
                os.utime(path, (when, when))
    for name, target in symlinks:
        link = root / name
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, link)
