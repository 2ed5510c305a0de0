"""``pyrecipe lock -r requirements.txt --machine M``: the requirement set resolved for the board,
written as a PEP 751 ``pylock.toml`` (each package's version, its sdist and wheels with their
sha256), so that ``pyrecipe build -r pylock.toml`` builds that set and nothing else, again and
again, offline once the files are in DL_DIR. An existing lock's versions are kept where the
files still allow them, as ``uv pip compile`` keeps them, and the layers' recipe versions before
them. Each package is listed with where a build takes it from: the layer's recipe, or PyPI and why.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pyrecipe.commands.common import (
    add_build_options,
    add_requirement_option,
    path_argument,
    requirement_options,
    settings_from,
)
from pyrecipe.config.configuration import load_configuration
from pyrecipe.config.layers import LayerIndex
from pyrecipe.errors import InputError
from pyrecipe.recipetool.create import board_machine
from pyrecipe.requirements.lockfile import read_lock
from pyrecipe.requirements.resolve import is_lock
from pyrecipe.requirements.targets import board_environment, lock_origin, lock_requirements, requested


def register(parser: argparse.ArgumentParser) -> None:
    add_build_options(parser)
    add_requirement_option(parser, "lock", ("-c", "--constraint"))
    parser.add_argument("-o", "--output", type=path_argument, default=Path("pylock.toml"),
                        help="the lock to write (pylock.toml or pylock.NAME.toml; default ./pylock.toml)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.requirements:
        raise InputError("name the requirement files to lock with -r FILE")
    locks = [str(path) for path in args.requirements if is_lock(path)]
    if locks:
        raise InputError(f"{', '.join(locks)}: already a lock; -r takes requirements.txt or pyproject.toml files here")
    if not is_lock(args.output):
        raise InputError(f"-o {args.output}: PEP 751 names a lock pylock.toml or pylock.NAME.toml")
    config = load_configuration(settings_from(args))
    index = LayerIndex(config, Path(config.getVar("PARSE_CACHE_DIR")))
    layer = index.python_recipes()
    out = lock_requirements(args.requirements, args.output.absolute(), config, layer, args.binary, requirement_options(args))
    packages = read_lock(out, board_environment(config))
    machine, distro = config.getVar("MACHINE"), config.getVar("DISTRO")
    print(f"wrote {args.output}: {len(packages)} package(s) for {machine} on {distro} "
          f"(Python {config.getVar('PYTHON_FULLVERSION')}, {board_machine(config)})")
    asked = requested(args.requirements)
    for package in sorted(packages, key=lambda package: package.name):
        print(f"  {package.name}=={package.version}  {lock_origin(package, index, layer.get(package.name), asked.get(package.name))}")
    return 0
