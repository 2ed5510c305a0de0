"""One walk over a staging tree, with the ELF facts every check needs read once.

The checks are pure functions over this inventory, so each ELF file is opened and parsed
a single time however many checks look at it. Only headers, the dynamic section, the
symbol hash table and section headers are read: never a whole large library.
"""

from __future__ import annotations

import dataclasses
import io
import os
import struct
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from elftools.common.exceptions import ELFError, ELFParseError
from elftools.elf.constants import SH_FLAGS
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import Section

ELF_MAGIC = b"\x7fELF"
AR_MAGIC = b"!<arch>\n"
_AR_HEADER_SIZE = 60
_AR_INDEX_MEMBERS = ("/", "/SYM64/")


@dataclass(frozen=True)
class ElfFacts:
    """What QA needs to know about one ELF file."""

    machine: str
    """pyelftools' e_machine name (``EM_AARCH64``), or the number if pyelftools has no name."""
    arch_name: str
    """A readable architecture name (``AArch64``, ``x64``)."""
    elf_class: int
    little_endian: bool
    needed: tuple[str, ...]
    rpath: tuple[str, ...]
    """DT_RPATH and DT_RUNPATH entries, as the loader splits them (on ':')."""
    exports_pyinit: bool
    """Defines ``PyInit_<name>`` for its own file name: CPython would import it as a module."""
    data_ranges: tuple[tuple[str, int, int], ...]
    """(section name, file offset, size) of the loaded, non-code data sections (.rodata ...)."""
    compilers: tuple[str, ...] = ()
    """The distinct DW_AT_producer strings of its GCC compile units (``GNU C17 12.2.0 -mcpu=… -O2``):
    GCC records its options there when it writes debug information."""


@dataclass(frozen=True)
class StagedFile:
    """A file or symlink in the staging tree."""

    rel: str
    """Path relative to the staging root, '/'-separated."""
    path: Path
    is_symlink: bool
    executable: bool
    elf: ElfFacts | None = None
    unreadable_elf: bool = False
    """The file starts like an ELF file or a static archive but cannot be read (truncated, corrupt)."""
    special: bool = False
    """A FIFO, device or socket: never opened (reading a FIFO blocks QA for ever)."""

    @property
    def name(self) -> str:
        return self.rel.rsplit("/", 1)[-1]


def take_inventory(staging_dir: Path) -> list[StagedFile]:
    """Every file and symlink under ``staging_dir``, sorted by path, ELF files parsed."""
    files = [_stage_entry(staging_dir, path) for path in walk_entries(staging_dir)]
    return sorted(files, key=lambda staged: staged.rel)


def walk_entries(staging_dir: Path) -> Iterator[Path]:
    """Every file and symlink under ``staging_dir`` (a symlinked directory is not entered)."""
    for dirpath, dirnames, filenames in os.walk(staging_dir):
        base = Path(dirpath)
        yield from (base / name for name in filenames)
        # os.walk lists a symlink to a directory among the directories but does not enter it.
        yield from (base / name for name in dirnames if (base / name).is_symlink())


def _stage_entry(staging_dir: Path, path: Path) -> StagedFile:
    rel = path.relative_to(staging_dir).as_posix()
    if path.is_symlink() or not path.is_file():
        symlink = path.is_symlink()
        return StagedFile(rel=rel, path=path, is_symlink=symlink, executable=False, special=not symlink)
    executable = bool(path.stat().st_mode & 0o111)
    with path.open("rb") as stream:
        magic = stream.read(len(AR_MAGIC))
        stream.seek(0)
        facts: ElfFacts | None
        try:
            if magic.startswith(ELF_MAGIC):
                facts = read_elf_facts(stream, module_name=path.name.split(".", 1)[0])
            elif magic == AR_MAGIC:
                facts = read_archive_facts(stream)
            else:
                facts = None
        except (ELFError, ELFParseError, struct.error, ValueError, KeyError):
            return StagedFile(rel=rel, path=path, is_symlink=False, executable=executable, unreadable_elf=True)
    return StagedFile(rel=rel, path=path, is_symlink=False, executable=executable, elf=facts)


def read_elf_facts(stream: BinaryIO, module_name: str) -> ElfFacts:
    """Parse the headers and dynamic section of the ELF file open in ``stream``."""
    elf = ELFFile(stream)
    machine = elf.header["e_machine"]
    # One pass over the section headers: pyelftools' typed iter_sections re-reads them all.
    sections: dict[str, list[Section]] = defaultdict(list)
    for section in elf.iter_sections():
        sections[section["sh_type"]].append(section)
    needed: list[str] = []
    rpath: list[str] = []
    dynamic = _dynamic_table(elf, sections)
    if dynamic is not None:
        for tag in dynamic.iter_tags():
            kind = tag.entry.d_tag
            if kind == "DT_NEEDED":
                needed.append(tag.needed)
            elif kind == "DT_RPATH":
                rpath.extend(tag.rpath.split(":"))
            elif kind == "DT_RUNPATH":
                rpath.extend(tag.runpath.split(":"))
    return ElfFacts(
        machine=str(machine),
        arch_name=elf.get_machine_arch(),
        elf_class=elf.elfclass,
        little_endian=elf.little_endian,
        needed=tuple(needed),
        rpath=tuple(rpath),
        exports_pyinit=elf.header["e_type"] == "ET_DYN" and _defines(sections, f"PyInit_{module_name}"),
        data_ranges=tuple(_data_ranges(sections)),
        compilers=gcc_producers(elf),
    )


