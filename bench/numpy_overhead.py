"""Overhead of building numpy through pyrecipe over a raw meson build of the same source.

1. ``pyrecipe build numpy -f``: every numpy task (fetch from the download cache, unpack, the
   meson-python wheel build, install, QA, do_test under qemu). The toolchain is provisioned and
   the source fetched first, untimed.
2. ``meson setup`` + ``meson compile`` of the same unpacked source with the same cross files
   (the machine's and the recipe's, which carries the build's flags: -O2 -g ...), options,
   environment and parallelism, in a scratch build directory: what a person who knows meson
   would type by hand, with nothing packaged, installed, stripped or checked.

The ratio of the two is the overhead (the target is at most 1.10). Both compile without ccache
(CCACHE_DISABLE=1): the cache an earlier build filled must not stand in for compiling.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench import Result
from bench.common import pyrecipe, resolve_recipe
from pyrecipe.engine.build import provisioned_environment
from pyrecipe.engine.task_runner import exported_variables

#: Compilers run through ccache when it is installed; this makes it run them every time.
NO_CCACHE = {"CCACHE_DISABLE": "1"}


def raw_meson_seconds(build_dir: Path, machine: str) -> float:
    """Wall time of meson setup + compile of numpy's unpacked source, as pyrecipe configures it."""
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
    with tempfile.TemporaryDirectory(dir=build_dir) as scratch:
        builddir = Path(scratch) / "build"
        started = time.monotonic()
        subprocess.run(
            [*meson, "setup", str(builddir), source, *setup_args],
            check=True, env=env, stdout=subprocess.DEVNULL,
        )
        subprocess.run(
            [*meson, "compile", "-C", str(builddir), "-j", str(os.cpu_count() or 1)],
            check=True, env=env, stdout=subprocess.DEVNULL,
        )
        return time.monotonic() - started


def run(options: argparse.Namespace) -> list[Result]:
    where = {"build_dir": options.build_dir, "machine": options.machine}
    pyrecipe("build", "numpy", "-c", "unpack", **where)
    through_pyrecipe = pyrecipe("build", "numpy", "-f", **where, env={**os.environ, **NO_CCACHE})
    raw = raw_meson_seconds(options.build_dir, options.machine)
    return [Result(
        "numpy: pyrecipe build -f / raw meson", f"{through_pyrecipe / raw:.3f}",
        f"pyrecipe {through_pyrecipe:.1f} s (all tasks incl. do_test), meson setup+compile {raw:.1f} s; target <= 1.10",
    )]
