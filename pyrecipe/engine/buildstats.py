"""Buildstats: what each task of a build cost, kept per build as OpenEmbedded's buildstats are.

One JSON file per build, ``${MACHINE_BUILD_DIR}/buildstats/<start, YYYYmmdd-HHMMSS-ffffff>.json``
(``build/<distro>/<machine>/buildstats/``), written whole under a temporary name (``pyrecipe
report`` reads it). Per task: its status (``ran``, ``failed``, ``up to date`` when its stamp
was there, or one ``<task>_setscene`` record standing for the tasks shared state restored), its
worker lane (the scheduler's worker thread: one recipe at a time per lane), start and end (Unix
time), the warnings it gave (QA's among them), and what it used:

- ``user``/``system``: CPU seconds of the task's processes, from ``wait4()``'s rusage of
  bubblewrap and of its sandbox's init (which pyrecipe adopts as a child subreaper, see
  :class:`MeasuredPopen`): the kernel adds to a process's rusage every descendant it reaped,
  and in the sandbox's PID namespace everything is reaped by that init; plus the CPU of pyrecipe's own worker thread while the task ran
  (``RUSAGE_THREAD``: an in-process Python task's work).
- ``max_rss``: bytes of the largest resident set of any one of the task's processes (the
  kernel's ``ru_maxrss`` of waited descendants is their maximum, not a sum); None when the task
  started no process (it ran in pyrecipe's process, whose peak is not the task's). A floor
  too: the kernel keeps a process's high-water mark across exec, and the task's first process
  is forked from pyrecipe, so no figure is below pyrecipe's own resident size then.
- ``read_bytes``/``write_bytes``: the storage I/O of those processes and of the thread
  (``ru_inblock``/``ru_oublock``, 512-byte units, which the kernel counts as /proc's
  read_bytes and write_bytes): reads served from the page cache count nothing.

Not counted: processes that a Python task in pyrecipe's process starts itself (not through a
shell function): their rusage goes to pyrecipe as a whole, shared by the tasks running beside.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pyrecipe.fsutil import atomic_write_text

#: Bytes of a block of ``ru_inblock``/``ru_oublock``.
BLOCK = 512
BUILDSTATS_DIR = "buildstats"


@dataclass
class Usage:
    """What a task's processes and pyrecipe's thread used while it ran."""

    user: float = 0.0
    system: float = 0.0
    max_rss: int | None = None
    read_bytes: int = 0
    write_bytes: int = 0

    def add_process(self, usage: resource.struct_rusage) -> None:
        """Count a reaped process tree's rusage (``wait4``'s)."""
        self.user += usage.ru_utime
        self.system += usage.ru_stime
        self.max_rss = max(self.max_rss or 0, usage.ru_maxrss * 1024)  # Linux gives KiB
        self.read_bytes += usage.ru_inblock * BLOCK
        self.write_bytes += usage.ru_oublock * BLOCK


_measuring: ContextVar[Usage | None] = ContextVar("pyrecipe_task_usage", default=None)


#: Seconds to wait for a sandbox's init once bubblewrap has ended: it ends when the namespace's
#: last process has (a daemon a task left there keeps it; then its figures are not counted).
INIT_GRACE_SECONDS = 2.0
#: Seconds between two looks for the sandbox's init while bubblewrap starts, and how long it is
#: looked for (bubblewrap makes it at once; a command that is no bubblewrap has none).
LOOK_SECONDS = 0.01
LOOK_LIMIT_SECONDS = 10.0
_PR_SET_CHILD_SUBREAPER = 36
_subreaper = False


def _become_subreaper() -> None:
    """Make pyrecipe the reaper of its orphaned descendants (prctl PR_SET_CHILD_SUBREAPER), once:
    bubblewrap exits as soon as its sandbox's init reports the command's status, without reaping
    that init, which holds the rusage of every process of the sandbox; adopted, pyrecipe reaps it."""
    global _subreaper
    if not _subreaper:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        _subreaper = True


class MeasuredPopen(subprocess.Popen[bytes]):
    """A Popen whose reaping keeps the rusage of the task's processes, for the task being measured.

    Popen reaps with ``waitpid``, which drops the rusage the kernel has for the process tree;
    every wait (blocking or polled with a timeout) goes through ``_try_wait``, which this takes
    over with ``wait4``, the same call with the rusage kept (``poll()`` reaps by itself, with
    waitpid: a task's process is waited for, never polled). For bubblewrap the sandbox's init is
    found while it runs (the child in a PID namespace of its own), and reaped after it. Being a
    subreaper, pyrecipe also adopts whatever else its children leave running (a daemon started
    outside a sandbox): those stay unreaped until pyrecipe ends, as does an init that was not
    seen before bubblewrap ended (a task over within the first look: its figures are bubblewrap's).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _become_subreaper()
        self._init: int | None = None
        self._looking_until = time.monotonic() + LOOK_LIMIT_SECONDS
        super().__init__(*args, **kwargs)

    def _try_wait(self, wait_flags: int) -> tuple[int, int]:
        from pyrecipe.engine.limits import sandbox_init

        try:
            while True:
                looking = self._init is None and time.monotonic() < self._looking_until
                if looking:
                    self._init = sandbox_init(self.pid)
                    looking = self._init is None
                blocking = wait_flags == 0 and not looking
                pid, status, usage = os.wait4(self.pid, 0 if blocking else os.WNOHANG)
                if pid or wait_flags:
                    break
                time.sleep(LOOK_SECONDS)  # a blocking wait looks for the init until bubblewrap has made it
        except ChildProcessError:  # as Popen's own: reaped elsewhere, the status is lost
            return self.pid, 0
        if pid == self.pid:
            self._count(usage)
            if self._init is not None:
                self._count(_reap(self._init))
        return pid, status

    @staticmethod
    def _count(usage: resource.struct_rusage | None) -> None:
        counting = _measuring.get()
        if counting is not None and usage is not None:
            counting.add_process(usage)


def _reap(pid: int) -> resource.struct_rusage | None:
    """The rusage of adopted process ``pid`` once it ends (within INIT_GRACE_SECONDS), or None."""
    deadline = time.monotonic() + INIT_GRACE_SECONDS
    while True:
        try:
            reaped, _, usage = os.wait4(pid, os.WNOHANG)
        except ChildProcessError:  # not adopted (no subreaper), or reaped already
            return None
        if reaped:
            return usage
        if time.monotonic() > deadline:
            return None
        time.sleep(LOOK_SECONDS)


@contextmanager
def measured() -> Iterator[Usage]:
    """Measure what runs in this thread meanwhile: the processes reaped by :class:`MeasuredPopen`
    and the thread's own CPU and I/O (a context variable, so parallel tasks do not mix)."""
    usage = Usage()
    token = _measuring.set(usage)
    before = resource.getrusage(resource.RUSAGE_THREAD)
    try:
        yield usage
    finally:
        after = resource.getrusage(resource.RUSAGE_THREAD)
        _measuring.reset(token)
        usage.user += after.ru_utime - before.ru_utime
        usage.system += after.ru_stime - before.ru_stime
        usage.read_bytes += (after.ru_inblock - before.ru_inblock) * BLOCK
        usage.write_bytes += (after.ru_oublock - before.ru_oublock) * BLOCK


@dataclass
class TaskRecord:
    recipe: str
    task: str
    #: ran, failed, restored, up to date; None while measured: a record to drop (nothing was restored).
    status: str | None
    lane: int | None = None
    start: float | None = None
    end: float | None = None
    usage: Usage | None = None
    warnings: list[str] = field(default_factory=list)
    #: For a ``_setscene`` record: the tasks shared state stood for.
    tasks: list[str] = field(default_factory=list)


class Recorder:
    """Collects the records of one build from its worker threads; lanes by worker thread."""

    def __init__(self) -> None:
        self.started = time.time()
        self.records: list[TaskRecord] = []
        self._lanes: dict[int, int] = {}
        self._lock = threading.Lock()

    def lane(self) -> int:
        """This worker thread's lane: numbered in the order the threads first ran a recipe."""
        with self._lock:
            return self._lanes.setdefault(threading.get_ident(), len(self._lanes))

    def add(self, record: TaskRecord) -> None:
        with self._lock:
            self.records.append(record)

    @contextmanager
    def task(self, recipe: str, task: str, status: str = "ran") -> Iterator[TaskRecord]:
        """Record ``task`` as it runs: times and usage; ``failed`` when it raises; nothing when
        the caller set the record's status to None."""
        record = TaskRecord(recipe, task, status, lane=self.lane(), start=time.time())
        try:
            with measured() as record.usage:
                yield record
        except BaseException:
            record.status = "failed"
            raise
        finally:
            record.end = time.time()
            if record.status is not None:
                self.add(record)


def stats_dir(machine_build_dir: Path) -> Path:
    return machine_build_dir / BUILDSTATS_DIR


def write(machine_build_dir: Path, recorder: Recorder, build: dict[str, Any]) -> Path:
    """Write the build's stats file (``build``: what else the report shows: targets, packages)."""
    name = datetime.fromtimestamp(recorder.started).strftime("%Y%m%d-%H%M%S-%f") + ".json"
    path = stats_dir(machine_build_dir) / name
    document = {"started": recorder.started, "ended": time.time(), **build,
                "tasks": [asdict(record) for record in recorder.records]}
    atomic_write_text(path, json.dumps(document, indent=1) + "\n")
    return path


def latest(machine_build_dir: Path) -> Path | None:
    """The last build's stats file, or None."""
    files = sorted(stats_dir(machine_build_dir).glob("*.json")) if stats_dir(machine_build_dir).is_dir() else []
    return files[-1] if files else None
