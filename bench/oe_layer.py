"""How much of a real OpenEmbedded layer pyrecipe takes as it is: ``python -m bench.oe_layer --layer DIR``.

For every recipe file of the named layers (``--layer`` repeatable; e.g. a checkout of
meta-openembedded's meta-python, never part of this repository):

* parsed: the file parses with pyrecipe's configuration (skipped recipes, such as a
  ``features_check`` the distro does not meet, are counted apart with their reason);
* resolved: ``pyrecipe build NAME`` would find every build and runtime dependency (a recipe, a
  native tool, a Debian package, CPython's stdlib), checked as the build checks them, provisioning
  nothing;
* with ``--build N``: N of the resolved recipes (a seeded random sample) built with
  ``pyrecipe build -k``, whose do_test runs the recipe's own test or imports the top-level
  modules it installed, under qemu-user with the board's CPython.

Each failure keeps its reason; the totals and the most frequent reasons are printed, and
``--json FILE`` writes one record per recipe.
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import random
import re
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/oe_layer.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyrecipe.config.configuration import Settings, load_configuration
from pyrecipe.config.layers import UNPARSED, LayerIndex, RecipeInfo
from pyrecipe.engine.build import BuildRequest, pinned_native_tools, run_build
from pyrecipe.engine.scheduler import BuildOptions
from pyrecipe.engine.task_runner import TaskFailure
from pyrecipe.errors import PyrecipeError
from pyrecipe.fsutil import atomic_write_text, tail_lines
from pyrecipe.graph.build_graph import GraphBuilder
from pyrecipe.tasks.base import top_level_modules

#: The last lines of a failed task's log searched for its error (a log is never read whole).
LOG_LINES_SEARCHED = 2000


@dataclass
class Outcome:
    file: str
    pn: str
    parsed: bool
    skipped: str = ""
    resolved: bool | None = None
    reason: str = ""
    built: bool | None = None
    imported: bool | None = None
    build_reason: str = ""


# What a resolution error says, as (kind, missing name): the dependency that no layer provides.
_REASONS = (
    (re.compile(r"(?:DEPENDS on|names) (\S+), which .*which was skipped: it cannot be parsed"), "a dependency does not parse"),
    (re.compile(r"(?:DEPENDS on|names) (\S+), which .*which was skipped"), "a dependency is skipped"),
    (re.compile(r"RDEPENDS:\S+ names (\S+), which no recipe of the layers provides"), "RDEPENDS: no recipe"),
    (re.compile(r"DEPENDS on (\S+), which no recipe of the layers provides .*, which is not a pinned native tool"),
     "-native DEPENDS: no recipe or tool"),
    (re.compile(r"DEPENDS on (\S+), which no recipe of the layers provides .*, which no SYSROOT_DEBIAN_PACKAGE"),
     "library DEPENDS: no recipe or Debian package"),
    (re.compile(r"'(\S+)' is provided only by \S+ \(variant \w+\), which was skipped: it cannot be parsed"), "a dependency does not parse"),
    (re.compile(r"'(\S+)' is provided only by \S+ \(variant \w+\), which was skipped"), "a dependency is skipped"),
)


def classify(message: str) -> tuple[str, str]:
    """(kind of failure, the name it is about) of a resolution error."""
    for pattern, kind in _REASONS:
        found = pattern.search(message)
        if found:
            return kind, found.group(1)
    return "other", message.splitlines()[0][:160]


def parse_reason(skipped: str) -> str:
    """A short form of why a file did not parse: the message without the file:line:column prefix."""
    first = skipped.removeprefix(UNPARSED).splitlines()[0]
    first = re.sub(r"^\S+:\d+:\d+: ", "", first)
    first = re.sub(r" on BBPATH \(.*\)$", "", first)
    return re.sub(r"\(set in \S+\)", "", first)[:160]


def scan(options: argparse.Namespace) -> tuple[LayerIndex, list[Outcome]]:
    config = load_configuration(_settings(options))
    index = LayerIndex(config, Path(config.getVar("PARSE_CACHE_DIR")))
    layers = [layer.resolve() for layer in options.layer]
    mine = [recipe for recipe in index.recipes if any(layer in recipe.resolve().parents for layer in layers)]
    targets: dict[Path, RecipeInfo] = {}
    for info in index.infos:
        if info.variant == "":
            targets[info.file] = info
    tools = pinned_native_tools()
    outcomes = []
    for recipe in mine:
        info = targets[recipe]
        unparsed = bool(info.skipped and info.skipped.startswith(UNPARSED))
        outcome = Outcome(str(recipe), info.pn, parsed=not unparsed, skipped=info.skipped or "")
        if not info.skipped:
            try:
                graph = GraphBuilder(index, tools).build([info.pn])
                chosen = graph.nodes[graph.targets[0]].info.file
                outcome.resolved = True
                if chosen != recipe:
                    outcome.reason = f"the name {info.pn} builds {chosen}"
            except PyrecipeError as exc:
                outcome.resolved = False
                outcome.reason = str(exc).splitlines()[0]
        outcomes.append(outcome)
    return index, outcomes


def build_sample(options: argparse.Namespace, outcomes: list[Outcome]) -> None:
    """Build ``--build`` of the resolved recipes (a seeded random sample, so that a run stopped
    early is still a fair sample), ``--chunk`` targets per ``pyrecipe build -k``. A finished
    build has passed do_test: the recipe's own test, or an import of the top-level modules it
    installed, under qemu with the board's CPython. ``--json`` is rewritten after every chunk."""
    resolved = [o for o in outcomes if o.resolved and not o.reason]
    if not resolved or options.build <= 0:
        return
    random.Random(options.seed).shuffle(resolved)
    settings = _settings(options)
    for first in range(0, min(options.build, len(resolved)), options.chunk):
        chunk = resolved[first:min(first + options.chunk, options.build)]
        _build_chunk(chunk, settings, options.jobs)
        _write_json(options, outcomes)
        done = [o for o in resolved if o.built is not None]
        print(f"  {len(done)} built or tried: {sum(bool(o.built) for o in done)} ok", file=sys.stderr)


