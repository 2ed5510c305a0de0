"""Choosing a release on PyPI for a name no layer provides (pyrecipe/recipetool/pypi_resolve.py)."""

from __future__ import annotations

import pytest

from pyrecipe.errors import InputError
from pyrecipe.recipetool.pypi_resolve import choose_release, preferred_matches, pypi_projects
from pyrecipe.sources.pypi import IndexFile


def entry(filename: str, requires_python: str | None = None, yanked: bool = False) -> IndexFile:
    return IndexFile(filename, f"https://example.invalid/{filename}", "0" * 64, requires_python, yanked)


FILES = [
    entry("frob-1.0.tar.gz"),
    entry("frob-1.1-py3-none-any.whl"), entry("frob-1.1.tar.gz"),
    entry("frob-1.2-cp311-cp311-manylinux_2_17_aarch64.whl"), entry("frob-1.2.tar.gz"),
    entry("frob-1.3.tar.gz", yanked=True),
    entry("frob-1.4rc1.tar.gz"),
    entry("frob-2.0-py3-none-any.whl", requires_python=">=3.13"),
]


def test_newest_final_release_for_the_targets_python() -> None:
    release = choose_release(FILES, "frob", "3.11")
    assert release.version == "1.2"  # 1.3 yanked, 1.4rc1 a pre-release, 2.0 needs 3.13
    assert release.pure_wheel() is None and release.sdist() is not None
    assert choose_release(FILES, "frob", "3.13").version == "2.0"


def test_a_none_any_wheel_is_used_as_it_is() -> None:
    release = choose_release(FILES, "frob", "3.11", preferred="1.1")
    wheel = release.pure_wheel()
    assert wheel is not None and wheel.filename == "frob-1.1-py3-none-any.whl"


def test_preferred_version_with_a_wildcard_and_an_unknown_one() -> None:
    assert choose_release(FILES, "frob", "3.11", preferred="1.%").version == "1.4rc1"  # asked for: pre-releases count
    assert preferred_matches("1.1%", "1.10") and not preferred_matches("1.1", "1.10")
    with pytest.raises(InputError, match="no release matching PREFERRED_VERSION '3.0'"):
        choose_release(FILES, "frob", "3.11", preferred="3.0")


def test_names_tried_on_pypi() -> None:
    assert pypi_projects("python3-dateutil") == ["dateutil", "python-dateutil"]
    assert pypi_projects("python3-hatch-vcs-native") == ["hatch-vcs", "python-hatch-vcs"]
    assert pypi_projects("PyYAML") == ["pyyaml"]
    assert pypi_projects("python3-git", alias="GitPython") == ["gitpython"]
