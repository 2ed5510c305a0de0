"""Rust cross builds from Debian's toolchain packages: std for the target, and a real PyO3 package.

Everything is provisioned by pyrecipe itself (Debian's rustc-web/cargo-web of the distro's
release, on the build machine for bookworm and in the build root for trixie; the target's
libstd-rust-web-dev of the same version in a private Rust sysroot); results run under qemu-user
with the target's own libraries and CPython.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from cross_support import DISTRO, MACHINE, SITE, SUFFIX, assert_aarch64_module, build_for_raspberrypi4, run_on_board
from pyrecipe.errors import InputError
from pyrecipe.toolchain import load_machine
from pyrecipe.toolchain.buildroot import MANIFEST_NAME
from pyrecipe.toolchain.provision import provision
from pyrecipe.toolchain.rust import (
    RUST_HOST_PACKAGES,
    RUST_STD_PACKAGE,
    ensure_rust_toolchain,
    installed_version,
    rust_build_root,
)

FIXTURE = Path(__file__).parents[1] / "fixtures" / "rust_hello"


def test_target_std_from_debian_builds_a_program_that_runs_under_qemu(cross_build_dir: Path, tmp_path: Path) -> None:
    machine = load_machine(MACHINE, distro=DISTRO)
    sysroot = provision(machine, cross_build_dir).sysroot  # and the distro's build root, where it has one
    rust = ensure_rust_toolchain(machine, cross_build_dir)
    assert rust.sysroot is not None and (rust.sysroot / "lib" / "rustlib" / machine.rust_target / "lib").is_dir()
    source = shutil.copytree(FIXTURE, tmp_path / "src")
    triple = machine.rust_target.upper().replace("-", "_")
    env = {
        **os.environ, **rust.env(), "CARGO_HOME": str(tmp_path / "cargo_home"),
        "PATH": f"{rust.bin_dir}:{os.environ['PATH']}",
        f"CARGO_TARGET_{triple}_LINKER": machine.tool("gcc"),
        f"CARGO_TARGET_{triple}_RUSTFLAGS": " ".join([*rust.target_rustflags, "-C", f"link-arg=--sysroot={sysroot}"]),
    }
    argv = [str(rust.bin_dir / "cargo"), "build", "--release", "--target", machine.rust_target]
    root = rust_build_root(machine, cross_build_dir)
    if root is not None:
        # The distro's rustc is the root's: cargo runs there, as the recipes' tasks do.
        argv = root.command(argv, source, writable=[cross_build_dir, tmp_path])
    build = subprocess.run(argv, cwd=source, env=env, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-4000:]
    program = source / "target" / machine.rust_target / "release" / "rust_hello"
    with open(program, "rb") as handle:
        assert ELFFile(handle).header["e_machine"] == "EM_AARCH64"
    run = subprocess.run([machine.qemu_user, "-L", str(sysroot), str(program)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["aarch64", str(sum(n * n for n in range(1, 101)))]


def test_rust_toolchain_is_cached_and_its_std_is_the_rustc_version(cross_build_dir: Path) -> None:
    machine = load_machine(MACHINE, distro=DISTRO)
    provision(machine, cross_build_dir)
    first = ensure_rust_toolchain(machine, cross_build_dir)
    stamp = first.sysroot / ".pyrecipe-rust.json"
    before = stamp.stat().st_mtime_ns
    assert ensure_rust_toolchain(machine, cross_build_dir) == first
    assert stamp.stat().st_mtime_ns == before
    # The std's Debian version is the one of the rustc that compiles (the build machine's, or the root's).
    root = rust_build_root(machine, cross_build_dir)
    where = None if root is None else root.path
    assert json.loads(stamp.read_text())["version"] == installed_version(RUST_HOST_PACKAGES[0], where)
    assert installed_version(RUST_STD_PACKAGE, where) == installed_version(RUST_HOST_PACKAGES[0], where)


def test_a_build_root_without_rust_is_refused_naming_the_variable(tmp_path: Path) -> None:
    machine = load_machine(MACHINE, distro="debian-trixie")
    root = rust_build_root(machine, tmp_path)
    assert root is not None
    root.path.mkdir(parents=True)
    without_rust = [p for p in machine.build_root_packages if p not in RUST_HOST_PACKAGES]
    assert len(without_rust) == len(machine.build_root_packages) - len(RUST_HOST_PACKAGES)
    (root.path / MANIFEST_NAME).write_text(json.dumps({"suite": "trixie", "packages": without_rust}))
    with pytest.raises(InputError, match=r"distro 'debian-trixie': its build root has no rustc-web cargo-web, .*BUILD_ROOT_PACKAGES"):
        ensure_rust_toolchain(machine, tmp_path)


@pytest.fixture(scope="module")
def orjson_image(cross_build_dir: Path) -> Path:
    """orjson (maturin, PyO3 FFI, crates vendored in its sdist) built by `pyrecipe build`; do_test runs under qemu."""
    return build_for_raspberrypi4(cross_build_dir, "orjson") / "image"


def test_orjson_extension_is_aarch64(orjson_image: Path) -> None:
    [so] = (orjson_image / SITE / "orjson").glob("orjson*.so")
    assert so.name == "orjson" + SUFFIX
    assert_aarch64_module(so)
    assert list((orjson_image / SITE).glob("orjson-3.13.0.dist-info/WHEEL"))


def test_orjson_round_trips_on_the_emulated_board(orjson_image: Path, cross_build_dir: Path) -> None:
    code = (
        "import orjson, platform; raw = orjson.dumps({'n': list(range(5)), 'f': 0.1}); "
        "print(platform.machine(), raw.decode(), sum(orjson.loads(raw)['n']))"
    )
    assert run_on_board(cross_build_dir, code).split() == ["aarch64", '{"n":[0,1,2,3,4],"f":0.1}', "10"]
