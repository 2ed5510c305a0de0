"""Which package of ``PACKAGES`` each file of ``${PKGD}`` belongs to, and the per-package lists.

OpenEmbedded splits a recipe's output into packages so that an image installs only what is asked
for (``python3-dateutil-zoneinfo`` without the rest of dateutil, ``${PN}-ptest`` only in a test
image). Its rule, which this module follows: the packages are taken in ``PACKAGES`` order; each
``FILES:<package>`` pattern is a glob relative to the package root (a leading ``/`` names that
root); a matched directory brings everything under it; a path already taken by an earlier package
stays with it (first match wins). What no package takes is not shipped, and OE's QA check
``installed-vs-shipped`` fails the build over it unless ``INSANE_SKIP`` waives it.

do_package writes the result as one list per package (``${PKGMANIFESTDIR}/<package>.list``, a
path relative to ``${PKGD}`` a line): the image and the .debs read those lists rather than
matching the patterns again, so they install what do_package decided.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.errors import BuildError
from pyrecipe.fsutil import building_dir, entry_inside, read_regular, real_directory
from pyrecipe.parse import DataSmart

#: OpenEmbedded's QA name for installed files that no package ships.
INSTALLED_VS_SHIPPED = "installed-vs-shipped"
LIST_SUFFIX = ".list"
#: The most of a package list read (a list of every file of a large package is a few MB).
LIST_LIMIT = 64 << 20


@dataclass(frozen=True)
class PackageSplit:
    """Each package's paths (relative to ${PKGD}, sorted) and the paths no package took."""

    files: dict[str, list[str]]
    unshipped: list[str]


def package_patterns(d: DataSmart) -> list[tuple[str, list[str]]]:
    """``PACKAGES`` in order, each with its ``FILES:<package>`` patterns (repeats dropped)."""
    packages = dict.fromkeys((d.getVar("PACKAGES") or "").split())
    return [(package, (d.getVar(f"FILES:{package}") or "").split()) for package in packages]


def _entries(root: Path) -> list[str]:
    """Every path under ``root`` (files, symlinks, directories), relative, links not followed."""
    found = []
    for directory, dirnames, filenames in os.walk(root):
        base = Path(directory).relative_to(root)
        found += [(base / name).as_posix() for name in dirnames + filenames]
    return found


def _matches(root: Path, pattern: str) -> list[str]:
    """The paths ``pattern`` takes: its glob matches and, for a directory, all that lies under it."""
    taken = []
    for match in sorted(glob.glob(glob.escape(str(root)) + "/" + pattern.lstrip("/"))):
        relative = Path(match).relative_to(root).as_posix()
        if relative != ".":
            taken.append(relative)
        if os.path.isdir(match) and not os.path.islink(match):
            prefix = "" if relative == "." else relative + "/"
            taken += [prefix + path for path in _entries(Path(match))]
    return taken


def split_files(root: Path, packages: Sequence[tuple[str, Iterable[str]]]) -> PackageSplit:
    """The paths of ``root`` per package by OpenEmbedded's first-match rule (module docstring)."""
    owner: dict[str, str] = {}
    for package, patterns in packages:
        for pattern in patterns:
            for path in _matches(root, pattern):
                owner.setdefault(path, package)
    files: dict[str, list[str]] = {package: [] for package, _ in packages}
    for path, package in sorted(owner.items()):
        files[package].append(path)
    unshipped = sorted(set(_entries(root)) - owner.keys())
    # Directories are not reported: they are there for the paths under them, which are.
    unshipped = [path for path in unshipped if not (root / path).is_dir() or (root / path).is_symlink()]
    return PackageSplit(files, unshipped)


def write_package_lists(split: PackageSplit, dest: Path) -> None:
    """``dest/<package>.list`` for every package, replacing the previous lists as a whole (a
    failure leaves them as they were, never half of a new split)."""
    with building_dir(dest) as tmp:
        for package, paths in split.files.items():
            (tmp / f"{package}{LIST_SUFFIX}").write_text("".join(f"{path}\n" for path in paths), encoding="utf-8")


def read_package_list(d: DataSmart, package: str) -> list[str]:
    """The paths of ${PKGD} that ``package`` ships, as do_package recorded them; none for a
    package the recipe does not make (``nopackages``: PACKAGES is empty).

    A task that runs after do_package could have rewritten the lists (they are in its work
    directory): a list is read only as a regular file in a real directory, and each path must
    lie inside ${PKGD} (:func:`entry_inside`), or the image would take ``../../etc/shadow`` in.
    """
    pn, workdir = d.getVar("PN"), Path(d.getVar("WORKDIR"))
    lists = real_directory(Path(d.getVar("PKGMANIFESTDIR")), workdir, create=False)
    pkgd = real_directory(Path(d.getVar("PKGD")), workdir, create=False)  # a link there would make any path "inside"
    if not lists.is_dir():
        raise BuildError(f"recipe {pn}: no package lists in {lists}: run its do_package again")
    path = lists / f"{package}{LIST_SUFFIX}"
    if not os.path.lexists(path):
        return []
    try:
        paths = read_regular(path, LIST_LIMIT).decode("utf-8", "replace").splitlines()
    except OSError as error:
        raise BuildError(f"recipe {pn}: its package list {path} cannot be read: {error.strerror}; "
                         "run its do_package again") from None
    outside = [line for line in paths if entry_inside(pkgd, line) is None]
    if outside:
        raise BuildError(f"recipe {pn}: its package list {path} names paths outside {pkgd}: "
                         f"{', '.join(repr(line) for line in outside[:5])}; a task changed it after do_package")
    return paths
