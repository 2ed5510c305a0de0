"""``pyrecipe create NAME[==VERSION]``: write a recipe for a PyPI project (see :mod:`pyrecipe.recipetool.create`)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from pyrecipe.commands.common import add_build_dir_option, path_argument
from pyrecipe.config.configuration import DEFAULT_MACHINE, check_build_dir, check_no_white_space
from pyrecipe.config.paths import RECIPES_DIR, TOPDIR, check_not_in_package, check_not_system_dir
from pyrecipe.config.project import WORKSPACE_NAME, ensure_layer, workspace_layer
from pyrecipe.recipetool.create import TargetFacts, create_recipe
from pyrecipe.toolchain import load_machine


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", metavar="NAME[==VERSION]", help="the PyPI project (newest release when no version)")
    parser.add_argument(
        "--layer-dir", type=path_argument, metavar="DIR",
        help="write into this layer's recipes/ (created with a conf/layer.conf if needed) instead of the build "
             "directory's workspace/ layer",
    )
    add_build_dir_option(parser, "; sdists go to its downloads/, recipes to its workspace/ layer")
    parser.add_argument(
        "--machine", "-m", help="the machine whose CPython and architecture Requires-Dist markers are evaluated for",
    )
    parser.add_argument("--distro", help="the distro whose CPython the markers are evaluated for (default: debian-trixie)")
    parser.add_argument("-f", "--force", action="store_true", help="overwrite an existing recipe")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    machine = load_machine(args.machine or DEFAULT_MACHINE, distro=args.distro)
    if args.layer_dir is None:
        check_build_dir(args.build_dir)
        recipes_dir = args.build_dir / WORKSPACE_NAME / "recipes"
    else:
        # An installed package's layer is no place to write; a checkout's is (a recipe added to
        # what pyrecipe ships), and has no conf/layer.conf.
        check_not_in_package(args.layer_dir, "the layer")
        check_not_system_dir(args.layer_dir, "the layer")
        check_no_white_space(args.layer_dir, "the layer", "name another with --layer-dir")
        if Path(os.path.realpath(args.layer_dir)) == TOPDIR:
            recipes_dir = RECIPES_DIR
        else:
            ensure_layer(args.layer_dir)
            recipes_dir = args.layer_dir / "recipes"
    path = create_recipe(
        args.spec, recipes_dir, args.build_dir / "downloads", force=args.force,
        facts=TargetFacts(machine.python_full_version, machine=machine.uname_machine),
    )
    if args.layer_dir is None:
        # Once the recipe is written, not before: a create that fails leaves the build directory as it was.
        workspace, added = workspace_layer(args.build_dir)
        if added:
            print(f"added the workspace layer {workspace} to {args.build_dir / 'conf' / 'bblayers.conf'}")
    print(f"wrote {path}")
    return 0
