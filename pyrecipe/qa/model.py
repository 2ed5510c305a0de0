"""What QA is told about the target and what it reports back.

The types are plain dataclasses so that the task runner can build a context from the
datastore and print a result without knowing anything about how the checks work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class QAContext:
    """The facts about one recipe's staging tree and the target it was built for."""

    staging_dir: Path
    """The recipe's staging root (holds ``usr/lib/python3.X/site-packages`` ...)."""
    elf_machine: str
    """pyelftools' ``e_machine`` name of the target, e.g. ``EM_AARCH64``."""
    elf_class: int
    """32 or 64."""
    elf_endian: str
    """``little`` or ``big``."""
    ext_suffix: str
    """The target's EXT_SUFFIX, e.g. ``.cpython-313-aarch64-linux-gnu.so``."""
    host_ext_suffix: str
    """The build machine's EXT_SUFFIX: a module named with it was built for the wrong machine."""
    pyc_magic: bytes
    """The first four bytes of a .pyc the target's interpreter accepts."""
    library_dirs: Sequence[Path]
    """Where a DT_NEEDED library may be found: sysroot lib dirs, the image, other stagings."""
    host_paths: Sequence[str]
    """Build-machine paths that must not appear in what ships."""
    allowed_prefixes: Sequence[str]
    """The scheme's directories, relative to the staging root (``usr/bin`` ...)."""

    @property
    def target_roots(self) -> tuple[str, ...]:
        """The absolute top directories the scheme installs into on the target (``/usr``).

        A path under one of them names a place on the target, not on the build machine.
        """
        tops = {prefix.strip("/").split("/", 1)[0] for prefix in self.allowed_prefixes}
        return tuple(sorted(f"/{top}" for top in tops if top))


@dataclass(frozen=True, order=True)
class QAProblem:
    """One finding: which check, which file (relative to the staging root), and what is wrong."""

    check: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.path}: {self.message}"


@dataclass
class QAResult:
    """The findings of one QA run, split into the ones that count and the waived ones."""

    problems: list[QAProblem] = field(default_factory=list)
    waived: list[QAProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def format(self) -> str:
        """The report as a user reads it: problems first, then what INSANE_SKIP waived."""
        if not self.problems and not self.waived:
            return "QA: no problems"
        lines = [f"QA: {_count(len(self.problems), 'problem')}"]
        lines += [f"  {problem}" for problem in self.problems]
        if self.waived:
            lines.append(f"QA: {_count(len(self.waived), 'finding')} waived by INSANE_SKIP")
            lines += [f"  {problem}" for problem in self.waived]
        return "\n".join(lines)


def is_under(path: str, prefixes: Sequence[str]) -> bool:
    """Whether ``path`` is one of ``prefixes`` or inside one (by whole components)."""
    return any(path == prefix or path.startswith(prefix.rstrip("/") + "/") for prefix in prefixes)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
