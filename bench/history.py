"""The bench remembers: every figure of every run, and what moved since.

``python -m bench`` appends each figure it prints to ``BUILD_DIR/bench-history.jsonl`` with the
run's time, the commit (``+dirty`` when the work tree has changes), the build machine and the
target machine. ``python -m bench compare`` takes the last run's figures and, for each, the
previous run's figure of the same name on the same build machine, and the figure README.md
states in its table of figures; it says which moved beyond their noise.

The noise rule, kept simple: a figure moved when it differs by more than the larger of the
spread (highest minus lowest) of the repeated measurements behind either figure and
:data:`RELATIVE_NOISE` of the older figure. On this project's shared two-core build machine,
single measurements of the same code vary by several percent; a figure measured once has only
the relative rule.
"""

from __future__ import annotations

import json
import platform
import re
import subprocess
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import Result
from pyrecipe.fsutil import atomic_write_text

#: A difference smaller than this fraction of the older figure is noise.
RELATIVE_NOISE = 0.10

HISTORY_NAME = "bench-history.jsonl"

#: The headline number of a figure: after "median" when the figure has one ("median 0.45 s
#: (range ...)"), else its first number ("1,250 recipes/s", "0.98x", "12.3 s").
NUMBER_RE = re.compile(r"(?:median\s+)?(\d[\d,]*(?:\.\d+)?)")
#: A row of README.md's table of figures: ``| benchmark | figure |``.
README_ROW_RE = re.compile(r"^\|\s*`(?P<benchmark>[^`]+)`\s*\|\s*(?P<figure>[^|]+?)\s*\|\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Record:
    """One figure of one run."""

    run: str
    commit: str
    host: str
    machine: str
    benchmark: str
    figure: str
    value: float | None
    runs: tuple[float, ...]
    detail: str


@dataclass(frozen=True)
class Movement:
    """A figure of the last run against an older one (the previous run's, or the README's)."""

    benchmark: str
    now: float
    then: float
    noise: float

    @property
    def moved(self) -> bool:
        return abs(self.now - self.then) > self.noise

    @property
    def change(self) -> str:
        return f"{(self.now - self.then) / self.then:+.0%}" if self.then else "new"


def figure_value(figure: str) -> float | None:
    """The headline number of a printed figure (None: it has none)."""
    match = NUMBER_RE.search(figure)
    return float(match.group(1).replace(",", "")) if match else None


def noise(then: float, *runs: Sequence[float]) -> float:
    """How far a figure may move by chance: see the module's docstring."""
    spreads = [max(values) - min(values) for values in runs if values]
    return max([RELATIVE_NOISE * abs(then), *spreads])


def current_commit(repository: Path) -> str:
    """The checked-out commit, ``+dirty`` when the work tree differs from it ("unknown" outside git)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(repository), *args], capture_output=True, text=True, check=True).stdout

    try:
        return git("rev-parse", "--short=12", "HEAD").strip() + ("+dirty" if git("status", "--porcelain").strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def records_of(results: Iterable[Result], commit: str, machine: str, run: str | None = None,
               host: str | None = None) -> list[Record]:
    """The records of one run's results."""
    run = run or time.strftime("%Y-%m-%dT%H:%M:%S%z")
    host = host or f"{platform.node()} ({platform.machine()})"
    return [Record(run, commit, host, machine, result.benchmark, result.figure, figure_value(result.figure),
                   tuple(result.runs), result.detail) for result in results]


def load(path: Path) -> list[Record]:
    """Every record of the history file, oldest first (none when there is no file yet)."""
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            records.append(Record(**{**data, "runs": tuple(data["runs"])}))
    return records


def append(path: Path, records: Iterable[Record]) -> None:
    """Add records to the history file: the whole file rewritten under a temporary name, so that
    an interrupted run leaves the history as it was."""
    lines = [json.dumps(asdict(record), sort_keys=True) for record in [*load(path), *records]]
    atomic_write_text(path, "".join(f"{line}\n" for line in lines))


def readme_figures(text: str) -> dict[str, float]:
    """The figures README.md states in its table of figures, by benchmark."""
    figures = {}
    for row in README_ROW_RE.finditer(text):
        value = figure_value(row["figure"])
        if value is not None:
            figures[row["benchmark"]] = value
    return figures


def compare(records: Sequence[Record], stated: dict[str, float]) -> tuple[list[Record], list[Movement], list[Movement]]:
    """The last run's records, and its figures against the previous run's (same benchmark, same
    build machine) and against the README's."""
    if not records:
        return [], [], []
    last_run = records[-1].run
    last = [record for record in records if record.run == last_run]
    against_previous, against_readme = [], []
    for record in last:
        if record.value is None:
            continue
        earlier = [(old.value, old.runs) for old in records if old.run != last_run
                   and old.benchmark == record.benchmark and old.host == record.host and old.value is not None]
        if earlier:
            then, runs = earlier[-1]
            against_previous.append(Movement(record.benchmark, record.value, then, noise(then, runs, record.runs)))
        if record.benchmark in stated:
            then = stated[record.benchmark]
            against_readme.append(Movement(record.benchmark, record.value, then, noise(then, record.runs)))
    return last, against_previous, against_readme
