"""``pyrecipe build``: build recipes for a machine and assemble the image."""

from __future__ import annotations

import argparse
import os
import re
import sys
import time

from pyrecipe.commands.common import (
    add_build_options,
    add_recipe_arguments,
    add_requirement_option,
    path_argument,
    print_columns,
    requirement_options,
    settings_from,
)
from pyrecipe.config.paths import check_not_system_dir
from pyrecipe.engine.build import BuildRequest, run_build
from pyrecipe.engine.progress import Progress
from pyrecipe.engine.scheduler import BuildOptions, BuildResult
from pyrecipe.errors import InputError
from pyrecipe.outputs.destdir import check_prefix, install_built_recipe


def register(parser: argparse.ArgumentParser) -> None:
    add_recipe_arguments(parser)
    add_build_options(parser)
    add_requirement_option(parser, "build")
    parser.add_argument("-c", "--cmd", metavar="TASK", help="run the targets up to this task only (e.g. compile)")
    parser.add_argument("-f", "--force", action="store_true", help="run the targets' tasks even if up to date")
    parser.add_argument("-k", "--continue", dest="keep_going", action="store_true", help="go on after a failure")
    parser.add_argument("-n", "--dry-run", action="store_true", help="print the tasks that would run, run nothing")
    parser.add_argument("-j", "--jobs", type=int, help="recipes built at once (default: BB_NUMBER_THREADS)")
    parser.add_argument("--tar", action="store_true", help="also write build/<machine>/image.tar.gz")
    parser.add_argument("--all", dest="build_all", action="store_true", help="build every recipe of the layers")
    parser.add_argument(
        "--allow-missing-checksum", action="store_true",
        help="fetch sources without SRC_URI[sha256sum] and print the checksum to paste",
    )
    parser.add_argument("--destdir", type=path_argument, metavar="DIR", help="install the one RECIPE's result into DIR after building it")
    parser.add_argument("--prefix", default="/usr", help="with --destdir: the install prefix (default /usr, the target's)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.destdir is not None and len(args.targets) != 1:
        raise InputError("--destdir installs one recipe: name exactly one RECIPE")
    if args.destdir is not None and (args.cmd or args.dry_run):
        raise InputError("--destdir installs a finished build: drop -c/--cmd and -n/--dry-run")
    check_prefix(args.prefix)
    if args.destdir is not None:
        # The target's files over the build machine's own (/, /usr): never what --destdir is for.
        check_not_system_dir(args.destdir, "--destdir")
    if args.cmd is not None and not re.fullmatch(r"[A-Za-z0-9_]+", args.cmd):
        raise InputError(f"-c/--cmd {args.cmd!r} is not a task name (compile, do_install ...)")
    if args.jobs is not None and args.jobs < 1:
        raise InputError(f"-j/--jobs {args.jobs}: at least one recipe must be built at a time")
    goal = args.cmd or "build"
    options = BuildOptions(
        goal=goal if goal.startswith("do_") else f"do_{goal}",
        force=args.force,
        keep_going=args.keep_going,
        dry_run=args.dry_run,
        jobs=args.jobs or os.cpu_count() or 1,
    )
    request = BuildRequest(
        settings=settings_from(args), targets=tuple(args.targets), options=options, tar=args.tar,
        allow_missing_checksum=args.allow_missing_checksum, build_all=args.build_all,
        requirements=tuple(args.requirements), binary=args.binary, requirement_options=requirement_options(args),
    )
    started = time.monotonic()
    progress = Progress()
    result = run_build(request, progress)
    if result.requirements and not args.dry_run:
        print_requirement_report(result, progress.seconds)
    for failure in result.failures:
        print(f"pyrecipe: error: {failure}", file=sys.stderr)
    if result.skipped:
        print(f"pyrecipe: not built because a dependency failed: {', '.join(result.skipped)}", file=sys.stderr)
    if args.dry_run and result.ok:
        print(f"Dry run: {result.would_run} tasks would run; nothing was run")
        return 0
    status = "failed" if not result.ok else "done"
    restored = f", {result.restored} restored from shared state" if result.restored else ""
    failed = f", {len(result.failures)} failed" if result.failures else ""
    print(f"Build {status}: {result.executed} tasks run{failed}{restored} in {time.monotonic() - started:.1f} s")
    if result.ok and args.destdir is not None:
        files = install_built_recipe(request, args.destdir, args.prefix)
        print(f"Installed {len(files)} files of {args.targets[0]} into {args.destdir} (prefix {args.prefix})")
    return 0 if result.ok else 1


def print_requirement_report(result: BuildResult, seconds: dict[str, float]) -> None:
    """Each package of the ``-r`` set: its version, where its recipe came from, the seconds its
    tasks took in this run, whether it was built, and why that recipe (the layer's version, or
    what the requirements asked that it does not have)."""
    failed = {failure.recipe for failure in result.failures}
    rows = [("package", "version", "from", "recipe", "s", "", "why")]
    for row in sorted(result.requirements, key=lambda row: row.name):
        state = "FAILED" if row.recipe in failed else "not built" if row.recipe in result.skipped else "ok"
        rows.append((row.name, row.version, row.origin, row.recipe, f"{seconds.get(row.recipe, 0.0):.1f}", state, row.why))
    print(f"Requirement set: {len(rows) - 1} package(s)")
    print_columns(rows)
