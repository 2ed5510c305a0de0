"""Running a ptest image's ``run-ptest`` with the board's CPython under qemu-user, and its results.

A ptest suite's ``run-ptest`` is a shell script written for the board (``pytest --automake``, often
with a pipe through sed). The build machine's shell runs it here, in ``${PTEST_PATH}`` of the test
image as on the board, with ``python3`` and ``pytest`` on its PATH meaning the target's CPython
under qemu-user with the test image's site-packages: what the suite tests is the board's code on
the board's interpreter, and the script needs no board shell. The result is read as
OpenEmbedded's ptest-runner reads it: automake's ``PASS:``, ``FAIL:``, ``SKIP:`` lines (and
``XPASS:``, ``XFAIL:``, ``ERROR:``).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.engine.confine import with_files_replaced
from pyrecipe.errors import InputError
from pyrecipe.toolchain import Toolchain
from pyrecipe.toolchain.ldconfig import board_ldconfig

#: Automake's result words; the first three are the ones ptest-runner counts.
RESULTS = ("PASS", "FAIL", "SKIP", "XFAIL", "XPASS", "ERROR")
#: Results that make a suite fail (an unexpected pass is a failure in automake's terms).
FAILING = ("FAIL", "XPASS", "ERROR")


@dataclass(frozen=True)
class PtestOutcome:
    """The counts of each result word, and run-ptest's own exit status."""

    counts: Counter[str]
    returncode: int

    @property
    def passed(self) -> bool:
        """All passed: no failing result, at least one PASS, and run-ptest exited 0."""
        return self.returncode == 0 and self.counts["PASS"] > 0 and not any(self.counts[w] for w in FAILING)

    def summary(self) -> str:
        words = [w for w in RESULTS if w in ("PASS", "FAIL", "SKIP") or self.counts[w]]
        return ", ".join(f"{w} {self.counts[w]}" for w in words) + f" (run-ptest exit {self.returncode})"


def count_results(lines: Iterable[str]) -> Counter[str]:
    """How many lines of automake output begin with each result word (``PASS: test_name``)."""
    counts: Counter[str] = Counter()
    for line in lines:
        word, colon, _ = line.partition(":")
        if colon and word in RESULTS:
            counts[word] += 1
    return counts


def _shims(toolchain: Toolchain, site_packages: Path, into: Path) -> None:
    """``python3`` (and its other names) and ``pytest`` in ``into``: the target's CPython under
    qemu-user with ``site_packages`` on its path."""
    python = shlex.join(toolchain.qemu_command(["python3"], extra_pythonpath=[site_packages]))
    programs = {name: python for name in ("python", "python3", f"python{toolchain.python.version_short}")}
    programs["pytest"] = f"{python} -m pytest"
    for name, command in programs.items():
        shim = into / name
        shim.write_text(f'#!/bin/sh\nexec {command} "$@"\n')
        shim.chmod(0o755)


def run_ptest(toolchain: Toolchain, image: Path, ptest_path: str, site_packages: str,
              echo: Callable[[str], None]) -> PtestOutcome:
    """Run ``image``'s ``${PTEST_PATH}/run-ptest`` (module docstring); ``echo`` hears each line
    of its output as it comes (a suite under qemu takes a while)."""
    directory = image / ptest_path.lstrip("/")
    script = directory / "run-ptest"
    if not script.is_file():
        raise InputError(f"the test image has no {ptest_path}/run-ptest ({script}): the recipe's do_install_ptest "
                         "installs none and SRC_URI brings none")
    lines = []
    # Beside the test image: nothing is written outside the build directory.
    with tempfile.TemporaryDirectory(prefix="ptest-", dir=image.parent) as tmp:
        _shims(toolchain, image / site_packages.lstrip("/"), Path(tmp))
        env = {**os.environ, "PATH": f"{tmp}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
        # The suite's find_library calls see the board's libraries (pyrecipe.toolchain.ldconfig).
        files = board_ldconfig(Path(tmp), toolchain.sysroot, toolchain.machine.elf_machine)
        with subprocess.Popen(with_files_replaced(["sh", str(script)], files), cwd=directory, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, errors="replace") as process:
            for line in process.stdout or ():
                echo(line)
                lines.append(line)
    return PtestOutcome(count_results(lines), process.returncode)
