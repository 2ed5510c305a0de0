"""What one task may take: processes, memory, file size and time, so that a runaway task (a
fork bomb, a leak, an endless write, a hang) fails as that task instead of taking the machine.

The limits are the user's (``toolchains/bitbake.conf`` sets them with ``?=``; ``local.conf`` raises
them, for one recipe with ``VAR:pn-<recipe>``; ``0`` lifts one; a layer's recipe cannot, see
:mod:`pyrecipe.parse.walls`), see docs/classes.md:

- ``TASK_MAX_MEMORY``: RLIMIT_DATA of each process of the task, bytes with a K/M/G suffix or a
  percentage of the machine's physical memory (default ``75%``). RLIMIT_DATA, not RLIMIT_AS:
  RLIMIT_DATA counts the private writable memory a process maps (heap, anonymous mappings, thread
  stacks), while RLIMIT_AS counts address space merely reserved, of which the JVM, Go, V8 and
  rustc's allocator reserve gigabytes they never use. It is per process: a compiler can use most
  of the memory, not the whole build at once.
- ``TASK_MAX_FILE_SIZE``: RLIMIT_FSIZE, the largest file a task's process may write (default
  ``8G``); the writer is stopped by SIGXFSZ (a shell's status 153) or gets EFBIG.
- ``TASK_MAX_PROCESSES``: how many processes the task's sandbox may hold at once (default
  ``4096``), counted in the task's own PID namespace (bubblewrap's ``--unshare-pid``) by the
  watch below: a PID namespace is there for every sandboxed task, and ending its first process
  ends all of it (the kernel kills the rest), so a fork bomb is seen within
  :data:`WATCH_SECONDS` and ended whole, as root too. The watch polls, and a fork bomb starves
  a poller of CPU, so RLIMIT_NPROC is set to the same number as the kernel's own stop where it
  means something: bubblewrap run by a user makes a user namespace, and since Linux 5.14 the
  limit counts the processes (threads, precisely) of the user in that namespace alone, i.e. the
  task's. It is no use alone: for root (the kernel does not enforce it for uid 0) nor without a
  user namespace (a setuid bubblewrap: then it counts every process of the user on the machine,
  which the high default leaves room for). A cgroup's ``pids.max`` would be exact everywhere but
  needs a delegated cgroup, which neither a container nor a plain user session reliably gives.
- ``TASK_TIMEOUT``: seconds a task's process may run (default ``21600``, six hours: far above
  any compile of a Python package with the build machine's cores, below "forever").

The rlimits are set by util-linux's ``prlimit`` inside the sandbox (present on every Debian,
Essential in the build roots), so that bubblewrap's own set-up is not subject to them and the
task cannot raise them (soft and hard are set alike).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.errors import InputError
from pyrecipe.parse import DataSmart

#: How often the watch looks at a running task (its process count and its deadline), seconds.
WATCH_SECONDS = 0.2
#: A shell's exit status for a command stopped by SIGXFSZ (128 + the signal).
FILE_SIZE_STATUS = 128 + signal.SIGXFSZ

_SIZE_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(text: str) -> int:
    """Bytes of ``500M``, ``20G``, ``1.5G``, ``4096``; ValueError for anything else."""
    found = _SIZE_RE.fullmatch(text)
    if not found:
        raise ValueError(text)
    return int(float(found.group(1)) * _SIZE_UNITS[found.group(2).upper()])


@dataclass(frozen=True)
class TaskLimits:
    """A task's limits; None: not limited."""

    processes: int | None = None
    memory: int | None = None  # bytes, per process (RLIMIT_DATA)
    file_size: int | None = None  # bytes (RLIMIT_FSIZE)
    seconds: float | None = None


def _physical_memory() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def task_limits(d: DataSmart) -> TaskLimits:
    """The limits recipe ``d`` sets; InputError naming the variable for a value that is none."""

    def read(name: str) -> str:
        return (d.getVar(name) or "0").strip()

    def number(name: str, kind: type[int] | type[float]) -> int | float | None:
        text = read(name)
        try:
            value = kind(text)
        except ValueError:
            raise InputError(f"recipe {d.getVar('PN')}: {name} = {text!r} is not a number (0 lifts the limit)") from None
        if value < 0:
            raise InputError(f"recipe {d.getVar('PN')}: {name} = {text!r} is negative (0 lifts the limit)")
        return value or None

    def size(name: str) -> int | None:
        text = read(name)
        try:
            value = int(_physical_memory() * float(text[:-1]) / 100) if text.endswith("%") else parse_size(text)
        except ValueError:
            raise InputError(f"recipe {d.getVar('PN')}: {name} = {text!r} is not a size (bytes with a K, M or G "
                             "suffix, or a percentage of the memory; 0 lifts the limit)") from None
        return value or None

    processes = number("TASK_MAX_PROCESSES", int)
    return TaskLimits(processes=int(processes) if processes else None, memory=size("TASK_MAX_MEMORY"),
                      file_size=size("TASK_MAX_FILE_SIZE"), seconds=number("TASK_TIMEOUT", float))


