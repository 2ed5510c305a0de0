"""Checks on the ELF files of a staging tree: architecture, module names, libraries, RPATH.

They work on the facts :mod:`pyrecipe.qa.inventory` read once per file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

from pyrecipe.qa.hostpaths import HostPathFinder
from pyrecipe.qa.inventory import StagedFile
from pyrecipe.qa.model import QAContext, QAProblem, is_under

STABLE_ABI_SUFFIX = ".abi3.so"
# Where the staging tree itself may hold a library another of its files needs.
_OWN_LIBRARY_DIRS = ("lib", "usr/lib")
_ORIGIN_TOKENS = ("$ORIGIN", "${ORIGIN}")


def check_arch(ctx: QAContext, inventory: Sequence[StagedFile]) -> Iterator[QAProblem]:
    """Every ELF file is for the target's machine, word size and byte order."""
    target = _describe(ctx.elf_machine, ctx.elf_class, ctx.elf_endian == "little")
    for staged in inventory:
        if staged.unreadable_elf:
            yield QAProblem("arch", staged.rel, "starts like an ELF file or a static archive but cannot be "
                            "read as one (truncated or corrupt); rebuild it, or do not install it")
            continue
        elf = staged.elf
        if elf is None:
            continue
        if (elf.machine, elf.elf_class, elf.little_endian) != (ctx.elf_machine, ctx.elf_class, ctx.elf_endian == "little"):
            built_for = f"{elf.arch_name}, " + _describe(elf.machine, elf.elf_class, elf.little_endian)
            yield QAProblem("arch", staged.rel, f"built for {built_for}, but the target is {target}; "
                            "the recipe compiled it with a compiler for the wrong machine (check CC/CXX "
                            "and the cross file)")


def check_ext_suffix(ctx: QAContext, inventory: Sequence[StagedFile]) -> Iterator[QAProblem]:
    """An extension module's file name is one the target's Python imports and trusts.

    A module is an ELF shared object defining ``PyInit_<its own name>``. Accepted names end
    in the target's EXT_SUFFIX or ``.abi3.so``. A bare ``.so`` is reported too: the target
    would import it, but the name no longer says which Python it was built for, and such a
    module usually comes from a build that ignored the target's sysconfig.
    """
    for staged in inventory:
        if staged.elf is None or not staged.elf.exports_pyinit:
            continue
        name = staged.name
        if name.endswith(ctx.ext_suffix) or name.endswith(STABLE_ABI_SUFFIX):
            continue
        expected = f"the target's Python imports only *{ctx.ext_suffix} or *{STABLE_ABI_SUFFIX}"
        suffix = "." + name.split(".", 1)[1] if "." in name else ""
        if ctx.host_ext_suffix and suffix == ctx.host_ext_suffix:
            message = (f"extension module named with the build machine's suffix {suffix}: {expected}; "
                       "the build read the build machine's sysconfig (check _PYTHON_SYSCONFIGDATA_NAME)")
        elif suffix == ".so":
            message = (f"extension module named with a bare .so, which says nothing about the Python "
                       f"it was built for; name it *{ctx.ext_suffix} (or waive with INSANE_SKIP)")
        else:
            message = f"extension module suffix {suffix or '(none)'} is not the target's: {expected}"
        yield QAProblem("ext-suffix", staged.rel, message)


def check_needed(ctx: QAContext, inventory: Sequence[StagedFile]) -> Iterator[QAProblem]:
    """Every DT_NEEDED library is found where the target's loader will look."""
    available = _library_names([*ctx.library_dirs, *(ctx.staging_dir / own for own in _OWN_LIBRARY_DIRS)])
    for staged in inventory:
        if staged.elf is None:
            continue
        for soname in staged.elf.needed:
            if "/" in soname:
                yield QAProblem("needed", staged.rel, f"needs the library by path {soname} (DT_NEEDED): it was "
                                "linked against a library without a soname; link it with -l or give it one")
            elif soname not in available and not _in_own_rpath(ctx.staging_dir, staged, soname):
                yield QAProblem("needed", staged.rel, f"needs {soname} (DT_NEEDED), which is not in the target "
                                "sysroot, the image or this recipe's own libraries; add what provides it to "
                                "DEPENDS, or link without it")


