"""Escapes still open, each a test marked as the known failure it is (strict: the day one is
closed, its test says so). docs/trust.md, "Still open", says why each is left."""

from __future__ import annotations

from pathlib import Path

import pytest

from reliability_support import add_recipe, pyrecipe_build


@pytest.mark.xfail(strict=True, reason="inline Python runs in pyrecipe's process when recipes are read, as in "
                                       "bitbake: refused are only what ends or replaces the process and the "
                                       "host's secrets; it can still write what pyrecipe's user may write")
def test_inline_python_read_with_the_recipes_writes_no_host_file(layer: Path, tmp_path: Path) -> None:
    planted = tmp_path / "planted-at-parse-time"
    add_recipe(layer, "parsewriter", f'SUMMARY = "${{@open("{planted}", "w").write("planted") and ""}}"\n')

    pyrecipe_build(layer, tmp_path / "build", "parsewriter")

    assert not planted.exists(), "inline Python wrote a host file while the recipe was read"
