"""Finding build-machine paths in what ships: text, bytecode, ELF data, symlinks, #! lines.

A path leaked from the build machine works during the build and breaks (or silently
does something else) on the board. The search is a plain byte search for each host path,
which C code does fast, followed by a boundary test so that ``/root`` does not match
``/rootfs``. Large files are memory-mapped rather than read.

ELF files: only their loaded data sections (.rodata, .data ...) are searched, where a
``__FILE__`` or a configure-time path would ship to every user. DWARF (.debug_*) is not
searched: build paths in debug info only matter to a debugger and are normal for a build
without ``-ffile-prefix-map``; stripping or prefix maps are the cure, not a QA error.
"""

from __future__ import annotations

import mmap
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pyrecipe.qa.inventory import StagedFile
from pyrecipe.qa.model import QAContext, QAProblem, is_under

CHECK = "host-paths"

# Bytes that continue a path component: a match followed or preceded by one is a longer name.
_NAME_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
# Bytes that, before a match, make it the tail of some other path.
_PATH_BYTES = _NAME_BYTES | {ord("/")}

# Directories a #! interpreter of a shipped script may live in on the target.
_INTERPRETER_DIRS = ("/bin", "/usr/bin", "/sbin", "/usr/sbin")
_TARGET_PYTHON = re.compile(r"python3(\.\d+)?")
# The kernel reads at most this much of a #! line (BINPRM_BUF_SIZE on current Linux).
_SHEBANG_LIMIT = 256
_NEWLINE = b"\n"
# How much of a file decides whether it is text (as git and grep do: a NUL byte means binary).
_TEXT_SNIFF = 8192
# Files smaller than this are read; larger ones are memory-mapped.
_MMAP_THRESHOLD = 1 << 20


class HostPathFinder:
    """Searches bytes for any of the build machine's paths."""

    def __init__(self, host_paths: Sequence[str], target_roots: Sequence[str]) -> None:
        usable = {_normalise(path) for path in host_paths}
        # "/" or "/usr" (the build machine's Python prefix on Debian) would match every
        # target path: such a host path cannot be told apart from the target's own paths.
        usable = {path for path in usable if not _covers_target(path, target_roots)}
        # Longest first so that at a tie the most specific path is the one reported.
        self.paths = tuple(sorted(usable, key=len, reverse=True))
        self._encoded = tuple(path.encode() for path in self.paths)

    def find(self, data: bytes | mmap.mmap, start: int = 0, end: int | None = None,
             binary: bool = False) -> tuple[int, str] | None:
        """The offset and text of the earliest host path in ``data[start:end]``, if any.

        In ``binary`` data the byte before a path is not judged: there it is a length or a
        type code (marshal, ELF string tables), not a sign of a longer path.
        """
        end = len(data) if end is None else end
        earliest: tuple[int, str] | None = None
        for path, encoded in zip(self.paths, self._encoded):
            position = data.find(encoded, start, end)
            while position != -1 and not _stands_alone(data, position, len(encoded), binary):
                position = data.find(encoded, position + 1, end)
            if position != -1 and (earliest is None or position < earliest[0]):
                earliest = (position, path)
        return earliest

    def find_in_text(self, text: str) -> str | None:
        found = self.find(text.encode())
        return found[1] if found else None


def check_host_paths(ctx: QAContext, inventory: Sequence[StagedFile]) -> Iterator[QAProblem]:
    """No build-machine path in any shipped file, symlink or executable's ``#!`` line.

    Every non-ELF file is searched, text or not: a .pyc's co_filename or a .pc file leaks
    the same way a Python file does. The ``#!`` line is judged only on executable files;
    the kernel never reads it on others, and many modules carry an old one harmlessly.
    """
    finder = HostPathFinder(ctx.host_paths, ctx.target_roots)
    for staged in inventory:
        if staged.special:
            continue  # reported by the special-files check; reading a FIFO would block
        if staged.is_symlink:
            yield from _check_symlink(finder, staged)
        elif staged.elf is not None:
            yield from _check_elf_data(finder, staged)
        elif not staged.unreadable_elf:
            yield from _check_contents(finder, staged)


def _check_symlink(finder: HostPathFinder, staged: StagedFile) -> Iterator[QAProblem]:
    target = os.readlink(staged.path)
    leaked = finder.find_in_text(target)
    if leaked:
        yield QAProblem(CHECK, staged.rel, f"symlink points to {target}, inside the build machine's {leaked}; "
                        "make it relative or point it at the target's path")


def _check_elf_data(finder: HostPathFinder, staged: StagedFile) -> Iterator[QAProblem]:
    assert staged.elf is not None
    if not finder.paths or not staged.elf.data_ranges:
        return
    with _contents(staged.path) as data:
        for section, offset, size in staged.elf.data_ranges:
            found = finder.find(data, offset, offset + size, binary=True)
            if found:
                yield QAProblem(CHECK, staged.rel, f"section {section} contains the build machine's path "
                                f"{found[1]} (often __FILE__ or a configure-time path); build with "
                                f"-ffile-prefix-map={found[1]}=. or remove the path from the sources")
                return


