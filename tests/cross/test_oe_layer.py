"""A user's own layer of OpenEmbedded-style recipes (tests/fixtures/meta_oe_style), built unchanged.

The recipes are written as meta-python writes them: ``python3-`` names, ``inherit pypi
python_setuptools_build_meta`` / ``setuptools3``, ``PYPI_PACKAGE``, ``LIC_FILES_CHKSUM``,
``BBCLASSEXTEND = "native nativesdk"``, ``PACKAGES``/``FILES`` splits, RDEPENDS on OE's split
CPython packages (python3-io, python3-json ...) and on each other, and no pyrecipe-only
variables (no PYTHON_TEST_CODE): the test runs the image under qemu-user itself, as a user would.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cross_support import SITE, SUFFIX, assert_aarch64_module, machine_dir, pyrecipe, run_on_board

LAYER = Path(__file__).parents[1] / "fixtures" / "meta_oe_style"


@pytest.fixture(scope="module")
def image(cross_build_dir: Path) -> Path:
    result = pyrecipe("build", "python3-bitarray", "python3-dateutil", "--machine", "raspberrypi4", "--layer", str(LAYER),
                      build_dir=cross_build_dir)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    # six is in no command line: the image has it because python3-dateutil RDEPENDS on it.
    [summary] = [line for line in result.stdout.splitlines() if line.startswith("Image: ")]
    assert "python3-six" in summary
    return machine_dir(cross_build_dir) / "image"


def test_rdepends_brings_the_layers_own_recipe_into_the_image(image: Path) -> None:
    site = image / SITE
    assert (site / "six.py").is_file()
    assert (site / "dateutil" / "relativedelta.py").is_file()
    # as in OpenEmbedded, a package split off (python3-dateutil-zoneinfo) ships only when asked for
    assert not (site / "dateutil" / "zoneinfo").exists()


def test_c_extension_is_built_for_the_board(image: Path) -> None:
    modules = sorted((image / SITE / "bitarray").glob("*.so"))
    assert [so.name for so in modules] == ["_bitarray" + SUFFIX, "_util" + SUFFIX]
    for so in modules:
        assert_aarch64_module(so)


def test_image_runs_under_qemu_with_the_targets_cpython(image: Path, cross_build_dir: Path) -> None:
    code = (
        "import platform, bitarray, bitarray._bitarray as c, dateutil.parser, dateutil.relativedelta as rd, six; "
        "a = bitarray.bitarray('1101' * 1000); "
        "print(platform.machine(), a.count(), (a & ~a).any(), c.__file__.rsplit('/', 1)[1]); "
        "print(dateutil.parser.isoparse('2026-01-31T10:00:00') + rd.relativedelta(months=1), six.__version__)"
    )
    assert run_on_board(cross_build_dir, code).splitlines() == [
        "aarch64 3000 False _bitarray" + SUFFIX,
        "2026-02-28 10:00:00 1.17.0",
    ]


def test_oe_stdlib_packages_map_to_the_sysroot_cpython(image: Path, cross_build_dir: Path) -> None:
    result = pyrecipe("deps", "python3-dateutil", "--machine", "raspberrypi4", "--layer", str(LAYER), build_dir=cross_build_dir)
    assert result.returncode == 0, result.stderr
    for name in ("python3-datetime", "python3-io", "python3-json", "python3-netclient", "python3-stringold"):
        assert f"runtime: {name} -> python stdlib {name}" in result.stdout
    assert "runtime: python3-six 1.17.0" in result.stdout
