"""Whether a platform wheel from the index loads on the board as it is: the QA a wheel built
elsewhere must pass before pyrecipe installs it instead of building its sdist.

Why not the manylinux policy alone: a ``manylinux_2_X`` tag is what the wheel's builder claims,
and the policy (:mod:`pyrecipe.outputs.manylinux`) is a table of what a glibc 2.X system has. The
board's sysroot is the system itself: each symbol version a file of the wheel needs from a library
(``GLIBC_2.38`` from libc.so.6, ``GLIBCXX_3.4.32`` from libstdc++.so.6) must be one that library
in the sysroot defines (its ``.gnu.version_d``), as the board's loader requires, and each
``DT_NEEDED`` library must be in the sysroot or carried by the wheel (auditwheel's
``<package>.libs/``). A file for another machine, or an RPATH naming a directory of the machine
that built the wheel, refuses it as well. Each refusal is a sentence naming the file and the need.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerDefSection, GNUVerNeedSection

from pyrecipe.outputs.manylinux import is_elf

_ORIGIN_TOKENS = ("$ORIGIN", "${ORIGIN}")


@dataclass(frozen=True)
class WheelElf:
    """What one ELF file of a wheel is and asks of the system that loads it."""

    name: str  # its path in the wheel
    machine: str  # e_machine: EM_AARCH64 ...
    soname: str | None
    needed: tuple[str, ...]  # DT_NEEDED
    versions: tuple[tuple[str, str], ...]  # (library, version) from .gnu.version_r: (libc.so.6, GLIBC_2.34)
    rpath: tuple[str, ...]  # DT_RPATH and DT_RUNPATH entries


def read_elf(name: str, data: bytes) -> WheelElf:
    """The facts of the ELF file ``name`` (content ``data``); ValueError when it cannot be read."""
    try:
        elf = ELFFile(io.BytesIO(data))
        needed: list[str] = []
        rpath: list[str] = []
        soname: str | None = None
        versions: list[tuple[str, str]] = []
        for section in elf.iter_sections():
            if isinstance(section, DynamicSection):
                for tag in section.iter_tags():
                    kind = tag.entry.d_tag
                    if kind == "DT_NEEDED":
                        needed.append(tag.needed)
                    elif kind == "DT_SONAME":
                        soname = tag.soname
                    elif kind in ("DT_RPATH", "DT_RUNPATH"):
                        rpath += (tag.rpath if kind == "DT_RPATH" else tag.runpath).split(":")
            elif isinstance(section, GNUVerNeedSection):
                for library, auxiliaries in section.iter_versions():
                    versions += [(library.name, aux.name) for aux in auxiliaries]
        return WheelElf(name, elf.header["e_machine"], soname, tuple(needed), tuple(versions), tuple(rpath))
    except (ELFError, OSError, KeyError, ValueError, AttributeError) as error:
        raise ValueError(f"{name}: unreadable ELF file ({error})") from None


def wheel_elves(wheel: Path) -> list[WheelElf]:
    """The ELF files of the wheel ``wheel``; ValueError when the wheel or one of them is unreadable."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            found = []
            for info in archive.infolist():
                if info.is_dir():
                    continue
                with archive.open(info) as member:
                    if not is_elf(member.read(4)):
                        continue
                found.append(read_elf(info.filename, archive.read(info)))
            return found
    except (zipfile.BadZipFile, OSError) as error:
        raise ValueError(f"{wheel.name}: not a readable wheel ({error})") from None


@cache
def defined_versions(library: Path) -> frozenset[str]:
    """The symbol versions the shared library ``library`` defines (``.gnu.version_d``): what a
    file linked against it may need from it (cached: libc.so.6 is read once per process)."""
    try:
        with library.open("rb") as handle:
            elf = ELFFile(handle)
            return frozenset(name for section in elf.iter_sections() if isinstance(section, GNUVerDefSection)
                             for _definition, auxiliaries in section.iter_versions() for name in (aux.name for aux in auxiliaries))
    except (ELFError, OSError):
        return frozenset()


def _find(library: str, library_dirs: Sequence[Path]) -> Path | None:
    return next((directory / library for directory in library_dirs if (directory / library).exists()), None)


def refusals(wheel: Path, elf_machine: str, library_dirs: Sequence[Path]) -> list[str]:
    """Why the wheel ``wheel`` cannot be installed as it is on a board of ``elf_machine``
    (pyelftools' name: EM_AARCH64) whose sysroot's libraries are in ``library_dirs``; [] when it can."""
    try:
        elves = wheel_elves(wheel)
    except ValueError as error:
        return [str(error)]
    return list(_refusals(elves, elf_machine, library_dirs))


def _refusals(elves: Sequence[WheelElf], elf_machine: str, library_dirs: Sequence[Path]) -> Iterator[str]:
    carried = {elf.soname for elf in elves if elf.soname} | {PurePosixPath(elf.name).name for elf in elves}
    for elf in elves:
        if elf.machine != elf_machine:
            yield f"{elf.name} is built for {elf.machine}, the board is {elf_machine}"
            continue
        for entry in elf.rpath:
            if not entry.startswith(_ORIGIN_TOKENS):
                yield f"{elf.name} has the RPATH/RUNPATH entry '{entry}', a directory of the machine that built it"
        for library in elf.needed:
            if library not in carried and _find(library, library_dirs) is None:
                yield f"{elf.name} needs {library} (DT_NEEDED), which neither the board's sysroot nor the wheel has"
        for library, version in elf.versions:
            found = None if library in carried else _find(library, library_dirs)
            if found is not None and version not in defined_versions(found):
                newest = newest_version(defined_versions(found), version.partition("_")[0])
                yield (f"{elf.name} needs {version} from {library}, which the board's {library} does not define"
                       f"{f' (its newest is {newest})' if newest else ''}")


def newest_version(versions: frozenset[str], family: str) -> str | None:
    """The newest of ``versions`` of ``family``: GLIBC_2.41 of a libc.so.6's."""
    def key(name: str) -> tuple[int, ...]:
        return tuple(int(part) if part.isdigit() else -1 for part in name.partition("_")[2].split("."))
    ours = [name for name in versions if name.partition("_")[0] == family and name.partition("_")[2][:1].isdigit()]
    return max(ours, key=key) if ours else None


def elf_machine_of(path: Path) -> str:
    """The e_machine of the ELF file ``path`` (the build machine's Python: EM_X86_64)."""
    with path.open("rb") as handle:
        return str(ELFFile(handle).header["e_machine"])


def has_libc(library_dirs: Sequence[Path]) -> bool:
    """Whether ``library_dirs`` hold a C library to check a wheel against (a provisioned sysroot)."""
    return any(os.path.exists(directory / "libc.so.6") for directory in library_dirs)
