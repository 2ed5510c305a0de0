"""No-op rebuild: ``pyrecipe build TARGET`` again when nothing changed (the goal is under a second).

The target is built first (untimed, a no-op itself if it is already built); then three
rebuilds are timed as a user runs them, a new process each, and the median is reported.
"""

from __future__ import annotations

import argparse
import statistics

from bench import Result
from bench.common import pyrecipe

RUNS = 3


def run(options: argparse.Namespace) -> list[Result]:
    where = {"build_dir": options.build_dir, "machine": options.machine}
    pyrecipe("build", options.noop_target, **where)
    times = [pyrecipe("build", options.noop_target, **where) for _ in range(RUNS)]
    return [Result(
        f"no-op rebuild: pyrecipe build {options.noop_target}", f"{statistics.median(times):.2f} s",
        f"median of {RUNS} runs ({', '.join(f'{t:.2f}' for t in times)} s), new process each",
        tuple(times),
    )]
