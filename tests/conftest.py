"""Markers by folder, and shared fixtures: one provisioned build directory for all cross tests of a
session, and a recipe built in it.

A test's folder says what it needs, and sets its marker: ``unit/`` (Python only), ``integration/``
(the build machine's own toolchain and tools), ``cross/`` (the cross toolchain, a target sysroot and
qemu-user with the target's CPython), ``hostile/`` (a stranger's input against the walls). ``pytest -m unit`` is the quick run while editing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cross_support import build_for_raspberrypi4
from pyrecipe.toolchain.provision_cache import CACHE_ENV

TESTS_DIR = Path(__file__).parent
FOLDER_MARKERS = ("unit", "integration", "cross", "hostile")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = item.path.relative_to(TESTS_DIR).parts[0]
        if folder in FOLDER_MARKERS:
            item.add_marker(folder)


@pytest.fixture(scope="session", autouse=True)
def provision_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's cache of provisioning results (build roots, sysroots, venvs), shared by its build
    directories as a user's cache is by theirs; not the user's own, so a test run starts from nothing."""
    path = tmp_path_factory.mktemp("provision-cache")
    previous = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(path)
    yield path
    if previous is None:
        del os.environ[CACHE_ENV]
    else:
        os.environ[CACHE_ENV] = previous


@pytest.fixture(scope="session")
def cross_build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build directory reused by every cross test: the sysroot and native tools are provisioned once."""
    return tmp_path_factory.mktemp("cross-build")


@pytest.fixture(scope="module")
def recipe_built(request: pytest.FixtureRequest, cross_build_dir: Path) -> Path:
    """The Raspberry Pi 4's build directory once ``pyrecipe build RECIPE`` (the test module's RECIPE) succeeded."""
    return build_for_raspberrypi4(cross_build_dir, request.module.RECIPE)
