"""``pyrecipe env``: the expanded datastore of recipes, like ``bitbake -e``.

Contract (shared/DESIGN.md): TARGET is a recipe name or one or more ``.bb`` paths. ``--json``
prints one JSON object per file (per variant when the recipe has BBCLASSEXTEND) per line,
``{"file": PATH, "vars": {...}}`` or ``{"file": PATH, "error": MESSAGE}``. ``--bare`` parses
with no base configuration and no implicit classes: only the core variables are predefined
(finalisation still sets DEPENDS = "", as bitbake's does) and ``--bbpath`` directories are where ``inherit``, ``include`` and ``require`` look.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyrecipe.commands.common import add_build_options, path_argument, settings_from
from pyrecipe.config.configuration import load_configuration
from pyrecipe.config.layers import LayerIndex
from pyrecipe.errors import InputError, PyrecipeError
from pyrecipe.parse import DataSmart, parse_recipe


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="+", metavar="TARGET", help="a recipe name, or .bb files")
    parser.add_argument("--json", action="store_true", help="one JSON object per file (and variant) per line")
    parser.add_argument("--bare", action="store_true", help="no base configuration, no implicit classes")
    parser.add_argument(
        "--bbpath", action="append", type=path_argument, default=[], metavar="DIR",
        help="where inherit/include/require look (repeatable; with --bare)",
    )
    add_build_options(parser)
    parser.set_defaults(func=run)


def exported_values(d: DataSmart) -> dict[str, Any]:
    """Every variable's value as a build would see it: expanded, Python functions verbatim."""
    values: dict[str, Any] = {}
    for name in sorted(d.keys()):
        if name.startswith("__"):
            continue
        if d.getVarFlag(name, "python", False) and d.getVarFlag(name, "func", False):
            values[name] = d.getVar(name, False)
        else:
            value = d.getVar(name)
            values[name] = value if isinstance(value, (str, int, float, bool)) or value is None else str(value)
    return values


def _is_path(target: str) -> bool:
    return target.endswith((".bb", ".bbappend", ".bbclass", ".conf")) or Path(target).is_file()


def _datastores(args: argparse.Namespace) -> Iterator[tuple[str, dict[str, DataSmart] | PyrecipeError]]:
    """(file, its datastores by variant or the error) for each target."""
    paths = [t for t in args.targets if _is_path(t)]
    names = [t for t in args.targets if not _is_path(t)]
    if args.bare:
        if names:
            raise InputError(f"--bare takes .bb files, not recipe names: {' '.join(names)}")
        for path in paths:
            yield str(Path(path).absolute()), _parse_safely(lambda p=path: parse_recipe(Path(p), bbpath=args.bbpath))
        return
    config = load_configuration(settings_from(args))
    for path in paths:
        yield str(Path(path).absolute()), _parse_safely(lambda p=path: parse_recipe(Path(p), config, bbpath=args.bbpath))
    if names:
        index = LayerIndex(config, Path(config.getVar("PARSE_CACHE_DIR")))
        for name in names:
            info = index.find(name)
            result = _parse_safely(lambda i=info: {i.variant: index.datastore(i)})
            yield str(info.file), result


def _parse_safely(parse: Any) -> dict[str, DataSmart] | PyrecipeError:
    try:
        return parse()
    except PyrecipeError as exc:
        return exc


def run(args: argparse.Namespace) -> int:
    status = 0
    for file, result in _datastores(args):
        if isinstance(result, PyrecipeError):
            status = 2
            _emit_error(args, file, None, result, multi=False)
            continue
        multi = len(result) > 1
        for variant, d in result.items():
            try:
                values = exported_values(d)
            except PyrecipeError as exc:
                status = 2
                _emit_error(args, file, variant, exc, multi)
                continue
            if args.json:
                record: dict[str, Any] = {"file": file}
                if multi:
                    record["variant"] = variant
                record["vars"] = values
                print(json.dumps(record, sort_keys=False))
            else:
                _print_text(file, variant if multi else None, d, values)
    return status


def _emit_error(args: argparse.Namespace, file: str, variant: str | None, exc: PyrecipeError, multi: bool) -> None:
    if args.json:
        record: dict[str, Any] = {"file": file}
        if multi and variant is not None:
            record["variant"] = variant
        record["error"] = str(exc)
        print(json.dumps(record))
    print(f"pyrecipe: error: {exc}", file=sys.stderr)


def _print_text(file: str, variant: str | None, d: DataSmart, values: dict[str, Any]) -> None:
    title = f"{file} (variant {variant or 'target'})" if variant is not None else file
    print(f"#\n# {title}\n#")
    for name, value in values.items():
        if d.getVarFlag(name, "func", False):
            keyword = "python " if d.getVarFlag(name, "python", False) else ""
            if d.getVarFlag(name, "pydef", False):
                print(value.rstrip("\n"))
            else:
                print(f"{keyword}{name}() {{\n{(value or '').rstrip()}\n}}")
            continue
        export = "export " if d.getVarFlag(name, "export", False) else ""
        text = "" if value is None else str(value)
        print(f'{export}{name}="{text}"')
