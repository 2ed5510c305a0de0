"""The dependency graph of a build: which recipes, in which order, and what the sysroot must hold.

``DEPENDS`` entries are build-time: a plain name is a target recipe built first and staged into
the shared target sysroot; ``foo-native`` runs on the build machine and is either a recipe's
native variant or a tool of the native environment (the pinned venv, or a host tool). A plain
name that no recipe provides may be a library the target sysroot takes from Debian
(``SYSROOT_DEBIAN_PACKAGE[zlib] = "zlib1g-dev"``). ``RDEPENDS:${PN}`` entries are runtime
dependencies that go into the image; OpenEmbedded's split CPython packages (``python3-json`` ...)
are satisfied by the sysroot's complete CPython.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pyrecipe.parse.depends import explode_deps
from pyrecipe.errors import InputError
from pyrecipe.config.layers import LayerIndex, RecipeInfo, SkippedRecipeError, normalise
from pyrecipe.parse import DataSmart
from pyrecipe.graph.variant import is_native_name, target_name


#: Kinds of what satisfies a dependency entry (what ``pyrecipe deps`` prints).
RECIPE, NATIVE_TOOL, HOST_TOOL, DEBIAN, PYTHON_STDLIB, VIRTUAL, IN_SYSROOT = (
    "recipe", "native tool", "host tool", "debian", "python stdlib", "virtual", "already in the sysroot")


@dataclass(frozen=True)
class Edge:
    """One dependency entry of a recipe and what satisfied it, as the graph resolved it."""

    when: str  # "build" (DEPENDS), "runtime" (RDEPENDS:${PN}) or "sysroot" (SYSROOT_PACKAGES)
    entry: str  # the name as the recipe writes it
    kind: str  # RECIPE, NATIVE_TOOL, HOST_TOOL, DEBIAN, PYTHON_STDLIB, VIRTUAL or IN_SYSROOT
    targets: tuple[str, ...]  # node key, tool name or Debian package names


@dataclass
class Node:
    """One recipe variant to build."""

    info: RecipeInfo
    d: DataSmart
    depends: list[str] = field(default_factory=list)  # keys of nodes built before this one
    rdepends: list[str] = field(default_factory=list)  # keys of nodes whose output goes with this one
    edges: list[Edge] = field(default_factory=list)  # every dependency entry and what satisfied it

    @property
    def key(self) -> str:
        return self.info.pn

    @property
    def native(self) -> bool:
        return self.info.variant == "native" or is_native_name(self.info.pn)


@dataclass
class Graph:
    nodes: dict[str, Node]
    targets: list[str]
    #: Debian packages the target sysroot must hold for these recipes.
    sysroot_packages: list[str]
    #: Native tools the recipes need from the native environment (normalised PyPI names).
    native_tools: list[str]

    def order(self) -> list[str]:
        """Keys in an order where every node comes after its build and runtime dependencies."""
        done: dict[str, None] = {}
        visiting: list[str] = []

        def visit(key: str) -> None:
            if key in done:
                return
            if key in visiting:
                cycle = " -> ".join(visiting[visiting.index(key):] + [key])
                raise InputError(f"dependency cycle: {cycle}")
            visiting.append(key)
            node = self.nodes[key]
            for dep in node.depends + node.rdepends:
                visit(dep)
            visiting.pop()
            done[key] = None

        for target in self.targets:
            visit(target)
        return list(done)

    def runtime_closure(self, keys: Iterable[str]) -> list[str]:
        """Target nodes whose output belongs in the image of ``keys``: their DEPENDS and RDEPENDS."""
        seen: dict[str, None] = {}
        stack = list(keys)
        while stack:
            key = stack.pop()
            if key in seen or self.nodes[key].native:
                continue
            seen[key] = None
            stack.extend(self.nodes[key].depends + self.nodes[key].rdepends)
        return [key for key in self.order() if key in seen]


def _python_stdlib_package(name: str, d: DataSmart) -> bool:
    """OpenEmbedded splits CPython into packages; the sysroot's CPython is all of them."""
    return name in (d.getVar("PYTHON_STDLIB_PACKAGES") or "").split()


def native_tool_name(dep: str) -> str:
    """``python3-meson-python-native`` -> ``meson-python``; ``ninja-native`` -> ``ninja``."""
    name = target_name(dep)
    if name.startswith("python3-"):
        name = name[len("python3-"):]
    return normalise(name)


