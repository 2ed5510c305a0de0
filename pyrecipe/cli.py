"""The ``pyrecipe`` command line: one subcommand per module in :mod:`pyrecipe.commands`.

Each command module defines ``register(subparsers)`` which adds its parser and sets
``func`` to a callable taking the parsed arguments and returning an exit code. This keeps
the entry point small and lets each command live beside the code it drives.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import threading
import traceback

from pyrecipe.errors import PyrecipeError

COMMAND_MODULES = [
    "build",
    "create",
    "deps",
    "env",
    "machines",
    "run",
    "sysroot",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pyrecipe",
        description="Cross-compile Python packages for embedded Linux boards.",
    )
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks on errors")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(f"pyrecipe.commands.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
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
    except Exception:  # noqa: BLE001 - the last line of defence before a user
        if args.debug:
            raise
        exc_type, exc, _ = sys.exc_info()
        print(
            f"pyrecipe: internal error: {exc_type.__name__}: {exc}\n"
            "This is a bug in pyrecipe; run again with --debug for the traceback.",
            file=sys.stderr,
        )
        return 1
