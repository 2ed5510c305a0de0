"""A build's report: one self-contained HTML page from its buildstats file.

What a person looks at after a build (Yocto has pybootchartgui and Toaster): the tasks on their
worker lanes as an SVG timeline (a bootchart), the recipes that took longest, what shared state
gave, the warnings tasks gave (QA's first), and the packages (version, origin and why, licence, size).
The page has no script and names no URL: its CSS and SVG are inline, so it opens from a mail,
an archive of CI artifacts or a machine with no network. The template is ``report.html.j2``
beside this module (jinja2, autoescaped: recipe names and warnings are data).
"""

from __future__ import annotations

import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from pyrecipe.errors import InputError

#: Pixels of the timeline: its width, one lane's height, the room left of the lanes for their names.
CHART_WIDTH = 1100
LANE_HEIGHT = 28
LANE_LABEL = 60
#: How many recipes the "took longest" table lists.
LONGEST = 15
#: Fill of a task on the timeline, by status.
COLOURS = {"ran": "#4e79a7", "failed": "#e15759", "restored": "#59a14f"}


@dataclass(frozen=True)
class Bar:
    """One task on the timeline, in pixels."""

    x: float
    y: float
    width: float
    colour: str
    label: str
    title: str


def read_stats(path: Path) -> dict[str, Any]:
    """The buildstats document at ``path``; InputError when it is not one."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise InputError(f"{path}: not a readable buildstats file: {error}") from None
    if not isinstance(document, dict) or not isinstance(document.get("tasks"), list):
        raise InputError(f"{path}: not a buildstats file (no task list)")
    for task in document["tasks"]:
        if not _is_task(task):
            raise InputError(f"{path}: not a buildstats file: a task record is {json.dumps(task)[:200]}")
    return document


def _is_task(task: object) -> bool:
    """Whether ``task`` is a task record as :mod:`pyrecipe.engine.buildstats` writes it."""
    if not isinstance(task, dict) or not all(isinstance(task.get(key), str) for key in ("recipe", "task", "status")):
        return False
    times = [task.get("start"), task.get("end")]
    timed = all(isinstance(value, (int, float)) for value in times) and isinstance(task.get("lane"), int)
    return (timed or times == [None, None]) and isinstance(task.get("usage") or {}, dict) \
        and isinstance(task.get("warnings", []), list) and isinstance(task.get("tasks", []), list)


def tree_size(root: Path) -> int | None:
    """Bytes of the regular files under ``root`` (links not followed), or None when it is gone."""
    if not root.is_dir():
        return None
    total = 0
    for folder, _, files in os.walk(root):
        for name in files:
            try:
                status = os.lstat(os.path.join(folder, name))
            except OSError:
                continue
            total += status.st_size if stat.S_ISREG(status.st_mode) else 0
    return total


def human_size(size: float | None) -> str:
    if size is None:
        return "—"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


def _timeline(tasks: list[dict[str, Any]], started: float, span: float) -> tuple[list[Bar], int]:
    """The bars of the timed tasks and the number of lanes."""
    timed = [task for task in tasks if task.get("start") is not None and task.get("lane") is not None]
    lanes = 1 + max((task["lane"] for task in timed), default=0)
    scale = (CHART_WIDTH - LANE_LABEL) / max(span, 1e-3)
    bars = []
    for task in timed:
        width = max(1.0, (task["end"] - task["start"]) * scale)
        usage = task.get("usage") or {}
        title = (f"{task['recipe']}:{task['task']} {task['status']}, {task['end'] - task['start']:.2f} s, "
                 f"CPU {usage.get('user', 0) + usage.get('system', 0):.2f} s")
        bars.append(Bar(x=LANE_LABEL + (task["start"] - started) * scale, y=task["lane"] * LANE_HEIGHT + 4, width=width,
                        colour=COLOURS.get(task["status"], "#999999"), label=f"{task['recipe']}:{task['task']}", title=title))
    return bars, lanes


def _longest(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per recipe: the seconds, CPU and peak memory of its timed tasks, the longest first."""
    recipes: dict[str, dict[str, Any]] = {}
    for task in tasks:
        if task.get("start") is None:
            continue
        usage = task.get("usage") or {}
        row = recipes.setdefault(task["recipe"], {"recipe": task["recipe"], "seconds": 0.0, "cpu": 0.0, "max_rss": None,
                                                  "read": 0, "written": 0, "tasks": 0})
        row["seconds"] += task["end"] - task["start"]
        row["cpu"] += usage.get("user", 0) + usage.get("system", 0)
        if usage.get("max_rss") is not None:
            row["max_rss"] = max(row["max_rss"] or 0, usage["max_rss"])
        row["read"] += usage.get("read_bytes", 0)
        row["written"] += usage.get("write_bytes", 0)
        row["tasks"] += 1
    return sorted(recipes.values(), key=lambda row: -row["seconds"])[:LONGEST]


def render(document: dict[str, Any], source: Path) -> str:
    """The HTML report of the build that ``document`` (read from ``source``) describes."""
    tasks = document["tasks"]
    started = float(document.get("started", 0))
    ended = max([float(document.get("ended", started)), *(task["end"] for task in tasks if task.get("end") is not None)])
    bars, lanes = _timeline(tasks, started, ended - started)
    counts: dict[str, int] = {}
    for task in tasks:
        counts[task["status"]] = counts.get(task["status"], 0) + (len(task["tasks"]) if task["status"] == "restored" else 1)
    warnings = [(task["recipe"], task["task"], text) for task in tasks for text in task.get("warnings", [])]
    warnings.sort(key=lambda row: not row[2].startswith("QA"))
    # A stats file of a build before the reports said why has no "why".
    packages = [dict(package, size=tree_size(Path(package["image"])) if package.get("image") else None, why=package.get("why", ""))
                for package in document.get("packages", [])]
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent), autoescape=True,
                                     undefined=jinja2.StrictUndefined)
    environment.filters["size"] = human_size
    return environment.get_template("report.html.j2").render(
        build=document, source=str(source), seconds=ended - started, counts=counts, bars=bars, lanes=lanes,
        chart_width=CHART_WIDTH, lane_height=LANE_HEIGHT, lane_label=LANE_LABEL, colours=COLOURS,
        ticks=_ticks(ended - started), longest=_longest(tasks), warnings=warnings, packages=packages,
        restored=[task for task in tasks if task["status"] == "restored"],
    )


def _ticks(span: float) -> list[tuple[float, str]]:
    """Time marks under the timeline: (x in pixels, label), about ten."""
    steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600]
    step = next((step for step in steps if span / step <= 10), 7200)
    scale = (CHART_WIDTH - LANE_LABEL) / max(span, 1e-3)
    count = int(span / step) + 1
    return [(LANE_LABEL + index * step * scale, f"{index * step:g} s") for index in range(count)]
