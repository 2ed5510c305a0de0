"""Buildstats' rusage collection: a task's figures are those of its whole process tree, reaped
by wait4, and of its own worker thread; tasks running beside it do not mix in."""

from __future__ import annotations

import resource
import subprocess
import sys
import threading
from pathlib import Path

from pyrecipe.engine.buildstats import MeasuredPopen, Recorder, Usage, measured

#: A grandchild (bash -> python3) that burns CPU, holds 150 MB and writes 8 MB to disk.
WORKER = (
    "import os, time\n"
    "block = bytearray(150 << 20)\n"
    "for i in range(0, len(block), 4096): block[i] = 1\n"
    "end = time.process_time() + 0.4\n"
    "while time.process_time() < end: pass\n"
    "with open(os.environ['OUT'], 'wb') as f:\n"
    "    f.write(os.urandom(8 << 20)); f.flush(); os.fsync(f.fileno())\n"
)


def run_tree(tmp_path: Path) -> Usage:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    with measured() as usage:
        process = MeasuredPopen(["bash", "-c", f"{sys.executable} {script} & wait"], env={"OUT": str(tmp_path / "out")})
        assert process.wait(timeout=60) == 0
    return usage


def test_a_grandchilds_cpu_memory_and_writes_count(tmp_path: Path) -> None:
    """waitpid drops the tree's rusage: a task's CPU, peak memory and writes were nowhere."""
    usage = run_tree(tmp_path)
    assert usage.user + usage.system >= 0.35
    assert usage.max_rss is not None and usage.max_rss >= 150 << 20
    assert usage.write_bytes >= 8 << 20


def test_a_polled_wait_keeps_the_rusage_too(tmp_path: Path) -> None:
    """wait_within polls with a timeout (TASK_TIMEOUT, TASK_MAX_PROCESSES): WNOHANG's reaping counts as well."""
    with measured() as usage:
        process = MeasuredPopen([sys.executable, "-c", "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass"])
        while not _waited(process):
            pass
    assert usage.user + usage.system >= 0.25


def _waited(process: MeasuredPopen) -> bool:
    try:
        process.wait(timeout=0.05)
    except subprocess.TimeoutExpired:
        return False
    return True


def test_tasks_in_parallel_threads_do_not_mix(tmp_path: Path) -> None:
    """RUSAGE_CHILDREN is the whole process's: a task beside a busy one would be charged its CPU."""
    quiet: list[Usage] = []

    def idle() -> None:
        with measured() as usage:
            process = MeasuredPopen(["sleep", "0.6"])
            process.wait()
        quiet.append(usage)

    thread = threading.Thread(target=idle)
    thread.start()
    busy = run_tree(tmp_path)
    thread.join()
    assert busy.user + busy.system >= 0.35
    assert quiet[0].user + quiet[0].system < 0.1
    # A child's peak starts at the test process's own size (the kernel keeps the high-water mark
    # across fork and exec), which a long pytest run grows past 100 MB: the bound is that size,
    # not the busy tree's 150 MB on top of it.
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert (quiet[0].max_rss or 0) < max(100 << 20, floor + (16 << 20))


def test_records_say_lane_and_failure() -> None:
    """A task that raises is recorded as failed; one worker thread is one lane."""
    recorder = Recorder()
    with recorder.task("r", "do_compile"):
        pass
    try:
        with recorder.task("r", "do_install"):
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    other = threading.Thread(target=lambda: recorder.add(recorder.records[0].__class__("s", "do_fetch", "ran", lane=recorder.lane())))
    other.start()
    other.join()
    assert [(r.task, r.status, r.lane) for r in recorder.records] == [("do_compile", "ran", 0), ("do_install", "failed", 0), ("do_fetch", "ran", 1)]
