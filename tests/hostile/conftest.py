"""The hostile suite: recipes, sdists, mirror archives, requirements files and command lines
written by a stranger, each trying one way out of the walls (issue 25). Every test here failed
on the code before the escape it names was closed.

The tests build the fault-seeding layer ``tests/fixtures/reliability_layer`` (machine
``runnerboard``: the build machine's own tools, no cross toolchain) through the real
``pyrecipe build``; they run as root and, in CI, again as an unprivileged user.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from http_support import serve_directory
from reliability_support import LAYER


@pytest.fixture
def layer(tmp_path: Path) -> Path:
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
