"""``pyrecipe init [DIR]``: make a build directory, as OpenEmbedded's oe-init-build-env does."""

from __future__ import annotations

import argparse
from pathlib import Path

from pyrecipe.commands.common import path_argument
from pyrecipe.config.configuration import DEFAULT_DISTRO, DEFAULT_MACHINE
from pyrecipe.config.project import DEFAULT_BUILD_DIR, find_build_dir, init_build_dir


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "directory", nargs="?", type=path_argument, default=DEFAULT_BUILD_DIR, metavar="DIR",
        help="the build directory to make (default: ./build); conf files it has are kept",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    directory: Path = args.directory
    written = init_build_dir(directory, DEFAULT_MACHINE, DEFAULT_DISTRO)
    for path in written:
        print(f"wrote {path}")
    if not written:
        print(f"{directory} is a build directory already; its conf files are kept")
    local_conf = directory / "conf" / "local.conf"
    if find_build_dir().absolute() == directory.absolute():
        then = "pyrecipe build NAME"
    else:
        then = f"cd {directory} && pyrecipe build NAME  (or: pyrecipe build --build-dir {directory} NAME)"
    print(f"Set MACHINE and DISTRO in {local_conf} (or give --machine and --distro), then: {then}")
    return 0
