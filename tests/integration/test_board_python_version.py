"""The board's exact CPython (PYTHON_FULLVERSION: trixie ships 3.13.5) in requirement resolution,
markers, ``Requires-Python`` checks and the choice of a PyPI release: one fact of the distro's
configuration, checked against the provisioned sysroot's interpreter.

The escape (issue 26): a project requiring CPython >= 3.13.2 could not be resolved for trixie's
3.13.5, since uv was given "3.13" (3.13.0 to it), the board's markers said python_full_version
3.13.2 and the PyPI release filter assumed 3.13.0. PyPI is our own (tests/pypi_support.py),
served on 127.0.0.1; the machine is the runner test board (no cross toolchain).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from http_support import serve_directory
from pypi_support import publish, runner_cli, runner_layer, wheel
from pyrecipe.config.configuration import DEFAULT_DISTRO


@pytest.fixture
def index(tmp_path: Path) -> Iterator[str]:
    """A PyPI whose only project needs CPython >= 3.13.2 (its 1.0), as its files' Requires-Python say."""
    root = tmp_path / "pypi"
    with serve_directory(root) as url:
        publish(root, url, "newpy", [wheel("newpy", "1.0", requires_python=">=3.13.2")])
        yield url


@pytest.fixture
def layer(tmp_path: Path, index: str) -> Path:
    return runner_layer(tmp_path / "layer", f"{index}/simple")


def older_python(layer: Path, version: str) -> None:
    """The distro's CPython set to ``version`` (a user's local setting, as for a sysroot of their own)."""
    with (layer / "conf" / "layer.conf").open("a") as conf:
        conf.write(f'PYTHON_FULLVERSION = "{version}"\n')


def test_a_project_requiring_a_patch_release_resolves_for_trixie(layer: Path, tmp_path: Path) -> None:
    """`pyrecipe lock` of a project with Requires-Python >=3.13.2 for trixie: uv was asked for
    "3.13" and answered that the requested Python version (>=3.13) does not satisfy it."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("newpy\n")
    code, stdout, stderr = runner_cli("lock", layer, tmp_path / "build", "-r", requirements, "-o", tmp_path / "pylock.toml")
    assert code == 0, stdout + stderr
    assert "(Python 3.13.5," in stdout
    assert "  newpy==1.0  pypi wheel (no layer recipe; its none-any wheel: a pure-Python project, the same on every board)" in stdout.splitlines()


def test_a_marker_on_the_full_version_is_the_boards(layer: Path, tmp_path: Path) -> None:
    """A requirement marked `python_full_version >= '3.13.3'` is the board's on trixie (3.13.5):
    resolved for "3.13" (3.13.0) it was left out of the set without a word."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("newpy ; python_full_version >= '3.13.3'\n")
    code, stdout, stderr = runner_cli("lock", layer, tmp_path / "build", "-r", requirements, "-o", tmp_path / "pylock.toml")
    assert code == 0, stdout + stderr
    assert "1 package(s)" in stdout and "  newpy==1.0" in stdout, stdout


def test_a_board_below_the_required_patch_release_is_refused_clearly(layer: Path, tmp_path: Path) -> None:
    """The same project for a CPython 3.13.1: an input error naming the board's version and the
    project's requirement, not a lock that the board's CPython cannot install."""
    older_python(layer, "3.13.1")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("newpy\n")
    code, stdout, stderr = runner_cli("lock", layer, tmp_path / "build", "-r", requirements, "-o", tmp_path / "pylock.toml")
    assert code == 2, stdout + stderr
    assert "for Python 3.13.1" in stderr and "3.13.2" in stderr, stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "pylock.toml").exists()


def test_a_generated_recipe_takes_a_release_requiring_the_patch_release(layer: Path, tmp_path: Path) -> None:
    """A name no layer provides, taken from PyPI: the release filter assumed 3.13.0 and found no
    release of newpy for the board ("no final release for Python 3.13")."""
    build_dir = tmp_path / "build"
    code, stdout, stderr = runner_cli("deps", layer, build_dir, "python3-newpy")
    assert code == 0, stdout + stderr
    assert (build_dir / DEFAULT_DISTRO / "generated" / "recipes" / "newpy" / "newpy_1.0.bb").is_file()
    older_python(layer, "3.13.1")
    code, stdout, stderr = runner_cli("deps", layer, tmp_path / "build-older", "python3-newpy")
    assert code != 0 and "Python 3.13.1" in stdout + stderr, stdout + stderr
