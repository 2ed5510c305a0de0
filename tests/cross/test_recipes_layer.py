"""pyrecipe's own recipe layer: real PyPI sdists with C extensions cross-built for two boards.

The quick C recipes (pyyaml with libyaml from the sysroot, markupsafe, msgpack) are built in one
command in the session's shared build directory, for the 64-bit Raspberry Pi 4 and the 32-bit
hard-float BeagleBone; each recipe's do_test has already imported its package and run a short
computation under qemu-user with the target's CPython. The test reads those logs and checks the
installed extension modules are objects of the board's architecture with its suffix (the
pure-Python fallbacks these packages ship would pass an import, not these checks).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from cross_support import (
    CPYTHON_TAG,
    SITE,
    SUFFIX,
    assert_aarch64_module,
    build_for_raspberrypi4,
    do_test_lines,
    machine_dir,
    pyrecipe,
)
from pyrecipe.sources.pypi import source_url_parts

CMAKE_LAYER = Path(__file__).parents[1] / "fixtures" / "cmake_layer"

#: machine -> (its EXT_SUFFIX, ELF machine, ELF class)
BOARDS = {
    "raspberrypi4": (SUFFIX, "EM_AARCH64", 64),
    "beaglebone": (f".{CPYTHON_TAG}-arm-linux-gnueabihf.so", "EM_ARM", 32),
}
#: recipe -> (version, its C extension in site-packages, how the line its PYTHON_TEST_CODE prints starts)
RECIPES = {
    "pyyaml": ("6.0.3", "yaml/_yaml", "yaml 6.0.3 libyaml 0.2.5"),
    "markupsafe": ("3.0.3", "markupsafe/_speedups", "markupsafe _speedups{suffix}"),
    "msgpack": ("1.2.4", "msgpack/_cmsgpack", "msgpack (1, 2, 4) 55 _cmsgpack{suffix}"),
}


@pytest.fixture(scope="module", params=list(BOARDS))
def built(request: pytest.FixtureRequest, cross_build_dir: Path) -> tuple[str, Path]:
    machine = request.param
    result = pyrecipe("build", *RECIPES, "--machine", machine, build_dir=cross_build_dir)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return machine, machine_dir(cross_build_dir, machine)


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_do_test_ran_the_package_under_qemu(built: tuple[str, Path], recipe: str) -> None:
    machine, machine_dir = built
    version, _, expected = RECIPES[recipe]
    lines = do_test_lines(machine_dir, recipe, version)
    assert any(line.startswith(expected.format(suffix=BOARDS[machine][0])) for line in lines), lines


@pytest.mark.parametrize("recipe", list(RECIPES))
def test_extension_is_built_for_the_board_with_its_suffix(built: tuple[str, Path], recipe: str) -> None:
    machine, machine_dir = built
    suffix, elf_machine, elf_class = BOARDS[machine]
    _, module, _ = RECIPES[recipe]
    with open(machine_dir / "image" / SITE / (module + suffix), "rb") as handle:
        elf = ELFFile(handle)
        assert (elf.header["e_machine"], elf.elfclass, elf.little_endian) == (elf_machine, elf_class, True)
        assert elf.header["e_type"] == "ET_DYN"


def test_cmake_class_cross_builds_a_plain_cmake_project(cross_build_dir: Path) -> None:
    """The cmake class alone (no Python backend): configure with the machine's toolchain file,
    build with Ninja, install; the module then computes under qemu in do_test."""
    built = build_for_raspberrypi4(cross_build_dir, "ext-cmake", "--layer", str(CMAKE_LAYER))
    assert "ext_cmake gcd 1048576" in do_test_lines(built, "ext-cmake", "1.0")
    assert_aarch64_module(built / "image" / SITE / f"ext_cmake{SUFFIX}")


@pytest.mark.parametrize(
    ("url", "parts"),
    [
        ("https://files.pythonhosted.org/packages/source/p/pyyaml/pyyaml-6.0.3.tar.gz", ("pyyaml", "pyyaml-6.0.3.tar.gz")),
        ("https://files.pythonhosted.org/packages/py3/p/pycparser/pycparser-3.12-py3-none-any.whl",
         ("pycparser", "pycparser-3.12-py3-none-any.whl")),
        # A content address is already the real file: nothing to resolve.
        ("https://files.pythonhosted.org/packages/b6/ae/315bbeee126a769cbde43cf4908acb4b40408d8bf8bbf334dd7368d8dadf/"
         "pycparser-3.12-py3-none-any.whl", None),
        ("https://example.org/packages/source/p/pyyaml/pyyaml-6.0.3.tar.gz", None),
    ],
)
def test_pypi_redirector_urls_are_recognised(url: str, parts: tuple[str, str] | None) -> None:
    assert source_url_parts(url) == parts
