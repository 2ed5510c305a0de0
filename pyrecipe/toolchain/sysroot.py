"""Target sysroots: the target's headers, libraries and CPython, in a directory of the build tree.

Two providers share one interface (:class:`SysrootProvider`): :class:`DebianSysroot` unpacks
Debian packages of the target architecture (resolved and fetched by a private apt), and
:class:`PathSysroot` uses a sysroot the user already has (``PYRECIPE_SYSROOT``: a Yocto SDK's
target sysroot, Buildroot's staging directory). Target packages are only ever unpacked with
``dpkg-deb -x``, never installed into the build machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.parse
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from pyrecipe.engine.notes import Note, silent
from pyrecipe.errors import BuildError, InputError
from pyrecipe.fsutil import atomic_write_text
from pyrecipe.toolchain.alternatives import apply_alternatives
from pyrecipe.toolchain.debian_apt import SuiteApt
from pyrecipe.toolchain.machine import SYSROOT_ENV, Machine
from pyrecipe.toolchain.provision_cache import SYSROOTS, ProvisionCache, copy_tree, inputs_key

#: Written last, when a sysroot is complete: what was asked for and which .debs are in it.
MANIFEST_NAME = ".pyrecipe-sysroot.json"
#: Bumped when what a sysroot holds changes meaning (2: Debian alternatives links made;
#: 3: merged-/usr links made; 4: merged before the alternatives' links, which left some
#: format-3 sysroots, cached ones too, with a ``lib`` directory).
MANIFEST_FORMAT = 4
#: The top-level directories a merged-/usr system has as links into /usr.
MERGED_USR_DIRS = ("bin", "sbin", "lib")


class SysrootProvider(Protocol):
    def ensure(self, extra_packages: Iterable[str] = (), note: Note = silent) -> Path:
        """The sysroot, with ``extra_packages`` in it; provisioned if need be (said through ``note``)."""
        ...


def fix_absolute_symlinks(root: Path) -> int:
    """Rewrite symlinks inside ``root`` whose target is absolute to relative ones within ``root``.

    Debian packages carry links like ``usr/lib/<triplet>/libm.so -> /lib/<triplet>/libm.so.6``;
    in a sysroot those must resolve to the sysroot's file, not the build machine's.
    Returns how many links were rewritten.
    """
    fixed = 0
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            link = Path(dirpath, name)
            if not link.is_symlink():
                continue
            target = os.readlink(link)
            if not target.startswith("/"):
                continue
            inside = root / target.lstrip("/")
            link.unlink()
            link.symlink_to(os.path.relpath(inside, link.parent))
            fixed += 1
    return fixed


def merge_usr(root: Path) -> None:
    """``bin``, ``sbin`` and ``lib`` as links into ``usr``, as on a merged-/usr system, where no
    package ships them (trixie's packages put everything under /usr; its libc.so linker script
    still names /lib/<triplet>/libc.so.6). A directory a package made (bookworm's) stays."""
    for name in MERGED_USR_DIRS:
        if not (root / name).exists() and not (root / name).is_symlink() and (root / "usr" / name).is_dir():
            (root / name).symlink_to(f"usr/{name}")


def _unpack(debs: list[Path], dest: Path) -> None:
    def one(deb: Path) -> None:
        result = subprocess.run(["dpkg-deb", "-x", str(deb), str(dest)], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BuildError(f"dpkg-deb -x {deb} failed: {result.stderr.strip()}")

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(one, debs))


def unpack_debs(debs: list[Path], root: Path) -> None:
    """A new sysroot ``root`` from ``debs``: unpacked, /usr merged, then the alternatives' links.

    The merge comes before the links: cpp's postinst registers ``/lib/cpp``, and that link made
    first turned ``lib`` into a directory, which the merge then kept, so the trixie sysroot had no
    ``/lib/ld-linux-aarch64.so.1``: nothing linked and qemu started nothing."""
    _unpack(debs, root)
    merge_usr(root)
    apply_alternatives(debs, root)
    fix_absolute_symlinks(root)


def read_manifest(root: Path) -> dict[str, list[str]] | None:
    """The manifest of the sysroot ``root``, or None when it is incomplete or not one."""
    try:
        return json.loads((root / MANIFEST_NAME).read_text())
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return None


def package_versions(root: Path) -> dict[str, str]:
    """Each Debian package unpacked into the sysroot ``root``, with its version (from the .deb
    names of its manifest: ``libyaml-dev_0.2.5-2_arm64.deb``); empty for a sysroot pyrecipe did
    not make (a path, an SDK)."""
    manifest = read_manifest(root) or {}
    versions = {}
    for deb in manifest.get("debs", []):
        package, version, _ = deb.split("_", 2)
        versions[package] = urllib.parse.unquote(version)
    return versions


def requested_packages(root: Path) -> set[str]:
    """The packages a complete sysroot of this pyrecipe's format was asked to hold (empty otherwise)."""
    manifest = read_manifest(root)
    return set(manifest["requested"]) if manifest and manifest.get("format") == MANIFEST_FORMAT else set()


class DebianSysroot:
    """A sysroot unpacked from Debian packages of the machine's architecture and suite."""

    def __init__(self, machine: Machine, build_dir: Path) -> None:
        self.machine = machine
        self.path = machine.build_dir(build_dir) / "sysroot"
        self.apt = SuiteApt(
            machine.debian_arch,
            (build_dir / "downloads" / "debian" / f"{machine.debian_suite}-{machine.debian_arch}").absolute(),
            suite=machine.debian_suite, mirror=machine.debian_mirror,
        )
        self.cache = ProvisionCache(machine.provision_cache_dir) if machine.provision_cache_dir else None
        #: What a cached sysroot must match besides its packages: release, architecture, archive, format.
        self.cache_prefix = f"{machine.debian_suite}-{machine.debian_arch}-{inputs_key(machine.debian_mirror, MANIFEST_FORMAT)}"

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST_NAME

    def _manifest(self) -> dict[str, list[str]] | None:
        return read_manifest(self.path)

    def ensure(self, extra_packages: Iterable[str] = (), note: Note = silent) -> Path:
        wanted = list(dict.fromkeys([*self.machine.sysroot_packages, *extra_packages]))
        manifest = self._manifest()
        if manifest is not None and manifest.get("format") != MANIFEST_FORMAT:
            manifest = None  # made by an older pyrecipe (no alternatives links): unpack afresh
        if manifest is not None and set(wanted) <= set(manifest["requested"]):
            return self.path
        if manifest is None and self.cache is not None:
            cached = self.cache.smallest_holding(SYSROOTS, self.cache_prefix, wanted, requested_packages)
            if cached is not None:
                note(f"NOTE: copying the cached {self.machine.debian_arch} sysroot {cached}")
                self._replace_with(lambda scratch: copy_tree(cached, scratch, hard_links=True))
                return self.path
        requested = sorted(set(wanted) | set(manifest["requested"] if manifest else ()))
        adding = sorted(set(wanted) - set(manifest["requested"])) if manifest else requested
        note(f"NOTE: {'adding to' if manifest else 'provisioning'} the {self.machine.debian_arch} sysroot {self.path}: "
             f"{' '.join(adding)} (Debian {self.machine.debian_suite}, with their dependencies)")
        debs = self.apt.fetch(requested)
        if manifest is None:
            self._create(requested, debs)
        else:
            self._extend(manifest, requested, debs)
        return self.path

    def _write_manifest(self, root: Path, requested: list[str], debs: list[Path]) -> None:
        record = {"format": MANIFEST_FORMAT, "requested": requested, "debs": sorted(d.name for d in debs)}
        atomic_write_text(root / MANIFEST_NAME, json.dumps(record, indent=1))

    def _create(self, requested: list[str], debs: list[Path]) -> None:
        """Unpack everything; with a cache, keep a copy there before any recipe is staged."""
        def unpack(scratch: Path) -> None:
            unpack_debs(debs, scratch)
            self._write_manifest(scratch, requested, debs)

        self._replace_with(unpack)
        if self.cache is not None:
            self.cache.store_copy(self.path, SYSROOTS, f"{self.cache_prefix}-{inputs_key(requested)}")

    def _replace_with(self, fill: Callable[[Path], None]) -> None:
        """A sysroot ``fill`` makes in a scratch directory, renamed into place only when complete."""
        scratch = self.path.with_name(self.path.name + ".partial")
        shutil.rmtree(scratch, ignore_errors=True)
        shutil.rmtree(self.path, ignore_errors=True)  # a sysroot without a manifest is not ours
        scratch.mkdir(parents=True)
        fill(scratch)
        scratch.rename(self.path)

    def _extend(self, manifest: dict[str, list[str]], requested: list[str], debs: list[Path]) -> None:
        """Unpack only the new .debs; the manifest is rewritten last, so an interruption redoes them."""
        have = set(manifest["debs"])
        _unpack([d for d in debs if d.name not in have], self.path)
        apply_alternatives(debs, self.path)
        fix_absolute_symlinks(self.path)
        self._write_manifest(self.path, requested, [*debs, *(self.apt.archives / n for n in have)])


class PathSysroot:
    """A sysroot the user provides: used as it is, nothing downloaded or changed."""

    def __init__(self, machine: Machine) -> None:
        if machine.sysroot_path is None:
            raise InputError(f"machine {machine.name!r} uses the 'path' sysroot provider but {SYSROOT_ENV} is not set")
        self.machine = machine
        self.path = machine.sysroot_path

    def ensure(self, extra_packages: Iterable[str] = (), note: Note = silent) -> Path:
        python_lib = self.path / "usr" / "lib" / f"python{self.machine.python_version}"
        if not python_lib.is_dir():
            raise InputError(
                f"{SYSROOT_ENV}={self.path} is not a target sysroot with CPython {self.machine.python_version}: "
                f"{python_lib} is missing"
            )
        return self.path


#: ``SYSROOT_PROVIDER`` of a machine that builds with the build machine's own tools (no toolchain).
NO_SYSROOT_PROVIDER = "none"


def sysroot_provider(machine: Machine, build_dir: Path) -> SysrootProvider:
    """The provider the machine's SYSROOT_PROVIDER names."""
    if machine.sysroot_provider == "debian":
        return DebianSysroot(machine, build_dir)
    if machine.sysroot_provider in ("path", "sdk"):
        return PathSysroot(machine)
    if machine.sysroot_provider == NO_SYSROOT_PROVIDER:
        raise InputError(f"machine {machine.name!r} has SYSROOT_PROVIDER = \"none\": it has no target sysroot or toolchain")
    raise InputError(f"machine {machine.name!r}: unknown SYSROOT_PROVIDER {machine.sysroot_provider!r} (use debian, path or none)")


def ensure_sysroot(
    machine: Machine, build_dir: Path, extra_packages: Iterable[str] = (), note: Note = silent
) -> Path:
    """The machine's target sysroot under ``build_dir`` with ``extra_packages`` added (once)."""
    return sysroot_provider(machine, build_dir).ensure(extra_packages, note)
