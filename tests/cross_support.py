"""What the end-to-end cross tests share: the pyrecipe command line, and checks of target ELF files.

Every cross test drives pyrecipe as a user does (a subprocess of ``python -m pyrecipe``) in the
session's shared build directory (the ``cross_build_dir`` fixture), for a Raspberry Pi 4 running
DISTRO (``PYRECIPE_TEST_DISTRO``, else pyrecipe's default): the target's CPython X.Y, and so the
site-packages directory and extension suffix the tests look for, come from that distro's conf.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile

from pyrecipe.config.configuration import DEFAULT_DISTRO, Settings, load_configuration
from pyrecipe.engine.task_runner import exported_variables
from pyrecipe.toolchain import Toolchain, load_machine

MACHINE = "raspberrypi4"
DISTRO = os.environ.get("PYRECIPE_TEST_DISTRO") or DEFAULT_DISTRO
#: The target CPython's X.Y, as the distro says.
PYTHON_VERSION = load_machine(MACHINE, distro=DISTRO).python_version
SITE = Path(f"usr/lib/python{PYTHON_VERSION}/site-packages")
#: ``.cpython-313`` for 3.13: the SOABI's version part.
CPYTHON_TAG = f"cpython-{PYTHON_VERSION.replace('.', '')}"
SUFFIX = f".{CPYTHON_TAG}-aarch64-linux-gnu.so"
#: The commands that take --distro (those that work on a build).
BUILD_COMMANDS = ("build", "env", "deps", "sysroot", "run", "index", "test")


def cross_environment(toolchain: Toolchain, build_dir: Path | None = None) -> dict[str, str]:
    """The environment a target recipe's shell task on ``toolchain``'s machine gets (less the
    recipe's own exports): PATH as a build sets it and the distro's cross environment with the
    toolchain's facts, over this process's environment. ``build_dir`` defaults to the toolchain's."""
    build_dir = build_dir or toolchain.directory.parents[2]
    machine = toolchain.machine
    config = load_configuration(Settings(build_dir=build_dir, machine=machine.name, distro=machine.distro))
    for name, value in toolchain.facts().items():
        config.setVar(name, value)
    return {**os.environ, **exported_variables(config), "PATH": toolchain.path(os.environ.get("PATH", os.defpath))}


def machine_dir(build_dir: Path, machine: str = MACHINE) -> Path:
    """``machine``'s directory in ``build_dir`` for the tests' distro (``<build>/<distro>/<machine>``)."""
    return build_dir / DISTRO / machine


def native_dir(build_dir: Path) -> Path:
    """Where the tests' distro keeps its native recipes and venv (``<build>/<distro>/native``)."""
    return build_dir / DISTRO / "native"


def pyrecipe(command: str, *args: str, build_dir: Path, timeout: int = 3600) -> subprocess.CompletedProcess[str]:
    """``pyrecipe COMMAND --build-dir B [--distro D] ARGS``; options go first: after ``run ... --``
    all is the program's."""
    distro = ["--distro", DISTRO] if command in BUILD_COMMANDS else []
    return subprocess.run(
        [sys.executable, "-m", "pyrecipe", command, "--build-dir", str(build_dir), *distro, *args],
        capture_output=True, text=True, timeout=timeout,
    )


def build_for_raspberrypi4(build_dir: Path, *args: str) -> Path:
    """``pyrecipe build ARGS`` for the Raspberry Pi 4, which must succeed; the machine's build dir."""
    result = pyrecipe("build", *args, "--machine", MACHINE, build_dir=build_dir)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return machine_dir(build_dir)


def run_on_board(build_dir: Path, code: str) -> str:
    """``code`` run by the target's CPython under qemu-user with the image; its output."""
    result = pyrecipe("run", "--machine", MACHINE, "--", "python3", "-c", code, build_dir=build_dir, timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


def do_test_lines(machine_dir: Path, recipe: str, version: str) -> list[str]:
    """What a recipe's do_test printed (its PYTHON_TEST_CODE run under qemu during the build)."""
    return (machine_dir / "work" / recipe / version / "temp" / "log.do_test").read_text().splitlines()


def layer_recipe_test_lines(build_dir: Path, layer: Path, recipe: str, version: str) -> list[str]:
    """``pyrecipe build RECIPE --layer LAYER`` for the Raspberry Pi 4, which must succeed; what
    the recipe's do_test printed."""
    result = pyrecipe("build", recipe, "--layer", str(layer), "--machine", MACHINE, build_dir=build_dir)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return do_test_lines(machine_dir(build_dir), recipe, version)


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
