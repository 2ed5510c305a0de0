"""The dependency graph of a build: which recipes, in which order, and what the sysroot must hold.

``DEPENDS`` entries are build-time: a plain name is a target recipe built first and staged into
the shared target sysroot; ``foo-native`` runs on the build machine and is either a recipe's
native variant or a tool of the native environment (the pinned venv, or a host tool). A plain
name that no recipe provides may be a library the target sysroot takes from Debian
(``SYSROOT_DEBIAN_PACKAGE[zlib] = "zlib1g-dev"``). ``RDEPENDS:<package>`` entries are runtime
dependencies of that package (``${PN}``, or a package split off the recipe that something asks
for): the image installs packages, each with what its RDEPENDS name (:meth:`Graph.installed_packages`).
OpenEmbedded's split CPython packages (``python3-json`` ...) are satisfied by the sysroot's complete
CPython.

A name no layer provides is looked for further, as bitbake would find it in OpenEmbedded-core
(which pyrecipe stands in for): a package a recipe splits off (``PACKAGES =+ "${PN}-zoneinfo"``)
resolves to that recipe; a ``python3-X`` (or a plain name on the command line) comes from PyPI
through a recipe generated into the build directory (``recipetool/pypi_resolve.py``); a
``python3-X-native`` that is not a pinned tool is installed into the native venv from PyPI. The
pinned tools win over a layer's ``-native`` recipe of the same tool unless
``PREFERRED_PROVIDER_<name>`` names that recipe. A C library that both a layer's recipe and
Debian provide (meta-oe's ``zeromq``, ``libzmq3-dev``) follows ``PREFERRED_PROVIDER_<name>`` (the
recipe's name or the Debian package), else the distro's ``PREFERRED_LIBRARY_PROVIDER``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pyrecipe.config.layers import LayerIndex, RecipeInfo, SkippedRecipeError, normalise
from pyrecipe.errors import BuildError, InputError
from pyrecipe.graph.variant import is_native_name, target_name
from pyrecipe.parse import DataSmart
from pyrecipe.parse.depends import explode_deps
from pyrecipe.recipetool import GENERATED_RECIPE, PYPI_WHEEL
from pyrecipe.sources.fetch import PATCH_SUFFIXES, local_file_names
from pyrecipe.sources.pypi import SIMPLE_INDEX

if TYPE_CHECKING:
    # Imported where PyPI is asked: they import packaging and the recipe generator, a tenth of a
    # second of CPU that a graph of layer recipes (a no-op build) does not need.
    from pyrecipe.recipetool import pypi_resolve
    from pyrecipe.recipetool.pypi_resolve import NativeTool

log = logging.getLogger(__name__)


#: Kinds of what satisfies a dependency entry (what ``pyrecipe deps`` prints).
RECIPE, NATIVE_TOOL, HOST_TOOL, DEBIAN, PYTHON_STDLIB, VIRTUAL, IN_SYSROOT = (
    "recipe", "native tool", "host tool", "debian", "python stdlib", "virtual", "already in the sysroot")
#: A build-machine program from Debian (BUILD_DEBIAN_PACKAGE): in the build root, or on the host.
DEBIAN_TOOL = "debian build tool"
#: A package split off a recipe (PACKAGES, FILES:<package>): the recipe is built.
SPLIT_PACKAGE = "package of"
#: Recipes generated from PyPI (PYPI_WHEEL, GENERATED_RECIPE) and tools installed from it.
PYPI_NATIVE_TOOL = "pypi native tool"
#: The kinds whose target is a node of the graph.
RECIPE_KINDS = (RECIPE, SPLIT_PACKAGE, PYPI_WHEEL, GENERATED_RECIPE)


@dataclass(frozen=True)
class Edge:
    """One dependency entry of a recipe and what satisfied it, as the graph resolved it."""

    when: str  # "build" (DEPENDS), "runtime" (RDEPENDS:<package>) or "sysroot" (SYSROOT_PACKAGES)
    entry: str  # the name as the recipe writes it
    kind: str  # one of the kinds above
    targets: tuple[str, ...]  # node key (RECIPE_KINDS), tool name or Debian package names
    package: str = ""  # a runtime entry's package: the one whose RDEPENDS:<package> names it


@dataclass
class Node:
    """One recipe variant to build."""

    info: RecipeInfo
    d: DataSmart
    depends: list[str] = field(default_factory=list)  # keys of nodes built before this one
    rdepends: list[str] = field(default_factory=list)  # keys of nodes whose output goes with this one
    edges: list[Edge] = field(default_factory=list)  # every dependency entry and what satisfied it
    #: Packages split off this recipe that something depends on (their RDEPENDS are resolved too).
    packages: list[str] = field(default_factory=list)

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
    #: Native tools that are not pinned, as recorded from PyPI (installed into the venv on top).
    pypi_native_tools: list[NativeTool] = field(default_factory=list)
    #: Debian packages of build-machine programs (``swig-native``) the tasks run.
    build_tool_packages: list[str] = field(default_factory=list)
    #: (node key, package) of each target: a recipe's ${PN}, or the split package named.
    target_packages: list[tuple[str, str]] = field(default_factory=list)
    #: C libraries taken from Debian although a layer's recipe provides them: name -> (that recipe, the setting that chose).
    debian_over_recipes: dict[str, tuple[RecipeInfo, str]] = field(default_factory=dict)

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

    def installed_packages(self, roots: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
        """The packages an image of ``roots`` ((key, package) pairs) installs, by node key in build
        order: each root, the packages the RDEPENDS:<package> of an installed one name (a recipe's
        ${PN}, or the split package named), and the ${PN} of each DEPENDS of an installed ${PN}
        (pyrecipe reads no shared-library dependencies off the files, as OE's shlibdeps does: a
        library built for a recipe is taken to be needed by it on the board too). Native recipes
        put nothing on the board."""
        installed: dict[str, dict[str, None]] = {}
        stack = list(roots)
        while stack:
            key, package = stack.pop()
            node = self.nodes[key]
            if node.native or package in installed.setdefault(key, {}):
                continue
            installed[key][package] = None
            for edge in node.edges:
                if edge.kind not in RECIPE_KINDS:
                    continue
                target = edge.targets[0]
                if edge.when == "runtime" and edge.package == package:
                    stack.append((target, edge.entry if edge.kind == SPLIT_PACKAGE else self.nodes[target].key))
                elif edge.when == "build" and package == node.key:
                    stack.append((target, self.nodes[target].key))
        return {key: list(installed[key]) for key in self.order() if installed.get(key)}


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
        self.build_tool_packages: dict[str, None] = {}
        self.native_tools: dict[str, None] = {}
        self.pypi_tools: dict[str, NativeTool] = {}
        #: Names found only in skipped recipes, with the reason.
        self.skipped: dict[str, str] = {}
        self.debian_over_recipes: dict[str, tuple[RecipeInfo, str]] = {}
        config = index.config
        self.pypi_enabled = (config.getVar("PYPI_RESOLVE") or "1").strip().lower() not in ("0", "no", "false", "")
        self.pypi_index = config.getVar("PYPI_INDEX_URL") or SIMPLE_INDEX
        #: A requirement file's --extra-index-url: asked before PYPI_INDEX_URL, as uv asks them.
        self.pypi_extra_indexes = (config.getVar("PYPI_EXTRA_INDEX_URLS") or "").split()
        self.generated_dir = Path(config.getVar("PYRECIPE_GENERATED_DIR") or Path(config.getVar("TOPDIR") or "build") / "generated")
        self.dl_dir = Path(config.getVar("DL_DIR") or "downloads")
        #: The target CPython's exact version: what a PyPI release's Requires-Python must admit.
        self.python_full_version = config.getVar("PYTHON_FULLVERSION") or "3"
        self._tool_lock: pypi_resolve.NativeToolLock | None = None

    def build(self, targets: Iterable[str]) -> Graph:
        packages = [self._add_target(name) for name in targets]
        keys = list(dict.fromkeys(key for key, _ in packages))
        self._cut_runtime_cycles()
        return Graph(self.nodes, keys, list(self.sysroot_packages), list(self.native_tools), list(self.pypi_tools.values()),
                     list(self.build_tool_packages), target_packages=packages, debian_over_recipes=self.debian_over_recipes)

    def _cut_runtime_cycles(self) -> None:
        """Leave out of the build order each runtime dependency that closes a cycle (meta-python's
        beautifulsoup4 and soupsieve name each other). In bitbake RDEPENDS order no build; here
        they do (a recipe's do_test imports it with them in the sysroot), so one of a cycle's
        recipes is tested without the other. The edge stays: the image installs both. A cycle of
        build dependencies stays an error (:meth:`Graph.order`)."""
        visiting, finished = set(), set()

        def visit(key: str) -> None:
            visiting.add(key)
            node = self.nodes[key]
            for dep in node.depends:
                if dep not in visiting and dep not in finished:
                    visit(dep)
            for dep in list(node.rdepends):
                if dep in visiting:
                    node.rdepends.remove(dep)
                elif dep not in finished:
                    visit(dep)
            visiting.discard(key)
            finished.add(key)

        for key in list(self.nodes):
            if key not in finished:
                visit(key)

    def _add_target(self, name: str) -> tuple[str, str]:
        """A command-line name as (node key, package): a recipe of the layers (its ${PN}), a package
        split off one (``python3-foo-ptest``), else (a Python package) from PyPI."""
        try:
            info = self.index.find(name)
        except SkippedRecipeError:
            raise  # a layer's recipe for it was skipped: that reason, not a substitute from PyPI
        except InputError as not_found:
            owner = self._split_package_owner(name)
            if owner is not None:
                return self._add_package(owner, name, f"the command line ({name})"), name
            generated = self._from_pypi(name) if self.pypi_enabled and not is_native_name(name) else None
            if isinstance(generated, str):
                raise InputError(f"{not_found}; not on PyPI either ({generated})") from None
            if generated is None:
                raise
            info = generated[0]
        key = self._add(info, f"the command line ({name})")
        return key, key

    def _add(self, info: RecipeInfo, wanted_by: str) -> str:
        if info.pn in self.nodes:
            return info.pn
        d = self.index.datastore(info)
        node = self.nodes[info.pn] = Node(info, d)
        for dep in dict.fromkeys(explode_deps(d.getVar("DEPENDS") or "")):
            self._record(node, self._resolve_build_dep(dep, node), node.depends)
        if not node.native:
            self._add_runtime_deps(node, info.pn)
        packages = tuple((d.getVar("SYSROOT_PACKAGES") or "").split())
        if packages:
            self._record(node, Edge("sysroot", "SYSROOT_PACKAGES", DEBIAN, self._need_debian(packages)), [])
        return node.key

    @staticmethod
    def _record(node: Node, edge: Edge, keys: list[str]) -> None:
        """Keep ``edge`` on ``node`` and, for a recipe, its key in ``keys`` (the node's build or
        runtime dependencies). A recipe's build dependency on itself is no edge; a runtime one is
        a package of the recipe needing another of its packages (``${PN}-ptest`` needs ``${PN}``),
        kept for the image but no dependency between recipes."""
        if edge.targets == (node.key,):
            if edge.when == "runtime":
                node.edges.append(edge)
            return
        node.edges.append(edge)
        if edge.kind in RECIPE_KINDS and edge.targets[0] not in keys:
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

    def _find(self, name: str) -> RecipeInfo | None:
        try:
            return self.index.find(name)
        except SkippedRecipeError as exc:
            # Another source (a native tool, a Debian package, PyPI) may still provide it; if none
            # does, the error says why the recipe that would is not used.
            self.skipped[name] = str(exc)
            return None
        except InputError:
            return None

    def _missing(self, message: str, dep: str) -> InputError:
        skipped = self.skipped.get(dep)
        return InputError(f"{message}; {skipped}" if skipped else message)

    def _recipe_edge(self, when: str, dep: str, node: Node) -> Edge | None:
        """``dep`` as a recipe of the layers, a package split off one, or a recipe generated from
        PyPI before; None when it is none of these."""
        info = self._find(dep)
        if info is not None and info.pn == node.info.pn == dep and self._debian_mapping(dep, node):
            # A recipe's own name that the Debian tables know is that library: the recipe generated
            # for PyPI's brotli DEPENDS on brotli, the C library (OE's python3-brotli has no such clash).
            return None
        if info is not None and dep not in info.provides and (info.pn == node.info.pn or self._debian_mapping(dep, node)):
            # Found only through another spelling (libusb1 as python3-libusb1): that is the recipe
            # itself, or the name is a library the Debian tables know. meta-python's
            # python3-libusb1 RDEPENDS on libusb1, the C library, not on itself.
            info = None
        if info is not None and self._debian_provides(when, dep, info, node):
            return None  # the library from Debian: the caller maps it
        if info is not None:
            return Edge(when, dep, RECIPE, (self._add(info, node.key),))
        owner = node.info if dep in (node.d.getVar("PACKAGES") or "").split() else self._split_package_owner(dep)
        if owner is not None:
            return Edge(when, dep, SPLIT_PACKAGE, (self._add_package(owner, dep, node.key),))
        return None

    def _debian_provides(self, when: str, dep: str, info: RecipeInfo, node: Node) -> bool:
        """Whether Debian's package gives the sysroot ``dep`` that a recipe of the layers also
        provides (meta-oe's zeromq, Debian's libzmq3-dev): ``PREFERRED_PROVIDER_<dep>`` names the
        recipe or one of the Debian packages; unset, the distro's ``PREFERRED_LIBRARY_PROVIDER``
        ("debian" or "recipe") chooses. docs/classes.md says why Debian's is the Debian distros' default."""
        mapping = node.d.getVarFlag("SYSROOT_DEBIAN_PACKAGE", dep)
        if mapping is None and when == "runtime":
            mapping = node.d.getVarFlag("RUNTIME_DEBIAN_PACKAGE", dep)
        if mapping is None or info.pn == node.info.pn:
            return False
        config = self.index.config
        preferred = (config.getVar(f"PREFERRED_PROVIDER_{dep}") or "").strip()
        if preferred:
            if preferred == info.pn or preferred in info.provides:
                return False
            if preferred in mapping.split():
                self.debian_over_recipes[dep] = (info, f'PREFERRED_PROVIDER_{dep} = "{preferred}"')
                return True
            debian = f"the Debian package(s) {mapping}" if mapping.split() else "the sysroot (SYSROOT_DEBIAN_PACKAGE is empty)"
            raise InputError(f'PREFERRED_PROVIDER_{dep} = "{preferred}" names neither the recipe {info.pn} ({info.file}) nor '
                             f"{debian}, which provide {dep}")
        default = (config.getVar("PREFERRED_LIBRARY_PROVIDER") or "recipe").strip()
        if default not in ("debian", "recipe"):
            raise InputError(f'PREFERRED_LIBRARY_PROVIDER = "{default}": it is "debian" or "recipe"')
        if default == "debian":
            self.debian_over_recipes[dep] = (info, 'PREFERRED_LIBRARY_PROVIDER = "debian"')
        return default == "debian"

    @staticmethod
    def _debian_mapping(dep: str, node: Node) -> bool:
        return any(node.d.getVarFlag(table, dep) is not None for table in ("SYSROOT_DEBIAN_PACKAGE", "RUNTIME_DEBIAN_PACKAGE"))

    def _add_package(self, info: RecipeInfo, package: str, wanted_by: str) -> str:
        """The recipe of split package ``package``, with the package's own ``RDEPENDS:<package>``
        (meta-python's python3-twisted-core needs python3-incremental, not python3-twisted)."""
        key = self._add(info, wanted_by)
        node = self.nodes[key]
        if package not in node.packages and not node.native:
            node.packages.append(package)
            self._add_runtime_deps(node, package)
        return key

    def _add_runtime_deps(self, node: Node, package: str) -> None:
        """The entries of ``RDEPENDS:<package>``, resolved and recorded as ``package``'s."""
        for dep in dict.fromkeys(explode_deps(node.d.getVar(f"RDEPENDS:{package}") or "")):
            self._record(node, replace(self._resolve_runtime_dep(dep, node), package=package), node.rdepends)

    def _split_package_owner(self, name: str) -> RecipeInfo | None:
        """The recipe whose PACKAGES lists ``name`` (``python3-dateutil-zoneinfo`` is split off
        ``python3-dateutil``): tried on each shorter prefix of the name that a recipe provides.
        (A recipe's own split package in its own RDEPENDS, pymongo's python3-bson, is found
        before this, from the recipe that names it.)"""
        parts = name.split("-")
        for end in range(len(parts) - 1, 0, -1):
            info = self._find("-".join(parts[:end]))
            if info is None or info.skipped:
                continue
            d = self.nodes[info.pn].d if info.pn in self.nodes else self.index.datastore(info)
            if name in (d.getVar("PACKAGES") or "").split():
                return info
        return None

    def _generated_edge(self, when: str, dep: str, node: Node) -> Edge | str:
        """``dep`` from PyPI as a generated recipe; the reason as a string when PyPI has no such
        project (or cannot be asked)."""
        found = self._from_pypi(dep)
        if isinstance(found, str):
            return found
        info, kind = found
        return Edge(when, dep, kind, (self._add(info, node.key),))

    def _from_pypi(self, name: str) -> tuple[RecipeInfo, str] | str:
        """The recipe generated for ``name`` (earlier, or now) and its kind; else why not."""
        from pyrecipe.recipetool import create, pypi_resolve

        preferred = self.index.config.getVar(f"PREFERRED_VERSION_{name}") or self.index.config.getVar(
            f"PREFERRED_VERSION_python3-{pypi_resolve.pypi_projects(name)[0]}")
        projects = pypi_resolve.pypi_projects(name, self._alias(name))
        wheels = self._wheel_policy()
        # The files a lock allows (--no-binary, --hash): a recipe generated before that fetches another is generated again.
        locked = frozenset((self.index.config.getVar(f"PYPI_LOCKED_SHA256_python3-{pypi_resolve.pypi_projects(name)[0]}") or "").split())
        existing = [p for p in pypi_resolve.generated_recipes(self.generated_dir, projects)
                    if (not preferred or pypi_resolve.preferred_matches(preferred, pypi_resolve.recipe_version(p)))
                    and pypi_resolve.generated_with(p, wheels.binary) and (not locked or pypi_resolve.fetches_one_of(p, locked))]
        try:
            path = existing[-1] if existing else pypi_resolve.generate_target_recipe(
                name, projects, self.generated_dir, self.dl_dir, self.python_full_version, self.pypi_index, preferred,
                create.board_machine(self.index.config), self._layer_patches(projects), wheels, self.pypi_extra_indexes, locked,
                self._bundled_libraries())
        except pypi_resolve.NotOnPyPI as error:
            return f"looked for {error}"
        except BuildError as error:
            return f"PyPI could not be asked: {error}"
        infos = [info for info in self.index.add_recipe(path) if info.variant == ""]
        if not infos:
            raise InputError(f"the recipe generated for {name} ({path}) has no target variant")
        d = self.index.datastore(infos[0])
        if existing:
            log.debug("%s: recipe generated before, %s", name, path)
        return infos[0], d.getVar("PYRECIPE_GENERATED") or GENERATED_RECIPE

    def _wheel_policy(self) -> pypi_resolve.WheelPolicy:
        """PYPI_BINARY, and the board's ELF machine and sysroot library directories a wheel is
        checked against: the build machine's own for a machine without a sysroot (its tasks run
        there), else the provisioned sysroot's (which may not be there yet)."""
        from pyrecipe.qa import wheelfit
        from pyrecipe.recipetool import pypi_resolve
        from pyrecipe.tasks.qa import library_dirs

        config = self.index.config
        binary = (config.getVar("PYPI_BINARY") or "no").strip()
        if binary not in pypi_resolve.BINARY_CHOICES:
            raise InputError(f'PYPI_BINARY = "{binary}": it is one of {", ".join(pypi_resolve.BINARY_CHOICES)}')
        if binary == "no":
            return pypi_resolve.WheelPolicy(binary)
        from pyrecipe.toolchain.sysroot import NO_SYSROOT_PROVIDER

        elf_machine = config.getVar("ELF_MACHINE") or ""
        if config.getVar("SYSROOT_PROVIDER") == NO_SYSROOT_PROVIDER:
            sysroot = Path("/")
            elf_machine = elf_machine or wheelfit.elf_machine_of(Path(sys.executable))
        else:
            from pyrecipe.toolchain.machine import machine_from_datastore

            sysroot = machine_from_datastore(config).sysroot_path or Path(config.getVar("RECIPE_SYSROOT"))
        return pypi_resolve.WheelPolicy(binary, elf_machine,
                                        tuple(library_dirs(sysroot, config.getVar("TARGET_SYS") or "")))

    def _bundled_libraries(self) -> dict[str, pypi_resolve.BundledLibrary]:
        """The switches of projects whose sdists bundle a C library (toolchains/conf/bundled-libraries.conf)."""
        from pyrecipe.recipetool import pypi_resolve

        config = self.index.config
        return pypi_resolve.bundled_libraries(config.getVarFlags("PYPI_BUNDLED_LIBRARY"),
                                              config.getVarFlags("PYPI_BUNDLED_LIBRARY_DEPENDS"))

    def _layer_patches(self, projects: list[str]) -> pypi_resolve.LayerPatches | None:
        """The patches of the layers' recipe of the same project (of another version, else the
        layer's would have been taken), for a recipe generated from its sdist: what the layer
        tested its build with (orjson's build script chose x86 AVX-512 code by the build
        machine's architecture; the layer patches it, the recipe generated for a newer orjson
        failed with "the feature named avx512vl is not valid for this target")."""
        from pyrecipe.recipetool import pypi_resolve

        # By name, not by find(): PREFERRED_VERSION (the lock's pin) rules the layer's version out.
        info = next((info for project in map(normalise, projects) for spelled in (f"python3-{project}", project)
                     for info in self.index.providers(spelled) if info.variant == ""), None)
        d = self.index.datastore(info) if info is not None else None
        if info is None or d is None or d.getVar("PYRECIPE_GENERATED"):
            return None
        names = [name for name in local_file_names(d.getVar("SRC_URI") or "") if name.endswith(PATCH_SUFFIXES)]
        return pypi_resolve.LayerPatches(info.file, d.getVar("PV"), d.getVar("FILESPATH") or "", tuple(names)) if names else None

    def _alias(self, name: str) -> str | None:
        """The PyPI project the configuration names for ``python3-X`` / ``python3-X-native``
        (``PYPI_PROJECT[python3-git] = "GitPython"``, toolchains/conf/pypi-names.conf)."""
        stem = target_name(name)
        return self.index.config.getVarFlag("PYPI_PROJECT", stem if stem.startswith("python3-") else f"python3-{stem}")

    def _native_edge(self, dep: str, node: Node) -> Edge | None:
        """A ``-native`` name as a pinned tool (which wins over a layer's recipe of the same tool
        unless PREFERRED_PROVIDER_<dep> names one), a host tool, or a Debian package's program
        (BUILD_DEBIAN_PACKAGE[swig] = "swig": in the build root, or on the build machine); None otherwise."""
        tool = native_tool_name(dep)
        if tool in self.available_tools and not node.d.getVar(f"PREFERRED_PROVIDER_{dep}"):
            self.native_tools[tool] = None
            return Edge("build", dep, NATIVE_TOOL, (tool,))
        host_tools = set((node.d.getVar("HOST_TOOLS_NATIVE") or "").split())
        # A Python module is no host program of the same name: python3-pkgconfig-native is PyPI's
        # pkgconfig (brotli's build imports it), pkgconfig-native the pkg-config program.
        if dep in host_tools or (tool in host_tools and not target_name(dep).startswith("python3-")):
            return Edge("build", dep, HOST_TOOL, (tool,))
        debian = node.d.getVarFlag("BUILD_DEBIAN_PACKAGE", target_name(dep))
        if debian:
            packages = tuple(debian.split())
            self.build_tool_packages.update(dict.fromkeys(packages))
            return Edge("build", dep, DEBIAN_TOOL, packages)
        return None

    def _pypi_tool_edge(self, dep: str, node: Node) -> Edge | str:
        """A native tool that is not pinned, from PyPI (recorded); the reason when it is not there."""
        from pyrecipe.recipetool import pypi_resolve

        tool = native_tool_name(dep)
        if self._tool_lock is None:
            self._tool_lock = pypi_resolve.NativeToolLock(self.generated_dir / "native-tools.json")
        config = self.index.config

        def preferred(name: str) -> str | None:
            return config.getVar(f"PREFERRED_VERSION_python3-{name}-native") or config.getVar(f"PREFERRED_VERSION_{name}-native")

        try:
            tools = pypi_resolve.resolve_native_tool(tool, self._tool_lock, self.available_tools, self.dl_dir,
                                                     self.python_full_version, self.pypi_index, preferred, self._alias(dep))
        except pypi_resolve.NotOnPyPI as error:
            return f"looked for {error}"
        except BuildError as error:
            return f"PyPI could not be asked: {error}"
        for found in tools:
            self.pypi_tools[found.name] = found
            # an sdist compiled in the native venv needs its libraries' headers where it builds
            self.build_tool_packages.update(dict.fromkeys(found.build_packages or ()))
        return Edge("build", dep, PYPI_NATIVE_TOOL, tuple(f"{t.name}=={t.version}" for t in tools))

    def _resolve_build_dep(self, dep: str, node: Node) -> Edge:
        if dep.startswith("virtual/"):
            return Edge("build", dep, VIRTUAL, (dep,))
        d = node.d
        native = is_native_name(dep) or node.native
        if native:
            edge = self._native_edge(dep, node)
            if edge is not None:
                return edge
        found = self._recipe_edge("build", dep, node)
        if found is not None:
            return found
        if native:
            if dep in self.skipped:
                why: Edge | str = "not asked: a layer's recipe provides it but was skipped"
            elif not self.pypi_enabled:
                why = "PYPI_RESOLVE is off"
            elif not target_name(dep).startswith("python3-"):
                why = "only python3- names are looked for there"
            else:
                why = self._pypi_tool_edge(dep, node)
            if isinstance(why, Edge):
                return why
            raise self._missing(
                f"recipe {node.key} ({node.info.file}): DEPENDS on {dep}, which no recipe of the layers provides "
                f"(searched {len(self.index.recipes)} recipes), which is not a pinned native tool "
                f"(toolchains/native-tools.txt), a host tool (HOST_TOOLS_NATIVE) or a Debian build tool (BUILD_DEBIAN_PACKAGE), "
                f"and which is not on PyPI ({why})",
                dep,
            )
        debian = d.getVarFlag("SYSROOT_DEBIAN_PACKAGE", dep)
        if debian is not None:
            return self._debian_edge("build", dep, debian)
        if _python_stdlib_package(dep, d):
            return Edge("build", dep, PYTHON_STDLIB, (dep,))
        return self._pypi_or_error("build", "DEPENDS on", dep, node)

    def _resolve_runtime_dep(self, dep: str, node: Node) -> Edge:
        found = self._recipe_edge("runtime", dep, node)
        if found is not None:
            return found
        d = node.d
        if _python_stdlib_package(dep, d):
            return Edge("runtime", dep, PYTHON_STDLIB, (dep,))
        debian = d.getVarFlag("SYSROOT_DEBIAN_PACKAGE", dep)
        if debian is None:
            debian = d.getVarFlag("RUNTIME_DEBIAN_PACKAGE", dep)
        if debian is not None:
            return self._debian_edge("runtime", dep, debian)
        return self._pypi_or_error("runtime", f"RDEPENDS:{node.key} names", dep, node)

    def _pypi_or_error(self, when: str, says: str, dep: str, node: Node) -> Edge:
        """A ``python3-`` name from PyPI; any other name (a C library, a system package: PyPI has
        unrelated projects of such names) or one PyPI lacks is an error naming the three places."""
        if dep in self.skipped:
            why = "not asked: a layer's recipe provides it but was skipped"
        elif not self.pypi_enabled:
            why = "PYPI_RESOLVE is off"
        elif not dep.startswith("python3-"):
            why = "only python3- names are looked for there"
        else:
            found = self._generated_edge(when, dep, node)
            if isinstance(found, Edge):
                return found
            why = found
        table = "SYSROOT_DEBIAN_PACKAGE" if when == "build" else "SYSROOT_DEBIAN_PACKAGE or RUNTIME_DEBIAN_PACKAGE"
        raise self._missing(
            f"recipe {node.key} ({node.info.file}): {says} {dep}, which no recipe of the layers provides "
            f"(searched {len(self.index.recipes)} recipes), which no {table}[{dep}] maps to a Debian package "
            f"(toolchains/conf/debian-names.conf; add one in local.conf), and which is not on PyPI ({why})",
            dep,
        )
