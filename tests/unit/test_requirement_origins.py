"""Per package of a requirement set, the lock's and the build's reports say where it comes from
(layer recipe, generated recipe, pypi wheel) and why (issue 26): the user's pin, the layer's
version preferred, what ruled it out, and for PyPI's files which one and why (a pure project's
none-any wheel, the board's wheel allowed by --only-binary/--prefer-binary, an sdist built
although wheels were allowed). Before, a pin read "requirement asks ==1.0", the lock said only
"PyPI", and a wheel was never said to be one."""

from __future__ import annotations

import pytest

from pyrecipe.parse import DataSmart
from pyrecipe.recipetool import GENERATED_RECIPE, LAYER_RECIPE, PYPI_WHEEL, origin_how
from pyrecipe.requirements.lockfile import LockedPackage
from pyrecipe.requirements.targets import _pypi_origin, _why

pytestmark = pytest.mark.unit
IDNA = LockedPackage("idna", "3.21", frozenset({"0" * 64}))


@pytest.mark.parametrize("layer_version, asked, why", [
    (None, None, "no layer recipe"),
    (None, "==3.21 (requirements.txt)", "user pin ==3.21 (requirements.txt); no layer recipe"),
    ("3.20", "==3.21 (requirements.txt)", "user pin ==3.21 (requirements.txt); layer has 3.20"),
    ("3.21", "==3.21 (pylock.toml)", "user pin ==3.21 (pylock.toml); layer has 3.21"),
    ("3.20", ">=3.21 (requirements.txt)", "layer has 3.20, requirement asks >=3.21 (requirements.txt)"),
    ("3.21", ">=3.0 (requirements.txt)", "layer version 3.21 preferred, requirement asks >=3.0 (requirements.txt)"),
    ("3.21", None, "layer version 3.21 preferred"),
    ("3.21", ">=3.0 (a.txt), ==3.21 (b.txt)", "user pin >=3.0 (a.txt), ==3.21 (b.txt); layer has 3.21"),
])
def test_why_says_the_users_pin_and_the_layers_version(layer_version: str | None, asked: str | None, why: str) -> None:
    assert _why(IDNA, layer_version, asked) == why


def test_why_says_the_layers_recipe_of_the_version_builds_the_sdist_under_only_binary() -> None:
    """--only-binary with the layer's numpy 2.5.5 locked: its recipe builds the sdist the lock left
    out, so PyPI's wheel is taken; the layer's version was not what ruled it out."""
    assert _why(IDNA, "3.21", None, used=False) == "layer has 3.21, but its recipe builds the sdist"
    assert _why(IDNA, "3.21", "==3.21 (r.txt)", used=False) == "user pin ==3.21 (r.txt); layer has 3.21, but its recipe builds the sdist"


@pytest.mark.parametrize("origin, wheel, binary, how", [
    (LAYER_RECIPE, "", "only", ""),
    (GENERATED_RECIPE, "", "no", ""),
    (GENERATED_RECIPE, "", "prefer", "its sdist: no wheel of it fits the board"),
    (GENERATED_RECIPE, "", "only", "its sdist: --no-binary for it"),
    (PYPI_WHEEL, "py3-none-any", "no", "its none-any wheel: a pure-Python project, the same on every board"),
    (PYPI_WHEEL, "cp313-cp313-manylinux_2_17_aarch64", "only",
     "the board's wheel cp313-cp313-manylinux_2_17_aarch64, only wheels allowed (--only-binary, PYPI_BINARY = \"only\")"),
    (PYPI_WHEEL, "fast-1.0-cp313-abi3-manylinux_2_28_aarch64", "prefer",
     "the board's wheel fast-1.0-cp313-abi3-manylinux_2_28_aarch64, wheels preferred (--prefer-binary, PYPI_BINARY = \"prefer\")"),
])
def test_how_says_which_file_of_pypi_and_why(origin: str, wheel: str, binary: str, how: str) -> None:
    assert origin_how(origin, wheel, binary) == how


@pytest.mark.parametrize("files, binary, expected", [
    (("fast-1.0.tar.gz", "fast-1.0-cp313-cp313-manylinux_2_17_aarch64.whl"), "no", (GENERATED_RECIPE, "")),
    (("fast-1.0.tar.gz", "fast-1.0-cp313-cp313-manylinux_2_17_aarch64.whl"), "only",
     (PYPI_WHEEL, "fast-1.0-cp313-cp313-manylinux_2_17_aarch64")),
    (("fast-1.0.tar.gz", "fast-1.0-cp313-cp313-manylinux_2_17_x86_64.whl"), "prefer", (GENERATED_RECIPE, "")),
    (("pure-1.0.tar.gz", "pure-1.0-py3-none-any.whl"), "no", (PYPI_WHEEL, "pure-1.0-py3-none-any")),
    # a none-any fallback beside compiled wheels (frozenlist, yarl): the sdist is built
    (("frozen-1.0.tar.gz", "frozen-1.0-py3-none-any.whl", "frozen-1.0-cp313-cp313-manylinux_2_17_aarch64.whl"), "no",
     (GENERATED_RECIPE, "")),
])
def test_the_lock_foresees_wheel_or_sdist_from_its_files(files: tuple[str, ...], binary: str, expected: tuple[str, str]) -> None:
    d = DataSmart()
    d.setVar("PYTHON_FULLVERSION", "3.13.5")
    d.setVar("TARGET_ARCH", "aarch64")
    package = LockedPackage("fast", "1.0", frozenset({"0" * 64}), files)
    assert _pypi_origin(package, binary, d) == expected
