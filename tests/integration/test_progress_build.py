"""A real shell task with a [progress] flag: its log read while it runs, its percentage in the
build's plain output (the runner layer's recipes, no cross toolchain)."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from pyrecipe.config.configuration import Settings
from pyrecipe.engine import progress as progress_module
from pyrecipe.engine.build import BuildRequest, run_build
from pyrecipe.engine.progress import Progress
from pyrecipe.engine.scheduler import BuildOptions, BuildResult
from runner_support import plain_environment

LAYER = Path(__file__).parents[1] / "fixtures" / "runner_layer"

TICKER = r'''SUMMARY = "Prints ninja-style [n/N] lines, slowly"
do_compile[progress] = "outof:^\[(\d+)/(\d+)\]"
do_compile() {
	for i in 1 2 3 4; do
		echo "[$i/4] step $i"
		sleep 1
	done
}
'''


def build(tmp_path: Path, recipe: str) -> tuple[BuildResult, str]:
    layer = tmp_path / "layer"
    shutil.copytree(LAYER, layer)
    (layer / "recipes-demo" / "ticker").mkdir()
    (layer / "recipes-demo" / "ticker" / "ticker_1.0.bb").write_text(recipe)
    stream = io.StringIO()
    request = BuildRequest(
        settings=Settings(build_dir=tmp_path / "build", machine="runnerboard", layers=(layer,)),
        targets=("ticker",), options=BuildOptions(goal="do_compile", jobs=1),
    )
    result = run_build(request, Progress(stream, live=False), environment=plain_environment, native_tools=list)
    return result, stream.getvalue()


def test_a_compile_says_how_far_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_module, "PLAIN_INTERVAL", 0.0)
    result, output = build(tmp_path, TICKER)
    assert result.ok, output
    said = [int(p) for p in re.findall(r"NOTE: recipe ticker: task do_compile: (\d+)% \(\d+ s\)", output)]
    # Each line as the log shows it (a busy machine may read two lines at once: at least two seen).
    assert len(said) >= 2 and said == sorted(said) and set(said) <= {25, 50, 75, 100}, output
    # While the task runs: between its start and its end.
    running = output[output.index("(ticker:do_compile)"):output.index("task do_compile: Succeeded")]
    assert len(re.findall(r"do_compile: \d+%", running)) == len(said)


def test_a_progress_flag_that_cannot_work_fails_the_task_saying_why(tmp_path: Path) -> None:
    result, output = build(tmp_path, TICKER.replace("outof:", "ninja:"))
    [failure] = result.failures
    assert "ticker:do_compile[progress]" in str(failure) and "expected outof:REGEX or percent:REGEX" in str(failure), output
