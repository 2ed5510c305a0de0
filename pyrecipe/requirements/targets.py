"""``-r`` files as build targets: the locked set, its pins in the configuration, and each
package's recipe checked against the files the lock allows.

The layers' recipes are preferences, not walls: resolving prefers each layer recipe's version
where the requirements allow it (:func:`layer_preferences`), and takes the index's otherwise.
How a locked package then finds its recipe: ``PREFERRED_VERSION`` is set to the locked version,
for ``python3-<name>`` and for the PN of the layer's recipe of that name, so a layer's recipe of
that version is taken (bitbake's own rule), and when no layer has that version the name is
resolved from PyPI at exactly that version (a recipe generated from its sdist, or its
``none-any`` wheel as it is), as any name no layer provides, with a warning naming what the
layer's recipe carried that the generated one goes without. pyrecipe does not stop on a version
the layer lacks; a pin the user wrote is a requirement, and the resolver keeps it.
The recipe must then fetch a file whose sha256 the lock lists: a layer recipe of the same version
built from other sources, or an index that serves other bytes, is an error before anything runs.
"""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pyrecipe.config.layers import LayerIndex, RecipeInfo
from pyrecipe.errors import InputError
from pyrecipe.graph.build_graph import Graph
from pyrecipe.parse import DataSmart
from pyrecipe.parse.depends import explode_deps
from pyrecipe.parse.errors import ExpansionError
from pyrecipe.recipetool import GENERATED_RECIPE, LAYER_RECIPE, PYPI_WHEEL, origin_how
from pyrecipe.recipetool.create import board_machine, target_facts
from pyrecipe.requirements.lockfile import LockedPackage, merge, preferred_versions, read_lock
from pyrecipe.requirements.options import NO_OPTIONS, CommandLine
from pyrecipe.requirements.pins import read_pins
from pyrecipe.requirements.resolve import is_lock, resolve_to_lock
from pyrecipe.sources.fetch import local_file_names
from pyrecipe.sources.pypi import without_credentials

log = logging.getLogger(__name__)

#: A PEP 508 project name: what a layer recipe's name must be to be offered to the resolver.
_PROJECT_NAME = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$")
#: What a layer recipe sets that says nothing about how it builds: left out of the warning.
_DESCRIPTIVE = frozenset({
    "SUMMARY", "DESCRIPTION", "HOMEPAGE", "BUGTRACKER", "SECTION", "AUTHOR", "LICENSE", "LIC_FILES_CHKSUM",
    "CVE_PRODUCT", "PV", "PR", "PE", "PYPI_PACKAGE", "PYPI_SRC_URI", "PYPI_WHEEL_NAME", "PYPI_WHEEL_TAG",
    "PYTHON_TEST_CODE", "PYTHON_TEST_SCRIPT", "PROVIDES", "UPSTREAM_CHECK_REGEX", "UPSTREAM_CHECK_URI",
})


@dataclass(frozen=True)
class RequirementRow:
    """One package of the set, as built: for the report after the build."""

    name: str
    version: str
    recipe: str  # the recipe (PN) that built it
    origin: str  # "layer recipe", "generated recipe" or "pypi wheel"
    why: str = ""  # why that recipe: "layer has 3.20, requirement asks >=3.21"


def board_environment(config: DataSmart) -> dict[str, str]:
    """The PEP 508 marker values of the board: the distro's CPython (by its exact version) on the machine's CPU."""
    return target_facts(config).marker_environment()


def layer_preferences(layer: Mapping[str, RecipeInfo]) -> dict[str, str]:
    """The version of each Python package the layers have a recipe for (``layer``, from
    :meth:`LayerIndex.python_recipes`): what the resolver prefers where the requirements allow
    it. A recipe whose name is no project name or whose PV is no PEP 440 version
    (``1.0+git${SRCPV}``) is not offered."""
    preferred = {}
    for name, info in layer.items():
        version = _pep440(info.pv)
        if version is not None and _PROJECT_NAME.match(name):
            preferred[name] = str(version)
    return preferred


def lock_requirements(files: Sequence[Path], out: Path, config: DataSmart, layer: Mapping[str, RecipeInfo],
                      binary: str | None = None, command_line: CommandLine = NO_OPTIONS) -> Path:
    """Resolve requirement files (not locks) for the configured board into the lock ``out``,
    preferring the layers' versions; ``binary`` (the command line's) as :func:`wheel_choice` says.
    The indexes the files name become the build's (PYPI_INDEX_URL, PYPI_EXTRA_INDEX_URLS): a
    project of a private index is fetched from there."""
    cache = Path(config.getVar("PYRECIPE_UV_CACHE_DIR"))
    pins = resolve_to_lock(files, out, config.getVar("PYTHON_FULLVERSION"), board_machine(config),
                           config.getVar("PYPI_INDEX_URL"), cache, layer_preferences(layer), command_line,
                           wheel_choice(config, files, binary))
    if pins.indexes:
        config.setVar("PYPI_INDEX_URL", without_credentials(pins.indexes[-1]))
    if pins.extra_indexes:
        config.setVar("PYPI_EXTRA_INDEX_URLS", " ".join(map(without_credentials, pins.extra_indexes)))
    return out


