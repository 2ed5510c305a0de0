"""Shared fixtures: one provisioned build directory for all cross tests of a session."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def cross_build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build directory reused by every cross test: the sysroot and native tools are provisioned once."""
    return tmp_path_factory.mktemp("cross-build")
