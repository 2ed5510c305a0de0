"""``pyrecipe diffsigs RECIPE:TASK``: why a task ran again, like ``bitbake-diffsigs``.

Compares the last two signatures recorded for the task in the recipe's ``${STAMPS_DIR}/sigdata``
(:mod:`pyrecipe.engine.sigdata`) and prints what changed: the task's functions, the pyrecipe
code they reach, its flags or files, and back along the task chain to the recipe's variables and
its dependencies' signatures.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pyrecipe.commands.common import add_build_options, settings_from
from pyrecipe.config.configuration import load_configuration
from pyrecipe.config.layers import LayerIndex
from pyrecipe.engine.sigdata import explain
from pyrecipe.errors import InputError


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("target", metavar="RECIPE:TASK", help="a recipe and one of its tasks (numpy:do_compile)")
    add_build_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    recipe, _, task = args.target.partition(":")
    if not recipe or not task:
        raise InputError(f"{args.target!r}: give RECIPE:TASK, such as numpy:do_compile")
    config = load_configuration(settings_from(args))
    index = LayerIndex(config, Path(config.getVar("PARSE_CACHE_DIR")))
    d = index.datastore(index.find(recipe))
    for line in explain(Path(d.getVar("STAMPS_DIR")), task if task.startswith("do_") else f"do_{task}"):
        print(line)
    return 0
