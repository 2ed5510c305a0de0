"""Helpers shared by the recipe-language tests: write files into a temporary layer and parse them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pyrecipe.parse import DataSmart, parse_recipe

TESTS_DIR = Path(__file__).parent
META_TEST = TESTS_DIR / "fixtures" / "layers" / "meta-test"


def write_files(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def parse_variants(
    tmp_path: Path, text: str, name: str = "foo_1.0.bb", files: dict[str, str] | None = None,
    bbpath: list[Path] | None = None,
) -> dict[str, DataSmart]:
    """Parse ``text`` as recipe ``name`` (bare: core variables only); ``files`` go beside it."""
    write_files(tmp_path, files or {})
    recipe = tmp_path / name
    recipe.parent.mkdir(parents=True, exist_ok=True)
    recipe.write_text(text)
    return parse_recipe(recipe, bbpath=bbpath if bbpath is not None else [tmp_path])


def parse(tmp_path: Path, text: str, **kwargs) -> DataSmart:
    """The target variant's datastore of the recipe ``text``."""
    return parse_variants(tmp_path, text, **kwargs)[""]


def pyrecipe_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m pyrecipe`` as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "pyrecipe", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120
    )