class GraphBuilder:
    """Resolves names to recipes through the layer index and collects the graph."""

    def __init__(self, index: LayerIndex, native_tools: Iterable[str]) -> None:
        self.index = index
        self.available_tools = {normalise(t) for t in native_tools}
        self.nodes: dict[str, Node] = {}
        self.sysroot_packages: dict[str, None] = {}
        self.native_tools: dict[str, None] = {}
        #: Names found only in skipped recipes, with the reason.
        self.skipped: dict[str, str] = {}

    def build(self, targets: Iterable[str]) -> Graph:
        keys = [self._add(self.index.find(name), f"the command line ({name})") for name in targets]
        return Graph(self.nodes, keys, list(self.sysroot_packages), list(self.native_tools))

    def _add(self, info: RecipeInfo, wanted_by: str) -> str:
        if info.pn in self.nodes:
            return info.pn
        d = self.index.datastore(info)
        node = self.nodes[info.pn] = Node(info, d)
        for dep in dict.fromkeys(explode_deps(d.getVar("DEPENDS") or "")):
            self._record(node, self._resolve_build_dep(dep, node), node.depends)
        if not node.native:
            for dep in dict.fromkeys(explode_deps(d.getVar(f"RDEPENDS:{info.pn}") or "")):
                self._record(node, self._resolve_runtime_dep(dep, node), node.rdepends)
        packages = tuple((d.getVar("SYSROOT_PACKAGES") or "").split())
        if packages:
            self._record(node, Edge("sysroot", "SYSROOT_PACKAGES", DEBIAN, self._need_debian(packages)), [])
        return node.key

    @staticmethod
    def _record(node: Node, edge: Edge, keys: list[str]) -> None:
        """Keep ``edge`` on ``node`` (a recipe depending on itself is no edge) and, for a recipe,
        its key in ``keys`` (the node's build or runtime dependencies)."""
        if edge.targets == (node.key,):
            return
        node.edges.append(edge)
        if edge.kind == RECIPE and edge.targets[0] not in keys:
            keys.append(edge.targets[0])

    def _need_debian(self, packages: Iterable[str]) -> tuple[str, ...]:
        """Debian packages the target sysroot must hold."""
        for package in packages:
            self.sysroot_packages[package] = None
        return tuple(packages)

    def _debian_edge(self, when: str, dep: str, mapping: str) -> Edge:
        """``dep`` mapped to Debian packages (an empty mapping: already in the sysroot)."""
        packages = self._need_debian(mapping.split())
        return Edge(when, dep, DEBIAN, packages) if packages else Edge(when, dep, IN_SYSROOT, (dep,))

    def _find(self, name: str, node: Node) -> RecipeInfo | None:
        try:
            return self.index.find(name)
        except SkippedRecipeError as exc:
            # Another source (a native tool, a Debian package) may still provide it; if none does,
            # the error says why the recipe that would is not used, not "no recipe provides".
            self.skipped[name] = str(exc)
            return None
        except InputError:
            return None

    def _missing(self, message: str, dep: str) -> InputError:
        skipped = self.skipped.get(dep)
        return InputError(f"{message}; {skipped}" if skipped else message)

    def _resolve_build_dep(self, dep: str, node: Node) -> Edge:
        if dep.startswith("virtual/"):
            return Edge("build", dep, VIRTUAL, (dep,))
        info = self._find(dep, node)
        if info is not None:
            return Edge("build", dep, RECIPE, (self._add(info, node.key),))
        d = node.d
        if is_native_name(dep) or node.native:
            tool = native_tool_name(dep)
            host_tools = set((d.getVar("HOST_TOOLS_NATIVE") or "").split())
            if tool in self.available_tools:
                self.native_tools[tool] = None
                return Edge("build", dep, NATIVE_TOOL, (tool,))
            if tool in host_tools or dep in host_tools:
                return Edge("build", dep, HOST_TOOL, (tool,))
            raise self._missing(
                f"recipe {node.key} ({node.info.file}): DEPENDS on {dep}, which no recipe provides and which is not "
                f"a native tool (native tools: {', '.join(sorted(self.available_tools)) or 'none'})", dep
            )
        debian = d.getVarFlag("SYSROOT_DEBIAN_PACKAGE", dep)
        if debian is not None:
            return self._debian_edge("build", dep, debian)
        if _python_stdlib_package(dep, d):
            return Edge("build", dep, PYTHON_STDLIB, (dep,))
        raise self._missing(
            f"recipe {node.key} ({node.info.file}): DEPENDS on {dep}, which no recipe provides and no "
            f"SYSROOT_DEBIAN_PACKAGE[{dep}] maps to a Debian package", dep
        )

    def _resolve_runtime_dep(self, dep: str, node: Node) -> Edge:
        info = self._find(dep, node)
        if info is not None:
            return Edge("runtime", dep, RECIPE, (self._add(info, node.key),))
        d = node.d
        if _python_stdlib_package(dep, d):
            return Edge("runtime", dep, PYTHON_STDLIB, (dep,))
        debian = d.getVarFlag("SYSROOT_DEBIAN_PACKAGE", dep)
        if debian is None:
            debian = d.getVarFlag("RUNTIME_DEBIAN_PACKAGE", dep)
        if debian is not None:
            return self._debian_edge("runtime", dep, debian)
        raise self._missing(
            f"recipe {node.key} ({node.info.file}): RDEPENDS:{node.key} names {dep}, which no recipe provides "
            f"(add a recipe for it, e.g. with `pyrecipe create {dep}`)", dep
        )
