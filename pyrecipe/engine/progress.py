"""Build progress like bitbake's: a live line per running task and an overall count.

On a terminal, rich draws the running tasks and a counter in place; elsewhere (CI logs, pipes)
each task start and end is one plain line, so logs stay readable. A task whose ``[progress]``
flag reads how far it is (see :mod:`pyrecipe.engine.taskprogress`) shows its percentage on its
live line, and in plain output as a line every :data:`PLAIN_INTERVAL` seconds while it changes.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

from rich.console import Console, Group
from rich.live import Live
from rich.text import Text

#: Seconds between two plain percentage lines of one task.
PLAIN_INTERVAL = 5.0


class Progress:
    """Thread-safe progress reporting for a build."""

    def __init__(self, stream: TextIO | None = None, live: bool | None = None) -> None:
        self.stream = stream or sys.stdout
        self.live_mode = self.stream.isatty() if live is None else live
        self.total = 0
        self.finished = 0
        self.running: dict[tuple[str, str], float] = {}
        #: Seconds each recipe's tasks took in this run.
        self.seconds: dict[str, float] = {}
        #: The running tasks' percentages, and when each was last printed (plain output).
        self.percent: dict[tuple[str, str], float] = {}
        self._printed: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._live: Live | None = None
        self._console = Console(file=self.stream)

    def start(self, total: int) -> None:
        self.total = total
        if self.live_mode and total:
            self._live = Live(self._render(), console=self._console, refresh_per_second=4, transient=True)
            self._live.start()

    def stop(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
        if self.total:
            self.note(f"Tasks: {self.finished} of {self.total} run")

    def note(self, message: str) -> None:
        with self._lock:
            if self._live is not None:
                self._live.console.print(message, markup=False, highlight=False)
            else:
                print(message, file=self.stream, flush=True)

    def task_started(self, recipe: str, task: str) -> None:
        with self._lock:
            self.running[(recipe, task)] = time.monotonic()
            number = self.finished + len(self.running)
            if self._live is None:
                print(f"NOTE: Running task {number} of {self.total} ({recipe}:{task})", file=self.stream, flush=True)
            else:
                self._live.update(self._render())

    def task_progress(self, recipe: str, task: str, percent: float) -> None:
        """``recipe``'s running ``task`` is ``percent`` done."""
        with self._lock:
            key = (recipe, task)
            if key not in self.running:
                return
            self.percent[key] = percent
            if self._live is not None:
                self._live.update(self._render())
                return
            now = time.monotonic()
            printed_at, printed = self._printed.get(key, (self.running[key], -1.0))
            if now - printed_at >= PLAIN_INTERVAL and int(percent) != int(printed):
                self._printed[key] = (now, percent)
                print(f"NOTE: recipe {recipe}: task {task}: {percent:.0f}% ({now - self.running[key]:.0f} s)",
                      file=self.stream, flush=True)

    def task_finished(self, recipe: str, task: str, ok: bool) -> None:
        with self._lock:
            self.percent.pop((recipe, task), None)
            self._printed.pop((recipe, task), None)
            started = self.running.pop((recipe, task), time.monotonic())
            self.finished += 1
            elapsed = time.monotonic() - started
            self.seconds[recipe] = self.seconds.get(recipe, 0.0) + elapsed
            status = "Succeeded" if ok else "Failed"
            line = f"NOTE: recipe {recipe}: task {task}: {status} ({elapsed:.1f} s)"
            if self._live is None:
                print(line, file=self.stream, flush=True)
            else:
                if not ok:
                    self._live.console.print(line, markup=False, highlight=False)
                self._live.update(self._render())

    def _render(self) -> Group:
        now = time.monotonic()
        lines = [Text(f"Running tasks ({self.finished} of {self.total} done)", style="bold")]
        for (recipe, task), started in sorted(self.running.items(), key=lambda item: item[1]):
            percent = self.percent.get((recipe, task))
            done = "" if percent is None else f"{percent:.0f}%, "
            lines.append(Text(f"  {recipe}:{task} ({done}{now - started:.0f} s)"))
        return Group(*lines)
