"""Run pyrecipe's benchmarks and print one table: ``python -m bench [NAME ...]``.

``python -m bench requirements FILE [FILE ...]`` builds requirements files instead, package by
package, beside pip on the emulated board (:mod:`bench.requirements`); the yardsticks are in
bench/yardsticks/.

From the repository root. With no NAME, all of them run, in this order (the numpy ones
build numpy, which takes a while on a small machine: name the others to skip it). Every
figure is also added to the build directory's history (:mod:`bench.history`);
``python -m bench compare`` prints what moved since the previous run and against README.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench import (
    Result,
    board_speed,
    distros,
    emulated_compile,
    history,
    mirror,
    noop_host,
    numpy_overhead,
    parse,
    rebuild,
    requirements,
)

BENCHMARKS: dict[str, Callable[[argparse.Namespace], list[Result]]] = {
    "parse": parse.run,
    "numpy-overhead": numpy_overhead.run,
    "noop": rebuild.run,
    "noop-host": noop_host.run,
    "emulated-compile": emulated_compile.run,
    "board-speed": board_speed.run,
    "distro-root": distros.run_root,
    "distro-numpy": distros.run_numpy,
    "mirror": mirror.run,
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default: all); or 'compare' alone")
    parser.add_argument("--build-dir", type=Path, default=Path("build"), help="pyrecipe's build directory")
    parser.add_argument("--machine", default="raspberrypi4")
    parser.add_argument("--recipes", type=int, default=1000, help="size of the generated layer for 'parse'")
    parser.add_argument("--layer", type=Path, help="'parse' also a real layer (e.g. a checkout of meta-python)")
    parser.add_argument("--bitbake", type=Path, help="'parse' the real layer with bitbake's own parser too (a bitbake checkout)")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions of the real-layer parse, interleaved with bitbake's")
    parser.add_argument("--noop-target", default="numpy", help="what 'noop' rebuilds")
    parser.add_argument("--mirror-targets", default="numpy", help="what 'mirror' builds from the warm mirror (--mirror-targets=--all: every recipe)")
    board_speed.add_arguments(parser)
    requirements.add_arguments(parser)
    options = parser.parse_args()
    options.build_dir = options.build_dir.absolute()
    if options.names == ["compare"]:
        return compare(options.build_dir / history.HISTORY_NAME)
    benchmarks = BENCHMARKS
    if options.names[:1] == ["requirements"]:
        # The other names are requirements files, not benchmarks.
        options.requirement_files = [Path(name) for name in options.names[1:]]
        missing = [str(path) for path in options.requirement_files if not path.is_file()]
        if not options.requirement_files or missing:
            parser.error(f"requirements needs requirements files{': no such file ' + ', '.join(missing) if missing else ''}")
        options.names, benchmarks = ["requirements"], {"requirements": requirements.run}
    unknown = [name for name in options.names if name not in benchmarks]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    if options.bitbake and not options.layer:
        parser.error("--bitbake compares the parse of a real layer: give --layer too")
    table = Table("benchmark", "figure", "how", title=f"pyrecipe benchmarks ({options.machine})")
    commit = history.current_commit(Path(__file__).parents[1])
    results: list[Result] = []
    for name in options.names or BENCHMARKS:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        for result in benchmarks[name](options):
            table.add_row(result.benchmark, result.figure, result.detail)
            results.append(result)
    Console(width=160).print(table)
    history.append(options.build_dir / history.HISTORY_NAME, history.records_of(results, commit, options.machine))
    return 0


def compare(path: Path) -> int:
    """Print the last run's figures against the previous run's and the README's."""
    last, against_previous, against_readme = history.compare(
        history.load(path), history.readme_figures((Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")))
    if not last:
        print(f"no figures recorded yet in {path}: run python -m bench first", file=sys.stderr)
        return 2
    console = Console(width=160)
    console.print(f"last run {last[0].run}, commit {last[0].commit}, {last[0].host}, machine {last[0].machine}")
    for title, movements in (("against the previous run", against_previous), ("against README.md", against_readme)):
        table = Table("benchmark", "now", "then", "change", "noise", "moved", title=title)
        for movement in movements:
            table.add_row(movement.benchmark, f"{movement.now:g}", f"{movement.then:g}", movement.change,
                          f"±{movement.noise:.3g}", "MOVED" if movement.moved else "")
        console.print(table if movements else f"{title}: no figure to compare")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
