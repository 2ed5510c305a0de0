"""lxml and Pillow cross-built for a Raspberry Pi 4 against the target sysroot's C libraries.

Both build in one command in the session's shared build directory. lxml links libxml2, libxslt
and libexslt of the arm64 sysroot (found through the machine's pkg-config wrapper, not the build
machine's xml2-config); Pillow links the sysroot's libjpeg-turbo and zlib (its setup.py's own
search of the build machine's library directories is off). Each recipe's do_test has already
parsed XML, run XPath and XSLT, or encoded and decoded JPEG and PNG under qemu-user with the
target's CPython; the test reads those logs and checks the extension modules are AArch64 objects
with the target's suffix whose DT_NEEDED name the sysroot's libraries.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cross_support import (
    DISTRO,
    SITE,
    SUFFIX,
    assert_aarch64_module,
    build_for_raspberrypi4,
    do_test_lines,
    needed_libraries,
)

#: The zlib of the distro's sysroot, which Pillow reports at run time.
ZLIB = {"debian-bookworm": "1.2.13", "debian-trixie": "1.3.1"}[DISTRO]

#: recipe -> (version, its main C extension in site-packages, libraries it must link,
#: how the line its PYTHON_TEST_CODE prints starts)
RECIPES = {
    "lxml": ("6.1.3", "lxml/etree", {"libxml2.so.2", "libxslt.so.1", "libexslt.so.0"},
             "lxml 6.1.3 libxml2 2.9.14 libxslt 1.1.35 etree" + SUFFIX),
    "pillow": ("12.3.0", "PIL/_imaging", {"libjpeg.so.62", "libz.so.1"},
               f"pillow 12.3.0 libjpeg-turbo 2.1.5 zlib {ZLIB} _imaging" + SUFFIX),
}


@pytest.fixture(scope="module")
def built(cross_build_dir: Path) -> Path:
    return build_for_raspberrypi4(cross_build_dir, *RECIPES)


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_do_test_ran_the_package_under_qemu(built: Path, recipe: str) -> None:
    version, _, _, expected = RECIPES[recipe]
    lines = do_test_lines(built, recipe, version)
    assert expected in lines, lines


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_extensions_are_aarch64_with_the_target_suffix(built: Path, recipe: str) -> None:
    _, module, _, _ = RECIPES[recipe]
    package = (built / "image" / SITE / module).parent
    modules = sorted(package.glob("*.so"))
    assert modules, f"no extension modules in {package}"
    for so in modules:
        assert so.name.endswith(SUFFIX), so.name
        assert_aarch64_module(so)


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_extension_links_the_sysroot_libraries(built: Path, recipe: str) -> None:
    _, module, libraries, _ = RECIPES[recipe]
    found = needed_libraries(built / "image" / SITE / (module + SUFFIX))
    assert libraries <= found, found
