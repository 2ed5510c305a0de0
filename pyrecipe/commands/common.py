"""Options shared by the commands that work on a build: machine, distro, build directory, layers."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pyrecipe.config.configuration import Settings
from pyrecipe.config.project import find_build_dir
from pyrecipe.errors import InputError

if TYPE_CHECKING:
    from pyrecipe.graph.build_graph import Graph
    from pyrecipe.toolchain import Toolchain


def add_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--machine", "-m", help="target machine (see `pyrecipe machines`)")
    parser.add_argument(
        "--distro", help="what the machine runs (see `pyrecipe distros`; default: DISTRO in local.conf, else debian-trixie)"
    )
    add_build_dir_option(parser)
    parser.add_argument(
        "--layer", action="append", type=Path, default=[], metavar="DIR",
        help="an extra layer of recipes (repeatable; also BBLAYERS in the build directory's conf/bblayers.conf)",
    )


def add_requirement_option(parser: argparse.ArgumentParser, verb: str) -> None:
    parser.add_argument(
        "-r", "--requirement", dest="requirements", action="append", type=Path, default=[], metavar="FILE",
        help=f"{verb} the packages of a requirements.txt, a pyproject.toml's dependencies or a pylock.toml, "
             "resolved for the machine (repeatable)",
    )


def add_build_dir_option(parser: argparse.ArgumentParser, what: str = "") -> None:
    parser.add_argument(
        "--build-dir", type=Path, default=find_build_dir(),
        help=f"build directory{what} (default: the nearest of . and its parents with conf/local.conf, else ./build)",
    )


def print_columns(rows: Sequence[tuple[str, ...]]) -> None:
    """``rows`` aligned in columns, the last one (a description) left ragged."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)] if rows else []
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[-1])


def note_on_stderr(message: str) -> None:
    """Progress of provisioning for commands whose standard output is their result (sysroot, run)."""
    print(message, file=sys.stderr, flush=True)


def provisioned_toolchain(args: argparse.Namespace, machine: str, distro: str | None) -> Toolchain:
    """The toolchain of ``machine`` running ``distro`` (provisioned now if need be), for the
    commands that run target programs under qemu-user; never while a build replaces the image."""
    from pyrecipe.engine.buildlock import build_lock
    from pyrecipe.toolchain import load_machine
    from pyrecipe.toolchain.provision import provision

    loaded = load_machine(machine, layers=tuple(p.absolute() for p in args.layer), distro=distro)
    with build_lock(args.build_dir, note_on_stderr):
        return provision(loaded, args.build_dir, note=note_on_stderr)


def settings_from(args: argparse.Namespace) -> Settings:
    return Settings(build_dir=args.build_dir, machine=args.machine, distro=args.distro, layers=tuple(args.layer))


def graph_of(args: argparse.Namespace) -> Graph:
    """The dependency graph of the command line's RECIPE names and ``-r`` files, as a build
    would resolve it (for the commands that show it rather than build it)."""
    from pyrecipe.engine.build import BuildRequest, pinned_native_tools, resolve
    from pyrecipe.engine.scheduler import BuildOptions

    if not args.targets and not args.requirements:
        raise InputError("name a RECIPE, or requirement files with -r FILE")
    request = BuildRequest(settings=settings_from(args), targets=tuple(args.targets), options=BuildOptions(goal="do_build"),
                           requirements=tuple(args.requirements))
    return resolve(request, pinned_native_tools())[1]
