"""The board's ``ldconfig -p`` for programs run under qemu-user: the target sysroot's libraries.

``ctypes.util.find_library`` on Linux runs ``/sbin/ldconfig -p`` and takes the first
``libNAME.*`` line of the right ABI (python-mpv finds libmpv this way, as do many ctypes
bindings). Under qemu-user that program is the build machine's: qemu does not translate the path
of ``execve`` with ``-L``, so the x86-64 ``ldconfig`` lists the build machine's cache, where the
board's libraries are not, and the binding fails to import although the sysroot has the library.
The build machine's ``ldconfig`` cannot make a cache of another architecture's libraries either
(it skips them), so pyrecipe lists them itself, in ``ldconfig -p``'s format, from the directories
the sysroot's ``/etc/ld.so.conf`` names, as the board's cache would; whatever runs the board's
programs under qemu (do_test, ``pyrecipe run``, ``pyrecipe test``) binds a script printing that
list over ``/sbin/ldconfig``.
"""

from __future__ import annotations

import glob
import shlex
from pathlib import Path
from typing import Literal

from pyrecipe.errors import BuildError, InputError
from pyrecipe.fsutil import atomic_write_text

#: Where ``ctypes.util`` runs it (the path is fixed in CPython's ``_findSoname_ldconfig``).
LDCONFIG_PATH = Path("/sbin/ldconfig")
#: ``ldconfig -p``'s ABI tag after ``libc6`` by ELF machine (glibc's ``print_entry``); CPython
#: matches ``(libc6`` alone for the machines it does not name, so other machines get no suffix.
ABI_SUFFIXES = {"EM_X86_64": ",x86-64", "EM_AARCH64": ",AArch64"}
#: Searched by the dynamic loader whatever the configuration says, after it.
DEFAULT_DIRS = ("/lib", "/usr/lib")
_ELF_MAGIC = b"\x7fELF"
_ET_DYN = 3


def configured_dirs(sysroot: Path) -> list[str]:
    """The library directories of ``sysroot`` as its ``ldconfig`` would read them: the lines of
    ``/etc/ld.so.conf`` and the files it includes (Debian's ``include /etc/ld.so.conf.d/*.conf``,
    which is also read when the sysroot has no ld.so.conf: a sysroot of unpacked -dev packages
    lacks libc-bin's), then the default directories."""
    conf = sysroot / "etc" / "ld.so.conf"
    lines = conf.read_text(errors="replace").splitlines() if conf.is_file() else ["include /etc/ld.so.conf.d/*.conf"]
    found: list[str] = []
    _read_conf_lines(sysroot, lines, found, depth=0)
    return list(dict.fromkeys([*found, *DEFAULT_DIRS]))


def _read_conf_lines(sysroot: Path, lines: list[str], found: list[str], depth: int) -> None:
    if depth > 8:
        raise BuildError(f"the ld.so.conf files of {sysroot} include each other more than 8 deep")
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("include "):
            pattern = line.split(None, 1)[1].strip()
            for path in sorted(glob.glob(str(sysroot) + "/" + pattern.lstrip("/"))):
                _read_conf_lines(sysroot, Path(path).read_text(errors="replace").splitlines(), found, depth + 1)
        elif line.startswith("/"):
            found.append(line.rstrip("/") or "/")


def _shared_object_machine(path: Path) -> int | None:
    """The ELF machine of ``path`` when it is a shared object (following links), else None."""
    try:
        with path.open("rb") as handle:
            header = handle.read(20)
    except OSError:
        return None
    if len(header) < 20 or header[:4] != _ELF_MAGIC:
        return None
    order: Literal["little", "big"] = "little" if header[5] == 1 else "big"
    if int.from_bytes(header[16:18], order) != _ET_DYN:
        return None
    return int.from_bytes(header[18:20], order)


def library_listing(sysroot: Path, elf_machine: str) -> str:
    """``ldconfig -p``'s output for the libraries of ``sysroot`` (paths as the board sees them):
    the ``lib*.so*`` shared objects for the board's ``elf_machine`` (pyelftools' name:
    ``EM_AARCH64``; the board's ``ldconfig`` skips others) of the configured directories that the cache has, the links
    (a soname's, a -dev package's ``libfoo.so``) and the files no link names (a library shipped
    under its soname), not the files behind the links (``libmpv.so.2.5.0``), without reading
    each soname; the first directory's wherever a name is in two (merged /usr: /lib is /usr/lib).
    Sorted as ``ldconfig`` sorts them, a version before the bare ``.so``: ``find_library`` takes
    the first."""
    from elftools.elf.enums import ENUM_E_MACHINE  # pyelftools: 25 ms, for do_test and `pyrecipe run` only

    wanted = ENUM_E_MACHINE.get(elf_machine)
    if not isinstance(wanted, int):
        raise InputError(f"{elf_machine!r} is not an ELF machine name (EM_AARCH64, EM_ARM, EM_X86_64 ...)")
    suffix = ABI_SUFFIXES.get(elf_machine, "")
    entries: dict[str, str] = {}
    seen_dirs: set[Path] = set()
    for directory in configured_dirs(sysroot):
        real = (sysroot / directory.lstrip("/")).resolve()
        if real in seen_dirs or not real.is_dir() or not real.is_relative_to(sysroot.resolve()):
            continue
        seen_dirs.add(real)
        candidates = sorted(path for path in real.glob("lib*.so*") if path.name.endswith(".so") or ".so." in path.name)
        linked = {path.resolve() for path in candidates if path.is_symlink()}
        for path in candidates:
            if path.name in entries or (not path.is_symlink() and path.resolve() in linked):
                continue
            if _shared_object_machine(path) == wanted:
                entries[path.name] = f"\t{path.name} (libc6{suffix}) => {directory.rstrip('/')}/{path.name}"
    lines = [f"{len(entries)} libs found in cache `/etc/ld.so.cache'", *(entries[name] for name in sorted(entries, reverse=True))]
    return "\n".join(lines) + "\n"


def ldconfig_script(sysroot: Path, elf_machine: str) -> str:
    """A shell script standing in for ``/sbin/ldconfig``: ``-p`` prints :func:`library_listing`;
    anything else (making a cache) is refused, since the board's cache is not the build machine's
    to write."""
    listing = library_listing(sysroot, elf_machine)
    return (
        "#!/bin/sh\n"
        "# pyrecipe: the board's ldconfig -p (its sysroot's libraries) for a program under qemu-user\n"
        'if [ "$#" -eq 1 ] && { [ "$1" = -p ] || [ "$1" = --print-cache ]; }; then\n'
        f"    printf '%s' {shlex.quote(listing)}\n"
        "    exit 0\n"
        "fi\n"
        'echo "ldconfig: under qemu-user only -p (the target sysroot\'s libraries) is available" >&2\n'
        "exit 1\n"
    )


def board_ldconfig(scratch: Path, sysroot: Path, elf_machine: str) -> dict[Path, Path]:
    """``/sbin/ldconfig`` for programs of the board under qemu-user: :func:`ldconfig_script`
    written into ``scratch``, as {path on the build machine: file standing in for it} for a
    sandbox to bind; nothing when the build machine has no such file to stand in for (a bind
    needs a file to cover, and the sandbox's root is read-only: no new file can appear in it)."""
    if not LDCONFIG_PATH.exists():
        return {}
    script = scratch / "ldconfig.board"
    atomic_write_text(script, ldconfig_script(sysroot, elf_machine), mode=0o755)
    return {LDCONFIG_PATH: script}
