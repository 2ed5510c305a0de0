"""``-r`` files as build targets: the locked set, its pins in the configuration, and each
package's recipe checked against the files the lock allows.

How a locked package finds its recipe: ``PREFERRED_VERSION_python3-<name>`` is set to the
locked version, so a layer's recipe of that version is taken (bitbake's own rule), and when no
layer has that version the name is resolved from PyPI at exactly that version (a recipe
generated from its sdist, or its ``none-any`` wheel as it is), as any name no layer provides.
The recipe must then fetch a file whose sha256 the lock lists: a layer recipe of the same version
built from other sources, or an index that serves other bytes, is an error before anything runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

from pyrecipe.errors import InputError
from pyrecipe.graph.build_graph import Graph
from pyrecipe.parse import DataSmart
from pyrecipe.recipetool.create import TargetFacts, board_machine
from pyrecipe.requirements.lockfile import LockedPackage, merge, preferred_versions, read_lock
from pyrecipe.requirements.resolve import is_lock, resolve_to_lock

#: Where a recipe came from, as the report says it.
LAYER_RECIPE = "recipe"


@dataclass(frozen=True)
class RequirementRow:
    """One package of the set, as built: for the report after the build."""

    name: str
    version: str
    recipe: str  # the recipe (PN) that built it
    origin: str  # "recipe" (a layer's), "generated recipe" or "pypi wheel"


def board_environment(config: DataSmart) -> dict[str, str]:
    """The PEP 508 marker values of the board: the distro's CPython on the machine's CPU."""
    return TargetFacts(config.getVar("PYTHON_BASEVERSION"), board_machine(config)).marker_environment()


def lock_requirements(files: Sequence[Path], out: Path, config: DataSmart) -> Path:
    """Resolve requirement files (not locks) for the configured board into the lock ``out``."""
    cache = Path(config.getVar("PYRECIPE_UV_CACHE_DIR"))
    return resolve_to_lock(files, out, config.getVar("PYTHON_BASEVERSION"), board_machine(config),
                           config.getVar("PYPI_INDEX_URL"), cache)


def requirement_set(files: Sequence[Path], config: DataSmart) -> list[LockedPackage]:
    """The packages ``files`` ask for on the board: locks as they are, the other files resolved
    together into REQUIREMENTS_LOCK first."""
    locks = [path for path in files if is_lock(path)]
    others = [path for path in files if not is_lock(path)]
    if others:
        locks.append(lock_requirements(others, Path(config.getVar("REQUIREMENTS_LOCK")), config))
    environment = board_environment(config)
    return merge(read_lock(path, environment) for path in locks)


def pin(config: DataSmart, packages: Sequence[LockedPackage]) -> None:
    """Pin every locked package to its version (before the layers are indexed)."""
    for name, version in preferred_versions(packages).items():
        config.setVar(name, version)


def check_recipes(graph: Graph, keys: Sequence[str], packages: Sequence[LockedPackage]) -> list[RequirementRow]:
    """Each package's recipe (``keys``, in the order of ``packages``) at the locked version and
    fetching a locked file; InputError naming the package, the recipe and both sides otherwise."""
    rows = []
    for key, package in zip(keys, packages, strict=True):
        d = graph.nodes[key].d
        version, recipe_file = d.getVar("PV"), graph.nodes[key].info.file
        if not _same_version(version, package.version):
            raise InputError(f"{package.name} is locked at {package.version}, but its recipe {recipe_file} is version {version}")
        fetched = (d.getVarFlag("SRC_URI", "sha256sum") or "").lower()
        if fetched not in package.sha256:
            raise InputError(
                f"{package.name} {package.version}: the recipe {recipe_file} fetches a file of sha256 {fetched or '(none given)'}, "
                f"the lock allows {', '.join(sorted(package.sha256))}"
            )
        rows.append(RequirementRow(package.name, package.version, key, d.getVar("PYRECIPE_GENERATED") or LAYER_RECIPE))
    return rows


def _same_version(recipe_version: str, locked: str) -> bool:
    """PEP 440's equality (``1.0`` is ``1.0.0``); a PV that is no PEP 440 version must match as text."""
    try:
        return Version(recipe_version) == Version(locked)
    except InvalidVersion:
        return recipe_version == locked
