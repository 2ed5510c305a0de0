"""Build progress like bitbake's knotty: the running tasks with their percentages and an overall
count, on one refreshing screen.

On a terminal, rich draws the live area in place: "Running task N of M" with a bar of the tasks
done, then a line per running task with its percentage (when its ``[progress]`` flag reads one from
its log, see :mod:`pyrecipe.engine.taskprogress`) and how long it has run. Notes, warnings and a
failed task's line print above the live area and stay when it ends. Elsewhere (CI logs, pipes,
``TERM=dumb``) each task start and end is one plain line, so logs stay readable, and a percentage
is a line every :data:`PLAIN_INTERVAL` seconds while it changes. rich is imported only when the
live area is drawn: a no-op build on a terminal has no task to show and does not pay for it.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.live import Live

#: Seconds between two plain percentage lines of one task.
PLAIN_INTERVAL = 5.0
#: How often the live area is redrawn (its elapsed times move without any event).
REFRESH_PER_SECOND = 4


def is_live_terminal(stream: IO[str]) -> bool:
    """Whether ``stream`` is a terminal that can redraw in place: not a pipe or file, not
    ``TERM=dumb`` (Emacs' shell, some CI runners' pseudo-terminals)."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):  # a closed or file-like stream
        return False
    return tty and os.environ.get("TERM", "") not in ("dumb", "unknown")


class Progress:
    """Thread-safe progress reporting for a build.

    ``console`` draws the live area (tests pass one that records); by default a rich console on
    ``stream`` (by default the console's file) when ``stream`` is a live terminal. ``clock`` gives the seconds shown (monotonic)."""

    def __init__(
        self, stream: IO[str] | None = None, live: bool | None = None, console: Console | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream: IO[str] = stream or (console.file if console is not None else sys.stdout)
        if live is None:
            live = console is not None or is_live_terminal(self.stream)
        self.live_mode = live
        self.clock = clock
        self.total = 0
        self.finished = 0
        #: Of the finished tasks, those that failed.
        self.failed = 0
        self.running: dict[tuple[str, str], float] = {}
        #: Seconds each recipe's tasks took in this run.
        self.seconds: dict[str, float] = {}
        #: The running tasks' percentages, and when each was last printed (plain output).
        self.percent: dict[tuple[str, str], float] = {}
        self._printed: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._console = console
        self._live: Live | None = None

    def start(self, total: int) -> None:
        self.total = total
        if self.live_mode and total:
            from rich.console import Console
            from rich.live import Live

            if self._console is None:
                self._console = Console(file=self.stream)
            # rich's default redirection kept: a recipe's Python that prints while it runs in
            # this process prints above the live area, not into it.
            self._live = Live(
                console=self._console, get_renderable=self._render, refresh_per_second=REFRESH_PER_SECOND,
                transient=True,
            )
            self._live.start(refresh=True)

    def stop(self) -> None:
        """End the live area (the cursor shown again, the area erased: what printed above stays)
        and print the count of tasks run (those that succeeded, as the build's summary counts
        them) and of those that failed."""
        with self._lock:
            live, self._live = self._live, None
        if live is not None:
            live.stop()
        if self.total:
            failed = f", {self.failed} failed" if self.failed else ""
            self.note(f"Tasks: {self.finished - self.failed} of {self.total} run{failed}")

    def note(self, message: str) -> None:
        with self._lock:
            self._print(message)

    def task_started(self, recipe: str, task: str) -> None:
        with self._lock:
            self.running[(recipe, task)] = self.clock()
            if self._live is None:
                print(f"NOTE: Running task {self._number()} of {self.total} ({recipe}:{task})", file=self.stream, flush=True)
            else:
                self._live.refresh()

    def task_progress(self, recipe: str, task: str, percent: float) -> None:
        """``recipe``'s running ``task`` is ``percent`` done."""
        with self._lock:
            key = (recipe, task)
            if key not in self.running:
                return
            self.percent[key] = percent
            if self._live is not None:
                return  # shown at the next refresh
            now = self.clock()
            printed_at, printed = self._printed.get(key, (self.running[key], -1.0))
            if now - printed_at >= PLAIN_INTERVAL and int(percent) != int(printed):
                self._printed[key] = (now, percent)
                print(f"NOTE: recipe {recipe}: task {task}: {percent:.0f}% ({now - self.running[key]:.0f} s)",
                      file=self.stream, flush=True)

    def task_finished(self, recipe: str, task: str, ok: bool) -> None:
        with self._lock:
            self.percent.pop((recipe, task), None)
            self._printed.pop((recipe, task), None)
            now = self.clock()
            started = self.running.pop((recipe, task), now)
            self.finished += 1
            self.failed += not ok
            elapsed = now - started
            self.seconds[recipe] = self.seconds.get(recipe, 0.0) + elapsed
            status = "Succeeded" if ok else "Failed"
            line = f"NOTE: recipe {recipe}: task {task}: {status} ({elapsed:.1f} s)"
            if self._live is None or not ok:
                self._print(line)  # a failure stays above the live area
            if self._live is not None:
                self._live.refresh()

    def _number(self) -> int:
        """The number of the task started last, as knotty counts: done and running."""
        return min(self.finished + len(self.running), self.total)

    def _print(self, message: str) -> None:
        """``message`` above the live area, or as a plain line (the lock held)."""
        if self._live is not None:
            # soft_wrap: the terminal wraps a long path, rich does not cut it into lines.
            self._live.console.print(message, markup=False, highlight=False, soft_wrap=True)
        else:
            print(message, file=self.stream, flush=True)

    def _render(self) -> RenderableType:
        """The live area: the overall count and bar, then each running task, oldest first.

        Called by rich's refresh thread without this object's lock (a worker holding it waits for
        rich's lock to refresh: taking it here could deadlock), so it reads copies: copying a
        dict is one step for other threads."""
        from rich.progress_bar import ProgressBar
        from rich.table import Table

        running, percents, now = dict(self.running), dict(self.percent), self.clock()
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True, overflow="ellipsis", ratio=3)
        table.add_column(justify="right", width=4)
        table.add_column(width=30)
        table.add_column(justify="right", width=6)
        done = 100.0 * self.finished / self.total if self.total else 0.0
        table.add_row(
            f"Running task {self._number()} of {self.total} ({len(running)} running)",
            f"{done:.0f}%", ProgressBar(total=100.0, completed=done, width=30), "", style="bold",
        )
        for (recipe, task), started in sorted(running.items(), key=lambda item: item[1]):
            percent = percents.get((recipe, task))
            table.add_row(
                f"  {recipe}:{task}",
                "" if percent is None else f"{percent:.0f}%",
                "" if percent is None else ProgressBar(total=100.0, completed=percent, width=30),
                f"{now - started:.0f} s",
            )
        return table
