"""The ``pyrecipe`` command line: one subcommand per module in :mod:`pyrecipe.commands`.

Each command module defines ``register(parser)`` which adds the command's arguments and sets
``func`` to a callable taking the parsed arguments and returning an exit code. This keeps
the entry point small and lets each command live beside the code it drives.

Only the module of the command being run is imported: the modules import what their command
drives (``build`` alone takes a quarter of a second), and ``pyrecipe --help`` lists them from
:data:`COMMANDS` without that.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import sys
import threading
import traceback

from pyrecipe.engine.interrupts import sigterm_as_interrupt
from pyrecipe.errors import PyrecipeError

#: Each command (the module of that name in pyrecipe.commands) and what it does, for --help.
COMMANDS: dict[str, str] = {
    "build": "build recipes for a machine and assemble its image",
    "create": "write a recipe for a PyPI project from its sdist",
    "distros": "list the distros (what a machine runs: Debian release, CPython)",
    "diffsigs": "show what changed between the last two signatures of a recipe's task (like bitbake-diffsigs)",
    "deps": "show the dependency tree of recipes (build, runtime, native tools, Debian packages)",
    "env": "show the expanded variables of recipes (like bitbake -e)",
    "index": "write a PEP 503 package index of the wheels a machine's builds deployed",
    "lock": "resolve requirement files for a machine into a PEP 751 pylock.toml",
    "init": "make a build directory: conf/local.conf, conf/bblayers.conf (like oe-init-build-env)",
    "machines": "list the target machines",
    "show": "show the recipe file that builds a name (a layer's, or one generated from PyPI)",
    "report": "write a build's HTML report: its tasks on a timeline, the longest recipes, shared state, warnings, packages",
    "run": "run a program (python3 ...) of the target under qemu-user",
    "sstate": "push shared state to a WebDAV server, or prune it",
    "sysroot": "provision the cross toolchain and target sysroot of a machine",
    "test": "build a recipe's ptest suite into a test image and run it under qemu-user",
}


#: Failures of the build machine rather than of pyrecipe, and what to do about each: said so,
#: not called "a bug in pyrecipe" (a full disk struck the parse cache, the image, a stamp ...).
MACHINE_ERRORS = {
    errno.ENOSPC: "the disk is full: free some space and build again",
    errno.EDQUOT: "the disk quota is exceeded: free some space and build again",
    errno.EROFS: "the file system is read-only: use a writable build directory (--build-dir)",
    errno.EACCES: "permission denied: use a build directory you may write (--build-dir)",
}


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    """The parser for ``argv``: every command listed, the arguments of the one named in ``argv``."""
    parser = argparse.ArgumentParser(
        prog="pyrecipe",
        description="Cross-compile Python packages for embedded Linux boards.",
    )
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    # The command is the first word that is not an option: the only global option takes no value.
    chosen = next((word for word in argv if not word.startswith("-")), None)
    for name, summary in COMMANDS.items():
        command_parser = subparsers.add_parser(name, help=summary, description=summary)
        if name == chosen:
            importlib.import_module(f"pyrecipe.commands.{name}").register(command_parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    args = build_parser(argv).parse_args(argv)
    try:
        with sigterm_as_interrupt():  # provisioning's programs too, not only a build's tasks
            return int(args.func(args) or 0)
    except PyrecipeError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"pyrecipe: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        # The reader went away (`pyrecipe env ... | head`): not an error worth a message.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("pyrecipe: interrupted", file=sys.stderr)
        if any(thread.is_alive() and not thread.daemon for thread in threading.enumerate()
               if thread is not threading.main_thread()):
            # A task's Python still runs in a worker thread (blocked on a FIFO, a socket ...):
            # no thread can be stopped from outside, and Python's exit would wait for it.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(130)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence before a user
        if args.debug:
            raise
        if isinstance(exc, OSError) and exc.errno in MACHINE_ERRORS:
            where = f": {exc.filename}" if exc.filename else ""
            print(f"pyrecipe: error: {exc.strerror}{where}; {MACHINE_ERRORS[exc.errno]}", file=sys.stderr)
            return 1
        print(
            f"pyrecipe: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in pyrecipe; run again with --debug for the traceback.",
            file=sys.stderr,
        )
        return 1