def wheel_choice(config: DataSmart, files: Sequence[Path], binary: str | None) -> str:
    """PYPI_BINARY for a requirement set, set in ``config``: the command line's ``binary``
    (--only-binary, --prefer-binary), else what the requirement files say (pip's options), else
    the configuration's. A missing file says nothing here: resolving it names it."""
    chosen = binary or read_pins([path for path in files if not is_lock(path) and path.is_file()]).binary or config.getVar("PYPI_BINARY") or "no"
    config.setVar("PYPI_BINARY", chosen)
    return chosen


def requirement_set(files: Sequence[Path], config: DataSmart, layer: Mapping[str, RecipeInfo],
                    binary: str | None = None, command_line: CommandLine = NO_OPTIONS) -> list[LockedPackage]:
    """The packages ``files`` ask for on the board: locks as they are, the other files resolved
    together (with ``command_line``'s options) into REQUIREMENTS_LOCK first; PYPI_BINARY set for
    the set (:func:`wheel_choice`)."""
    locks = [path for path in files if is_lock(path)]
    others = [path for path in files if not is_lock(path)]
    if command_line != NO_OPTIONS and not others:
        raise InputError("--constraint, --index-url, --extra-index-url and --require-hashes apply to requirement files that are resolved; "
                         "a pylock.toml is followed as it is (lock the set again with those options)")
    if others:
        locks.append(lock_requirements(others, Path(config.getVar("REQUIREMENTS_LOCK")), config, layer, binary, command_line))
    else:
        wheel_choice(config, files, binary)
    environment = board_environment(config)
    return merge(read_lock(path, environment) for path in locks)


def pin(config: DataSmart, packages: Sequence[LockedPackage], index: LayerIndex, layer: Mapping[str, RecipeInfo]) -> None:
    """Pin every locked package to its version, as ``python3-<name>`` and as the PN of the layer
    recipe that name finds (pyrecipe's own recipes are named ``idna``, not ``python3-idna``):
    the layer's recipe is taken at that version only, else the name comes from PyPI."""
    for name, version in preferred_versions(packages).items():
        config.setVar(name, version)
    only_wheels = config.getVar("PYPI_BINARY") == "only"
    for package in packages:
        # The files the lock allows: a recipe generated for it fetches one of them (--no-binary, --hash).
        config.setVar(f"PYPI_LOCKED_SHA256_{package.target}", " ".join(sorted(package.sha256)))
        info = layer.get(package.name)
        if info is not None:
            same = _layer_version(index, info, package.version)
            if same is not None and not _builds_a_locked_file(index, info, same, package, only_wheels):
                # A version no recipe has sends the name to PyPI, whose wheel the lock names.
                same = f"{package.version}-not-from-source"
            config.setVar(f"PREFERRED_VERSION_{info.pn}", same or package.version)


def _builds_a_locked_file(index: LayerIndex, info: RecipeInfo, pv: str, package: LockedPackage, only_wheels: bool) -> bool:
    """Whether the layers' recipe of ``info``'s PN at ``pv`` (the locked version) may build
    ``package``: not when only wheels are allowed and it fetches what the lock left out (its sdist)."""
    return not only_wheels or _fetches_locked_file(index, info.pn, pv, package)


def _fetches_locked_file(index: LayerIndex, pn: str, pv: str, package: LockedPackage) -> bool:
    """Whether the layers' recipe ``pn`` of version ``pv`` fetches a file the lock allows."""
    info = next(info for info in index.providers(pn) if info.variant == "" and info.pv == pv)
    return (index.datastore(info).getVarFlag("SRC_URI", "sha256sum") or "").lower() in package.sha256


