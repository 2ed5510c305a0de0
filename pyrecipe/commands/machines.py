"""``pyrecipe machines``: the machines a build can target, one per line."""

from __future__ import annotations

import argparse

from pyrecipe.commands.common import layer_path, print_columns
from pyrecipe.config.configuration import known_machines
from pyrecipe.toolchain.machine import load_machine


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--layer", action="append", type=layer_path, default=[], metavar="DIR",
        help="also list the machines of this layer (its conf/machine); repeatable",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    layers = tuple(p.absolute() for p in args.layer)
    machines = [load_machine(name, layers=layers) for name in known_machines(layers)]
    rows = [(m.name, m.target_arch, m.target_sys, m.meson_cpu, m.description) for m in machines]
    print_columns(rows)
    return 0