def _build_chunk(chunk: list[Outcome], settings: Settings, jobs: int) -> None:
    """One ``pyrecipe build -k`` of the chunk's targets; when it cannot start (a target whose
    graph the build finds incomplete, provisioning), each target alone, so that one bad target
    does not fail the others."""
    request = BuildRequest(settings=settings, targets=tuple(o.pn for o in chunk),
                           options=BuildOptions(keep_going=True, jobs=jobs))
    try:
        result = run_build(request)
    except PyrecipeError as exc:
        if len(chunk) > 1:
            print(f"  the chunk of {len(chunk)} could not start ({str(exc).splitlines()[0][:200]}): one at a time", file=sys.stderr)
            for outcome in chunk:
                _build_chunk([outcome], settings, jobs)
            return
        chunk[0].built, chunk[0].build_reason = False, str(exc).splitlines()[0][:300]
        return
    failed = {failure.recipe: failure for failure in result.failures}
    for outcome in chunk:
        _record_build(outcome, failed, result.skipped, settings)


def _settings(options: argparse.Namespace) -> Settings:
    return Settings(build_dir=options.build_dir, machine=options.machine, distro=options.distro,
                    layers=tuple(layer.absolute() for layer in options.layer))


def _record_build(outcome: Outcome, failed: dict[str, TaskFailure], skipped: list[str], settings: Settings) -> None:
    """What became of one target of a chunk: built and tested, failed (the task and the last
    error line of its log), or not built because a dependency failed."""
    if outcome.pn in failed:
        failure = failed[outcome.pn]
        try:
            lines = tail_lines(failure.log, LOG_LINES_SEARCHED)
        except OSError:  # no log (the task did not start), or not a regular file
            lines = []
        errors = [line.strip() for line in lines if "error" in line.lower()] or [failure.reason]
        outcome.built, outcome.build_reason = False, f"{failure.task}: {errors[-1][:300]}"
        return
    if outcome.pn in skipped:
        outcome.built, outcome.build_reason = False, "not built: a dependency failed"
        return
    outcome.built = True
    config = load_configuration(settings)
    index = LayerIndex(config, Path(config.getVar("PARSE_CACHE_DIR")))
    d = index.datastore(index.find(outcome.pn))
    modules = top_level_modules(Path(d.getVar("D") + d.getVar("PYTHON_SITEPACKAGES_DIR")))
    tested = bool(d.getVar("PYTHON_TEST_CODE") or d.getVar("PYTHON_TEST_SCRIPT"))
    outcome.imported = bool(modules) or tested
    if not outcome.imported:
        outcome.build_reason = "installs no Python module"


