"""bcrypt 4.2.0 cross-built for a Raspberry Pi 4: setuptools-rust (python_setuptools3_rust) running cargo for PyO3.

setuptools' PEP 517 backend builds the package and setuptools-rust runs cargo for the target
(CARGO_BUILD_TARGET) with the crates of Debian trixie's librust-*-dev packages (a directory
source, Cargo.lock resolved again offline in src/_bcrypt, the recipe's CARGO_SRC_DIR). The
recipe's do_test has hashed and derived keys through the Rust extension under qemu-user with
bcrypt's own test vectors; this test reads its line and checks the extension: AArch64, named
with the board's EXT_SUFFIX, linked to the C library only (PyO3's extension-module: no libpython).
"""

from __future__ import annotations

import re
from pathlib import Path

from cross_support import SITE, SUFFIX, assert_aarch64_module, do_test_lines, needed_libraries

RECIPE, VERSION = "bcrypt", "4.2.0"


def test_do_test_used_the_rust_extension_under_qemu(recipe_built: Path) -> None:
    lines = do_test_lines(recipe_built, RECIPE, VERSION)
    # hashpw: bcrypt's first test vector ($2b$04$cVWp4XaNU8a4v1uMRum2SO...); kdf: its first kdf
    # vector (b"password", b"salt", 4 rounds, 32 bytes).
    expected = re.compile(
        rf"bcrypt {re.escape(VERSION)} _bcrypt{re.escape(SUFFIX)} hashpw 026BWLIoQMD/TXg5 kdf 5bbf0cc293587f1c checkpw ok"
    )
    assert any(expected.fullmatch(line) for line in lines), lines


def test_rust_extension_is_aarch64_for_the_board_without_libpython(recipe_built: Path) -> None:
    package = recipe_built / "image" / SITE / "bcrypt"
    # pyproject's py-limited-api = "auto" without bdist_wheel --py-limited-api: the version's suffix, not abi3.
    assert sorted(so.name for so in package.glob("*.so")) == ["_bcrypt" + SUFFIX]
    extension = package / ("_bcrypt" + SUFFIX)
    assert_aarch64_module(extension)
    # Python's symbols come from the interpreter that loads it; Rust's std needs only libc and libgcc_s.
    needed = needed_libraries(extension)
    assert needed == {"libc.so.6", "libgcc_s.so.1", "ld-linux-aarch64.so.1"}, needed
    # No build paths in panic locations: the vendored crates are seen under /usr/src/debug.
    data = extension.read_bytes()
    assert str(recipe_built).encode() not in data
    assert b"/usr/src/debug/bcrypt/4.2.0/cargo-vendor/bcrypt-0.15.1/" in data
    assert list((recipe_built / "image" / SITE).glob(f"bcrypt-{VERSION}.dist-info/WHEEL"))
