"""Cross compile vs emulated native compile of the same C file (why pyrecipe cross-compiles).

The file is msgpack's Cython-generated ``_cmsgpack.c`` (about 1.2 MB of real extension code,
unpacked by ``pyrecipe build msgpack -c unpack``), compiled to an object with the same flags:

* cross: the build machine's ``<triplet>-gcc`` with ``--sysroot``;
* emulated: the target's own Debian gcc of the same version, unpacked into a sysroot of its
  own (with the target's headers), each of its steps (``cc1``, ``as``) run under qemu-user,
  as a native build inside an emulated board would run them. The steps are the ones the
  target's gcc driver prints with ``-###``: the driver cannot start target programs itself
  without binfmt_misc, which containers often lack.

Both objects are checked to be the machine's ELF before the times count.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import tempfile
import time
from pathlib import Path

from elftools.elf.elffile import ELFFile

from bench import Result
from bench.common import pyrecipe, resolve_recipe
from pyrecipe.toolchain.machine import Machine, load_machine
from pyrecipe.toolchain.render import CrossSettings
from pyrecipe.toolchain.sysroot import DebianSysroot
from pyrecipe.toolchain.target_python import read_target_python

FLAGS = ["-O2", "-fPIC"]


def gcc_major(machine: Machine) -> str:
    """The cross gcc's major version: the target gcc package must be the same compiler."""
    output = subprocess.run([machine.tool("gcc"), "-dumpversion"], capture_output=True, text=True, check=True)
    return output.stdout.strip().split(".")[0]


def emulated_steps(driver: list[str], args: list[str], scratch: str) -> list[list[str]]:
    """The commands the target's gcc driver would run for ``args`` (from ``-###``).

    Its intermediate files are named in ``scratch`` (TMPDIR), so they go when it does.
    """
    env = {**os.environ, "TMPDIR": scratch}
    printed = subprocess.run([*driver, "-###", *args], capture_output=True, text=True, check=True, env=env).stderr
    return [shlex.split(line) for line in printed.splitlines() if line.startswith(" ")]


def check_object(path: Path, machine: Machine) -> None:
    with path.open("rb") as stream:
        machine_name = ELFFile(stream)["e_machine"]
    if machine_name != machine.elf_machine:
        raise RuntimeError(f"{path} is {machine_name}, not {machine.elf_machine}")


def timed(commands: list[list[str]]) -> float:
    started = time.monotonic()
    for command in commands:
        subprocess.run(command, check=True)
    return time.monotonic() - started


def run(options: argparse.Namespace) -> list[Result]:
    where = {"build_dir": options.build_dir, "machine": options.machine}
    pyrecipe("build", "msgpack", "-c", "unpack", **where)  # also provisions the cross toolchain
    source_dir = Path(resolve_recipe("msgpack", options.build_dir, options.machine).d.getVar("S"))
    source = source_dir / "msgpack" / "_cmsgpack.c"
    machine = load_machine(options.machine)
    if machine.sysroot_provider != "debian":
        raise RuntimeError(f"machine {machine.name} has no Debian sysroot to take the target's gcc from")
    major = gcc_major(machine)
    sysroot = DebianSysroot(machine, options.build_dir / "bench-emulated").ensure([f"gcc-{major}"])
    settings = CrossSettings(machine, sysroot, read_target_python(sysroot, machine), options.build_dir)
    include = settings.python.include_dir
    with tempfile.TemporaryDirectory(dir=options.build_dir) as scratch:
        cross_object, emulated_object = Path(scratch, "cross.o"), Path(scratch, "emulated.o")
        cross = timed([[
            settings.tools.cc, *settings.compile_args, *FLAGS, f"-I{include}", f"-I{source_dir}",
            "-c", str(source), "-o", str(cross_object),
        ]])
        qemu = settings.exe_wrapper
        driver = [*qemu, str(sysroot / "usr" / "bin" / f"{machine.target_sys}-gcc-{major}")]
        # Under qemu -L, /usr/include/... resolves in the sysroot, as on the board.
        target_include = "/" + str(include.relative_to(sysroot))
        steps = emulated_steps(driver, [
            *settings.tune, *FLAGS, f"-I{target_include}", f"-I{source_dir}", "-c", str(source), "-o", str(emulated_object),
        ], scratch)
        # Programs the driver names without a directory (as) are the target's, from its /usr/bin.
        commands = [[*qemu, step[0] if "/" in step[0] else str(sysroot / "usr" / "bin" / step[0]), *step[1:]] for step in steps]
        emulated = timed(commands)
        for obj in (cross_object, emulated_object):
            check_object(obj, machine)
    size = source.stat().st_size / 1e6
    return [Result(
        "compile: emulated / cross", f"{emulated / cross:.1f}x",
        f"{source.name} ({size:.1f} MB) gcc-{major} {' '.join(FLAGS)}: cross {cross:.1f} s, "
        f"qemu-user {emulated:.1f} s",
    )]
