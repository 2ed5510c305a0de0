"""The ``pyrecipe`` command line: one subcommand per module in :mod:`pyrecipe.commands`.

Each command module defines ``register(subparsers)`` which adds its parser and sets
``func`` to a callable taking the parsed arguments and returning an exit code. This keeps
the entry point small and lets each command live beside the code it drives.
"""

from __future__ import annotations

import argparse
import errno
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


#: Failures of the build machine rather than of pyrecipe, and what to do about each: said so,
#: not called "a bug in pyrecipe" (a full disk struck the parse cache, the image, a stamp ...).
MACHINE_ERRORS = {
    errno.ENOSPC: "the disk is full: free some space and build again",
    errno.EDQUOT: "the disk quota is exceeded: free some space and build again",
    errno.EROFS: "the file system is read-only: use a writable build directory (--build-dir)",
    errno.EACCES: "permission denied: use a build directory you may write (--build-dir)",
}


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
