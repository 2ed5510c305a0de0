"""A recipe generated from an sdist fetches crates only when its build compiles Rust: decided by
the build backend and ``[build-system] requires`` (maturin, setuptools-rust), not by a Cargo.lock
in the sdist. The escape (issue 26): zstandard's sdist carries a Cargo.lock and rust-ext/ for an
optional Rust backend (``setup.py --rust-backend``) that its default setuptools build never uses;
the generated recipe listed every crate of that lock and failed fetching crates it never needs.
PyPI is our own (tests/pypi_support.py), served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from http_support import serve_directory
from pypi_support import publish, sdist
from pyrecipe.recipetool import pypi_resolve

CARGO_LOCK = (
    'version = 4\n'
    '[[package]]\nname = "libc"\nversion = "0.2.170"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n'
    f'checksum = "{"c" * 64}"\n'
    '[[package]]\nname = "zstd-sys"\nversion = "2.0.15+zstd.1.5.7"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n'
    f'checksum = "{"d" * 64}"\n'
)


def rusty_sdist(name: str, requires: str, backend: str) -> tuple[str, dict[str, str]]:
    """An sdist shaped as zstandard's: C extension, and a Cargo.lock with rust-ext/ beside it."""
    return name, {
        "pyproject.toml": f'[build-system]\nrequires = [{requires}]\nbuild-backend = "{backend}"\n'
                          f'[project]\nname = "{name}"\nversion = "0.25.0"\n',
        f"{name}/__init__.py": "", "c-ext/backend_c.c": "#include <Python.h>\n",
        "Cargo.toml": f'[package]\nname = "{name}"\nversion = "0.25.0"\n', "Cargo.lock": CARGO_LOCK,
        "rust-ext/src/lib.rs": "pub fn f() {}\n",
        # orjson's build.rs before the layer's patch; a vendored crate's build script is the crate's own business
        "build.rs": 'fn main() {\n    #[cfg(all(target_arch = "x86_64", not(target_os = "macos")))]\n'
                    '    println!("cargo:rustc-cfg=feature=\\"avx512\\"");\n}\n',
        "include/cargo/libc-0.2.170/build.rs": 'fn main() { if cfg!(target_os = "linux") {} }\n',
    }


@pytest.fixture
def index(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "pypi"
    with serve_directory(root) as url:
        for name, files in (
            rusty_sdist("optrust", '"setuptools>=77", "cffi"', "setuptools.build_meta"),
            rusty_sdist("setuprust", '"setuptools", "setuptools-rust>=1.5"', "setuptools.build_meta"),
            rusty_sdist("maturinrust", '"maturin>=1.0,<2"', "maturin"),
        ):
            publish(root, url, name, [sdist(name, "0.25.0", files)])
        yield f"{url}/simple"


def generate(name: str, index: str, tmp_path: Path) -> str:
    path = pypi_resolve.generate_target_recipe(f"python3-{name}", [name], tmp_path / "generated", tmp_path / "downloads",
                                               "3.13.5", index)
    return path.read_text()


def test_a_cargo_lock_for_an_optional_rust_backend_fetches_no_crates(tmp_path: Path, index: str) -> None:
    """zstandard's shape: setuptools without setuptools-rust builds the C extension; the lock is not fetched."""
    recipe = generate("optrust", index, tmp_path)
    assert "inherit pypi python_setuptools_build_meta" in recipe
    assert "crate://" not in recipe, recipe
    assert "Rust (3 files)" in recipe  # still reported as what the sdist holds
    assert "build script" not in recipe  # nor its build scripts: they are not built


@pytest.mark.parametrize(("name", "inherit"), [("setuprust", "python_setuptools3_rust"), ("maturinrust", "python_maturin")])
def test_a_rust_backend_fetches_the_crates_of_its_lock(tmp_path: Path, index: str, name: str, inherit: str) -> None:
    """setuptools-rust in requires, or maturin as the backend: the lock's crates.io crates are the recipe's."""
    recipe = generate(name, index, tmp_path)
    assert f"inherit pypi {inherit}" in recipe
    assert "crate://crates.io/libc/0.2.170" in recipe and "crate://crates.io/zstd-sys/2.0.15+zstd.1.5.7" in recipe
    assert f'SRC_URI[libc-0.2.170.sha256sum] = "{"c" * 64}"' in recipe


def test_a_build_script_testing_the_target_by_cfg_is_named_in_the_recipe(tmp_path: Path, index: str) -> None:
    """The general cause behind orjson's "the feature named avx512vl is not valid for this target":
    a build script's cfg(target_arch) is the build machine's. The generated recipe names the sdist's
    own build.rs that does it (not a vendored crate's), so a failure on another architecture's code
    points at its cause."""
    recipe = generate("maturinrust", index, tmp_path)
    notes = [line for line in recipe.splitlines() if "in a build script" in line]
    assert notes == ["# build.rs tests cfg(target_*) in a build script: that is the build machine's (x86_64 for an aarch64 "
                     "board); if the build fails on another architecture's code, patch it to read CARGO_CFG_TARGET_ARCH"], notes
