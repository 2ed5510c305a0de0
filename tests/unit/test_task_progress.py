"""How far a task is: the [progress] flag read as bitbake's handlers read it, the log watched as it
grows, and the percentage shown on the live line or as plain lines every few seconds."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from rich.console import Console

from pyrecipe.engine.progress import Progress
from pyrecipe.engine.task_runner import recipe_signature
from pyrecipe.engine.taskprogress import LogWatcher, parse_progress_flag
from pyrecipe.errors import InputError
from pyrecipe.parse import core_datastore

NINJA = r"outof:^\[(\d+)/(\d+)\]"


def test_outof_and_percent_read_their_lines() -> None:
    ninja = parse_progress_flag(NINJA, "numpy:do_compile")
    assert ninja.percent("[12/48] Compiling C object foo.o") == 25.0
    assert ninja.percent("  Compiling foo") is None and ninja.percent("[3/0] nothing") is None
    make = parse_progress_flag(r"percent:^\[\s*(\d+)%\]", "x:do_compile")
    assert make.percent("[ 45%] Building C object") == 45.0
    assert make.percent("[250%] more than done") == 100.0


@pytest.mark.parametrize(("flag", "message"), [
    ("ninja:^\\[", "expected outof:REGEX or percent:REGEX"),
    ("outof:", "expected outof:REGEX"),
    ("outof:^[(", "is not a regular expression"),
    (r"outof:^\[(\d+)\]", "outof needs 2 groups"),
])
def test_a_flag_that_cannot_work_is_an_input_error(flag: str, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace("[", r"\[")):
        parse_progress_flag(flag, "x:do_compile")


def test_the_watcher_reports_the_last_complete_line_once(tmp_path: Path) -> None:
    log = tmp_path / "log.do_compile"
    seen: list[float] = []
    watcher = LogWatcher(log, parse_progress_flag(NINJA, "x:do_compile"), seen.append)
    watcher.read()  # no log yet
    log.write_text("meson setup\n[1/4] a\n[2/4] b\n[3/4")
    watcher.read()
    assert seen == [50.0]  # "[3/4" is not a whole line yet
    with log.open("a") as out:
        out.write("] c\rcargo-style\r[3/4] again\n")
    watcher.read()
    watcher.read()
    assert seen == [50.0, 75.0]


def test_plain_output_says_the_percentage_every_few_seconds() -> None:
    clock = [100.0]
    stream = io.StringIO()
    progress = Progress(stream, live=False, clock=lambda: clock[0])
    progress.start(1)
    progress.task_started("numpy", "do_compile")
    # Not before 5 s have passed since the start or the last line, nor the same whole percentage.
    for seconds, percent in ((1, 5.0), (6, 20.0), (7, 30.0), (12, 30.4), (18, 30.9), (19, 60.0)):
        clock[0] = 100.0 + seconds
        progress.task_progress("numpy", "do_compile", percent)
    progress.task_finished("numpy", "do_compile", ok=True)
    progress.task_progress("numpy", "do_compile", 99.0)  # after the end: nothing
    lines = [line for line in stream.getvalue().splitlines() if "%" in line]
    assert lines == [f"NOTE: recipe numpy: task do_compile: {said}" for said in ("20% (6 s)", "30% (12 s)", "60% (19 s)")]


def test_the_live_line_shows_the_percentage() -> None:
    progress = Progress(io.StringIO(), live=False)
    progress.start(3)
    progress.task_started("numpy", "do_compile")
    progress.task_started("six", "do_install")
    progress.task_progress("numpy", "do_compile", 42.4)
    console = Console(file=io.StringIO(), width=100)
    console.print(progress._render())
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert re.search(r"numpy:do_compile +42% ━+.* 0 s\n", text) and re.search(r"six:do_install +0 s\n", text), text


CLASSES = Path(__file__).parents[2] / "classes"


@pytest.mark.parametrize(("bbclass", "line", "percent"), [
    ("meson", "[81/326] Compiling C object numpy/_core/npymath.o", 81 / 326 * 100),
    ("cmake", "[3/4] Linking CXX shared module demo.so", 75.0),
    ("cargo_common", "    Building [=====>                  ] 45/120: serde, pyo3(build)   ", 37.5),
])
def test_the_classes_flags_read_their_tools_lines(bbclass: str, line: str, percent: float) -> None:
    text = (CLASSES / f"{bbclass}.bbclass").read_text()
    [flag] = re.findall(r'^do_compile\[progress\] = "(.*)"$', text, re.M)
    pattern = parse_progress_flag(flag, f"{bbclass}:do_compile")
    assert pattern.percent(line) == pytest.approx(percent)
    assert pattern.percent("   Compiling serde v1.0.219") is None


def test_how_cargo_reports_is_no_input_of_a_recipe() -> None:
    d = core_datastore()
    d.setVar("PN", "demo")
    before = recipe_signature(d, [])
    d.setVar("CARGO_TERM_PROGRESS_WHEN", "always")
    d.setVar("CARGO_TERM_PROGRESS_WIDTH", "100")
    assert recipe_signature(d, []) == before
