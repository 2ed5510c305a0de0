"""pydantic-core 2.27.2 cross-built for a Raspberry Pi 4: PyO3 (maturin) on Debian trixie's crates.

The crates come from Debian trixie's librust-*-dev packages, except radium, taken from sid
(``librust-radium-dev/sid`` in CARGO_DEBIAN_CRATES: trixie's 1.1.0 no longer compiles with our
rustc), as a directory source with Cargo.lock resolved again offline. The recipe's do_test has
validated a schema of ints, strings, a list and a nested typed dict through the compiled
extension under qemu, and counted the errors of an invalid input; this test reads its line and
checks the extension is an AArch64 module of the distro's CPython.
"""

from __future__ import annotations

from pathlib import Path

from cross_support import SITE, SUFFIX, assert_aarch64_module, do_test_lines

RECIPE, VERSION = "pydantic-core", "2.27.2"


def test_do_test_validated_through_the_extension_under_qemu(recipe_built: Path) -> None:
    lines = do_test_lines(recipe_built, RECIPE, VERSION)
    expected = (
        f"pydantic_core {VERSION} _pydantic_core{SUFFIX} valid 42 pi4 ['arm', 'rust'] 7 "
        "errors 5 greater_than int_parsing missing string_too_long string_type"
    )
    assert expected in lines, lines


def test_extension_is_an_aarch64_module_of_the_targets_cpython(recipe_built: Path) -> None:
    package = recipe_built / "image" / SITE / "pydantic_core"
    assert sorted(so.name for so in package.glob("*.so")) == [f"_pydantic_core{SUFFIX}"]
    assert_aarch64_module(package / f"_pydantic_core{SUFFIX}")
    assert list((recipe_built / "image" / SITE).glob(f"pydantic_core-{VERSION}.dist-info/WHEEL"))
