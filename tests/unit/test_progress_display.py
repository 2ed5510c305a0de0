"""What a person sees of a build's progress: on a terminal, one refreshing screen with the
overall count and the running tasks' percentages (rich's live area, drawn here into a recording
console with a fake clock); elsewhere, plain lines."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from rich.console import Console

from pyrecipe.engine.progress import Progress, is_live_terminal


class Clock:
    """Seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def live_progress() -> tuple[Progress, Console, Clock]:
    console = Console(file=io.StringIO(), record=True, force_terminal=True, width=100)
    clock = Clock()
    return Progress(console=console, clock=clock), console, clock


def screen(progress: Progress, console: Console) -> str:
    """The live area as it is drawn now (the last frame the console recorded)."""
    console.export_text()  # forget the frames drawn so far
    assert progress._live is not None
    progress._live.refresh()
    return console.export_text()


def test_the_live_screen_shows_the_overall_count_and_each_running_task_with_its_percentage() -> None:
    """The screen knotty draws: "Running task N of M", then each running task, its percentage
    and a bar when its log says how far it is, and how long it has run."""
    progress, console, clock = live_progress()
    progress.start(456)
    try:
        for number in range(122):
            progress.task_started("zlib", f"do_{number}")
            progress.task_finished("zlib", f"do_{number}", ok=True)
        progress.task_started("python3-numpy", "do_compile")
        clock.now += 42
        progress.task_progress("python3-numpy", "do_compile", 37.4)
        progress.task_started("python3-six", "do_install")
        clock.now += 3
        shown = screen(progress, console)
    finally:
        progress.stop()
    lines = shown.splitlines()
    assert lines[0].startswith("Running task 124 of 456 (2 running)") and " 27% ━" in lines[0], shown
    assert lines[1].split() == ["python3-numpy:do_compile", "37%", lines[1].split()[2], "45", "s"], shown
    assert "━" in lines[1].split()[2], shown
    # A task whose log says nothing of how far it is: its time alone.
    assert lines[2].split() == ["python3-six:do_install", "3", "s"], shown
    assert len(lines) == 3, shown


def test_notes_and_a_failure_print_above_the_live_screen_and_stay_after_it_ends() -> None:
    """A warning and a failed task's line print as lines of their own over the live area; when
    the build ends the live area is erased (no stale count left behind), the lines stay, and the
    count of tasks run is the last line: the failed task is counted as failed, not as run (the
    build's summary, "Build failed: 0 tasks run, 1 failed", counts so)."""
    progress, console, clock = live_progress()
    progress.start(3)
    progress.task_started("failing", "do_compile")
    progress.note("WARNING: failing: do_compile: something to know")
    clock.now += 2
    progress.task_finished("failing", "do_compile", ok=False)
    progress.stop()
    text = console.export_text()
    assert "WARNING: failing: do_compile: something to know\n" in text
    assert "NOTE: recipe failing: task do_compile: Failed (2.0 s)\n" in text
    assert progress._live is None
    # What the terminal got last: the cursor shown again, the live area erased (up a line,
    # erase it), then the count.
    raw = console.file.getvalue()
    assert raw.endswith("\x1b[?25h\r\x1b[1A\x1b[2KTasks: 0 of 3 run, 1 failed\n"), repr(raw[-200:])


def test_a_long_note_is_not_cut_into_lines_by_the_live_screen() -> None:
    """A log path longer than the terminal is one line the terminal wraps, not pieces a
    copy and paste would have to join."""
    progress, console, _ = live_progress()
    progress.start(1)
    path = "/var/tmp/build/" + "long-directory/" * 10 + "temp/log.do_compile"
    progress.note(f"NOTE: see {path}")
    progress.stop()
    assert f"NOTE: see {path}\n" in console.export_text()


def test_plain_lines_when_the_output_is_not_a_terminal() -> None:
    """In a pipe or a CI log: a line per task start and end, percentages as lines, no escape
    sequence and no redrawn screen."""
    stream = io.StringIO()
    clock = Clock()
    progress = Progress(stream, clock=clock)
    assert not progress.live_mode
    progress.start(2)
    progress.task_started("ticker", "do_compile")
    clock.now += 6
    progress.task_progress("ticker", "do_compile", 50.0)
    progress.task_finished("ticker", "do_compile", ok=True)
    progress.stop()
    assert stream.getvalue() == (
        "NOTE: Running task 1 of 2 (ticker:do_compile)\n"
        "NOTE: recipe ticker: task do_compile: 50% (6 s)\n"
        "NOTE: recipe ticker: task do_compile: Succeeded (6.0 s)\n"
        "Tasks: 1 of 2 run\n"
    )


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_dumb_terminal_gets_plain_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    """TERM=dumb (Emacs' shell, some CI runners) cannot redraw in place: plain lines there."""
    monkeypatch.setenv("TERM", "xterm-256color")
    assert is_live_terminal(FakeTerminal())
    monkeypatch.setenv("TERM", "dumb")
    assert not is_live_terminal(FakeTerminal())
    assert not Progress(FakeTerminal()).live_mode


def test_rich_is_imported_only_when_the_live_screen_is_drawn() -> None:
    """A no-op build has no task to show: the command and its progress object do without rich
    (about 20 ms of imports)."""
    code = (
        "import sys, io\n"
        "import pyrecipe.commands.build\n"
        "from pyrecipe.engine.progress import Progress\n"
        "p = Progress(io.StringIO(), live=True)\n"
        "p.start(0); p.stop()\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] == 'rich'))\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "[]", result.stdout
