"""No-op rebuild and ``pyrecipe env`` on the build machine itself: no cross toolchain needed.

``python -m bench noop-host``: the reliability layer's ``runnerboard`` machine runs its tasks with
the build machine's tools, so its recipe ``slowpoke`` (no download) builds in seconds in
``BUILD_DIR/bench-noop-host``; then the no-op ``pyrecipe build slowpoke`` and ``pyrecipe env
slowpoke`` are timed, interleaved, a new process each. The same path as ``bench noop`` on numpy
(parse cache, signatures of every task, stamps, the image) without provisioning or building numpy.
"""

from __future__ import annotations

import argparse
import statistics

from bench import Result
from bench.common import Timing, pyrecipe_timed
from tests.reliability_support import LAYER, MACHINE

TARGET = "slowpoke"
RUNS = 5


def rows(label: str, timings: list[Timing]) -> list[Result]:
    """A row for the median wall time and one for the median user CPU time of ``timings``."""
    walls, users = [t.wall for t in timings], [t.user for t in timings]
    return [
        Result(f"{label} wall", f"{statistics.median(walls):.3f} s",
               f"median of {len(walls)} ({', '.join(f'{t:.2f}' for t in walls)} s), new process each", tuple(walls)),
        Result(f"{label} user CPU", f"{statistics.median(users):.3f} s",
               f"median of {len(users)} ({', '.join(f'{t:.2f}' for t in users)} s)", tuple(users)),
    ]


def run(options: argparse.Namespace) -> list[Result]:
    where = {"build_dir": options.build_dir / "bench-noop-host", "machine": MACHINE}
    layer = ("--layer", str(LAYER))
    pyrecipe_timed("build", TARGET, *layer, **where)
    builds, envs = [], []
    for _ in range(RUNS):
        builds.append(pyrecipe_timed("build", TARGET, *layer, **where))
        envs.append(pyrecipe_timed("env", TARGET, *layer, **where))
    return [*rows(f"no-op rebuild: pyrecipe build {TARGET} ({MACHINE})", builds),
            *rows(f"pyrecipe env {TARGET} ({MACHINE})", envs)]