#: How a GCC compile unit's producer string starts (C, C++, Fortran, Objective-C; not GNU AS).
_GCC_PRODUCER_PREFIXES = (b"GNU C", b"GNU Fortran", b"GNU Objective-C")


def gcc_producers(elf: ELFFile) -> tuple[str, ...]:
    """The GCC producer strings of ``.debug_str``, where GCC puts them (DW_FORM_strp).

    Reading the string table is enough and fast: walking every compile unit's DIEs with
    pyelftools takes seconds on a large module, and the table holds each distinct command line once.
    """
    section = elf.get_section_by_name(".debug_str")
    if section is None:
        return ()
    return tuple(sorted({
        text.decode("utf-8", "replace") for text in section.data().split(b"\0")
        if text.startswith(_GCC_PRODUCER_PREFIXES) and b" -" in text
    }))


def read_archive_facts(stream: BinaryIO) -> ElfFacts | None:
    """The facts of a static archive (``!<arch>``): its first ELF member decides the machine,
    and the data sections of all ELF members are kept for the host-path search.

    Archives are read whole, member by member: they are rare and small in a Python staging
    tree, and an object built for the build machine hides in them as easily as in a .so.
    """
    first: ElfFacts | None = None
    data_ranges: list[tuple[str, int, int]] = []
    long_names = b""
    offset = len(AR_MAGIC)
    stream.seek(offset)
    while header := stream.read(_AR_HEADER_SIZE):
        if len(header) < _AR_HEADER_SIZE or header[58:60] != b"`\n":
            raise ValueError(f"bad archive member header at offset {offset}")
        name, size = header[:16].decode(errors="replace").rstrip(), int(header[48:58])
        content = stream.read(size)
        if name == "//":
            long_names = content
        elif name not in _AR_INDEX_MEMBERS and content.startswith(ELF_MAGIC):
            member = _ar_member_name(name, long_names)
            facts = read_elf_facts(io.BytesIO(content), module_name="")
            first = first or facts
            start = offset + _AR_HEADER_SIZE
            data_ranges += [(f"{section} of {member}", start + at, length) for section, at, length in facts.data_ranges]
        offset += _AR_HEADER_SIZE + size + size % 2
        stream.seek(offset)
    return dataclasses.replace(first, data_ranges=tuple(data_ranges)) if first else None


def _ar_member_name(name: str, long_names: bytes) -> str:
    """A GNU ar member name: ``foo.o/`` inline, or ``/123``, an offset into the ``//`` member."""
    if name.startswith("/") and name[1:].isdigit():
        start = int(name[1:])
        return long_names[start:long_names.find(b"/\n", start)].decode(errors="replace")
    return name.rstrip("/")


def _dynamic_table(elf: ELFFile, sections: Mapping[str, list[Section]]):
    """The dynamic section, or the PT_DYNAMIC segment of a file without section headers."""
    if sections.get("SHT_DYNAMIC"):
        return sections["SHT_DYNAMIC"][0]
    for segment in elf.iter_segments("PT_DYNAMIC"):
        return segment
    return None


def _defines(sections: Mapping[str, list[Section]], symbol_name: str) -> bool:
    """Whether the dynamic symbol table defines ``symbol_name``.

    The hash tables answer in a few reads; walking .dynsym would parse every imported
    symbol of a large extension module.
    """
    for table_type in ("SHT_GNU_HASH", "SHT_HASH"):
        for table in sections.get(table_type, ()):
            return _is_defined(table.get_symbol(symbol_name))
    for dynsym in sections.get("SHT_DYNSYM", ()):
        symbols = dynsym.get_symbol_by_name(symbol_name) or []
        return any(_is_defined(symbol) for symbol in symbols)
    return False


def _is_defined(symbol) -> bool:
    return symbol is not None and symbol["st_shndx"] != "SHN_UNDEF"


def _data_ranges(sections: Mapping[str, list[Section]]) -> Iterator[tuple[str, int, int]]:
    """Sections the loader maps that hold data rather than code, symbols or relocations.

    Debug sections (.debug_*) and the symbol/string tables are left out on purpose: a
    build path in DWARF only matters to a debugger; one in .rodata ships to every user.
    """
    for section in sections.get("SHT_PROGBITS", ()):
        flags = section["sh_flags"]
        if flags & SH_FLAGS.SHF_ALLOC and not flags & SH_FLAGS.SHF_EXECINSTR and section["sh_size"]:
            yield section.name, section["sh_offset"], section["sh_size"]
