"""The command the PEP 517 classes run in do_compile and do_install (like gpep517's CLI).

``python -m pyrecipe.pep517.frontend build-wheel`` builds a wheel with the package's own backend;
``install-wheel`` installs it into a staging tree with the target's layout. Being a command,
it composes with shell tasks: a recipe's ``do_compile:append() { ... }`` runs after it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from pyrecipe.errors import PyrecipeError
from pyrecipe.pep517.hooks import build_wheel, check_requirements, parse_config_settings, require_build_requirements
from pyrecipe.pep517.install import install_wheel
from pyrecipe.pep517.record import refresh_records
from pyrecipe.tasks.elfpaths import retarget_rpaths


def _config_settings(args: argparse.Namespace) -> dict[str, str | list[str]]:
    options = " ".join(f"-C{shlex_quote(item)}" for item in args.config_setting)
    settings = parse_config_settings(options) if options else {}
    if args.config_json:
        for key, value in json.loads(args.config_json).items():
            settings[key] = value
    return settings


def shlex_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def check_build_requirements(args: argparse.Namespace, settings: dict[str, str | list[str]]) -> None:
    """Compare the backend's build requirements with the native environment (no isolation: the
    pinned tools are what the build gets). ``warn`` names the unsatisfied ones in the log, since a
    pin newer than a project's upper bound usually still builds; ``error`` stops the build."""
    env = dict(os.environ)
    if args.check_requirements == "error":
        require_build_requirements(Path(args.source), Path(args.python), env, settings, log=sys.stdout)
    elif args.check_requirements == "warn":
        for requirement in check_requirements(Path(args.source), Path(args.python), env, settings, log=sys.stdout):
            print(f"WARNING: build requirement not satisfied by the native environment: {requirement}", flush=True)


def build(args: argparse.Namespace) -> int:
    wheel_dir = Path(args.wheel_dir)
    wheel_dir.mkdir(parents=True, exist_ok=True)
    settings = _config_settings(args)
    print(f"pyrecipe frontend: building a wheel of {args.source} with {args.python}; config settings {settings}", flush=True)
    check_build_requirements(args, settings)
    with tempfile.TemporaryDirectory(dir=wheel_dir.parent, prefix=f".{wheel_dir.name}.") as tmp:
        wheel = build_wheel(
            Path(args.source), Path(tmp), python=Path(args.python), env=dict(os.environ),
            config_settings=settings, log=sys.stdout,
        )
        final = wheel_dir / wheel.name
        os.replace(wheel, final)
    print(f"pyrecipe frontend: wrote {final}", flush=True)
    return 0


def install(args: argparse.Namespace) -> int:
    source = Path(args.wheel)
    wheels = sorted(source.glob("*.whl")) if source.is_dir() else [source]
    if len(wheels) != 1:
        raise PyrecipeError(f"expected exactly one wheel in {source}, found {len(wheels)}")
    files = install_wheel(
        wheels[0], Path(args.destdir), python_version=args.python_version, prefix=args.prefix,
        compile_bytecode=args.compile_bytecode, interpreter=args.interpreter,
    )
    print(f"pyrecipe frontend: installed {wheels[0].name} into {args.destdir} ({len(files)} files)", flush=True)
    if args.sysroot:
        for change in retarget_rpaths(Path(args.destdir), Path(args.sysroot)):
            print(f"pyrecipe frontend: RPATH {change}", flush=True)
        site = Path(args.destdir, args.prefix.lstrip("/"), "lib", f"python{args.python_version}", "site-packages")
        refresh_records(site, Path(args.destdir))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pyrecipe.pep517.frontend")
    commands = parser.add_subparsers(dest="command", required=True)
    build_parser = commands.add_parser("build-wheel")
    build_parser.add_argument("--python", required=True, help="the build interpreter (runs the backend)")
    build_parser.add_argument("--wheel-dir", required=True)
    build_parser.add_argument("-C", "--config-setting", action="append", default=[], metavar="KEY=VALUE")
    build_parser.add_argument("--config-json", help="config settings as a JSON object")
    build_parser.add_argument(
        "--check-requirements", choices=("warn", "error", "none"), default="warn",
        help="compare the backend's build requirements with the build interpreter's packages",
    )
    build_parser.add_argument("source")
    build_parser.set_defaults(func=build)
    install_parser = commands.add_parser("install-wheel")
    install_parser.add_argument("--destdir", required=True)
    install_parser.add_argument("--prefix", default="/usr")
    install_parser.add_argument("--python-version", required=True)
    install_parser.add_argument("--interpreter", default="/usr/bin/python3")
    install_parser.add_argument(
        "--compile-bytecode", type=lambda v: v not in ("0", "no", "false"), default=False, metavar="0|1"
    )
    install_parser.add_argument("--sysroot", help="the build sysroot: RPATHs into it are made target paths")
    install_parser.add_argument("wheel", help="a wheel, or a directory holding exactly one")
    install_parser.set_defaults(func=install)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except PyrecipeError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
