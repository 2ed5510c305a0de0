"""The task runner on real shell and Python tasks (no cross toolchain needed: a plain environment)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from pyrecipe.config.configuration import DEFAULT_DISTRO, Settings
from pyrecipe.engine.build import BuildRequest, run_build
from pyrecipe.engine.progress import Progress
from pyrecipe.engine.scheduler import BuildOptions
from runner_support import build, plain_environment, runner_layer_copy, workdir


@pytest.fixture
def layer(tmp_path: Path) -> Path:
    return runner_layer_copy(tmp_path)


def test_dependencies_build_first_and_tasks_compose(layer: Path, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    result, output = build(layer, build_dir, "app")
    assert result.ok, output
    app_txt = workdir(build_dir, "app", "2.1") / "image" / "usr" / "bin" / "app.txt"
    assert app_txt.read_text().splitlines() == ["hello from liba", "built by app", "appended step"]
    # liba's files were staged into the shared sysroot before app compiled against them.
    assert (build_dir / DEFAULT_DISTRO / "runnerboard" / "sysroot" / "usr" / "include" / "liba.txt").exists()
    log = workdir(build_dir, "app", "2.1") / "temp" / "log.do_install"
    assert "installed app.txt" in log.read_text()
    assert output.index("(liba:do_compile)") < output.index("(app:do_compile)")


def test_second_build_does_no_work(layer: Path, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    first, _ = build(layer, build_dir, "app")
    assert first.ok and first.executed > 0
    second, output = build(layer, build_dir, "app")
    assert second.ok and second.executed == 0, output


def test_image_of_a_build_that_ran_nothing_is_left_as_it_is(layer: Path, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    machine_dir = build_dir / DEFAULT_DISTRO / "runnerboard"
    first, output = build(layer, build_dir, "app", goal="do_build")
    assert first.ok and first.executed > 0, output
    outputs = [machine_dir / name for name in ("image-manifest.tsv", "license-manifest", "image.spdx.json")]
    written = [path.stat().st_mtime_ns for path in outputs]
    second, output = build(layer, build_dir, "app", goal="do_build")
    assert second.executed == 0 and f"Image: {machine_dir / 'image'} (liba, app), up to date" in output, output
    assert [path.stat().st_mtime_ns for path in outputs] == written
    # A missing output, or a forced build (tasks ran, new staging trees), assembles it again.
    outputs[2].unlink()
    third, output = build(layer, build_dir, "app", goal="do_build")
    assert "up to date" not in output and outputs[2].is_file(), output
    forced, output = build(layer, build_dir, "app", goal="do_build", force=True)
    assert forced.executed > 0 and "up to date" not in output, output


def test_layer_bookkeeping_is_no_task_input(layer: Path, tmp_path: Path) -> None:
    """Another layer in BBLAYERS, or a new BBFILE_PRIORITY, chooses recipes; it rebuilds none."""
    build_dir = tmp_path / "build"
    first, _ = build(layer, build_dir, "app")
    assert first.ok and first.executed > 0
    conf = layer / "conf" / "layer.conf"
    conf.write_text(conf.read_text() + 'BBFILE_COLLECTIONS += "demo"\nBBFILE_PATTERN_demo := "^${LAYERDIR}/"\nBBFILE_PRIORITY_demo = "9"\n'
                    'BBMASK += "/nothing-here/"\n')
    other = tmp_path / "meta-other"
    (other / "conf").mkdir(parents=True)
    (other / "conf" / "layer.conf").write_text('BBPATH .= ":${LAYERDIR}"\nBBFILES += "${LAYERDIR}/recipes-*/*/*.bb"\nLAYERSERIES_COMPAT_other = "walnascar"\n')
    stream = io.StringIO()
    request = BuildRequest(
        settings=Settings(build_dir=build_dir, machine="runnerboard", layers=(layer, other)),
        targets=("app",), options=BuildOptions(goal="do_populate_sysroot", jobs=2),
    )
    second = run_build(request, Progress(stream, live=False), environment=plain_environment, native_tools=list)
    assert second.ok and second.executed == 0, stream.getvalue()


def test_changing_a_recipe_rebuilds_it_and_its_dependents_only(layer: Path, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    result, _ = build(layer, build_dir, "app", "tool")
    assert result.ok
    tool_pid = workdir(build_dir, "tool", "0.5") / "image" / "usr" / "share" / "tool.txt"
    tool_mtime = tool_pid.stat().st_mtime_ns
    recipe = layer / "recipes-demo" / "liba" / "liba_1.0.bb"
    recipe.write_text(recipe.read_text().replace("hello from liba", "changed liba"))
    result, output = build(layer, build_dir, "app", "tool")
    assert result.ok, output
    app_txt = workdir(build_dir, "app", "2.1") / "image" / "usr" / "bin" / "app.txt"
    assert app_txt.read_text().splitlines()[0] == "changed liba"
    assert "(tool:" not in output
    assert tool_pid.stat().st_mtime_ns == tool_mtime


def test_failure_names_recipe_task_and_log_tail(layer: Path, tmp_path: Path) -> None:
    result, _ = build(layer, tmp_path / "build", "broken")
    assert not result.ok
    [failure] = result.failures
    message = str(failure)
    assert failure.recipe == "broken" and failure.task == "do_compile"
    assert str(workdir(tmp_path / "build", "broken", "1.0") / "temp" / "log.do_compile") in message
    assert "something went wrong" in message and "exited with status 3" in message


def test_keep_going_builds_the_independent_recipes(layer: Path, tmp_path: Path) -> None:
    result, _ = build(layer, tmp_path / "build", "broken", "tool", keep_going=True)
    assert [f.recipe for f in result.failures] == ["broken"]
    assert (workdir(tmp_path / "build", "tool", "0.5") / "image" / "usr" / "share" / "tool.txt").exists()


def test_dry_run_lists_tasks_and_runs_nothing(layer: Path, tmp_path: Path) -> None:
    result, output = build(layer, tmp_path / "build", "app", dry_run=True)
    assert result.executed == 0
    assert "liba: do_compile" in output and "app: do_install" in output
    assert not (tmp_path / "build" / DEFAULT_DISTRO / "runnerboard" / "work").exists()


def test_force_and_single_task(layer: Path, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    result, _ = build(layer, build_dir, "tool", goal="do_compile")
    assert result.ok
    assert not (workdir(build_dir, "tool", "0.5") / "image").exists()
    result, _ = build(layer, build_dir, "tool", goal="do_compile")
    assert result.executed == 0
    result, _ = build(layer, build_dir, "tool", goal="do_compile", force=True)
    assert result.executed == 5  # -f reruns every task of the target: fetch, unpack, patch, configure, compile


def test_editing_one_task_reruns_it_and_later_tasks_only(layer: Path, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    result, _ = build(layer, build_dir, "tool")
    assert result.ok
    recipe = layer / "recipes-demo" / "tool" / "tool_0.5.bb"
    recipe.write_text(recipe.read_text() + "\ndo_install:append() {\n\techo extra > ${D}${datadir}/extra.txt\n}\n")
    result, output = build(layer, build_dir, "tool")
    assert result.ok, output
    assert "(tool:do_compile)" not in output and "(tool:do_install)" in output
    assert (workdir(build_dir, "tool", "0.5") / "image" / "usr" / "share" / "extra.txt").read_text() == "extra\n"
