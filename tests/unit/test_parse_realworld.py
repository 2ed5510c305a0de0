"""meta-python-style recipes (tests/fixtures/layers/meta-test) parse to the values bitbake gives.

Bare: the layer's own small stand-in classes, found through --bbpath. Full: pyrecipe's
configuration (bitbake.conf, base, the project's classes earlier on BBPATH) and machine testboard.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from parse_support import META_TEST
from pyrecipe.config.configuration import DEFAULT_DISTRO, Settings, load_configuration
from pyrecipe.parse import DataSmart, parse_recipe

EXAMPLE = META_TEST / "recipes-devtools" / "python-example" / "python3-example_1.2.3.bb"
EXAMPLE_APPEND = META_TEST / "recipes-devtools" / "python-example" / "python3-example_%.bbappend"
FASTMATH = META_TEST / "recipes-devtools" / "python-fastmath" / "python3-fastmath_2.0.1.bb"


def bare(recipe: Path, appends: tuple[Path, ...] = ()) -> dict[str, DataSmart]:
    return parse_recipe(recipe, appends=appends, bbpath=[META_TEST])


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> DataSmart:
    build = tmp_path_factory.mktemp("build")
    return load_configuration(Settings(build_dir=build, machine="testboard", layers=(META_TEST,)))


# ------------------------------------------------------------------ bare
def test_setuptools_recipe_bare() -> None:
    variants = bare(EXAMPLE)
    d = variants[""]
    assert d.getVar("PYPI_PACKAGE") == "example_pkg"
    assert d.getVar("SRC_URI") == "https://files.pythonhosted.org/packages/source/e/example_pkg/example_pkg-1.2.3.tar.gz "
    assert d.getVarFlag("SRC_URI", "sha256sum") == "5b1e4c2f8a3a7a0f4b9c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a"
    assert d.getVar("LIC_FILES_CHKSUM") == "file://LICENSE;md5=0f7d8be3e4e0a4e1c5d2b1a2c3d4e5f6"
    assert d.getVar("DESCRIPTION") == "Example package used by the parser tests; written in the style of meta-python."
    assert d.getVar("HOMEPAGE") == "https://example.org/example"  # the recipe's, not the class's ?= default
    assert d.getVar("S") == "${WORKDIR}/example_pkg-1.2.3"  # WORKDIR is unknown in a bare parse
    assert d.getVar("DEPENDS") == "python3-setuptools-native python3-wheel-native"  # normalised, as bitbake
    # No OVERRIDES in a bare parse: the :class-target append does not apply.
    assert d.getVar("RDEPENDS:python3-example") == "     python3-core     python3-json "
    assert d.getVar("do_compile", False) == "    # Export function set\n    python_pep517_do_compile\n"
    assert d.getVar("python_pep517_do_compile") == "\tbuild-wheel  --outdir ${WORKDIR}/dist\n"
    assert d.getVarFlag("do_compile", "cleandirs") == " ${WORKDIR}/dist"
    native = variants["native"]
    assert (native.getVar("PN"), native.getVar("BPN"), native.getVar("CLASSOVERRIDE")) == (
        "python3-example-native", "python3-example", "class-native",
    )
    assert native.getVar("PYPI_PACKAGE") == "example_pkg"
    assert native.getVar("RDEPENDS:python3-example-native") == "     python3-core     python3-json "


def test_bbappend_bare() -> None:
    d = bare(EXAMPLE, (EXAMPLE_APPEND,))[""]
    assert d.getVar("SRC_URI").split() == [
        "https://files.pythonhosted.org/packages/source/e/example_pkg/example_pkg-1.2.3.tar.gz", "file://0001-fix-build.patch",
    ]
    # := expanded THISDIR immediately: unknown in a bare parse, so it stays literal.
    assert d.getVar("FILESEXTRAPATHS") == "${THISDIR}/files:"


def test_mesonpy_recipe_bare() -> None:
    variants = bare(FASTMATH)
    assert list(variants) == [""]
    d = variants[""]
    assert d.getVar("SUMMARY") == "Fast maths helpers with a meson build"  # from the required .inc
    assert d.getVarFlag("SRC_URI", "sha256sum").startswith("0c1e2d3f")
    assert d.getVar("HOMEPAGE") == "https://pypi.org/project/fastmath/"
    assert d.getVar("PEP517_BUILD_OPTS") == (
        "-Cbuild-dir=${B} -Csetup-args=-Dallow-noblas=true -Csetup-args=-Dblas=openblas -Csetup-args=-Dcpu=generic"
    )
    assert d.getVar("DEPENDS") == "python3-meson-python-native python3-numpy python3-cython-native"
    assert d.getVar("PROVIDES") == "fastmath-api"
    assert d.getVar("PACKAGECONFIG") == "blas"
    assert d.getVarFlag("PACKAGECONFIG", "blas") == "-Dblas=openblas,-Dblas=none,openblas"
    assert d.getVar("do_install", False) == (
        "    # Export function set\n    python_pep517_do_install\n\trm -rf ${D}${bindir}/fastmath-debug\n"
    )
    assert d.getVar("RDEPENDS:python3-fastmath") == "python3-numpy"


# ------------------------------------------------------------------ full configuration
def test_setuptools_recipe_full(config: DataSmart) -> None:
    variants = parse_recipe(EXAMPLE, config, appends=[EXAMPLE_APPEND])
    d = variants[""]
    build = config.getVar("TOPDIR")
    assert d.getVar("MACHINE") == "testboard"
    assert d.getVar("OVERRIDES").split(":") == [
        "linux", "aarch64", "pn-python3-example", "testboard-family", "testboard", "debian", DEFAULT_DISTRO,
        "class-target", "forcevariable",
    ]
    assert d.getVar("RDEPENDS:python3-example").split() == ["python3-core", "python3-json", "python3-ctypes"]
    assert d.getVar("WORKDIR") == f"{build}/{DEFAULT_DISTRO}/testboard/work/python3-example/1.2.3"
    assert d.getVar("S") == f"{build}/{DEFAULT_DISTRO}/testboard/work/python3-example/1.2.3/src/example_pkg-1.2.3"
    assert d.getVar("SRC_URI").split()[-1] == "file://0001-fix-build.patch"
    assert d.getVar("SRC_URI").split()[0].startswith(
        "https://files.pythonhosted.org/packages/source/e/example_pkg/example_pkg-1.2.3.tar.gz"
    )
    assert d.getVar("FILESEXTRAPATHS") == f"{EXAMPLE.parent}/files:"
    assert "python3-setuptools-native" in d.getVar("DEPENDS").split()
    native = variants["native"]
    assert native.getVar("PN") == "python3-example-native"
    assert native.getVar("CLASSOVERRIDE") == "class-native"
    assert "class-native" in native.getVar("OVERRIDES").split(":")
    assert native.getVar("WORKDIR") == f"{build}/{DEFAULT_DISTRO}/native/work/python3-example-native/1.2.3"
    # The native class turns runtime dependencies native; the :class-target append is gone.
    assert native.getVar("RDEPENDS:python3-example-native").split() == ["python3-core-native", "python3-json-native"]


def test_mesonpy_recipe_full(config: DataSmart) -> None:
    d = parse_recipe(FASTMATH, config)[""]
    build = config.getVar("TOPDIR")
    options = d.getVar("PEP517_BUILD_OPTS").split()
    assert options[0] == f"-Cbuild-dir={build}/{DEFAULT_DISTRO}/testboard/work/python3-fastmath/2.0.1/build"
    assert "-Csetup-args=-Dallow-noblas=true" in options
    assert options[-2:] == ["-Csetup-args=-Dblas=openblas", "-Csetup-args=-Dcpu=neon"]  # TARGET_ARCH from testboard
    assert d.getVar("RDEPENDS:python3-fastmath") == "python3-numpy python3-fastmath-data"
    assert d.getVar("do_install", False).endswith("\trm -rf ${D}${bindir}/fastmath-debug\n")
    assert d.getVar("__BBTASKS", False)[:3] == ["do_fetch", "do_unpack", "do_patch"]  # from base.bbclass


def test_machine_overrides_from_the_machine_file(config: DataSmart, tmp_path: Path) -> None:
    recipe = tmp_path / "probe_1.0.bb"
    recipe.write_text(
        'WHERE = "generic"\nWHERE:testboard-family = "family"\nWHERE:testboard = "board"\n'
        'FEATURE = "${@bb.utils.contains(\'MACHINE_FEATURES\', \'wifi\', \'wifi\', \'none\', d)}"\n'
        'ARCH_ONLY = "x"\nARCH_ONLY:aarch64 = "arm"\nARCH_ONLY:append:pn-probe = "+pn"\n'
        # Not a conditional append: an append to the override variable PN_ONLY:pn-probe, which
        # (pn-probe coming after aarch64 in OVERRIDES) replaces the value whole, as in bitbake.
        'PN_ONLY = "x"\nPN_ONLY:aarch64 = "arm"\nPN_ONLY:pn-probe:append = "+pn"\n'
    )
    d = parse_recipe(recipe, config)[""]
    assert (d.getVar("WHERE"), d.getVar("FEATURE"), d.getVar("ARCH_ONLY")) == ("board", "wifi", "arm+pn")
    assert d.getVar("PN_ONLY") == "+pn"
