"""``pyrecipe run --machine M -- PROGRAM ARGS...``: run a target program under qemu-user.

``python3`` is the target's own CPython in the sysroot; the machine's assembled image
(``build/<M>/image/usr/lib/python3.X/site-packages``) is on its PYTHONPATH when it exists,
so what a build produced can be tried directly. The program's exit code is passed through.
The board's ``/sbin/ldconfig`` stands in for the build machine's, as in do_test, so that
``ctypes.util.find_library`` finds the board's libraries (:mod:`pyrecipe.toolchain.ldconfig`).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from pyrecipe.commands.common import add_build_options, provisioned_toolchain
from pyrecipe.config.configuration import DEFAULT_MACHINE
from pyrecipe.engine.confine import with_files_replaced
from pyrecipe.errors import InputError
from pyrecipe.toolchain.ldconfig import board_ldconfig


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("argv", nargs=argparse.REMAINDER, metavar="-- PROGRAM [ARGS...]", help="what to run")
    add_build_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    argv = args.argv[1:] if args.argv[:1] == ["--"] else args.argv
    if not argv:
        raise InputError("pyrecipe run needs a program: pyrecipe run --machine M -- python3 -c '...'")
    toolchain = provisioned_toolchain(args, args.machine or DEFAULT_MACHINE, args.distro)
    machine = toolchain.machine
    machine_dir = machine.build_dir(args.build_dir)
    site_packages = machine_dir / "image" / "usr" / "lib" / f"python{toolchain.python.version_short}" / "site-packages"
    extra = [site_packages] if site_packages.is_dir() else []
    command = toolchain.qemu_command(argv, extra_pythonpath=extra)
    program = command[len(command) - len(argv)]
    if not Path(program).is_file():
        # qemu-user would exit 1 without a word.
        raise InputError(f"cannot run {argv[0]} for {machine.name}: no such program (python3, a program of the "
                         f"sysroot's /usr/bin, or a path to a {machine.name} executable)")
    if shutil.which(command[0]) is None:
        raise InputError(f"cannot run {argv[0]} for {machine.name}: {command[0]} is not installed")
    machine_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="run-", dir=machine_dir) as scratch:
        files = board_ldconfig(Path(scratch), toolchain.sysroot, machine.elf_machine)
        return subprocess.run(with_files_replaced(command, files), check=False).returncode