def check_optimization(ctx: QAContext, inventory: Sequence[StagedFile]) -> Iterator[QAProblem]:
    """Compiled code was optimised: no GCC compile unit without an -O level (or with -O0).

    Read from the producer strings GCC writes into the debug information (the build's
    DEBUG_FLAGS give every target build -g), so where there is none (a file built without debug
    information, Rust's LLVM units) there is nothing to tell and nothing is reported. The last
    -O option of a command line is the one GCC uses.
    """
    for staged in inventory:
        if staged.elf is None:
            continue
        unoptimised = [producer for producer in staged.elf.compilers if optimisation_level(producer) == "0"]
        if unoptimised:
            yield QAProblem("optimization", staged.rel, f"{len(unoptimised)} of its {len(staged.elf.compilers)} "
                            f"compiler command lines have no optimisation (-O0), e.g. '{unoptimised[0]}'; the "
                            "build's flags (TARGET_CFLAGS, SELECTED_OPTIMIZATION) did not reach that compiler")


def optimisation_level(producer: str) -> str:
    """The -O level of a GCC producer string (``GNU C17 12.2.0 -mcpu=cortex-a72 -g -O2``): ``2``,
    ``s``, ``g`` ... or ``0`` when it names none (GCC's default)."""
    levels = [word[2:] or "1" for word in producer.split() if word.startswith("-O")]
    return levels[-1] if levels else "0"


def check_rpath(ctx: QAContext, inventory: Sequence[StagedFile]) -> Iterator[QAProblem]:
    """RPATH/RUNPATH entries name the target's directories, never the build machine's."""
    finder = HostPathFinder(ctx.host_paths, ctx.target_roots)
    for staged in inventory:
        if staged.elf is None:
            continue
        for entry in staged.elf.rpath:
            complaint = _rpath_complaint(entry, finder, ctx.target_roots)
            if complaint:
                yield QAProblem("rpath", staged.rel, f"RPATH/RUNPATH entry '{entry}' {complaint}")


def _rpath_complaint(entry: str, finder: HostPathFinder, target_roots: Sequence[str]) -> str | None:
    if not entry:
        return "is empty, which makes the loader search the current directory; remove it"
    if entry.startswith(_ORIGIN_TOKENS):
        return None
    leaked = finder.find_in_text(entry)
    if leaked:
        return (f"points into the build machine ({leaked}); use $ORIGIN-relative entries "
                "(e.g. $ORIGIN/../lib) or none")
    if not entry.startswith("/"):
        return "is relative to the current directory, not to the library; use $ORIGIN"
    if not is_under(entry, target_roots):
        return (f"is outside the target's directories ({', '.join(target_roots)}); "
                "use $ORIGIN-relative entries or none")
    return None


def _library_names(directories: Sequence[Path]) -> frozenset[str]:
    """The names in all library directories: one listing each, not one stat per library."""
    names: set[str] = set()
    for directory in directories:
        try:
            names.update(os.listdir(directory))
        except (FileNotFoundError, NotADirectoryError):
            continue
    return frozenset(names)


def _in_own_rpath(staging_dir: Path, staged: StagedFile, soname: str) -> bool:
    """Whether an RPATH entry of the file leads to ``soname`` inside the staging tree."""
    assert staged.elf is not None
    origin = PurePosixPath(staged.rel).parent
    for entry in staged.elf.rpath:
        for token in _ORIGIN_TOKENS:
            if entry.startswith(token):
                candidate = staging_dir / origin / entry[len(token):].lstrip("/") / soname
                break
        else:
            candidate = staging_dir / entry.lstrip("/") / soname
        if os.path.lexists(candidate):
            return True
    return False


def _describe(machine: str, elf_class: int, little_endian: bool) -> str:
    return f"{machine} {elf_class}-bit {'little' if little_endian else 'big'}-endian"
