"""``pyrecipe show RECIPE``: the recipe file that builds a name, with its ``.bbappend`` files and
its text, whether a layer holds it or it was generated from PyPI (``build/<distro>/generated``,
written on first use as any build would). Like ``devtool``'s view of a recipe, without an editor:
what a ``-r`` build generated can be read, copied into a layer and changed there."""

from __future__ import annotations

import argparse

from pyrecipe.commands.common import add_build_options, add_recipe_arguments, add_requirement_option, graph_of


def register(parser: argparse.ArgumentParser) -> None:
    add_recipe_arguments(parser)
    add_build_options(parser)
    add_requirement_option(parser, "show the recipes of")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    graph = graph_of(args)
    for number, key in enumerate(dict.fromkeys(graph.targets)):
        info = graph.nodes[key].info
        if number:
            print()
        print(f"# {key} {info.pv}: {info.file}")
        for append in info.appends:
            print(f"# with {append}")
        print(info.file.read_text(), end="")
    return 0
