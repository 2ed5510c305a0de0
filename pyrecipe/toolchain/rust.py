"""A Rust cross toolchain from Debian packages: the build machine's rustc/cargo and the target's std.

No rustup and no static.rust-lang.org: Debian bookworm ships a current Rust as ``rustc-web`` /
``cargo-web`` (bookworm-security carries the newest, 1.96 at the time of writing), installed
into the build machine like the cross compilers. The standard library for the target is
Debian's ``libstd-rust-web-dev`` of the target architecture, built by the *same* Debian
version of rustc (rlib metadata only loads into the very compiler version that wrote it). It
is never installed: its ``usr/lib/rustlib/<target>`` is unpacked into a private Rust sysroot
under the build directory, and rustc is pointed at it with ``--sysroot`` for target crates only
(cargo does not pass target rustflags to build scripts and proc macros, which keep using the
build machine's std under ``/usr/lib/rustlib``).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.fsutil import building_dir
from pyrecipe.errors import BuildError
from pyrecipe.toolchain.debian_apt import PrivateApt
from pyrecipe.toolchain.host_tools import ensure_host_packages
from pyrecipe.toolchain.machine import Machine
from pyrecipe.toolchain.sysroot import _unpack as unpack_debs  # parallel dpkg-deb -x

#: Debian's current Rust for bookworm (plain ``rustc`` there is 1.63: too old for PyO3).
RUST_HOST_PACKAGES = ("rustc-web", "cargo-web")
#: The package whose ``usr/lib/rustlib/<triple>`` is the standard library of one architecture.
RUST_STD_PACKAGE = "libstd-rust-web-dev"
#: Where Debian's rustc-web installs its binaries (rustup's, earlier on PATH, must not be used).
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


def installed_version(package: str) -> str:
    """The Debian version of ``package`` installed on the build machine."""
    return _run(["dpkg-query", "-W", "-f=${Version}", package]).strip()


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


def ensure_rust_toolchain(machine: Machine, build_dir: Path) -> RustToolchain:
    """Debian's Rust on the build machine and the machine's std under ``build_dir``; cached.

    The target std is pinned to the build machine's installed version: a rustc of another
    version rejects the rlibs ("compiled by an incompatible version of rustc").
    """
    toolchain = rust_toolchain(machine, build_dir)
    ensure_host_packages(RUST_HOST_PACKAGES)
    _link_bin_dir(toolchain.bin_dir)
    if toolchain.sysroot is None:
        return toolchain
    version = installed_version(RUST_STD_PACKAGE)
    stamp = {"package": RUST_STD_PACKAGE, "version": version, "target": machine.rust_target}
    if _read_stamp(toolchain.sysroot) != stamp:
        # The std comes from where the build machine's rustc came from (its own apt sources,
        # security updates included), whatever suite the machine's distro targets.
        apt = PrivateApt(machine.debian_arch, Path(build_dir).absolute() / "downloads" / "debian" / f"host-{machine.debian_arch}")
        debs = apt.fetch([f"{RUST_STD_PACKAGE}={version}"])
        wanted = [deb for deb in debs if deb.name.startswith(f"{RUST_STD_PACKAGE}_")]
        if not wanted:
            raise BuildError(f"apt resolved no {RUST_STD_PACKAGE}:{machine.debian_arch} {version}")
        _unpack_target_std(wanted[0], machine.rust_target, toolchain.sysroot, stamp)
    return toolchain
