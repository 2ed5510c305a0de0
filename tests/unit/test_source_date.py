"""SOURCE_DATE_EPOCH from a recipe's sources, in OpenEmbedded's order: the last commit of a git
checkout, else a change log's time, else the newest file, else the fallback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from pyrecipe.tasks.source_date import source_date_epoch


def touch(path: Path, when: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    os.utime(path, (when, when))
    return path


def test_the_newest_file_of_an_unpacked_sdist(tmp_path: Path) -> None:
    touch(tmp_path / "pkg" / "__init__.py", 1_600_000_000)
    touch(tmp_path / "setup.py", 1_700_000_000)
    touch(tmp_path / ".git-less" / "x", 1_500_000_000)
    touch(tmp_path / "__pycache__" / "setup.cpython-313.pyc", 1_900_000_000)  # made by a build, not a source
    assert source_date_epoch(tmp_path, 1) == 1_700_000_000


def test_a_change_log_wins_over_newer_files(tmp_path: Path) -> None:
    touch(tmp_path / "NEWS", 1_650_000_000)
    touch(tmp_path / "generated.c", 1_700_000_000)
    assert source_date_epoch(tmp_path, 1) == 1_650_000_000


def test_a_git_checkout_counts_by_its_last_commit(tmp_path: Path) -> None:
    touch(tmp_path / "NEWS", 1_650_000_000)
    env = dict(os.environ, GIT_AUTHOR_DATE="@1234567890 +0000", GIT_COMMITTER_DATE="@1234567890 +0000",
               GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@b", GIT_COMMITTER_NAME="a", GIT_COMMITTER_EMAIL="a@b")
    for argv in (["git", "init", "-q"], ["git", "add", "NEWS"], ["git", "commit", "-q", "-m", "release"]):
        subprocess.run(argv, cwd=tmp_path, env=env, check=True)
    assert source_date_epoch(tmp_path, 1) == 1_234_567_890


def test_no_sources_take_the_fallback(tmp_path: Path) -> None:
    assert source_date_epoch(tmp_path / "missing", 1_302_044_400) == 1_302_044_400
    assert source_date_epoch(tmp_path, 1_302_044_400) == 1_302_044_400
