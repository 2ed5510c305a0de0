"""Options shared by the commands that work on a build: machine, distro, build directory, layers."""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pyrecipe.config.configuration import Settings, check_layer_dir
from pyrecipe.config.project import find_build_dir
from pyrecipe.errors import InputError
from pyrecipe.requirements.options import NO_OPTIONS, CommandLine
from pyrecipe.toolchain.host_tools import allow_sudo

if TYPE_CHECKING:
    from pyrecipe.graph.build_graph import Graph
    from pyrecipe.toolchain import Toolchain


def add_recipe_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="*", type=recipe_name, metavar="RECIPE", help="recipe names (numpy, python3-numpy ...)")


class _AllowSudo(argparse.Action):
    """``--sudo``: said to the code that installs the build machine's packages as the option is read."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object, option: str | None = None) -> None:
        allow_sudo()
        setattr(namespace, self.dest, True)


def add_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--machine", "-m", help="target machine (see `pyrecipe machines`)")
    parser.add_argument(
        "--sudo", action=_AllowSudo, nargs=0, default=False,
        help="not being root, install the build machine's missing Debian packages with `sudo apt-get install` "
             "(without it pyrecipe names that command and stops)",
    )
    parser.add_argument(
        "--distro", help="what the machine runs (see `pyrecipe distros`; default: DISTRO in local.conf, else debian-trixie)"
    )
    add_build_dir_option(parser)
    parser.add_argument(
        "--layer", action="append", type=layer_path, default=[], metavar="DIR",
        help="an extra layer of recipes (repeatable; also BBLAYERS in the build directory's conf/bblayers.conf)",
    )


#: A recipe name as the command line gives it: a PN or a PROVIDES name (bitbake's ``virtual/``
#: ones), a PyPI project's name (PEP 508). Nothing else reaches a URL, a path or a shell.
RECIPE_NAME_RE = re.compile(r"(virtual/)?[A-Za-z0-9][A-Za-z0-9+._-]*")


def recipe_name(text: str) -> str:
    """argparse type of a RECIPE argument: usage error (exit 2) for anything no recipe is named."""
    if not RECIPE_NAME_RE.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a recipe name (letters, digits and + . _ -)")
    return text


def path_argument(text: str) -> Path:
    """argparse type of every path option: an empty one (an unset ``"$DIR"`` in a script) is a
    usage error, not the current directory that ``Path("")`` would silently make it."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path; name a file or directory")
    return Path(text)


def layer_path(text: str) -> Path:
    """argparse type of ``--layer``: a directory pyrecipe reads as a layer (see check_layer_dir)."""
    try:
        check_layer_dir(Path(os.path.abspath(path_argument(text))))
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return Path(text)


def _only_binary(text: str) -> str:
    """argparse type of ``--only-binary``'s value, pip's words for all projects: ``:all:`` takes
    wheels only, ``:none:`` builds from source (PYPI_BINARY "no"). Per project names, as pip
    also takes, are refused: a recipe name given right after the flag would otherwise vanish."""
    words = {":all:": "only", ":none:": "no"}
    if text not in words:
        raise argparse.ArgumentTypeError(f"{text!r}: give ':all:' or ':none:' (per-project wheels: PYPI_BINARY in "
                                         "local.conf or --prefer-binary); name recipes after the options")
    return words[text]


def non_negative(text: str) -> float:
    """argparse type of a count of days or seconds: a finite number, zero or more."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of zero or more")
    return value


def add_requirement_option(parser: argparse.ArgumentParser, verb: str, constraint_flags: tuple[str, ...] = ("--constraint",)) -> None:
    """``-r FILE`` and pip's options for it that a requirements file may also carry (docs/requirements.md).
    ``constraint_flags``: ``build`` keeps bitbake's ``-c`` for ``--cmd``, so only ``lock`` has pip's ``-c``."""
    parser.add_argument(
        "-r", "--requirement", dest="requirements", action="append", type=path_argument, default=[], metavar="FILE",
        help=f"{verb} the packages of a requirements.txt, a pyproject.toml's dependencies or a pylock.toml, "
             "resolved for the machine (repeatable)",
    )
    wheels = parser.add_mutually_exclusive_group()
    wheels.add_argument("--only-binary", dest="binary", nargs="?", const=":all:", type=_only_binary, metavar=":all:",
                        help="take each package from PyPI as its wheel for the board, checked against the sysroot; "
                             "never build an sdist (PYPI_BINARY = \"only\"; pip's ':all:' may follow, ':none:' undoes it)")
    wheels.add_argument("--prefer-binary", dest="binary", action="store_const", const="prefer",
                        help="take a package's wheel for the board where one passes QA against the sysroot, "
                             "else build its sdist (PYPI_BINARY = \"prefer\")")
    parser.add_argument(*constraint_flags, dest="constraints", action="append", type=path_argument, default=[],
                        metavar="FILE", help="constrain the -r files' resolution with a constraints file, as pip's -c (repeatable)")
    parser.add_argument("--index-url", metavar="URL",
                        help="the simple index to resolve and fetch from instead of PYPI_INDEX_URL (a token in it is never shown)")
    parser.add_argument("--extra-index-url", dest="extra_index_urls", action="append", default=[], metavar="URL",
                        help="another simple index, asked first, as uv asks it; its projects are fetched from it (repeatable)")
    parser.add_argument("--require-hashes", action="store_true",
                        help="pip's hash-checking mode: every project of the set needs a --hash pin in the files")


def requirement_options(args: argparse.Namespace) -> CommandLine:
    """The command line's pip options for the ``-r`` files."""
    options = CommandLine(tuple(args.constraints), args.index_url, tuple(args.extra_index_urls), args.require_hashes)
    if options != NO_OPTIONS and not args.requirements:
        raise InputError("--constraint, --index-url, --extra-index-url and --require-hashes apply to -r files: name them with -r FILE")
    return options


def add_build_dir_option(parser: argparse.ArgumentParser, what: str = "") -> None:
    parser.add_argument(
        "--build-dir", type=path_argument, default=find_build_dir(),
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
                           requirements=tuple(args.requirements), binary=args.binary,
                           requirement_options=requirement_options(args))
    return resolve(request, pinned_native_tools())[1]
