"""`pyrecipe test` refuses, with exit 2, a recipe it cannot test: ptest not in DISTRO_FEATURES, or
no ptest suite (the runner's plain machine: nothing is built)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parents[1] / "fixtures"
LAYERS = ("--layer", str(FIXTURES / "runner_layer"), "--layer", str(FIXTURES / "ptest_layer"))


def pyrecipe_test(recipe: str, build_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyrecipe", "test", recipe, "--machine", "runnerboard",
                           "--build-dir", str(build_dir), *LAYERS], capture_output=True, text=True, timeout=600)


def test_without_the_ptest_feature_it_says_how_to_turn_it_on(tmp_path: Path) -> None:
    result = pyrecipe_test("python3-ptestdemo", tmp_path / "build")
    assert result.returncode == 2, result.stderr
    assert "recipe python3-ptestdemo: ptest is not enabled; add DISTRO_FEATURES:append = \" ptest\"" in result.stderr


def test_a_recipe_without_a_suite(tmp_path: Path) -> None:
    (tmp_path / "build" / "conf").mkdir(parents=True)
    (tmp_path / "build" / "conf" / "local.conf").write_text('DISTRO_FEATURES:append = " ptest"\n')
    result = pyrecipe_test("liba", tmp_path / "build")
    assert result.returncode == 2, result.stderr
    assert "recipe liba has no ptest suite: it inherits neither ptest nor ptest-python-pytest (liba-ptest is not in its PACKAGES)" in result.stderr