def _write_json(options: argparse.Namespace, outcomes: list[Outcome]) -> None:
    if options.json:
        atomic_write_text(options.json, "".join(json.dumps(asdict(o)) + "\n" for o in outcomes))


def report(outcomes: list[Outcome], top: int) -> str:
    total = len(outcomes)
    parsed = [o for o in outcomes if o.parsed]
    skipped = [o for o in parsed if o.skipped]
    tried = [o for o in parsed if not o.skipped]
    resolved = [o for o in tried if o.resolved]
    lines = [
        f"recipes: {total}",
        f"parsed: {len(parsed)} (of which skipped with a reason: {len(skipped)}); not parsed: {total - len(parsed)}",
        f"resolved: {len(resolved)} of {len(tried)} parsed and not skipped",
    ]
    built = [o for o in outcomes if o.built is not None]
    if built:
        ok = [o for o in built if o.built]
        imported = [o for o in ok if o.imported]
        lines.append(f"built: {len(ok)} of {len(built)} tried; tested or imported under qemu: {len(imported)}")
    failures = collections.Counter(parse_reason(o.skipped) for o in outcomes if not o.parsed)
    if failures:
        lines.append("not parsed, why:")
        lines += [f"  {count:4} {reason}" for reason, count in failures.most_common(top)]
    skips = collections.Counter(o.skipped.splitlines()[0][:160] for o in skipped)
    if skips:
        lines.append("skipped, why:")
        lines += [f"  {count:4} {reason}" for reason, count in skips.most_common(top)]
    unresolved = [classify(o.reason) for o in tried if not o.resolved]
    if unresolved:
        lines.append("not resolved, by kind:")
        lines += [f"  {count:4} {kind}" for kind, count in collections.Counter(k for k, _ in unresolved).most_common()]
        lines.append("not resolved, the names most often missing:")
        lines += [f"  {count:4} {name} ({kind})" for (kind, name), count in collections.Counter(unresolved).most_common(top)]
    failed_builds = [o for o in built if not (o.built and o.imported)]
    if failed_builds:
        lines.append("build or import failures:")
        lines += [f"  {o.pn}: {o.build_reason}" for o in failed_builds]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.oe_layer", description=__doc__.splitlines()[0])
    parser.add_argument("--layer", type=Path, action="append", required=True, help="a layer directory (repeatable)")
    parser.add_argument("--build-dir", type=Path, default=Path("build"), help="pyrecipe's build directory")
    parser.add_argument("--machine", default="raspberrypi4")
    parser.add_argument("--distro", default=None)
    parser.add_argument("--build", type=int, default=0, metavar="N",
                        help="build N resolved recipes (a random sample) and test or import them under qemu")
    parser.add_argument("--chunk", type=int, default=40, metavar="N", help="recipes per pyrecipe build -k")
    parser.add_argument("--jobs", "-j", type=int, default=2, help="recipes built at once")
    parser.add_argument("--seed", type=int, default=15, help="the sample's random seed")
    parser.add_argument("--top", type=int, default=15, help="how many of the most frequent reasons to show")
    parser.add_argument("--json", type=Path, help="write one record per recipe to this file")
    parser.add_argument("--verbose", action="store_true", help="show pyrecipe's warnings (one per recipe skipped ...)")
    options = parser.parse_args(argv)
    for layer in options.layer:
        if not (layer / "conf" / "layer.conf").is_file() and not layer.is_dir():
            parser.error(f"{layer} is not a layer directory")
    options.build_dir = options.build_dir.absolute()
    logging.basicConfig(level=logging.WARNING if options.verbose else logging.ERROR, format="%(message)s")
    started = time.monotonic()
    try:
        _, outcomes = scan(options)
        build_sample(options, outcomes)
    except PyrecipeError as exc:
        print(f"oe_layer: error: {exc}", file=sys.stderr)
        return exc.exit_code
    _write_json(options, outcomes)
    print(report(outcomes, options.top))
    print(f"({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
