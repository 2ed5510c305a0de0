"""A PEP 751 lock (``pylock.toml``) read for one board: the packages its markers select, each
with the version and the sha256 of the files the lock allows.

Why a lock is the one form the build follows: a requirements file or a ``pyproject.toml`` says
what is wanted, a lock says what was chosen. ``pyrecipe build -r requirements.txt`` resolves the
file into a lock first (:mod:`pyrecipe.requirements.resolve`), so a build from a requirements
file and a build from the lock ``pyrecipe lock`` wrote for it take the same path, and the
second one is the same build, offline once the files are in ``DL_DIR``.

Only index packages are followed (``sdist``/``wheels`` with a version); a lock entry from a VCS,
a directory or an archive URL has no release on the index to build a recipe from.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.markers import InvalidMarker, Marker, UndefinedComparison, UndefinedEnvironmentName
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from pyrecipe.errors import InputError

#: PEP 751: readers refuse a major version they do not know.
SUPPORTED_MAJOR = "1"


@dataclass(frozen=True)
class LockedPackage:
    """One package of the lock that applies to the board."""

    name: str  # normalised (PEP 503)
    version: str
    sha256: frozenset[str]  # of its sdist and wheels: the files the lock allows
    files: tuple[str, ...] = ()  # their file names: what says whether a wheel of it may be taken as it is

    @property
    def target(self) -> str:
        """The build target that names it: OpenEmbedded's ``python3-<name>``."""
        return f"python3-{self.name}"


def read_lock(path: Path, environment: Mapping[str, str]) -> list[LockedPackage]:
    """The packages of the lock at ``path`` whose markers hold in ``environment`` (the board's
    PEP 508 marker values); InputError for what cannot be followed, naming the file."""
    try:
        data = tomllib.loads(path.read_text())
    except OSError as error:
        raise InputError(f"cannot read the lock {path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path} is not TOML: {error}") from None
    where = str(path)
    version = str(data.get("lock-version", ""))
    if version.split(".")[0] != SUPPORTED_MAJOR:
        raise InputError(f"{where}: lock-version {version or '(missing)'}; pyrecipe reads PEP 751 locks of version {SUPPORTED_MAJOR}.x")
    _check_python(where, data.get("requires-python"), environment)
    environments = data.get("environments")
    if environments and not any(_marker_holds(where, text, environment) for text in environments):
        raise InputError(f"{where}: none of its environments ({'; '.join(environments)}) is the board's "
                         f"(Python {environment['python_version']}, {environment['platform_machine']})")
    selected = (_package(where, entry, environment) for entry in data.get("packages", []))
    chosen = _one_version_each((package for package in selected if package is not None), f"{where}: ", " for the same board")
    if not chosen:
        raise InputError(f"{where}: no package of the lock applies to the board")
    return chosen


def merge(locks: Iterable[list[LockedPackage]]) -> list[LockedPackage]:
    """Several locks as one set; a package locked at two versions is an error."""
    return _one_version_each((package for packages in locks for package in packages), "", " by two of the -r files")


def _one_version_each(packages: Iterable[LockedPackage], where: str, how: str) -> list[LockedPackage]:
    """``packages`` by name; InputError (``where`` before it, ``how`` after) for a name at two versions."""
    chosen: dict[str, LockedPackage] = {}
    for package in packages:
        known = chosen.get(package.name)
        if known is not None and known.version != package.version:
            raise InputError(f"{where}{package.name} is locked at {known.version} and at {package.version}{how}")
        chosen[package.name] = package
    return list(chosen.values())


def preferred_versions(packages: Iterable[LockedPackage]) -> dict[str, str]:
    """The configuration that pins each package to its locked version, as bitbake spells it."""
    return {f"PREFERRED_VERSION_{package.target}": package.version for package in packages}


def _package(where: str, entry: Mapping[str, Any], environment: Mapping[str, str]) -> LockedPackage | None:
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise InputError(f"{where}: a [[packages]] entry without a name")
    if "marker" in entry and not _marker_holds(where, entry["marker"], environment):
        return None
    for source in ("vcs", "directory", "archive"):
        if source in entry:
            raise InputError(f"{where}: {name} is locked to a {source} source; pyrecipe builds locked packages "
                             "from an index's sdist or wheels (lock a released version instead)")
    version = entry.get("version")
    if not isinstance(version, str):
        raise InputError(f"{where}: {name} has no version")
    files = [entry["sdist"]] if isinstance(entry.get("sdist"), dict) else []
    files += [wheel for wheel in entry.get("wheels", []) if isinstance(wheel, dict)]
    hashes = frozenset(str(f.get("hashes", {}).get("sha256", "")).lower() for f in files) - {""}
    if not hashes:
        raise InputError(f"{where}: {name} {version} names no sdist or wheel with a sha256; a lock must pin its files")
    names = tuple(str(f.get("name") or str(f.get("url") or f.get("path") or "").rsplit("/", 1)[-1]) for f in files)
    return LockedPackage(canonicalize_name(name), version, hashes, tuple(filter(None, names)))


def _check_python(where: str, requires: object, environment: Mapping[str, str]) -> None:
    if not requires:
        return
    try:
        allowed = SpecifierSet(str(requires))
    except InvalidSpecifier:
        raise InputError(f"{where}: requires-python {requires!r} is not a version specifier") from None
    if not allowed.contains(environment["python_full_version"], prereleases=True):
        raise InputError(f"{where}: requires-python {requires} excludes the board's Python {environment['python_full_version']}")


def _marker_holds(where: str, text: object, environment: Mapping[str, str]) -> bool:
    try:
        return Marker(str(text)).evaluate(dict(environment))
    except (InvalidMarker, UndefinedComparison, UndefinedEnvironmentName) as error:
        raise InputError(f"{where}: the marker {text!r} cannot be evaluated for the board: {error}") from None