def check_recipes(graph: Graph, keys: Sequence[str], packages: Sequence[LockedPackage], index: LayerIndex,
                  layer: Mapping[str, RecipeInfo], files: Sequence[Path]) -> list[RequirementRow]:
    """Each package's recipe (``keys``, in the order of ``packages``) fetching a locked file
    (InputError naming the package, the recipe and both sides otherwise), and why that recipe.
    A package built from PyPI although a layer has a recipe of another version is a warning
    naming what that recipe carried that the generated one goes without. ``layer``: the layers'
    recipes as :meth:`LayerIndex.python_recipes` gave them before the graph added generated ones."""
    asked = requested(files)
    rows = []
    for key, package in zip(keys, packages, strict=True):
        node = graph.nodes[key]
        d = node.d
        fetched = (d.getVarFlag("SRC_URI", "sha256sum") or "").lower()
        if fetched not in package.sha256:
            raise InputError(
                f"{package.name} {package.version}: the recipe {node.info.file} fetches a file of sha256 {fetched or '(none given)'}, "
                f"the lock allows {', '.join(sorted(package.sha256))}"
            )
        origin = d.getVar("PYRECIPE_GENERATED") or LAYER_RECIPE
        ours = layer.get(package.name)
        layer_version = d.getVar("PV") if origin == LAYER_RECIPE else ours.pv if ours is not None else None
        why = _joined(_why(package, layer_version, asked.get(package.name), _needed_by(graph, key), origin == LAYER_RECIPE),
                      origin_how(origin, d.getVar("PYPI_WHEEL_TAG") or "", index.config.getVar("PYPI_BINARY") or "no"))
        if ours is not None and origin != LAYER_RECIPE:
            missing = carried(index.datastore(ours), ours, d)
            log.warning("WARNING: %s %s is built from PyPI (%s %s): %s%s", package.name, package.version, origin, node.info.file,
                        why, f"; the layer's recipe {ours.file} carries what it goes without: {missing}" if missing else "")
        rows.append(RequirementRow(package.name, package.version, key, origin, why))
    return rows


def lock_origin(package: LockedPackage, index: LayerIndex, ours: RecipeInfo | None, asked: str | None) -> str:
    """Where a build takes a locked package from, before the graph is built, and why: a layer's
    recipe of its version (``ours`` is the one the layers give its name, any of its versions
    serves), else from PyPI a recipe generated for its sdist or its wheel, as :func:`_pypi_origin`
    foresees from the lock's files."""
    binary = index.config.getVar("PYPI_BINARY") or "no"
    same = _layer_version(index, ours, package.version) if ours is not None else None
    if ours is not None and same is not None and _builds_a_locked_file(index, ours, same, package, binary == "only"):
        return f"{LAYER_RECIPE} ({_why(package, same, asked)})"
    origin, wheel = _pypi_origin(package, binary, index.config)
    why = _why(package, same or (ours.pv if ours is not None else None), asked, used=False)
    return f"{origin} ({_joined(why, origin_how(origin, wheel, binary))})"


def _pypi_origin(package: LockedPackage, binary: str, config: DataSmart) -> tuple[str, str]:
    """What the build will take from PyPI for ``package``, by the rules of
    :func:`pyrecipe.recipetool.pypi_resolve.generate_target_recipe` on the lock's files: a wheel
    for the board when PYPI_BINARY allows wheels (the build checks it against the sysroot
    first), a ``none-any`` wheel of a pure project, else its sdist; and that wheel's file name."""
    # Here, not at the top: a build of a set (a no-op among them) reads the recipes, not this.
    from pyrecipe.recipetool.pypi_resolve import Release, WheelPolicy, board_tags
    from pyrecipe.sources.pypi import IndexFile

    release = Release(package.name, package.version, tuple(IndexFile(name, "", None, None, False) for name in package.files))
    wheel = release.wheel_for(board_tags(target_facts(config), WheelPolicy(binary).glibc())) if binary != "no" else None
    wheel = wheel or release.board_wheel()
    return (PYPI_WHEEL, wheel.filename.removesuffix(".whl")) if wheel is not None else (GENERATED_RECIPE, "")


