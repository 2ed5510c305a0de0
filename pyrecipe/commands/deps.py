"""``pyrecipe deps``: what a build of some recipes would need, without provisioning anything.

The graph comes from the same :func:`pyrecipe.engine.build.resolve` a build uses (with the native
tools taken from the pin file, so nothing is installed or downloaded). Each ``DEPENDS`` and
``RDEPENDS`` entry of each recipe is shown with what satisfies it: another recipe, a tool of
the native environment or the build host (pinned, or recorded from PyPI), Debian packages in the
target sysroot, the sysroot's complete CPython, or a recipe generated from PyPI (which resolving
writes into the build directory, downloading what it reads), as the graph recorded it. ``--dot``
writes the same facts as a Graphviz graph at the level of recipes (as ``bitbake -g`` writes
``recipe-depends.dot``), build edges solid, runtime dashed.
"""

from __future__ import annotations

import argparse

from pyrecipe.commands.common import (
    add_build_options,
    add_recipe_arguments,
    add_requirement_option,
    graph_of,
    path_argument,
)
from pyrecipe.errors import InputError
from pyrecipe.fsutil import atomic_write_text
from pyrecipe.graph.build_graph import (
    DEBIAN,
    DEBIAN_TOOL,
    HOST_TOOL,
    IN_SYSROOT,
    NATIVE_TOOL,
    PYPI_NATIVE_TOOL,
    PYTHON_STDLIB,
    RECIPE,
    RECIPE_KINDS,
    SPLIT_PACKAGE,
    VIRTUAL,
    Graph,
)

DOT_NODE_STYLE = {
    RECIPE: 'shape=box, style=filled, fillcolor="#dbe9f6"',
    "native recipe": 'shape=box, style="filled,rounded", fillcolor="#e8e8e8"',
    NATIVE_TOOL: 'shape=ellipse, style=filled, fillcolor="#eeeeee"',
    PYPI_NATIVE_TOOL: 'shape=ellipse, style=filled, fillcolor="#fff4c2"',
    HOST_TOOL: 'shape=ellipse, style=dashed',
    DEBIAN_TOOL: 'shape=ellipse, style=filled, fillcolor="#fbe3d6"',
    DEBIAN: 'shape=note, style=filled, fillcolor="#fbe3d6"',
}
DOT_EDGE_STYLE = {"build": "solid", "runtime": "dashed", "sysroot": "dotted"}


def register(parser: argparse.ArgumentParser) -> None:
    add_recipe_arguments(parser)
    add_build_options(parser)
    add_requirement_option(parser, "show")
    parser.add_argument("--dot", type=path_argument, metavar="FILE", help="also write the recipe graph for Graphviz to FILE")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.dot is not None and (args.dot.is_dir() or not args.dot.absolute().parent.is_dir()):
        # Said before the graph is worked out; a directory is not made for it (a typo would be).
        raise InputError(f"--dot {args.dot}: {'is a directory' if args.dot.is_dir() else 'its directory does not exist'}; "
                         "name a file in an existing directory")
    graph = graph_of(args)
    print(render_tree(graph), end="")
    if args.dot is not None:
        atomic_write_text(args.dot, render_dot(graph))
        print(f"Graphviz graph written to {args.dot} (render it with: dot -Tpng {args.dot} -o graph.png)")
    return 0


def render_tree(graph: Graph) -> str:
    """Each target and, under it, its dependencies; a recipe shown before is not expanded again."""
    lines: list[str] = []
    shown: set[str] = set()

    def describe(key: str) -> str:
        node = graph.nodes[key]
        return f"{key} {node.d.getVar('PV')}" + (" [native]" if node.native else "")

    def walk(key: str, prefix: str) -> None:
        shown.add(key)
        children = graph.nodes[key].edges
        for position, edge in enumerate(children):
            last = position == len(children) - 1
            branch, extend = ("└── ", "    ") if last else ("├── ", "│   ")
            if edge.kind in RECIPE_KINDS:
                child = edge.targets[0]
                again = " (see above)" if child in shown and graph.nodes[child].edges else ""
                how = {RECIPE: "", SPLIT_PACKAGE: f" (its package {edge.entry})"}.get(
                    edge.kind, f" ({edge.kind}: {graph.nodes[child].info.file})")
                lines.append(f"{prefix}{branch}{edge.when}: {describe(child)}{how}{again}")
                if not again:
                    walk(child, prefix + extend)
            else:
                lines.append(f"{prefix}{branch}{edge.when}: {edge.entry} -> {edge.kind} {' '.join(edge.targets)}")

    for target in graph.targets:
        lines.append(describe(target))
        walk(target, "")
    lines.append("native tools (pinned venv): " + (" ".join(graph.native_tools) or "none"))
    if graph.pypi_native_tools:
        lines.append("native tools from PyPI (recorded): " + " ".join(f"{t.name}=={t.version}" for t in graph.pypi_native_tools))
    lines.append("Debian packages in the target sysroot: " + (" ".join(graph.sysroot_packages) or "none"))
    for name, (info, chosen) in graph.debian_over_recipes.items():
        lines.append(f"{name} from Debian, not the layers' recipe {info.file} ({chosen}; "
                     f'PREFERRED_PROVIDER_{name} = "{info.pn}" builds the recipe)')
    if graph.build_tool_packages:
        lines.append("Debian packages of build tools (build root or build machine): " + " ".join(graph.build_tool_packages))
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_dot(graph: Graph) -> str:
    """A Graphviz digraph: recipes, native tools and Debian packages; edges point at dependencies."""
    nodes: dict[str, tuple[str, str]] = {}  # dot id -> (label, style)
    lines: dict[tuple[str, str], str] = {}  # (from, to) -> edge line; the first (strongest) reason wins
    for key in graph.order():
        node = graph.nodes[key]
        nodes[key] = (f"{key}\\n{node.d.getVar('PV')}", DOT_NODE_STYLE["native recipe" if node.native else RECIPE])
        for edge in node.edges:
            if edge.kind in (PYTHON_STDLIB, VIRTUAL, IN_SYSROOT):
                continue
            for target in edge.targets:
                if edge.kind in RECIPE_KINDS and target == key:
                    continue  # one package of the recipe needing another: no edge between recipes
                dot_id = target if edge.kind in RECIPE_KINDS else f"{edge.kind}:{target}"
                if edge.kind not in RECIPE_KINDS:
                    nodes[dot_id] = (target, DOT_NODE_STYLE[edge.kind])
                lines.setdefault((key, dot_id), f"  {_quote(key)} -> {_quote(dot_id)} [style={DOT_EDGE_STYLE[edge.when]}];")
    head = ["digraph depends {", "  rankdir=LR;", '  node [fontname="Helvetica"];',
            '  label="edges: solid build (DEPENDS), dashed runtime (RDEPENDS), dotted SYSROOT_PACKAGES; '
            'boxes: recipes, ellipses: native tools, notes: Debian packages in the sysroot"; labelloc=b;']
    body = [f"  {_quote(dot_id)} [label={_quote(label)}, {style}];" for dot_id, (label, style) in nodes.items()]
    # _quote escapes backslashes; the label's line break must stay a Graphviz escape.
    body = [line.replace("\\\\n", "\\n") for line in body]
    return "\n".join(head + body + list(lines.values()) + ["}"]) + "\n"
