"""A real ``pyrecipe build`` of the reliability layer as a person runs it in a terminal (a
pseudo-terminal): the live screen with the overall count and a task's percentage, the final
summary; and in a pipe or a dumb terminal, the plain lines CI logs keep."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import shutil
import signal
import struct
import subprocess
import termios
import time
from pathlib import Path

from pyrecipe.config.paths import TOPDIR
from reliability_support import LAYER, add_recipe, build_command, build_env, pyrecipe_build

TICKER = r'''SUMMARY = "Prints ninja-style [n/N] lines, slowly"
do_compile[progress] = "outof:^\[(\d+)/(\d+)\]"
do_compile() {
	for i in 1 2 3 4 5 6; do
		echo "[$i/6] step $i"
		sleep 0.5
	done
}
'''
#: Seconds a build in the terminal may take.
DEADLINE = 120
#: Any escape sequence (a redraw, a colour, the cursor hidden or shown).
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def ticker_layer(tmp_path: Path) -> Path:
    layer = tmp_path / "layer"
    shutil.copytree(LAYER, layer)
    add_recipe(layer, "ticker", TICKER)
    return layer


def build_in_terminal(
    tmp_path: Path, term: str, *args: str, interrupt_when: str | None = None,
) -> tuple[int, str]:
    """Run ``pyrecipe build`` with a pseudo-terminal of 100 columns as its stdout and stderr, as
    a shell in a terminal does; its exit code and all it wrote, escape sequences included. With
    ``interrupt_when``, Ctrl-C reaches the build (SIGINT to its process group, as the terminal
    sends it) once its output shows that text."""
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = dict(build_env(), TERM=term)
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    command = build_command(ticker_layer(tmp_path), tmp_path / "build", *args)
    process = subprocess.Popen(command, stdin=secondary, stdout=secondary, stderr=secondary, cwd=TOPDIR, env=env,
                               start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    os.close(secondary)
    output = bytearray()
    deadline = time.monotonic() + DEADLINE
    try:
        while time.monotonic() < deadline:
            try:
                data = os.read(primary, 65536)
            except OSError:  # EIO: the build ended and closed its side
                break
            if not data:
                break
            output += data
            if interrupt_when is not None and interrupt_when in ESCAPE.sub("", output.decode("utf-8", "replace")):
                os.killpg(process.pid, signal.SIGINT)
                interrupt_when = None
    finally:
        os.close(primary)
        if process.poll() is None:
            process.kill()
    return process.wait(timeout=30), output.decode("utf-8", "replace")


def test_a_build_in_a_terminal_shows_the_live_screen_and_ends_with_its_summary(tmp_path: Path) -> None:
    """What a person sees: "Running task N of M" with a bar of the tasks done, the running
    compile's percentage from its ninja-style lines, redrawn in place. A failed task's line
    prints above the live area; at the end the cursor is shown again and the failure (recipe,
    task, log, its last lines) and the build's summary are plain lines below, not drawn over."""
    code, output = build_in_terminal(tmp_path, "xterm-256color", "-k", "ticker", "failing")
    plain = ESCAPE.sub("", output)
    assert code == 1, plain
    assert re.search(r"Running task \d+ of \d+ \(\d running\)\s+\d+% ━", plain), plain
    percents = {int(p) for p in re.findall(r"ticker:do_compile\s+(\d+)% ━", plain)}
    assert percents and percents <= {17, 33, 50, 67, 83, 100}, plain
    assert "\x1b[2K" in output and "\x1b[?25l" in output  # redrawn in place, cursor hidden meanwhile
    # The plain per-task lines of a log are not there: the screen shows them instead.
    assert "NOTE: Running task" not in plain
    assert "NOTE: recipe failing: task do_compile: Failed" in plain
    tail = ESCAPE.sub("", output[output.rindex("\x1b[?25h"):])
    counted = re.search(r"Tasks: (\d+) of \d+ run, 1 failed\r?\n", tail)
    assert counted, tail
    assert "pyrecipe: error: recipe failing: task do_compile failed" in tail, tail
    assert "failing.c:3:1: error: expected ';' before '}' token" in tail, tail
    # The two counts agree: a failed task is not counted as run in either.
    assert re.search(rf"Build failed: {counted.group(1)} tasks run, 1 failed in [\d.]+ s\r?\n", tail), tail


def test_ctrl_c_leaves_the_terminal_clean(tmp_path: Path) -> None:
    """Ctrl-C while tasks show on the live screen: the cursor is shown again after it was last
    hidden, the live area is erased (no half-drawn screen left above the prompt), and the last
    lines are the count and "interrupted". A guard: the stop in the scheduler's finally did this
    before the live screen was reworked, and must go on doing it."""
    layer_build = tmp_path / "build"
    layer_build.mkdir()
    (layer_build / "hold-compile").touch()  # slowpoke's do_compile waits while this exists
    code, output = build_in_terminal(tmp_path, "xterm-256color", "slowpoke", interrupt_when="slowpoke:do_compile")
    assert code == 130, ESCAPE.sub("", output)
    assert output.rindex("\x1b[?25h") > output.rindex("\x1b[?25l")
    tail = output[output.rindex("\x1b[?25h"):]
    assert "\x1b[2K" in tail  # the live area erased
    lines = [line for line in ESCAPE.sub("", tail).replace("\r", "").splitlines() if line.strip() and line != "^C"]
    assert re.fullmatch(r"Tasks: \d+ of \d+ run", lines[-2]) and lines[-1] == "pyrecipe: interrupted", lines


def test_a_dumb_terminal_and_a_pipe_get_plain_lines(tmp_path: Path) -> None:
    """TERM=dumb cannot redraw in place, and a pipe is a log: both get the plain lines as
    before, without an escape sequence."""
    code, output = build_in_terminal(tmp_path / "dumb", "dumb", "ticker")
    assert code == 0, output
    assert not ESCAPE.search(output), repr(output[:500])
    assert re.search(r"NOTE: Running task \d+ of \d+ \(ticker:do_compile\)", output), output
    assert "NOTE: recipe ticker: task do_compile: Succeeded" in output
    piped = pyrecipe_build(ticker_layer(tmp_path / "pipe"), tmp_path / "pipe" / "build", "ticker")
    assert piped.returncode == 0, piped.stderr
    assert not ESCAPE.search(piped.stdout + piped.stderr)
    assert re.search(r"NOTE: Running task \d+ of \d+ \(ticker:do_compile\)", piped.stdout), piped.stdout
    assert re.search(r"Build done: \d+ tasks run in [\d.]+ s\n", piped.stdout), piped.stdout
