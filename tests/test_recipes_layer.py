"""pyrecipe's own recipe layer: real PyPI sdists with C extensions cross-built for a Raspberry Pi 4.

The quick C recipes (pyyaml with libyaml from the sysroot, markupsafe, msgpack) are built in one
command in the session's shared build directory; each recipe's do_test has already imported its
package and run a short computation under qemu-user with the target's CPython. The test reads
those logs and checks the installed extension modules are AArch64 objects with the target's
suffix (the pure-Python fallbacks these packages ship would pass an import, not these checks).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cross_support import SITE, SUFFIX, assert_aarch64_module, build_for_raspberrypi4, do_test_lines
from pyrecipe.pypi import source_url_parts

CMAKE_LAYER = Path(__file__).parent / "fixtures" / "cmake_layer"

#: recipe -> (version, its C extension in site-packages, how the line its PYTHON_TEST_CODE prints starts)
RECIPES = {
    "pyyaml": ("6.0.3", "yaml/_yaml", "yaml 6.0.3 libyaml 0.2.5"),
    "markupsafe": ("3.0.3", "markupsafe/_speedups", f"markupsafe _speedups{SUFFIX}"),
    "msgpack": ("1.2.4", "msgpack/_cmsgpack", f"msgpack (1, 2, 4) 55 _cmsgpack{SUFFIX}"),
}


@pytest.fixture(scope="module")
def built(cross_build_dir: Path) -> Path:
    return build_for_raspberrypi4(cross_build_dir, *RECIPES)


@pytest.mark.cross
@pytest.mark.parametrize("recipe", list(RECIPES))
def test_do_test_ran_the_package_under_qemu(built: Path, recipe: str) -> None:
    version, _, expected = RECIPES[recipe]
    lines = do_test_lines(built, recipe, version)
    assert any(line.startswith(expected) for line in lines), lines


@pytest.mark.cross
@pytest.mark.parametrize("recipe", list(RECIPES))
def test_extension_is_aarch64_with_the_target_suffix(built: Path, recipe: str) -> None:
    _, module, _ = RECIPES[recipe]
    assert_aarch64_module(built / "image" / SITE / (module + SUFFIX))


@pytest.mark.cross
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
