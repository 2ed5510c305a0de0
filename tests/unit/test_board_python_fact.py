"""The board's exact CPython is one fact (PYTHON_FULLVERSION): the marker environment's
python_full_version, the Requires-Python check of a release, and the provisioned sysroot's
interpreter checked against it (issue 26: markers said 3.13.2 and the release filter 3.13.0 for
trixie's 3.13.5)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pyrecipe.config.configuration import Settings, load_configuration
from pyrecipe.errors import InputError
from pyrecipe.recipetool.pypi_resolve import choose_release
from pyrecipe.requirements.targets import board_environment
from pyrecipe.sources.pypi import IndexFile
from pyrecipe.toolchain import load_machine
from pyrecipe.toolchain.target_python import check_full_version


def test_the_marker_environment_is_the_distros_cpython(tmp_path: Path) -> None:
    environment = board_environment(load_configuration(Settings(build_dir=tmp_path / "build", machine="raspberrypi4")))
    assert (environment["python_version"], environment["python_full_version"]) == ("3.13", "3.13.5")
    assert environment["implementation_version"] == "3.13.5"


def test_a_release_requiring_the_patch_release_is_chosen() -> None:
    files = [IndexFile("newpy-1.0.tar.gz", "https://example.invalid/newpy-1.0.tar.gz", "0" * 64, ">=3.13.2", False)]
    assert choose_release(files, "newpy", "3.13.5").version == "1.0"
    with pytest.raises(InputError, match="for Python 3.13.1"):
        choose_release(files, "newpy", "3.13.1")


def test_a_sysroot_of_another_patch_release_is_refused() -> None:
    """Requirements resolved for 3.13.5 would go onto a board whose CPython is another one."""
    machine = load_machine("raspberrypi4")
    assert machine.python_full_version == "3.13.5"

    @dataclasses.dataclass
    class Found:
        version: str
        version_short: str = "3.13"

    check_full_version(Found("3.13.5"), machine)  # type: ignore[arg-type]
    check_full_version(Found("3.13"), machine)  # type: ignore[arg-type]  # no patchlevel.h: not known
    with pytest.raises(InputError, match='sysroot\'s CPython is 3.13.6.*PYTHON_FULLVERSION = "3.13.6" in conf/local.conf'):
        check_full_version(Found("3.13.6"), machine)  # type: ignore[arg-type]
