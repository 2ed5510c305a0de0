"""``pyrecipe sysroot``: provision a machine's cross toolchain and sysroot, and say where they are.

The first run downloads and unpacks; later runs only check stamps (well under a second).
"""

from __future__ import annotations

import argparse
import re

from pyrecipe.commands.common import add_build_options, note_on_stderr
from pyrecipe.config.configuration import DEFAULT_MACHINE
from pyrecipe.engine.buildlock import build_lock
from pyrecipe.toolchain import load_machine
from pyrecipe.toolchain.provision import provision


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--package", action="append", default=[], type=debian_package, metavar="DEB",
        help="an extra Debian package of the target architecture to add to the sysroot (repeatable)",
    )
    add_build_options(parser)
    parser.set_defaults(func=run)


#: A Debian package name (Debian Policy 5.6.1), with an optional ``:architecture``.
DEBIAN_PACKAGE_RE = re.compile(r"[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?")


def debian_package(text: str) -> str:
    """argparse type of ``--package``: a Debian package name, nothing apt or mmdebstrap would read
    as an option or as a list (``--include=a,b``)."""
    if not DEBIAN_PACKAGE_RE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a Debian package name (lowercase letters, digits, + - .)")
    return text


def run(args: argparse.Namespace) -> int:
    layers = tuple(p.absolute() for p in args.layer)
    machine = load_machine(args.machine or DEFAULT_MACHINE, layers=layers, distro=args.distro)
    with build_lock(args.build_dir, note_on_stderr):  # a build provisioning the same sysroot waits, or we do
        toolchain = provision(machine, args.build_dir, args.package, note_on_stderr)
    python = toolchain.python
    rows = [
        ("machine", f"{machine.name} ({machine.description})"),
        ("distro", machine.distro),
        ("target", f"{machine.target_sys} {machine.tune_ccargs}"),
        ("sysroot", toolchain.sysroot),
        ("native venv", toolchain.native_venv),
        ("meson cross file", toolchain.meson_cross_file),
        ("cmake toolchain", toolchain.cmake_toolchain_file),
        ("cargo config", toolchain.cargo_config),
        ("python", f"{python.version} ({python.interpreter})"),
        ("SOABI", python.soabi),
        ("EXT_SUFFIX", python.ext_suffix),
        ("platform tag", python.platform_tag),
        ("_PYTHON_HOST_PLATFORM", python.host_platform),
        ("_PYTHON_SYSCONFIGDATA_NAME", python.sysconfigdata_name),
        ("include dir", python.include_dir),
        ("LIBDIR", python.libdir),
        ("bytecode magic", python.magic_number.hex()),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")
    return 0
