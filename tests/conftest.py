"""Shared fixtures: one provisioned build directory for all cross tests of a session, and a recipe built in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cross_support import build_for_raspberrypi4


@pytest.fixture(scope="session")
def cross_build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build directory reused by every cross test: the sysroot and native tools are provisioned once."""
    return tmp_path_factory.mktemp("cross-build")


@pytest.fixture(scope="module")
def recipe_built(request: pytest.FixtureRequest, cross_build_dir: Path) -> Path:
    """The Raspberry Pi 4's build directory once ``pyrecipe build RECIPE`` (the test module's RECIPE) succeeded."""
    return build_for_raspberrypi4(cross_build_dir, request.module.RECIPE)
