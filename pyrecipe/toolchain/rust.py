"""A Rust cross toolchain from Debian packages: the release's rustc/cargo and the target's std.

No rustup and no static.rust-lang.org: Debian ships a current Rust as ``rustc-web`` /
``cargo-web`` in bookworm (bookworm-security carries the newest, 1.96 at the time of writing)
and in trixie (1.96 in a point release; plain ``rustc`` there is 1.85, older than orjson needs).
Where the tasks run on the build machine (bookworm) they are installed into it like the cross
compilers; a distro with a build root (trixie) has them in that root (``BUILD_ROOT_PACKAGES``),
and ``/usr/bin/rustc`` inside the root is the release's own. The standard library for the target
is Debian's ``libstd-rust-web-dev`` of the target architecture, of the *same* Debian version as
that rustc (rlib metadata only loads into the very compiler version that wrote it): from the
build machine's apt sources for the host's rustc, from the distro's suite for the root's. It is
never installed: its ``usr/lib/rustlib/<target>`` is unpacked into a private Rust sysroot under
the build directory, and rustc is pointed at it with ``--sysroot`` for target crates only (cargo
does not pass target rustflags to build scripts and proc macros, which keep using the std of the
rustc's own machine under ``/usr/lib/rustlib``).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.errors import BuildError, InputError
from pyrecipe.fsutil import building_dir
from pyrecipe.toolchain.buildroot import BUILD_ROOT_NAME, MMDEBSTRAP_PROVIDER, BuildRoot
from pyrecipe.toolchain.debian_apt import PrivateApt, SuiteApt
from pyrecipe.toolchain.host_tools import ensure_host_packages
from pyrecipe.toolchain.machine import Machine, distro_build_dir
from pyrecipe.toolchain.sysroot import _unpack as unpack_debs  # parallel dpkg-deb -x

#: Debian's current Rust for bookworm and trixie (plain ``rustc`` is 1.63 and 1.85 there: too old
#: for PyO3 on bookworm, for orjson on trixie).
RUST_HOST_PACKAGES = ("rustc-web", "cargo-web")
#: The package whose ``usr/lib/rustlib/<triple>`` is the standard library of one architecture.
RUST_STD_PACKAGE = "libstd-rust-web-dev"
#: Where Debian's rustc-web installs its binaries (rustup's, earlier on PATH, must not be used);
#: inside a build root the same path is the root's.
DEBIAN_RUST_BINDIR = Path("/usr/bin")
#: Written last into a finished Rust sysroot: the std package's version and target.
STAMP_NAME = ".pyrecipe-rust.json"


@dataclass(frozen=True)
class RustToolchain:
    """Debian's rustc/cargo and a Rust sysroot holding the target's standard library."""

    target: str  # the Rust target triple, aarch64-unknown-linux-gnu
    sysroot: Path | None  # None when the target is the build machine's own triple
    bin_dir: Path  # holds only ``rustc`` and ``cargo``: put it first on PATH

    @property
    def target_rustflags(self) -> list[str]:
        """Flags for target crates only (cargo's ``target.<triple>.rustflags``)."""
        return [] if self.sysroot is None else [f"--sysroot={self.sysroot}"]

    def env(self) -> dict[str, str]:
        """What a cargo build adds to the cross environment (PATH is the caller's to prepend)."""
        return {"RUSTC": str(self.bin_dir / "rustc"), "CARGO": str(self.bin_dir / "cargo"), "CARGO_NET_OFFLINE": "true"}


def host_rust_triple() -> str:
    """The build machine's Rust triple (Debian builds are GNU/Linux: x86_64-unknown-linux-gnu)."""
    return f"{platform.machine()}-unknown-linux-gnu"


def rust_toolchain(machine: Machine, build_dir: Path) -> RustToolchain:
    """Where :func:`ensure_rust_toolchain` puts ``machine``'s Rust under ``build_dir`` (nothing is done)."""
    rust_dir = machine.build_dir(build_dir) / "rust"
    sysroot = None if machine.rust_target == host_rust_triple() else rust_dir / "sysroot"
    return RustToolchain(machine.rust_target, sysroot, rust_dir / "bin")


def installed_version(package: str, root: Path | None = None) -> str:
    """The Debian version of ``package`` installed on the build machine, or in the build ``root``."""
    admindir = [] if root is None else [f"--admindir={root / 'var' / 'lib' / 'dpkg'}"]
    return _run(["dpkg-query", *admindir, "-W", "-f=${Version}", package]).strip()


def rust_build_root(machine: Machine, build_dir: Path) -> BuildRoot | None:
    """The build root whose rustc compiles ``machine``'s crates, or None: the build machine's."""
    if machine.build_root_provider != MMDEBSTRAP_PROVIDER:
        return None
    return BuildRoot(distro_build_dir(build_dir, machine.distro) / BUILD_ROOT_NAME)


def _check_root_has_rust(machine: Machine, root: BuildRoot) -> None:
    """The root was made with the release's Rust (provisioning makes it before any task runs)."""
    have = root.packages()
    if not have:
        raise BuildError(f"the {machine.distro} build root {root.path} is missing or incomplete: provision it first")
    missing = [package for package in RUST_HOST_PACKAGES if package not in have]
    if missing:
        raise InputError(f"distro {machine.distro!r}: its build root has no {' '.join(missing)}, which Rust recipes "
                         "compile with; add them to BUILD_ROOT_PACKAGES")


def _run(argv: list[str]) -> str:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildError(f"{' '.join(argv)} failed: {result.stderr.strip() or result.stdout.strip()}")
    return result.stdout


def _read_stamp(sysroot: Path) -> dict[str, str] | None:
    try:
        return json.loads((sysroot / STAMP_NAME).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _link_bin_dir(bin_dir: Path) -> None:
    """A directory with only rustc and cargo, linked to Debian's (atomically replaced)."""
    if all((bin_dir / tool).resolve() == DEBIAN_RUST_BINDIR / tool for tool in ("rustc", "cargo")):
        return
    with building_dir(bin_dir) as tmp:
        for tool in ("rustc", "cargo"):
            (tmp / tool).symlink_to(DEBIAN_RUST_BINDIR / tool)


def _unpack_target_std(deb: Path, target: str, sysroot: Path, stamp: dict[str, str]) -> None:
    """Unpack the std .deb and keep only ``lib/rustlib/<target>``; renamed into place when complete."""
    with building_dir(sysroot) as tmp:
        scratch = tmp / "deb"
        unpack_debs([deb], scratch)
        rustlib = scratch / "usr" / "lib" / "rustlib" / target
        if not (rustlib / "lib").is_dir():
            raise BuildError(f"{deb.name} has no usr/lib/rustlib/{target}/lib: it is not the std of {target}")
        (tmp / "lib" / "rustlib").mkdir(parents=True)
        os.rename(rustlib, tmp / "lib" / "rustlib" / target)
        shutil.rmtree(scratch)
        (tmp / STAMP_NAME).write_text(json.dumps(stamp, indent=1))


def _std_apt(machine: Machine, build_dir: Path, root: BuildRoot | None) -> PrivateApt:
    """The apt that has the target std of the version of the rustc that compiles.

    The build machine's rustc came from its own apt sources (security updates included), whatever
    suite the machine's distro targets; a root's came from the distro's suite, whose private apt
    is the target sysroot's (same directory: its lists are fresh already).
    """
    downloads = Path(build_dir).absolute() / "downloads" / "debian"
    if root is None:
        return PrivateApt(machine.debian_arch, downloads / f"host-{machine.debian_arch}")
    return SuiteApt(machine.debian_arch, downloads / f"{machine.debian_suite}-{machine.debian_arch}",
                    suite=machine.debian_suite, mirror=machine.debian_mirror)


def ensure_rust_toolchain(machine: Machine, build_dir: Path) -> RustToolchain:
    """Debian's Rust where the tasks run and the machine's std under ``build_dir``; cached.

    The tasks run on the build machine (its rustc-web is installed here) or in the distro's build
    root (whose rustc-web came with the root). The target std is pinned to the version installed
    there: a rustc of another version rejects the rlibs ("compiled by an incompatible version
    of rustc").
    """
    toolchain = rust_toolchain(machine, build_dir)
    root = rust_build_root(machine, build_dir)
    if root is None:
        ensure_host_packages(RUST_HOST_PACKAGES)
    else:
        _check_root_has_rust(machine, root)
    _link_bin_dir(toolchain.bin_dir)
    if toolchain.sysroot is None:
        return toolchain
    version = installed_version(RUST_STD_PACKAGE, None if root is None else root.path)
    stamp = {"package": RUST_STD_PACKAGE, "version": version, "target": machine.rust_target}
    if _read_stamp(toolchain.sysroot) != stamp:
        apt = _std_apt(machine, build_dir, root)
        debs = apt.fetch([f"{RUST_STD_PACKAGE}={version}"])
        wanted = [deb for deb in debs if deb.name.startswith(f"{RUST_STD_PACKAGE}_")]
        if not wanted:
            raise BuildError(f"apt resolved no {RUST_STD_PACKAGE}:{machine.debian_arch} {version}")
        _unpack_target_std(wanted[0], machine.rust_target, toolchain.sysroot, stamp)
    return toolchain
