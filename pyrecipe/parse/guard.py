"""Recipe Python run while recipes are read (``${@...}``, anonymous functions, event handlers)
cannot end or replace pyrecipe's process.

Why: that Python runs in pyrecipe's own process (and in its parse workers), where ``${@os._exit(0)}``
in any recipe of a layer ended every command with status 0 and no word said, and an exec, a
``kill`` of its own process or a fork did as much harm. Filtering the names recipe Python sees
would not do (``__import__('os')._exit(0)``): while it runs, :func:`recipe_python` has

- an audit hook (:pep:`578`, which sees every caller, however it reached the function) refuse
  exec, fork, a signal to pyrecipe's own process or group, and ctypes (a C function called
  from Python raises no event of its own);
- ``os._exit`` and ``os.abort`` (which raise no audit event) refuse too: they are replaced, in
  ``os`` and ``posix`` alike, by functions that call the real ones only outside recipe Python;
- opening one of the build machine's secrets (:data:`~pyrecipe.engine.isolation.HOST_SECRETS`,
  hidden from tasks) fails with PermissionError, so that ``SUMMARY = "${@open('/etc/shadow').read()}"``
  puts no secret into a package's metadata, a log or shared state.

The refusal is an exception in the recipe's code: the parse fails with an error naming the
recipe file. Outside recipe Python (pyrecipe's own code, its Python tasks, another thread) nothing
changes. This is a wall against a recipe ending a command, not a sandbox: recipe Python at parse
time still runs with pyrecipe's rights, as it does in bitbake; a program it starts can still
signal pyrecipe (that ends the command with the signal's status, never with 0) or read a secret
(``cat``), and code that digs the real ``_exit`` out of the replacement's closure is not stopped.
"""

from __future__ import annotations

import os
import posix
import sys
import threading
from collections.abc import Callable
from typing import Any, NoReturn

from pyrecipe.engine.isolation import host_secrets

#: Audit events refused while recipe Python runs (os.kill is judged by its target below).
REFUSED_EVENTS = frozenset({
    "os.exec", "os.fork", "os.forkpty", "os.killpg", "signal.pthread_kill",
    "ctypes.dlopen", "ctypes.dlsym", "ctypes.dlsym/handle", "ctypes.call_function", "ctypes.cdata",
})



class _State(threading.local):
    """How deep this thread is in recipe Python (0: outside it)."""

    depth = 0


_state = _State()
#: The real paths of the build machine's secrets, found once recipe Python first opens a file.
_secrets: list[str] | None = None
_install_lock = threading.Lock()
_installed = False


class ProcessEndRefused(RuntimeError):
    """Recipe Python tried to end, replace or reach around pyrecipe's process while recipes are read."""


def _refuse(what: str) -> NoReturn:
    raise ProcessEndRefused(f"{what} is refused: recipe Python read with the recipes cannot end, replace or "
                            "signal pyrecipe's process")


#: Every event :func:`_audit` judges. Checked first: the hook runs for every audit event of the
#: process once installed (``exec`` for each ``${@...}``, ``open``, ``compile`` ...), inside
#: recipe Python or not, and most events need no more than this look-up.
_JUDGED = REFUSED_EVENTS | {"os.kill", "open"}


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event not in _JUDGED or not _state.depth:
        return
    if event in REFUSED_EVENTS:
        _refuse(event)
    if event == "os.kill" and (args[0] <= 0 or args[0] == os.getpid()):
        _refuse(f"os.kill({args[0]}, {args[1]})")
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)) and _is_secret(args[0]):
        raise PermissionError(f"{os.fsdecode(args[0])} is one of the build machine's secrets, which recipe Python "
                              "does not read")


def _is_secret(path: str | bytes | os.PathLike[Any]) -> bool:
    """Whether ``path`` is (or is inside) one of the build machine's secrets, as tasks have them hidden."""
    global _secrets
    if _secrets is None:
        _secrets = [os.path.realpath(secret) for secret in host_secrets()]
    real = os.path.realpath(os.fsdecode(path))
    return any(real == secret or real.startswith(secret + os.sep) for secret in _secrets)


def _guarded(real: Callable[..., Any], name: str) -> Callable[..., Any]:
    def guarded(*args: Any) -> Any:
        if _state.depth:
            _refuse(f"{name}({', '.join(map(repr, args))})")
        return real(*args)

    guarded.__name__ = guarded.__qualname__ = real.__name__
    guarded.__doc__ = real.__doc__
    return guarded


def _install() -> None:
    """Add the audit hook and replace ``_exit`` and ``abort``: once per process (a hook cannot be
    removed; forked parse workers inherit both)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        sys.addaudithook(_audit)
        for name in ("_exit", "abort"):
            guarded = _guarded(getattr(posix, name), f"os.{name}")
            setattr(posix, name, guarded)
            setattr(os, name, guarded)
        _installed = True


class recipe_python:  # noqa: N801 - used as ``with recipe_python():``, like a function
    """Run recipe Python of the parse (or of an expansion) in the block, with the walls above.

    A class, not ``@contextmanager``: it is entered for every ``${@...}`` a parse evaluates, and
    a generator-based context manager cost several per cent of a cold parse."""

    __slots__ = ()

    def __enter__(self) -> None:
        if not _installed:
            _install()
        _state.depth += 1

    def __exit__(self, *exc_info: object) -> None:
        _state.depth -= 1