def _check_contents(finder: HostPathFinder, staged: StagedFile) -> Iterator[QAProblem]:
    if not finder.paths and not staged.executable:
        return
    with _contents(staged.path) as data:
        body_start = 0
        if staged.executable and data[:2] == b"#!" and _run_as_a_script(staged.rel):
            line_end = data.find(b"\n", 0, _SHEBANG_LIMIT)
            line_end = min(len(data), _SHEBANG_LIMIT) if line_end == -1 else line_end
            complaint = shebang_complaint(data[2:line_end].decode(errors="replace"), finder)
            if complaint:
                yield QAProblem(CHECK, staged.rel, complaint)
                body_start = line_end
        if not finder.paths:
            return
        binary = b"\0" in data[:_TEXT_SNIFF]
        found = finder.find(data, body_start, binary=binary)
        if found:
            position, path = found
            where = f"byte {position}" if binary else f"line {data[:position].count(_NEWLINE) + 1}"
            yield QAProblem(CHECK, staged.rel, f"{where} contains the build machine's path "
                            f"{path}; on the target it points nowhere: make the recipe write the target's path "
                            "(or a relative one), or do not install the file")


def _run_as_a_script(rel: str) -> bool:
    """Whether an executable file is one the board runs by its ``#!`` line: every one outside
    site-packages (``usr/bin/pip3.13`` too); in it, not a template or data file that has an
    executable bit (Django's ``project_template/manage.py-tpl``, whose line is the project's to
    fix once copied), told by a suffix other than none, ``.py`` or ``.sh``."""
    return "/site-packages/" not in f"/{rel}" or Path(rel).suffix in ("", ".py", ".sh")


def shebang_complaint(line: str, finder: HostPathFinder) -> str | None:
    """What is wrong with an executable's ``#!`` line (given without the ``#!``), or None."""
    words = line.split()
    if not words:
        return "#! line names no interpreter"
    if line.endswith("\r"):
        return (f"#! line '#!{line.strip()}' ends in a carriage return (CRLF line endings): the kernel "
                f"would look for '{words[-1]}\\r'; convert the script to LF line endings")
    interpreter = words[0]
    problem = _interpreter_complaint(interpreter, finder)
    if problem is None and interpreter.rsplit("/", 1)[-1] == "env":
        program = next((word for word in words[1:] if not word.startswith("-")), None)
        if program is None:
            return f"#!{interpreter} names no program to run"
        if "/" in program:
            problem = _interpreter_complaint(program, finder)
        elif program.startswith("python") and not _TARGET_PYTHON.fullmatch(program):
            problem = f"runs '{program}', which the target's Python is not called; use python3"
    return f"#! line '#!{line.strip()}': {problem}" if problem else None


def _interpreter_complaint(interpreter: str, finder: HostPathFinder) -> str | None:
    leaked = finder.find_in_text(interpreter)
    if leaked:
        return (f"the interpreter is on the build machine (under {leaked}); "
                "install scripts for the target's /usr/bin/python3")
    if not interpreter.startswith("/"):
        return "the interpreter is not an absolute path; the kernel cannot run it"
    directory, _, program = interpreter.rpartition("/")
    if directory not in _INTERPRETER_DIRS:
        return f"{directory} is not a directory of target interpreters ({', '.join(_INTERPRETER_DIRS)})"
    if program.startswith("python") and not _TARGET_PYTHON.fullmatch(program):
        return f"{program} is not the target's Python; use /usr/bin/python3"
    return None


@contextmanager
def _contents(path: Path) -> Iterator[bytes | mmap.mmap]:
    """The file's bytes: read if small, memory-mapped if large (never copied whole)."""
    with path.open("rb") as stream:
        size = os.fstat(stream.fileno()).st_size
        if size < _MMAP_THRESHOLD:
            yield stream.read()
            return
        with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            yield mapped


def _normalise(path: str) -> str:
    return "/" + path.strip("/") if path.strip("/") else "/"


def _covers_target(host_path: str, target_roots: Sequence[str]) -> bool:
    return host_path == "/" or any(is_under(root, [host_path]) for root in target_roots)


def _stands_alone(data: bytes | mmap.mmap, position: int, length: int, binary: bool) -> bool:
    """A match that is a whole path (or a prefix of one ending at '/'), not part of a longer name."""
    after = data[position + length:position + length + 1]
    if after and after[0] in _NAME_BYTES:
        return False
    before = data[position - 1:position] if position else b""
    if before == b"<" and after == b">":
        return False  # "</root>": an XML or HTML closing tag (docstrings, doctests), not the path /root
    return binary or not before or before[0] not in _PATH_BYTES
