"""Errors a user can act on.

Every exception derived from :class:`PyrecipeError` is printed by the CLI as one clear
message (what, where, what to do) with no traceback; anything else is a bug and shows a
traceback only under ``--debug``. The exit code tells scripts what kind of failure it was:
2 for bad input or usage, 1 for a build that failed.
"""

from __future__ import annotations


class PyrecipeError(Exception):
    """Base of all errors that carry a user-facing message."""

    exit_code = 2


class InputError(PyrecipeError):
    """Bad input: a recipe, a machine name, a command line, a checksum."""

    exit_code = 2


class BuildError(PyrecipeError):
    """A task failed while building."""

    exit_code = 1
