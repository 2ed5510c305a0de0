"""Rust crate sources without crates.io: Debian's ``librust-*-dev`` packages as a cargo directory source.

Each ``librust-<crate>-dev`` package holds one crate's source under
``usr/share/cargo/registry/<crate>-<version>/`` with a ``.cargo-checksum.json``: exactly the
layout of a cargo *directory source*. So a recipe names the Debian crate packages it needs (as
OpenEmbedded recipes name ``crate://`` URIs); apt resolves their dependency closure from a
Debian suite (by default a newer one than the target's: crate sources are architecture-free
source code, and bookworm's PyO3 is 0.17), ``do_fetch`` downloads the .debs into DL_DIR, and
the unpacked registry replaces crates-io in the recipe's own ``CARGO_HOME``. Debian's crate
versions are not the ones in an upstream ``Cargo.lock``, so the lock is re-resolved offline.

One package may come from another suite, in apt's spelling ``librust-radium-dev/sid``: the
private apt then reads both suites, the other one pinned to -1, so that package takes the other
suite's version (apt installs one version of each package) and every other package, dependencies
included, stays in the recipe's suite.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.errors import BuildError, InputError
from pyrecipe.fsutil import atomic_write_text, building_dir
from pyrecipe.toolchain.debian_apt import SuiteApt
from pyrecipe.toolchain.sysroot import _unpack as unpack_debs  # the sysroot's parallel dpkg-deb -x

CRATE_PACKAGE_PREFIX = "librust-"
REGISTRY_IN_PACKAGE = Path("usr/share/cargo/registry")
#: Crate packages are built for every architecture with identical contents; one is enough.
CRATE_ARCH = "amd64"
#: What apt says when a closure cannot be installed because some dependency has no candidate.
UNMET_DEPENDENCY_MARKERS = ("held broken packages", "unmet dependencies")
#: ``apt-cache depends`` options: only Depends (and Pre-Depends) are followed.
_DEPENDS_ONLY = ("--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances")
_VIRTUAL_DEPENDENCY = re.compile(r"^  \|?[\w-]+: <(?P<name>[^>]+)>$")


def parse_depends_closure(text: str) -> tuple[list[str], list[str]]:
    """``apt-cache depends --recurse`` output: the real packages it reached, and the virtual ones nothing provides.

    Every package visited is an unindented line (virtual ones in ``<...>``); under it each
    dependency is a two-space line, followed by four-space lines naming the packages that
    provide it when it is virtual. A virtual dependency without such lines is unsatisfiable.
    """
    reached: set[str] = set()
    unmet: set[str] = set()
    pending = None  # a virtual dependency not yet seen provided
    for line in text.splitlines():
        if line.startswith("    "):
            pending = None
            continue
        if pending is not None:
            unmet.add(pending)
        match = _VIRTUAL_DEPENDENCY.match(line)
        pending = match.group("name") if match else None
        if line.strip() and not line.startswith((" ", "<")):
            reached.add(line.strip())
    if pending is not None:
        unmet.add(pending)
    return sorted(reached), sorted(unmet)


def crate_package_suites(packages: Iterable[str], suite: str) -> tuple[str, ...]:
    """The other suites ``packages`` take a package from (apt's ``name/suite``), checking every name.

    ``suite`` is the recipe's (CARGO_DEBIAN_SUITE); naming it again changes nothing.
    """
    bad, others = [], set()
    for package in packages:
        name, _, release = package.partition("/")
        if not name.startswith(CRATE_PACKAGE_PREFIX) or "/" in release or package.endswith("/"):
            bad.append(package)
        elif release and release != suite:
            others.add(release)
    if bad:
        raise InputError(f"not Debian crate packages (librust-NAME-dev, or librust-NAME-dev/SUITE "
                         f"for another suite's version): {' '.join(bad)}")
    return tuple(sorted(others))


@dataclass(frozen=True)
class CrateApt(SuiteApt):
    """A suite's private apt that can also fetch a crate closure apt would refuse to install."""

    def fetch_reachable(self, packages: Iterable[str]) -> tuple[list[Path], list[str]]:
        """Like :meth:`fetch`, for a suite in which the closure is not installable (a transition in sid).

        Crate packages depend on the crates of *every* optional feature, so one broken package
        deep in the graph (zip needing a typed-path that was just replaced) makes apt refuse
        all of it, although cargo needs none of those crates. Here every package the Depends
        reach (all providers of a virtual one) is downloaded and the unsatisfiable dependencies
        are returned instead of failing; cargo's resolution later says whether one mattered.
        """
        self.update()
        packages = list(packages)
        out = self._run("depends", "--recurse", *_DEPENDS_ONLY, *packages, program="apt-cache")
        reached, unmet = parse_depends_closure(out)
        # A package asked from another suite is downloaded from there, as apt-get install would.
        asked = {package.partition("/")[0]: package for package in packages}
        reached = [asked.get(name, name) for name in reached if name.startswith(CRATE_PACKAGE_PREFIX)]
        uris = self._run("download", "--print-uris", *reached)
        names = [line.split()[1] for line in uris.splitlines() if line.startswith("'")]
        missing = [name.split("_", 1)[0] for name in names if not (self.archives / name).is_file()]
        if missing:
            self._run("download", *missing, cwd=self.archives)
        paths = [self.archives / name for name in names]
        absent = [path.name for path in paths if not path.is_file()]
        if absent:
            raise BuildError(f"apt did not download {', '.join(absent)} into {self.archives}")
        return paths, unmet


def crate_apt(dl_dir: Path, suite: str, other_suites: tuple[str, ...] = ()) -> CrateApt:
    """The apt whose cache under DL_DIR holds ``suite``'s crate packages (shared by all recipes).

    With ``other_suites`` (packages asked from them) it has its own cache, ``trixie+sid``.
    """
    name = "+".join((suite, *other_suites))
    root = Path(dl_dir).absolute() / "debian-crates" / name
    return CrateApt(CRATE_ARCH, root, suite=suite, other_suites=other_suites)


def _closure_manifest(apt: CrateApt, packages: list[str]) -> Path:
    """Where do_fetch records which .debs make up the closure of ``packages``."""
    key = hashlib.sha256(" ".join(sorted(packages)).encode()).hexdigest()[:16]
    return apt.root / "closures" / f"{key}.json"


def fetch_crate_debs(
    packages: Iterable[str], dl_dir: Path, suite: str, note: Callable[[str], None] | None = None,
) -> list[Path]:
    """The .debs of the crate packages ``packages`` and of every crate they depend on (cached in DL_DIR).

    apt resolves the closure; when the suite's closure is not installable, every package the
    dependencies reach is taken instead and ``note`` is told which dependencies nothing provides.
    """
    packages = list(packages)
    other_suites = crate_package_suites(packages, suite)
    if not packages:
        return []
    apt = crate_apt(dl_dir, suite, other_suites)
    try:
        fetched = apt.fetch(packages)
    except BuildError as exc:
        if not any(marker in str(exc) for marker in UNMET_DEPENDENCY_MARKERS):
            raise
        fetched, unmet = apt.fetch_reachable(packages)
        if note is not None:
            note(f"NOTE: the {suite} closure of {' '.join(packages)} is not installable; took every crate package "
                 f"its dependencies reach (unsatisfiable there: {' '.join(unmet) or 'none'})")
    debs = sorted(deb for deb in fetched if deb.name.startswith(CRATE_PACKAGE_PREFIX))
    atomic_write_text(_closure_manifest(apt, packages), json.dumps([deb.name for deb in debs], indent=0))
    return debs


def cached_crate_debs(packages: Iterable[str], dl_dir: Path, suite: str) -> list[Path]:
    """The closure's .debs as do_fetch recorded and downloaded them (no network: later tasks have none)."""
    packages = list(packages)
    apt = crate_apt(dl_dir, suite, crate_package_suites(packages, suite))
    try:
        names = json.loads(_closure_manifest(apt, packages).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        names = None
    paths = [apt.archives / name for name in names or ()]
    if names is None or not all(path.is_file() for path in paths):
        raise BuildError(f"the crate packages {' '.join(packages)} were not fetched: run do_fetch again")
    return paths


def vendor_crates(debs: Iterable[Path], dest: Path, crate_dirs: Iterable[Path] = ()) -> int:
    """Make ``dest`` a cargo directory source holding the crates of ``debs`` and the unpacked crates
    ``crate_dirs`` (``crate://`` entries, each NAME-VERSION/ with its ``.cargo-checksum.json``),
    which win over a Debian crate of the same name and version; returns the crate count."""
    debs, crate_dirs = list(debs), list(crate_dirs)
    with building_dir(dest) as tmp:
        crates: list[Path] = []
        if debs:
            scratch = tmp / ".debs"
            unpack_debs(debs, scratch)
            registry = scratch / REGISTRY_IN_PACKAGE
            crates = sorted(registry.iterdir()) if registry.is_dir() else []
            for crate in crates:
                os.rename(crate, tmp / crate.name)
            shutil.rmtree(scratch)
        for crate in crate_dirs:
            if (tmp / crate.name).exists():
                shutil.rmtree(tmp / crate.name)
            shutil.copytree(crate, tmp / crate.name, symlinks=True, copy_function=_link_or_copy)
    return len({crate.name for crate in [*crates, *crate_dirs]})


def _link_or_copy(source: str, dest: str) -> None:
    """Crate files are only read: a hard link where the file system allows one, else a copy."""
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)


def write_cargo_config(cargo_home: Path, vendor_dir: Path | None) -> Path:
    """``CARGO_HOME/config.toml``: offline, and crates-io replaced by ``vendor_dir`` when given.

    Without ``vendor_dir`` the sources must bring their own replacement (an sdist with a
    vendored ``include/cargo`` and its ``.cargo/config.toml``, as orjson's).
    """
    lines = ["# written by pyrecipe: builds never reach crates.io", "[net]", "offline = true", ""]
    if vendor_dir is not None:
        # json.dumps: a JSON string is a valid TOML basic string. "bitbake" is OpenEmbedded's name
        # of the same replacement (cargo_common.bbclass).
        lines += [
            "[source.crates-io]", 'replace-with = "bitbake"', "",
            "[source.bitbake]", f"directory = {json.dumps(str(vendor_dir))}", "",
        ]
    path = Path(cargo_home) / "config.toml"
    atomic_write_text(path, "\n".join(lines))
    return path
