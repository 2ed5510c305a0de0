"""The fixtures of the tests that build the fault-seeding layer (tests/hostile and
tests/cross/test_reliability.py), which their conftest files import."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from http_support import serve_directory
from reliability_support import LAYER


@pytest.fixture
def layer(tmp_path: Path) -> Path:
    """A copy of the fault-seeding layer the test may edit."""
    copy = tmp_path / "layer"
    shutil.copytree(LAYER, copy)
    return copy


@pytest.fixture
def http_dir(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A directory served over HTTP on 127.0.0.1, and its URL."""
    served = tmp_path / "served"
    served.mkdir()
    with serve_directory(served) as url:
        yield served, url
