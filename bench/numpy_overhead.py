"""Overhead of building numpy through pyrecipe over a raw meson build of the same source.

1. ``pyrecipe build numpy -f``: every numpy task (fetch from the download cache, unpack, the
   meson-python wheel build, install, QA, do_test under qemu). The toolchain is provisioned and
   the source fetched first, untimed.
2. ``meson setup`` + ``meson compile`` of the same unpacked source with the same cross files
   (the machine's and the recipe's, which carries the build's flags: -O2 -g ...), options,
   environment and parallelism, in a scratch build directory, in the task's sandbox (the same
   build root, compilers and Python): what a person who knows meson would type by hand, with
   nothing packaged, installed, stripped or checked.

The ratio of the two is the overhead (the target is at most 1.05), in wall time and in CPU time
(user + system of every process each side started: pyrecipe reaps its sandboxes' processes, so
their time counts), the figure that holds on a machine others load. Both compile without ccache
(CCACHE_DISABLE=1): the cache an earlier build filled must not stand in for compiling. The raw
build runs first, then pyrecipe's, so that neither side gets a page cache the other warmed
(the unpacked source is read by both; pyrecipe's is the one that unpacks it again).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

from bench import Result
from bench.common import pyrecipe_timed, resolve_recipe
from pyrecipe.engine.build import provisioned_environment
from pyrecipe.engine.buildstats import MeasuredPopen
from pyrecipe.engine.confine import sandboxed_command
from pyrecipe.engine.task_runner import exported_variables

#: Compilers run through ccache when it is installed; this makes it run them every time.
NO_CCACHE = {"CCACHE_DISABLE": "1"}


def children_cpu() -> float:
    """User + system CPU seconds of the waited-for child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def raw_meson_seconds(build_dir: Path, machine: str) -> tuple[float, float]:
    """Wall and CPU time of meson setup + compile of numpy's unpacked source, as pyrecipe configures it."""
    numpy = resolve_recipe("numpy", build_dir, machine)
    d = numpy.d
    environment = provisioned_environment(numpy.request, numpy.graph, numpy.index.config)
    env = {**environment.envs["target"], **exported_variables(d), **NO_CCACHE}
    source = d.getVar("S")
    setup_args = [*(d.getVar("MESONOPTS") or "").split(), *(d.getVar("MESON_CROSS_FILE") or "").split(),
                  *(d.getVar("EXTRA_OEMESON") or "").split()]
    # numpy builds with its vendored meson (SIMD dispatch support), as meson-python does.
    vendored = Path(source, "vendored-meson", "meson", "meson.py")
    toolchain = environment.context.toolchain
    assert toolchain is not None, "numpy-overhead needs a machine with a cross toolchain"
    meson = [str(toolchain.build_python), str(vendored)] if vendored.exists() else ["meson"]
    # In the task's own sandbox (the distro's build root, its compilers and Python, the same
    # limits): the scratch build directory lies in WORKDIR, which the sandbox may write.
    workdir = Path(d.getVar("WORKDIR"))
    with tempfile.TemporaryDirectory(dir=workdir, prefix="bench-raw-meson-") as scratch:
        builddir = Path(scratch) / "build"
        started, cpu = time.monotonic(), children_cpu()
        for argv in ([*meson, "setup", str(builddir), source, *setup_args],
                     [*meson, "compile", "-C", str(builddir), "-j", str(os.cpu_count() or 1)]):
            # Reaped as pyrecipe reaps a task (the sandbox's init too): else bubblewrap's own
            # exit is all the CPU time counted, and the compile's counts nothing.
            process = MeasuredPopen(sandboxed_command(d, argv, workdir, network=False), env=env, stdout=subprocess.DEVNULL)
            if process.wait() != 0:
                raise subprocess.CalledProcessError(process.returncode, argv)
        return time.monotonic() - started, children_cpu() - cpu


def run(options: argparse.Namespace) -> list[Result]:
    where = {"build_dir": options.build_dir, "machine": options.machine}
    # The recipe's cross file, which the raw build reads too, is written by do_configure.
    pyrecipe_timed("build", "numpy", "-c", "configure", **where)
    raw_wall, raw_cpu = raw_meson_seconds(options.build_dir, options.machine)
    cpu = children_cpu()
    through_pyrecipe = pyrecipe_timed("build", "numpy", "-f", **where, env={**os.environ, **NO_CCACHE})
    pyrecipe_cpu = children_cpu() - cpu
    return [
        Result("numpy: pyrecipe build -f / raw meson, wall", f"{through_pyrecipe.wall / raw_wall:.3f}",
               f"pyrecipe {through_pyrecipe.wall:.1f} s (all tasks incl. do_test), meson setup+compile {raw_wall:.1f} s; "
               "target <= 1.05"),
        Result("numpy: pyrecipe build -f / raw meson, CPU", f"{pyrecipe_cpu / raw_cpu:.3f}",
               f"pyrecipe {pyrecipe_cpu:.1f} s, meson setup+compile {raw_cpu:.1f} s (user + system)"),
    ]
