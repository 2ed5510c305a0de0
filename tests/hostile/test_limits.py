"""Class 7 of issue 25, a task's share of the machine: a recipe's task that starts processes
without end, writes a file without end, allocates without end or never ends must fail as that
task, naming the limit and the variable that raises it (TASK_MAX_PROCESSES, TASK_MAX_FILE_SIZE,
TASK_MAX_MEMORY, TASK_TIMEOUT), and leave nothing running.

Each test sets a small limit in the build's local.conf and asks for a bounded excess (200
sleeping processes, never an unbounded fork bomb), so that the test itself is safe on the code
before the limits, where the task simply succeeded.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from reliability_support import add_recipe, assert_clean_error, pyrecipe_build, workdir, write_local_conf

pytestmark = pytest.mark.hostile


def _running_with(marker: str) -> list[str]:
    """Command lines of the processes that carry ``marker`` (a test's own sleep length)."""
    listing = subprocess.run(["ps", "-eo", "args="], capture_output=True, text=True, check=True).stdout
    return [line for line in listing.splitlines() if marker in line and "ps -eo" not in line]


def test_a_task_starting_too_many_processes_fails_and_leaves_none(layer: Path, tmp_path: Path) -> None:
    """Escape: a fork bomb in do_compile took the machine (no limit on a task's processes).
    200 sleepers against a limit of 50: the task fails naming TASK_MAX_PROCESSES, and every
    sleeper is gone with it (the sandbox's PID namespace ended whole)."""
    add_recipe(layer, "forker", "do_compile() {\n\tfor i in $(seq 200); do sleep 4321 & done\n\twait\n}\n")
    build_dir = tmp_path / "build"
    write_local_conf(build_dir, TASK_MAX_PROCESSES="50")

    result = pyrecipe_build(layer, build_dir, "forker")

    assert_clean_error(result, 1)
    assert "recipe forker: task do_compile failed" in result.stderr
    assert "TASK_MAX_PROCESSES = 50" in result.stderr, result.stderr
    time.sleep(0.5)  # the kernel reaps the namespace's processes asynchronously
    assert _running_with("sleep 4321") == []


def test_a_task_writing_a_file_past_the_size_limit_fails(layer: Path, tmp_path: Path) -> None:
    """Escape: a task could write one file until the disk was full (no RLIMIT_FSIZE). With a
    limit of 1M, a 3 MB write stops at 1 MiB and the task fails naming TASK_MAX_FILE_SIZE."""
    add_recipe(layer, "filler", "do_compile() {\n\thead -c 3000000 /dev/zero > ${B}/filler.bin\n}\n")
    build_dir = tmp_path / "build"
    write_local_conf(build_dir, TASK_MAX_FILE_SIZE="1M")

    result = pyrecipe_build(layer, build_dir, "filler")

    assert_clean_error(result, 1)
    assert "recipe filler: task do_compile failed" in result.stderr
    assert "TASK_MAX_FILE_SIZE = 1M" in result.stderr, result.stderr
    assert (workdir(build_dir, "filler") / "build" / "filler.bin").stat().st_size <= 1 << 20


def test_a_task_past_its_time_limit_is_ended_and_fails(layer: Path, tmp_path: Path) -> None:
    """Escape: a task that never ends held the build forever (no deadline for a task). With
    TASK_TIMEOUT = 2 a task sleeping a minute is ended within seconds, the variable named, and
    its process does not outlive the build."""
    add_recipe(layer, "sleeper", "do_compile() {\n\tsleep 5432\n}\n")
    build_dir = tmp_path / "build"
    write_local_conf(build_dir, TASK_TIMEOUT="2")
    started = time.monotonic()

    result = pyrecipe_build(layer, build_dir, "sleeper")

    assert_clean_error(result, 1)
    assert time.monotonic() - started < 30
    assert "ran longer than the task time limit, TASK_TIMEOUT = 2 s" in result.stderr, result.stderr
    time.sleep(0.5)
    assert _running_with("sleep 5432") == []


def test_a_task_allocating_past_the_memory_limit_fails(layer: Path, tmp_path: Path) -> None:
    """Escape: a task could take all the machine's memory (no limit). With TASK_MAX_MEMORY =
    100M, a process of the task writing 400 MB gets no memory and the task fails; the same task
    under the default limit (a share of the machine's memory) succeeds."""
    add_recipe(layer, "hog", "do_compile() {\n\tpython3 -c 'b = bytearray(400 * 1024 * 1024); print(\"allocated\")'\n}\n")
    build_dir = tmp_path / "build"
    write_local_conf(build_dir, TASK_MAX_MEMORY="100M")

    result = pyrecipe_build(layer, build_dir, "hog")

    assert_clean_error(result, 1)
    assert "recipe hog: task do_compile failed" in result.stderr
    assert "MemoryError" in result.stderr, result.stderr
    write_local_conf(build_dir)
    assert pyrecipe_build(layer, build_dir, "hog").returncode == 0


def test_a_limit_that_is_no_number_is_an_input_error(layer: Path, tmp_path: Path) -> None:
    """A limit variable the build cannot read is the user's error, said with the variable, not
    a traceback nor a limit silently dropped."""
    add_recipe(layer, "plain", "do_compile() {\n\ttrue\n}\n")
    build_dir = tmp_path / "build"
    write_local_conf(build_dir, TASK_MAX_PROCESSES="many")

    result = pyrecipe_build(layer, build_dir, "plain")

    assert result.returncode != 0
    assert "TASK_MAX_PROCESSES = 'many' is not a number" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("variable", ["TASK_MAX_PROCESSES", "TASK_TIMEOUT", "FETCH_MAX_SIZE", "UNPACK_MAX_MEMBERS"])
def test_a_recipe_cannot_lift_its_own_limits(layer: Path, tmp_path: Path, variable: str) -> None:
    """Escape: the limits were recipe variables, so a fork bomb's recipe set TASK_MAX_PROCESSES =
    "0" first (and a download's FETCH_MAX_SIZE, an archive's UNPACK_MAX_MEMBERS likewise). They
    are the user's now: the recipe is refused at parse time, naming the variable and its line."""
    recipe = add_recipe(layer, "lifter", f'{variable} = "0"\ndo_compile() {{\n\ttrue\n}}\n')
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "lifter")

    assert_clean_error(result, 2)
    assert f"{recipe}:1:1: {variable} is set here, but {variable} is a limit of the build machine's" in result.stderr, \
        result.stderr
    assert not workdir(build_dir, "lifter").exists()
