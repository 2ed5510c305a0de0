"""How far a running task is, read from its log as bitbake's progress handlers read a task's output.

A task's ``[progress]`` flag names the handler and its regular expression, as in bitbake:

- ``outof:REGEX``: two groups, done and total (ninja's ``[12/245]``, cargo's ``Building [...] 12/245``);
- ``percent:REGEX``: one group, a percentage.

The last match in what the task has written so far is its progress. Shell tasks write their log
as they run (the PEP 517 frontend writes each line of the backend's output as it comes), so a
watcher thread reads the new part of the log every half second and reports a changed percentage.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.errors import InputError
from pyrecipe.fsutil import read_regular

#: The most read of a log at a time (a task that writes faster is read over several polls).
READ_LIMIT = 1 << 20
#: How often the log is read.
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class ProgressPattern:
    """A task's ``[progress]`` flag, parsed: ``kind`` ("outof" or "percent") and its expression."""

    kind: str
    regex: re.Pattern[str]

    def percent(self, line: str) -> float | None:
        """The progress ``line`` reports, 0 to 100, or None when it reports none."""
        match = self.regex.search(line)
        if match is None:
            return None
        try:
            if self.kind == "percent":
                value = float(match.group(1))
            else:
                done, total = float(match.group(1)), float(match.group(2))
                if total <= 0:
                    return None
                value = 100.0 * done / total
        except (IndexError, ValueError):
            return None
        return max(0.0, min(100.0, value))


def parse_progress_flag(flag: str, where: str) -> ProgressPattern:
    """The ``[progress]`` flag ``flag`` of ``where`` (recipe:task); a flag that cannot work is an InputError."""
    kind, _, expression = flag.partition(":")
    if kind not in ("outof", "percent") or not expression:
        raise InputError(f"{where}[progress] = {flag!r}: expected outof:REGEX or percent:REGEX, as bitbake's progress handlers")
    try:
        regex = re.compile(expression)
    except re.error as error:
        raise InputError(f"{where}[progress]: {expression!r} is not a regular expression: {error}") from None
    needed = 2 if kind == "outof" else 1
    if regex.groups < needed:
        raise InputError(f"{where}[progress]: {kind} needs {needed} group{'s' if needed > 1 else ''} in {expression!r}")
    return ProgressPattern(kind, regex)


class LogWatcher:
    """Reads ``log`` as it grows and calls ``report`` with each new percentage ``pattern`` finds."""

    def __init__(self, log: Path, pattern: ProgressPattern, report: Callable[[float], None]) -> None:
        self.log, self.pattern, self.report = log, pattern, report
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=f"progress {log.name}", daemon=True)
        self._offset = 0
        self._partial = ""
        self._last: float | None = None

    def __enter__(self) -> LogWatcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self.read()

    def read(self) -> None:
        """Read what the log gained since the last read (complete lines only) and report."""
        try:  # the task can replace its log (a FIFO would block this thread, /dev/zero never end)
            data = read_regular(self.log, READ_LIMIT, start=self._offset)
        except OSError:
            return
        self._offset += len(data)
        text = self._partial + data.decode("utf-8", "replace")
        *lines, self._partial = re.split(r"[\r\n]", text)
        found = None
        for line in lines:
            value = self.pattern.percent(line)
            if value is not None:
                found = value
        if found is not None and found != self._last:
            self._last = found
            self.report(found)
