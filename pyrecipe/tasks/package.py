"""do_package: a recipe's installed tree as it ships, with the debug information kept apart.

Extension modules are compiled with ``-g`` (the build's flag policy, ``DEBUG_FLAGS``) so that a
crash on the board can be read, but a board's image has no room for debug sections. As
OpenEmbedded's do_package and Debian's dh_strip do, each ELF file of ``${D}`` is copied into
``${PKGD}`` stripped by the machine's cross ``strip``, and its debug sections go to a separate
file named by the ELF build-id (``.build-id/ab/cdef….debug``), which gdb finds by itself when
pointed at the directory (``set debug-file-directory``). The stripped file also carries a
``.gnu_debuglink`` to it. Other files are hard-linked: ``${D}`` stays as do_install made it, so
QA, the sysroot and a rerun of this task all see the unstripped tree. Last, each path of ``${PKGD}``
is given to a package of ``PACKAGES`` (:mod:`pyrecipe.tasks.package_split`): what the image installs.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.elffile import ELFFile
from elftools.elf.sections import NoteSection

from pyrecipe.engine.context import TaskContext, current_task
from pyrecipe.errors import BuildError
from pyrecipe.fsutil import building_dir, real_directory, writing_file
from pyrecipe.graph.variant import is_native
from pyrecipe.parse import DataSmart
from pyrecipe.qa.inventory import ELF_MAGIC
from pyrecipe.tasks.package_split import INSTALLED_VS_SHIPPED, package_patterns, split_files, write_package_lists
from pyrecipe.tasks.qa import waived_checks

#: Sections OpenEmbedded's strip also drops (compiler version strings, the bare ``.note``).
STRIP_SECTIONS = ("--remove-section=.comment", "--remove-section=.note")


@dataclass(frozen=True)
class BinTools:
    """The machine's binutils: the cross ``strip`` and ``objcopy`` (or the build machine's)."""

    strip: str
    objcopy: str


@dataclass(frozen=True)
class SplitFile:
    """One ELF file of the package and where its debug information went (None: it had none)."""

    rel: str
    debug_file: Path | None
    problem: str | None = None


def build_id(path: Path) -> str | None:
    """The GNU build-id of an ELF file as hex, or None (not ELF, unreadable, linked without one)."""
    try:
        with open(path, "rb") as stream:
            for section in ELFFile(stream).iter_sections():
                if isinstance(section, NoteSection):
                    for note in section.iter_notes():
                        if note["n_type"] == "NT_GNU_BUILD_ID":
                            return str(note["n_desc"])
    except (ELFError, OSError, ValueError):
        return None
    return None


def has_debug_info(path: Path) -> bool:
    """Whether the file has DWARF debug sections (pyelftools' has_dwarf_info also counts .eh_frame,
    which every stripped file keeps for unwinding)."""
    try:
        with open(path, "rb") as stream:
            elf = ELFFile(stream)
            return any(elf.get_section_by_name(name) is not None for name in (".debug_info", ".zdebug_info"))
    except (ELFError, OSError, ValueError):
        return False


def debug_path(debug_root: Path, rel: str, build_id_hex: str | None) -> Path:
    """Where the debug file of ``rel`` goes: by build-id, as gdb looks; by path when it has none."""
    if build_id_hex and len(build_id_hex) > 2:
        return debug_root / ".build-id" / build_id_hex[:2] / f"{build_id_hex[2:]}.debug"
    return debug_root / "by-path" / f"{rel}.debug"


#: ELF e_type values of what is stripped: executables and shared objects (PIE executables are
#: ET_DYN too). Relocatable objects and static archives ship as they are.
ET_EXEC, ET_DYN = 2, 3


def _elf_type(path: Path) -> int | None:
    """The ELF e_type of ``path`` (read from the header, either byte order), or None."""
    with open(path, "rb") as stream:
        header = stream.read(18)
    if not header.startswith(ELF_MAGIC) or len(header) < 18:
        return None
    return header[16] if header[5] == 1 else header[17]


class _ToolFailed(Exception):
    """strip or objcopy refused a file."""


def _run(command: list[str]) -> None:
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        raise _ToolFailed(f"{Path(command[0]).name}: {result.stdout.strip()}")


def _split_one(tools: BinTools, source: Path, dest: Path, rel: str, debug_root: Path, shared: bool) -> SplitFile:
    """Copy ``source`` to ``dest`` stripped; its debug sections to the debug tree, if it has any.

    A file the machine's binutils refuse (one built for another machine, which QA reported and
    INSANE_SKIP let through) ships as it is, and the result says why.
    """
    try:
        return _strip_and_split(tools, source, dest, rel, debug_root, shared)
    except _ToolFailed as failure:
        dest.unlink(missing_ok=True)
        shutil.copy2(source, dest)
        return SplitFile(rel, None, problem=f"not stripped, shipped as installed ({failure})")


def _strip_and_split(tools: BinTools, source: Path, dest: Path, rel: str, debug_root: Path, shared: bool) -> SplitFile:
    debug_file = None
    if has_debug_info(source):
        debug_file = debug_path(debug_root, rel, build_id(source))
        with writing_file(debug_file) as tmp:
            _run([tools.objcopy, "--only-keep-debug", "--compress-debug-sections", str(source), str(tmp)])
    _run([tools.strip, *STRIP_SECTIONS, *(["--strip-unneeded"] if shared else []), "-o", str(dest), str(source)])
    if debug_file is not None:
        _run([tools.objcopy, f"--add-gnu-debuglink={debug_file}", str(dest)])
    shutil.copymode(source, dest)
    return SplitFile(rel, debug_file)


def _walk(root: Path) -> Iterator[tuple[Path, str]]:
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in [*dirnames, *sorted(filenames)]:
            path = Path(directory, name)
            yield path, path.relative_to(root).as_posix()


def split_and_strip(
    image: Path, pkgd: Path, debug_root: Path, tools: BinTools | None, *,
    jobs: int = os.cpu_count() or 1, say: Callable[[str], None] = lambda _: None,
    warn: Callable[[str], None] = lambda _: None,
) -> list[SplitFile]:
    """Make ``pkgd`` the package of ``image``: ELF files stripped (unless ``tools`` is None: then
    every file as it is), debug information under ``debug_root``; ``warn`` hears of the files the
    binutils refused, which ship unstripped. Atomic: a failure leaves the previous ``pkgd``."""
    if not image.is_dir():
        raise BuildError(f"do_package: no installed tree {image}; do_install did not run")
    with building_dir(pkgd) as tmp, ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        pending = []
        for source, rel in _walk(image):
            dest = tmp / rel
            if source.is_symlink():
                os.symlink(os.readlink(source), dest)
            elif source.is_dir():
                dest.mkdir()
                shutil.copymode(source, dest)
            elif tools is not None and source.is_file() and (kind := _elf_type(source)) in (ET_EXEC, ET_DYN):
                pending.append(pool.submit(_split_one, tools, source, dest, rel, debug_root, kind == ET_DYN))
            else:
                try:
                    os.link(source, dest)
                except OSError:
                    shutil.copy2(source, dest)
        split = sorted((future.result() for future in pending), key=lambda s: s.rel)
    for item in split:
        if item.problem:
            warn(f"do_package: {item.rel}: {item.problem}")
            continue
        where = item.debug_file.relative_to(debug_root) if item.debug_file else "no debug information"
        say(f"NOTE: stripped {item.rel} (debug: {where})")
    return split


def package(d: DataSmart) -> None:
    """do_package: ${D} as it ships into ${PKGD}, ELF files stripped by the machine's binutils and
    their debug information into DEPLOY_DIR_DEBUG (see :mod:`pyrecipe.tasks.package`)."""
    if is_native(d):
        current_task().note("NOTE: native recipe: nothing is packaged for the board")
        return
    task = current_task()
    toolchain = task.build.toolchain
    tools = None
    if toolchain is not None and d.getVar("INHIBIT_PACKAGE_STRIP") != "1":
        cross = toolchain.settings.tools
        tools = BinTools(strip=cross.strip, objcopy=cross.objcopy)
    jobs = int(d.getVar("BB_NUMBER_THREADS") or 1)
    pkgd = Path(d.getVar("PKGD"))
    image = real_directory(Path(d.getVar("D")), Path(d.getVar("WORKDIR")), create=False)  # no link a task left
    split_and_strip(image, pkgd, Path(d.getVar("DEPLOY_DIR_DEBUG")), tools,
                    jobs=jobs, say=task.note, warn=task.warn)
    split_into_packages(d, pkgd, task)


def split_into_packages(d: DataSmart, pkgd: Path, task: TaskContext) -> None:
    """Record which package of PACKAGES ships each path of ``pkgd`` (:mod:`pyrecipe.tasks.package_split`);
    paths no package takes fail the task unless INSANE_SKIP names installed-vs-shipped, as in OE."""
    split = split_files(pkgd, package_patterns(d))
    if split.unshipped:
        listing = "\n".join(f"  /{path}" for path in split.unshipped)
        if INSTALLED_VS_SHIPPED not in waived_checks(d):
            raise BuildError(
                f"recipe {d.getVar('PN')}: {len(split.unshipped)} installed file(s) are in no package of PACKAGES "
                f"(FILES:<package> takes none of them):\n{listing}\n  (add them to a package's FILES, or delete them "
                f"in do_install; INSANE_SKIP:${{PN}} += \"{INSTALLED_VS_SHIPPED}\" leaves them out of every package)")
        task.warn(f"QA: INSANE_SKIP waived {INSTALLED_VS_SHIPPED}: not shipped:\n{listing}")
    write_package_lists(split, Path(d.getVar("PKGMANIFESTDIR")))
    for package, paths in split.files.items():
        task.note(f"NOTE: package {package}: {len(paths)} path(s)")
