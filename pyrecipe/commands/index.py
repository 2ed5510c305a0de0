"""``pyrecipe index``: a PEP 503 simple index of the wheels a machine's builds deployed.

Every target build leaves its wheel in ``DEPLOY_DIR_WHEELS``
(``<build>/deploy/<distro>/<machine>/wheels``, see :mod:`pyrecipe.outputs.wheel`); this command
writes ``<build>/deploy/<distro>/<machine>/simple`` beside it. Serve
``<build>/deploy/<distro>/<machine>`` over HTTP and a board installs with
``pip install --index-url http://buildhost:PORT/simple NAME``. ``--machine`` and ``--distro``
(else the build directory's ``local.conf``, else the defaults) say which folder.
"""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from pyrecipe.commands.common import add_build_options, note_on_stderr, settings_from
from pyrecipe.config.configuration import load_configuration
from pyrecipe.engine.buildlock import build_lock
from pyrecipe.engine.leftovers import remove_leftovers
from pyrecipe.outputs.simple_index import write_index


def register(parser: argparse.ArgumentParser) -> None:
    add_build_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = load_configuration(settings_from(args))
    wheels_dir = Path(config.getVar("DEPLOY_DIR_WHEELS"))
    index_dir = wheels_dir.parent / "simple"
    # Not while a build deploys wheels (it may replace one the index would name); holding the
    # lock, what an interrupted index or deploy left under temporary names can go. Without the
    # folder write_index says what is missing, and no build directory is created for the lock.
    lock = build_lock(args.build_dir, note_on_stderr) if wheels_dir.is_dir() else contextlib.nullcontext()
    with lock:
        remove_leftovers([wheels_dir, index_dir.parent])
        projects = write_index(wheels_dir, index_dir)
    count = sum(len(wheels) for wheels in projects.values())
    for project, wheels in sorted(projects.items()):
        print(f"{project}: {', '.join(wheel.path.name for wheel in wheels)}")
    print(f"wrote {index_dir}: {len(projects)} project(s), {count} wheel(s); serve {index_dir.parent} "
          f"and install with pip install --index-url http://HOST:PORT/simple NAME")
    return 0
