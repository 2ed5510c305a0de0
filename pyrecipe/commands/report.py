"""``pyrecipe report``: a build's self-contained HTML report, from its buildstats.

Default: the last build of the machine (``build/<distro>/<machine>/buildstats/``, see
:mod:`pyrecipe.engine.buildstats`); ``--stats FILE`` names another build's. The page is written
to ``-o FILE`` (default ``report.html`` beside the stats file, named after it) whole, under a
temporary name: see :mod:`pyrecipe.outputs.report` for what it shows.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from pyrecipe.commands.common import add_build_options, path_argument, settings_from
from pyrecipe.config.configuration import load_configuration
from pyrecipe.engine import buildstats
from pyrecipe.errors import InputError
from pyrecipe.fsutil import atomic_write_text


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", type=path_argument, metavar="FILE",
                        help="where the HTML goes (default: <build start>.html beside the build's stats file)")
    parser.add_argument("--stats", type=path_argument, metavar="FILE", help="a build's stats file (default: the last build's)")
    add_build_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pyrecipe.outputs.report import read_stats, render

    began = time.monotonic()
    stats = args.stats
    if stats is None:
        machine_dir = Path(load_configuration(settings_from(args)).getVar("MACHINE_BUILD_DIR"))
        stats = buildstats.latest(machine_dir)
        if stats is None:
            raise InputError(f"no build of this machine has stats yet: {buildstats.stats_dir(machine_dir)} is empty; build first")
    output = args.output or stats.with_suffix(".html")
    html = render(read_stats(stats), stats)
    atomic_write_text(output, html)
    print(f"Report: {output} ({len(html.encode()) / 1024:.0f} KiB, {time.monotonic() - began:.2f} s)")
    return 0
