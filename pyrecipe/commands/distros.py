"""``pyrecipe distros``: the distros a machine can run, one per line (the default marked)."""

from __future__ import annotations

import argparse
from pathlib import Path

from pyrecipe.commands.common import layer_path, print_columns
from pyrecipe.config.configuration import DEFAULT_DISTRO, distro_conf, known_confs
from pyrecipe.parse import core_datastore, load_config


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--layer", action="append", type=layer_path, default=[], metavar="DIR",
        help="also list the distros of this layer (its conf/distro); repeatable",
    )
    parser.set_defaults(func=run)


def _row(name: str, layers: tuple[Path, ...]) -> tuple[str, ...]:
    """What ``pyrecipe distros`` says of one distro, read from its conf file alone."""
    base = core_datastore()
    base.setVar("DISTRO", name)
    d = load_config([distro_conf(name, layers)], base=base)
    default = " (default)" if name == DEFAULT_DISTRO else ""
    return (
        name, f"python{d.getVar('PYTHON_BASEVERSION') or '?'}", d.getVar("DEBIAN_SUITE") or "-",
        d.getVar("DISTRO_DEBIAN_ARCHES") or "any", (d.getVar("DISTRO_DESCRIPTION") or "") + default,
    )


def run(args: argparse.Namespace) -> int:
    layers = tuple(p.absolute() for p in args.layer)
    rows = [_row(name, layers) for name in known_confs("distro", layers)]
    print_columns(rows)
    return 0
