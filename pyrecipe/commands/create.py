"""``pyrecipe create NAME[==VERSION]``: write a recipe for a PyPI project (see :mod:`pyrecipe.recipetool.create`)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pyrecipe.config.configuration import DEFAULT_MACHINE
from pyrecipe.recipetool.create import TargetFacts, create_recipe, ensure_layer
from pyrecipe.config.paths import RECIPES_DIR
from pyrecipe.toolchain import load_machine


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", metavar="NAME[==VERSION]", help="the PyPI project (newest release when no version)")
    parser.add_argument(
        "--layer-dir", type=Path, metavar="DIR",
        help="write into this layer's recipes/ (created with a conf/layer.conf if needed) instead of pyrecipe's own",
    )
    parser.add_argument("--build-dir", type=Path, default=Path("build"), help="build directory; sdists go to its downloads/")
    parser.add_argument(
        "--machine", "-m", help="the machine whose CPython and architecture Requires-Dist markers are evaluated for",
    )
    parser.add_argument("--distro", help="the distro whose CPython X.Y the markers are evaluated for (default: debian-trixie)")
    parser.add_argument("-f", "--force", action="store_true", help="overwrite an existing recipe")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    machine = load_machine(args.machine or DEFAULT_MACHINE, distro=args.distro)
    recipes_dir = RECIPES_DIR
    if args.layer_dir is not None:
        ensure_layer(args.layer_dir)
        recipes_dir = args.layer_dir / "recipes"
    path = create_recipe(
        args.spec, recipes_dir, args.build_dir / "downloads", force=args.force,
        facts=TargetFacts(python_version=machine.python_version, machine=machine.uname_machine),
    )
    print(f"wrote {path}")
    return 0
