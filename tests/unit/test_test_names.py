"""The tests' own layout: pytest imports test modules by their file name (the folders are no
packages), so two test files of one name in two folders stop the whole run at collection
(tests/unit/test_walls.py and tests/hostile/test_walls.py did, in CI's clean clone)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS_DIR = Path(__file__).parents[1]


def test_every_test_file_has_a_name_of_its_own() -> None:
    names = Counter(path.name for path in TESTS_DIR.rglob("test_*.py") if "fixtures" not in path.parts)
    assert [name for name, count in names.items() if count > 1] == []