def limited_argv(d: DataSmart, argv: list[str]) -> list[str]:
    """``argv`` under the process, memory and file-size limits of recipe ``d`` (``prlimit ... --
    argv``), for the sandbox builders to run inside the sandbox; ``argv`` itself when none is set."""
    limits = task_limits(d)
    options = [f"--nproc={limits.processes}"] if limits.processes else []
    options += [f"--data={limits.memory}"] if limits.memory else []
    options += [f"--fsize={limits.file_size}"] if limits.file_size else []
    return ["prlimit", *options, "--", *argv] if options else argv


def explain_status(d: DataSmart, returncode: int) -> str | None:
    """Which limit a task's exit status says it reached, and the variable to raise; or None."""
    if returncode in (FILE_SIZE_STATUS, -signal.SIGXFSZ) and task_limits(d).file_size:
        return (f"a file reached the task's file size limit, TASK_MAX_FILE_SIZE = {d.getVar('TASK_MAX_FILE_SIZE')} "
                "(raise it in conf/local.conf; for one recipe, TASK_MAX_FILE_SIZE:pn-<recipe>)")
    return None


def wait_within(process: subprocess.Popen[bytes], d: DataSmart, task: str) -> tuple[int, str | None]:
    """Wait for a task's ``process`` (bubblewrap) while it keeps to the process and time limits of
    ``d``: (its exit status, None), or, when it went past one, (its status once stopped, which
    limit and the variable to raise). Stopped means the sandbox's first process is killed, and
    with it, by the kernel, everything else in its PID namespace."""
    limits = task_limits(d)
    if limits.processes is None and limits.seconds is None:
        return process.wait(), None
    started = time.monotonic()
    while True:
        try:
            return process.wait(timeout=WATCH_SECONDS), None
        except subprocess.TimeoutExpired:
            pass
        exceeded = None
        if limits.seconds is not None and time.monotonic() - started > limits.seconds:
            exceeded = (f"{task} ran longer than the task time limit, TASK_TIMEOUT = {d.getVar('TASK_TIMEOUT')} s "
                        "(raise it in conf/local.conf; for one recipe, TASK_TIMEOUT:pn-<recipe>)")
        elif limits.processes is not None and (count := sandbox_processes(process.pid)) >= limits.processes:
            # Reached, not passed: where RLIMIT_NPROC holds, the kernel stops the task right there.
            exceeded = (f"{task} reached the task limit of processes ({count} running), TASK_MAX_PROCESSES = "
                        f"{d.getVar('TASK_MAX_PROCESSES')} (raise it in conf/local.conf; for one recipe, TASK_MAX_PROCESSES:pn-<recipe>)")
        if exceeded is not None:
            _stop_sandbox(process)
            return process.wait(), exceeded


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


def _own_pid_namespace(pid: int) -> bool:
    """Whether process ``pid`` lives in a PID namespace other than pyrecipe's."""
    try:
        return os.stat(f"/proc/{pid}/ns/pid").st_ino != os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return False


def sandbox_init(pid: int) -> int | None:
    """The sandbox's first process (its PID namespace's init) of bubblewrap ``pid``, or None (yet)."""
    return next((child for child in _children(pid) if _own_pid_namespace(child)), None)


def sandbox_processes(pid: int) -> int:
    """How many processes the PID namespace of bubblewrap ``pid``'s sandbox holds: the entries of
    the sandbox's own /proc, seen through its first process's root; 0 when there is none (yet)."""
    init = sandbox_init(pid)
    if init is None:
        return 0
    try:
        return sum(1 for name in os.listdir(f"/proc/{init}/root/proc") if name.isdigit())
    except OSError:
        return 0


def _stop_sandbox(process: subprocess.Popen[bytes]) -> None:
    for child in _children(process.pid):
        try:
            os.kill(child, signal.SIGKILL)  # the namespace's first process: the kernel ends the rest
        except OSError:
            pass
    process.kill()
