"""pyrecipe diffsigs: what changed between a task's last two signatures, back to the cause."""

from __future__ import annotations

from pathlib import Path

from parse_support import pyrecipe_cli
from runner_support import build, runner_layer_copy


def diffsigs(layer: Path, build_dir: Path, target: str) -> tuple[int, str]:
    result = pyrecipe_cli("diffsigs", target, "--machine", "runnerboard", "--layer", str(layer), "--build-dir", str(build_dir))
    return result.returncode, result.stdout + result.stderr


def test_a_changed_function_then_a_changed_dependency(tmp_path: Path) -> None:
    layer, build_dir = runner_layer_copy(tmp_path), tmp_path / "build"
    assert build(layer, build_dir, "app")[0].ok
    code, output = diffsigs(layer, build_dir, "app:do_install")
    assert code == 2 and "1 signature(s) recorded" in output, output

    recipe = layer / "recipes-demo/app/app_2.1.bb"
    recipe.write_text(recipe.read_text().replace('echo "appended step"', 'echo "another step"'))
    assert build(layer, build_dir, "app")[0].ok
    code, output = diffsigs(layer, build_dir, "app:install")
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].startswith("do_install: signature ") and lines[1].startswith("do_compile: signature ")
    assert "  do_compile:append changed: " in output or "  do_compile changed: " in output, output
    assert "another step" in output

    liba = layer / "recipes-demo/liba/liba_1.0.bb"
    liba.write_text(liba.read_text() + 'SUMMARY = "a new summary"\n')
    assert build(layer, build_dir, "app")[0].ok
    code, output = diffsigs(layer, build_dir, "app:do_fetch")
    assert code == 0, output
    assert "recipe variables and inputs:" in output and "dependency liba changed (pyrecipe diffsigs liba:do_populate_sysroot" in output
    code, output = diffsigs(layer, build_dir, "liba:do_populate_sysroot")
    assert code == 0 and "SUMMARY changed: 'A library other recipes build on' -> 'a new summary'" in output, output
