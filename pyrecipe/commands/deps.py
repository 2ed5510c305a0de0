"""``pyrecipe deps``: what a build of some recipes would need, without provisioning anything.

The graph comes from the same :func:`pyrecipe.engine.build.resolve` a build uses (with the native
tools taken from the pin file, so nothing is installed or downloaded). Each ``DEPENDS`` and
``RDEPENDS`` entry of each recipe is shown with what satisfies it: another recipe, a tool of
the native environment or the build host, Debian packages in the target sysroot, or the
sysroot's complete CPython. ``--dot`` writes the same facts as a Graphviz graph at the level of
recipes (as ``bitbake -g`` writes ``recipe-depends.dot``), build edges solid, runtime dashed.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.engine.build import BuildRequest, pinned_native_tools, resolve
from pyrecipe.commands.common import add_build_options, settings_from
from pyrecipe.parse.depends import explode_deps
from pyrecipe.errors import InputError
from pyrecipe.graph.build_graph import Graph, Node, native_tool_name
from pyrecipe.fsutil import atomic_write_text
from pyrecipe.config.layers import LayerIndex
from pyrecipe.engine.scheduler import BuildOptions
from pyrecipe.graph.variant import is_native_name

#: Kinds of what satisfies a dependency entry, as printed and as Graphviz node styles.
RECIPE, NATIVE_TOOL, HOST_TOOL, DEBIAN, PYTHON_STDLIB, VIRTUAL, IN_SYSROOT = (
    "recipe", "native tool", "host tool", "debian", "python stdlib", "virtual", "already in the sysroot")

DOT_NODE_STYLE = {
    RECIPE: 'shape=box, style=filled, fillcolor="#dbe9f6"',
    "native recipe": 'shape=box, style="filled,rounded", fillcolor="#e8e8e8"',
    NATIVE_TOOL: 'shape=ellipse, style=filled, fillcolor="#eeeeee"',
    HOST_TOOL: 'shape=ellipse, style=dashed',
    DEBIAN: 'shape=note, style=filled, fillcolor="#fbe3d6"',
}
DOT_EDGE_STYLE = {"build": "solid", "runtime": "dashed", "sysroot": "dotted"}


@dataclass(frozen=True)
class Edge:
    """One dependency entry of a recipe and what satisfies it."""

    when: str  # "build" (DEPENDS), "runtime" (RDEPENDS:${PN}) or "sysroot" (SYSROOT_PACKAGES)
    entry: str  # the name as the recipe writes it
    kind: str  # RECIPE, NATIVE_TOOL, HOST_TOOL, DEBIAN, PYTHON_STDLIB, VIRTUAL or IN_SYSROOT
    targets: tuple[str, ...]  # node key, tool name or Debian package names


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="+", metavar="RECIPE", help="recipe names (numpy, python3-numpy ...)")
    add_build_options(parser)
    parser.add_argument("--dot", type=Path, metavar="FILE", help="also write the recipe graph for Graphviz to FILE")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    request = BuildRequest(settings=settings_from(args), targets=tuple(args.targets), options=BuildOptions(goal="do_build"))
    index, graph = resolve(request, pinned_native_tools())
    edges = {key: recipe_edges(node, graph, index) for key, node in graph.nodes.items()}
    print(render_tree(graph, edges), end="")
    if args.dot is not None:
        args.dot.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(args.dot, render_dot(graph, edges))
        print(f"Graphviz graph written to {args.dot} (render it with: dot -Tpng {args.dot} -o graph.png)")
    return 0


def recipe_edges(node: Node, graph: Graph, index: LayerIndex) -> list[Edge]:
    """The ``DEPENDS``, (for target recipes) ``RDEPENDS:${PN}`` and ``SYSROOT_PACKAGES`` of ``node``, classified.

    The graph already holds the recipe edges; the rest is read back from the recipe's own
    variables the way :class:`pyrecipe.graph.build_graph.GraphBuilder` resolved them.
    """
    d = node.d
    found = [Edge("build", dep, *_classify(dep, node, graph, index, "build"))
             for dep in dict.fromkeys(explode_deps(d.getVar("DEPENDS") or ""))]
    if not node.native:
        found += [Edge("runtime", dep, *_classify(dep, node, graph, index, "runtime"))
                  for dep in dict.fromkeys(explode_deps(d.getVar(f"RDEPENDS:{node.key}") or ""))]
    sysroot = tuple((d.getVar("SYSROOT_PACKAGES") or "").split())
    if sysroot:
        found.append(Edge("sysroot", "SYSROOT_PACKAGES", DEBIAN, sysroot))
    return [edge for edge in found if edge.targets != (node.key,)]


def _classify(dep: str, node: Node, graph: Graph, index: LayerIndex, when: str) -> tuple[str, tuple[str, ...]]:
    d = node.d
    if dep.startswith("virtual/") and when == "build":
        return VIRTUAL, (dep,)
    provider = _recipe_for(dep, index)
    if provider is not None and provider in graph.nodes:
        return RECIPE, (provider,)
    if when == "build" and (is_native_name(dep) or node.native):
        tool = native_tool_name(dep)
        return (NATIVE_TOOL if tool in graph.native_tools else HOST_TOOL), (tool,)
    if dep in (d.getVar("PYTHON_STDLIB_PACKAGES") or "").split():
        return PYTHON_STDLIB, (dep,)
    debian = d.getVarFlag("SYSROOT_DEBIAN_PACKAGE", dep)
    if debian is None and when == "runtime":
        debian = d.getVarFlag("RUNTIME_DEBIAN_PACKAGE", dep)
    if debian is not None:
        return (DEBIAN, tuple(debian.split())) if debian.split() else (IN_SYSROOT, (dep,))
    raise InputError(f"recipe {node.key}: cannot tell what provides {dep} (this is a bug: the build graph resolved it)")


def _recipe_for(name: str, index: LayerIndex) -> str | None:
    """The recipe ``name`` resolves to, with the same spellings and preferences as a build."""
    try:
        return index.find(name).pn
    except InputError:
        return None


def render_tree(graph: Graph, edges: dict[str, list[Edge]]) -> str:
    """Each target and, under it, its dependencies; a recipe shown before is not expanded again."""
    lines: list[str] = []
    shown: set[str] = set()

    def describe(key: str) -> str:
        node = graph.nodes[key]
        return f"{key} {node.d.getVar('PV')}" + (" [native]" if node.native else "")

    def walk(key: str, prefix: str) -> None:
        shown.add(key)
        children = edges[key]
        for position, edge in enumerate(children):
            last = position == len(children) - 1
            branch, extend = ("└── ", "    ") if last else ("├── ", "│   ")
            if edge.kind == RECIPE:
                child = edge.targets[0]
                again = " (see above)" if child in shown and edges[child] else ""
                lines.append(f"{prefix}{branch}{edge.when}: {describe(child)}{again}")
                if not again:
                    walk(child, prefix + extend)
            else:
                lines.append(f"{prefix}{branch}{edge.when}: {edge.entry} -> {edge.kind} {' '.join(edge.targets)}")

    for target in graph.targets:
        lines.append(describe(target))
        walk(target, "")
    lines.append("native tools (pinned venv): " + (" ".join(graph.native_tools) or "none"))
    lines.append("Debian packages in the target sysroot: " + (" ".join(graph.sysroot_packages) or "none"))
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_dot(graph: Graph, edges: dict[str, list[Edge]]) -> str:
    """A Graphviz digraph: recipes, native tools and Debian packages; edges point at dependencies."""
    nodes: dict[str, tuple[str, str]] = {}  # dot id -> (label, style)
    lines: dict[tuple[str, str], str] = {}  # (from, to) -> edge line; the first (strongest) reason wins
    for key in graph.order():
        node = graph.nodes[key]
        nodes[key] = (f"{key}\\n{node.d.getVar('PV')}", DOT_NODE_STYLE["native recipe" if node.native else RECIPE])
        for edge in edges[key]:
            if edge.kind in (PYTHON_STDLIB, VIRTUAL, IN_SYSROOT):
                continue
            for target in edge.targets:
                dot_id = target if edge.kind == RECIPE else f"{edge.kind}:{target}"
                if edge.kind != RECIPE:
                    nodes[dot_id] = (target, DOT_NODE_STYLE[edge.kind])
                lines.setdefault((key, dot_id), f"  {_quote(key)} -> {_quote(dot_id)} [style={DOT_EDGE_STYLE[edge.when]}];")
    head = ["digraph depends {", "  rankdir=LR;", '  node [fontname="Helvetica"];',
            '  label="edges: solid build (DEPENDS), dashed runtime (RDEPENDS), dotted SYSROOT_PACKAGES; '
            'boxes: recipes, ellipses: native tools, notes: Debian packages in the sysroot"; labelloc=b;']
    body = [f"  {_quote(dot_id)} [label={_quote(label)}, {style}];" for dot_id, (label, style) in nodes.items()]
    # _quote escapes backslashes; the label's line break must stay a Graphviz escape.
    body = [line.replace("\\\\n", "\\n") for line in body]
    return "\n".join(head + body + list(lines.values()) + ["}"]) + "\n"
