"""What the end-to-end cross tests share: the pyrecipe command line, and checks of target ELF files.

Every cross test drives pyrecipe as a user does (a subprocess of ``python -m pyrecipe``) in the
session's shared build directory (the ``cross_build_dir`` fixture), for a Raspberry Pi 4.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile

SITE = Path("usr/lib/python3.11/site-packages")
SUFFIX = ".cpython-311-aarch64-linux-gnu.so"
MACHINE = "raspberrypi4"


def pyrecipe(command: str, *args: str, build_dir: Path, timeout: int = 3600) -> subprocess.CompletedProcess[str]:
    """``pyrecipe COMMAND --build-dir B ARGS``; options go first: after ``run ... --`` all is the program's."""
    return subprocess.run(
        [sys.executable, "-m", "pyrecipe", command, "--build-dir", str(build_dir), *args],
        capture_output=True, text=True, timeout=timeout,
    )


def build_for_raspberrypi4(build_dir: Path, *args: str) -> Path:
    """``pyrecipe build ARGS`` for the Raspberry Pi 4, which must succeed; the machine's build dir."""
    result = pyrecipe("build", *args, "--machine", MACHINE, build_dir=build_dir)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return build_dir / MACHINE


def run_on_board(build_dir: Path, code: str) -> str:
    """``code`` run by the target's CPython under qemu-user with the image; its output."""
    result = pyrecipe("run", "--machine", MACHINE, "--", "python3", "-c", code, build_dir=build_dir, timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


def do_test_lines(machine_dir: Path, recipe: str, version: str) -> list[str]:
    """What a recipe's do_test printed (its PYTHON_TEST_CODE run under qemu during the build)."""
    return (machine_dir / "work" / recipe / version / "temp" / "log.do_test").read_text().splitlines()


def assert_aarch64_module(so: Path) -> None:
    with open(so, "rb") as handle:
        elf = ELFFile(handle)
        assert elf.header["e_machine"] == "EM_AARCH64", so
        assert elf.header["e_type"] == "ET_DYN", so
        assert elf.elfclass == 64 and elf.little_endian, so


def needed_libraries(so: Path) -> set[str]:
    """The DT_NEEDED entries of an ELF file."""
    with open(so, "rb") as handle:
        elf = ELFFile(handle)
        return {
            tag.needed for section in elf.iter_sections() if isinstance(section, DynamicSection)
            for tag in section.iter_tags() if tag.entry.d_tag == "DT_NEEDED"
        }
