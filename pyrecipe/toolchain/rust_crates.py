"""Rust crate sources without crates.io: Debian's ``librust-*-dev`` packages as a cargo directory source.

Each ``librust-<crate>-dev`` package holds one crate's source under
``usr/share/cargo/registry/<crate>-<version>/`` with a ``.cargo-checksum.json``: exactly the
layout of a cargo *directory source*. So a recipe names the Debian crate packages it needs (as
OpenEmbedded recipes name ``crate://`` URIs); apt resolves their dependency closure from a
Debian suite (by default a newer one than the target's: crate sources are architecture-free
source code, and bookworm's PyO3 is 0.17), ``do_fetch`` downloads the .debs into DL_DIR, and
the unpacked registry replaces crates-io in the recipe's own ``CARGO_HOME``. Debian's crate
versions are not the ones in an upstream ``Cargo.lock``, so the lock is re-resolved offline.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.atomicdir import building_dir
from pyrecipe.errors import BuildError, InputError
from pyrecipe.toolchain.debian_apt import PrivateApt
from pyrecipe.toolchain.fsutil import atomic_write_text
from pyrecipe.toolchain.sysroot import _unpack as unpack_debs  # the sysroot's parallel dpkg-deb -x

DEBIAN_MIRROR = "http://deb.debian.org/debian"
DEBIAN_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
CRATE_PACKAGE_PREFIX = "librust-"
REGISTRY_IN_PACKAGE = Path("usr/share/cargo/registry")
#: Crate packages are built for every architecture with identical contents; one is enough.
CRATE_ARCH = "amd64"


@dataclass(frozen=True)
class SuiteApt(PrivateApt):
    """A private apt that reads one Debian ``suite`` of the archive instead of the build machine's sources."""

    suite: str = "trixie"
    mirror: str = DEBIAN_MIRROR

    @property
    def sources_list(self) -> Path:
        return self.root / "sources.list"

    def _options(self) -> list[str]:
        return [*super()._options(), "-o", f"Dir::Etc::sourcelist={self.sources_list}", "-o", "Dir::Etc::sourceparts=-"]

    def _prepare(self) -> None:
        super()._prepare()
        atomic_write_text(self.sources_list, f"deb [signed-by={DEBIAN_KEYRING}] {self.mirror} {self.suite} main\n")


def crate_apt(dl_dir: Path, suite: str) -> SuiteApt:
    """The apt whose cache under DL_DIR holds ``suite``'s crate packages (shared by all recipes)."""
    return SuiteApt(CRATE_ARCH, Path(dl_dir).absolute() / "debian-crates" / suite, suite=suite)


def _closure_manifest(apt: SuiteApt, packages: list[str]) -> Path:
    """Where do_fetch records which .debs make up the closure of ``packages``."""
    key = hashlib.sha256(" ".join(sorted(packages)).encode()).hexdigest()[:16]
    return apt.root / "closures" / f"{key}.json"


def fetch_crate_debs(packages: Iterable[str], dl_dir: Path, suite: str) -> list[Path]:
    """The .debs of the crate packages ``packages`` and of every crate they depend on (cached in DL_DIR)."""
    packages = list(packages)
    bad = [p for p in packages if not p.startswith(CRATE_PACKAGE_PREFIX)]
    if bad:
        raise InputError(f"not Debian crate packages (they start with {CRATE_PACKAGE_PREFIX}): {' '.join(bad)}")
    if not packages:
        return []
    apt = crate_apt(dl_dir, suite)
    debs = sorted(deb for deb in apt.fetch(packages) if deb.name.startswith(CRATE_PACKAGE_PREFIX))
    atomic_write_text(_closure_manifest(apt, packages), json.dumps([deb.name for deb in debs], indent=0))
    return debs


def cached_crate_debs(packages: Iterable[str], dl_dir: Path, suite: str) -> list[Path]:
    """The closure's .debs as do_fetch recorded and downloaded them (no network: later tasks have none)."""
    packages = list(packages)
    apt = crate_apt(dl_dir, suite)
    try:
        names = json.loads(_closure_manifest(apt, packages).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        names = None
    paths = [apt.archives / name for name in names or ()]
    if names is None or not all(path.is_file() for path in paths):
        raise BuildError(f"the crate packages {' '.join(packages)} were not fetched: run do_fetch again")
    return paths


def vendor_crates(debs: Iterable[Path], dest: Path) -> int:
    """Make ``dest`` a cargo directory source holding the crates of ``debs``; returns the crate count."""
    debs = list(debs)
    with building_dir(dest) as tmp:
        scratch = tmp / ".debs"

        unpack_debs(debs, scratch)
        registry = scratch / REGISTRY_IN_PACKAGE
        crates = sorted(registry.iterdir()) if registry.is_dir() else []
        for crate in crates:
            os.rename(crate, tmp / crate.name)
        shutil.rmtree(scratch)
    return len(crates)


def write_cargo_config(cargo_home: Path, vendor_dir: Path | None) -> Path:
    """``CARGO_HOME/config.toml``: offline, and crates-io replaced by ``vendor_dir`` when given.

    Without ``vendor_dir`` the sources must bring their own replacement (an sdist with a
    vendored ``include/cargo`` and its ``.cargo/config.toml``, as orjson's).
    """
    lines = ["# written by pyrecipe: builds never reach crates.io", "[net]", "offline = true", ""]
    if vendor_dir is not None:
        lines += [
            "[source.crates-io]", 'replace-with = "debian-crates"', "",
            "[source.debian-crates]", f"directory = {json.dumps(str(vendor_dir))}"  # a JSON string is a TOML basic string, "",
        ]
    path = Path(cargo_home) / "config.toml"
    atomic_write_text(path, "\n".join(lines))
    return path
