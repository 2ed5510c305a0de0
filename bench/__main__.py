"""Run pyrecipe's benchmarks and print one table: ``python -m bench [NAME ...]``.

From the repository root. With no NAME, all of them run, in this order (the numpy ones
build numpy, which takes a while on a small machine: name the others to skip it).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench import Result, board_speed, distros, emulated_compile, mirror, numpy_overhead, parse, rebuild

BENCHMARKS: dict[str, Callable[[argparse.Namespace], list[Result]]] = {
    "parse": parse.run,
    "numpy-overhead": numpy_overhead.run,
    "noop": rebuild.run,
    "emulated-compile": emulated_compile.run,
    "board-speed": board_speed.run,
    "distro-root": distros.run_root,
    "distro-numpy": distros.run_numpy,
    "mirror": mirror.run,
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--build-dir", type=Path, default=Path("build"), help="pyrecipe's build directory")
    parser.add_argument("--machine", default="raspberrypi4")
    parser.add_argument("--recipes", type=int, default=1000, help="size of the generated layer for 'parse'")
    parser.add_argument("--layer", type=Path, help="'parse' also a real layer (e.g. a checkout of meta-python)")
    parser.add_argument("--bitbake", type=Path, help="'parse' the real layer with bitbake's own parser too (a bitbake checkout)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of the real-layer parse, interleaved with bitbake's")
    parser.add_argument("--noop-target", default="numpy", help="what 'noop' rebuilds")
    parser.add_argument("--mirror-targets", default="numpy", help="what 'mirror' builds from the warm mirror (--mirror-targets=--all: every recipe)")
    board_speed.add_arguments(parser)
    options = parser.parse_args()
    unknown = [name for name in options.names if name not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    if options.bitbake and not options.layer:
        parser.error("--bitbake compares the parse of a real layer: give --layer too")
    options.build_dir = options.build_dir.absolute()
    table = Table("benchmark", "figure", "how", title=f"pyrecipe benchmarks ({options.machine})")
    for name in options.names or BENCHMARKS:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        for result in BENCHMARKS[name](options):
            table.add_row(result.benchmark, result.figure, result.detail)
    Console(width=160).print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