def _joined(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


def _layer_version(index: LayerIndex, ours: RecipeInfo, version: str) -> str | None:
    """The PV of the layers' recipe of ``ours``'s PN that is ``version`` (PEP 440's equality:
    ``1.0`` is ``1.0.0``), if one is; the layers may have several versions of a recipe."""
    found = (info.pv for info in index.providers(ours.pn) if info.variant == "" and _same_version(info.pv, version))
    return next(found, None)


def _needed_by(graph: Graph, key: str) -> list[str]:
    """The recipes of the graph that depend on ``key`` (build or runtime)."""
    return [node.key for node in graph.nodes.values() if node.key != key and key in node.depends + node.rdepends]


def _why(package: LockedPackage, layer_version: str | None, asked: str | None, needed_by: Sequence[str] = (),
         used: bool = True) -> str:
    """Why ``package`` comes from where it does: the layer's version (``layer_version``: the
    layer recipe's that builds it, else the one the layers prefer; None: no layer recipe), what
    the ``-r`` files ask of it (a ``==`` there is the user's pin, which always wins), and which
    recipes of the set need it (whose requirements may be what ruled the layer's version out:
    the lock does not say which did). ``used``: whether the layer's recipe builds it (one of the
    locked version does not when it builds the sdist and only wheels are allowed)."""
    pinned = asked is not None and bool(re.match(r"===?[^=]|.*, ===?[^=]", asked))
    if layer_version is None:
        return f"user pin {asked}; no layer recipe" if pinned else "no layer recipe"
    same = _same_version(layer_version, package.version)
    has = f"layer has {layer_version}" + (", but its recipe builds the sdist" if same and not used else "")
    if pinned:
        return f"user pin {asked}; {has}"
    if same and not used:
        return has
    if same:
        preferred = f"layer version {layer_version} preferred"
        return f"{preferred}, requirement asks {asked}" if asked else preferred
    if asked:
        return f"{has}, requirement asks {asked}"
    via = f" for {', '.join(needed_by)}" if needed_by else ""
    return f"{has}; the resolution took {package.version}{via} (a requirement of the set or the index rules {layer_version} out)"


def requested(files: Sequence[Path]) -> dict[str, str]:
    """What the ``-r`` files themselves ask of each name they name with a version: a
    specifier and the file (``>=3.21 (requirements.txt)``), a lock's version; for the report.
    Lines this reading does not understand (options, URLs) say nothing here: uv read them."""
    asked: dict[str, list[str]] = {}
    for path in files:
        try:
            text = path.read_text()
        except OSError:
            continue
        if is_lock(path):
            lines = [f"{entry.get('name')}=={entry.get('version')}" for entry in _toml(text).get("packages", [])
                     if isinstance(entry, dict)]
        elif path.suffix == ".toml":
            lines = [str(line) for line in _toml(text).get("project", {}).get("dependencies", [])]
        else:
            lines = [line.split(" #", 1)[0].strip() for line in text.splitlines()]
        for line in lines:
            if not line or line.startswith(("#", "-")):
                continue
            try:
                requirement = Requirement(line)
            except InvalidRequirement:
                continue
            if requirement.specifier:
                asked.setdefault(canonicalize_name(requirement.name), []).append(f"{requirement.specifier} ({path.name})")
    return {name: ", ".join(said) for name, said in asked.items()}


def _toml(text: str) -> dict:  # type: ignore[type-arg]
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return {}


def carried(layer_d: DataSmart, info: RecipeInfo, generated_d: DataSmart) -> str:
    """What the layer's recipe (``layer_d``, of ``info``) has that the generated one lacks: its
    local files (``SRC_URI`` ``file://``: patches, test scripts), the build and runtime
    dependencies it adds, and the settings its own files (the recipe, its ``.inc`` and
    ``.bbappend`` files) give a value the generated recipe does not have; "" for none. Only
    read for a warning: a value that does not expand is compared as written, never an error."""
    found = []
    offered = set(local_file_names(_value(generated_d, "SRC_URI")))  # its patches, offered (pypi_resolve.LayerPatches)
    local = [name for name in local_file_names(_value(layer_d, "SRC_URI")) if name not in offered]
    if local:
        found.append(f"local files {' '.join(local)} (SRC_URI)")
    for variable, generated_variable in (("DEPENDS", "DEPENDS"), (f"RDEPENDS:{info.pn}", f"RDEPENDS:{_value(generated_d, 'PN')}")):
        have = set(explode_deps(_value(generated_d, generated_variable)))
        extra = [dep for dep in dict.fromkeys(explode_deps(_value(layer_d, variable))) if dep not in have]
        if extra:
            found.append(f"{variable.split(':')[0]} {' '.join(extra)}")
    own = {str(info.file), *map(str, info.appends)}
    names = sorted({name.split(":")[0] for name, (file, _) in layer_d.origins.items()
                    if file in own or (file.endswith(".inc") and Path(file).parent == info.file.parent)})
    settings = [name for name in names if name not in _DESCRIPTIVE and name not in ("SRC_URI", "DEPENDS", "RDEPENDS")
                and _value(layer_d, name) != _value(generated_d, name)]
    if settings:
        found.append(f"settings {' '.join(settings)}")
    return "; ".join(found)


def _value(d: DataSmart, name: str) -> str:
    """``name``'s value in ``d``, expanded, or as written when it does not expand."""
    try:
        return str(d.getVar(name) or "")
    except ExpansionError:
        return str(d.getVar(name, False) or "")


def _pep440(version: str) -> Version | None:
    try:
        return Version(version)
    except InvalidVersion:
        return None


def _same_version(recipe_version: str, locked: str) -> bool:
    """PEP 440's equality (``1.0`` is ``1.0.0``); a PV that is no PEP 440 version must match as text."""
    parsed = _pep440(recipe_version)
    return parsed == _pep440(locked) if parsed is not None else recipe_version == locked
