"""A recipe's own Python tasks, run behind the same walls as its shell tasks.

Shell tasks run under bubblewrap (:mod:`pyrecipe.engine.confine`), but a Python task runs in
pyrecipe's process, which may write anywhere: ``python do_install() { open("/etc/x", "w") }``
in a recipe would have written to the build machine. pyrecipe's own classes are its code and
stay in the process (staging into the shared sysroot, deploying, the image: what only pyrecipe
may write); a Python task with a part written anywhere else (a recipe, a ``.bbappend``, another
layer's class) runs here instead, in a process of its own inside the task's sandbox, as bitbake
runs every task in a worker process: the recipe's datastore goes to it pickled, and what the
task changes in it stays there, as in bitbake.

``python -m pyrecipe.engine.walled_process STATE`` is that process: STATE (in the recipe's
``${T}``) holds the datastore, the task and its context; the result file beside it holds the
warnings the task gave and, when it failed, the one-line reason. The process writes it only
once the task function has returned (or raised): a task succeeds only then, never because its
process exited with status 0.
"""

from __future__ import annotations

import json
import os
import pickle
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.engine.confine import is_inside
from pyrecipe.engine.context import BuildContext
from pyrecipe.fsutil import read_regular, writing_file
from pyrecipe.parse import DataSmart


@dataclass
class WalledTask:
    """What the process running one walled Python task needs (pickled to ``state``)."""

    d: DataSmart
    env: dict[str, str]
    context: BuildContext
    task: str
    log: Path


def written_outside_pyrecipe(d: DataSmart, functions: Iterable[str]) -> list[str]:
    """The files outside pyrecipe's own classes that wrote a part of ``functions`` (a task and
    the Python functions it names): a definition, an ``:append``/``:prepend``, an override
    (each as last assigned). Empty: pyrecipe's code alone."""
    classes = os.path.join(d.getVar("PYRECIPE_TOPDIR") or "", "classes")
    names = set(functions)
    files = {origin[0] for key, origin in d.origins.items() if key.split(":", 1)[0] in names}
    return sorted(file for file in files if not is_inside(file, classes))


def write_state(walled: WalledTask, state: Path) -> None:
    """Write ``walled`` to ``state`` (temporary name, then rename), with no result file beside it."""
    with writing_file(state) as tmp:
        tmp.write_bytes(pickle.dumps(walled, protocol=pickle.HIGHEST_PROTOCOL))
    result_path(state).unlink(missing_ok=True)


#: The most of a result file read: warnings and a failure reason, never megabytes.
RESULT_LIMIT = 1 << 20


def result_path(state: Path) -> Path:
    return state.with_name(state.name + ".result")


def read_result(state: Path) -> tuple[list[str], str | None] | None:
    """(warnings, failure reason or None) the walled process wrote once the task function had
    returned or raised; None when it wrote none: its process ended some other way (os._exit,
    an exec of another program, a signal), which is no success however it exited."""
    try:
        result = json.loads(read_regular(result_path(state), RESULT_LIMIT))  # the walled task could write it
    except (OSError, ValueError):
        return None
    if not isinstance(result, dict):
        return None
    return [str(warning) for warning in result.get("warnings", [])], result.get("failure")


def how_it_ended(returncode: int) -> str:
    """What a walled process that wrote no result did, from its exit status (bubblewrap's:
    128 + N for a signal N)."""
    if returncode == 0:
        return ("its Python ended the process with status 0 before the task returned (os._exit, or an exec of "
                "another program); a task ends by returning, or fails by raising an error")
    if returncode > 128:
        return f"its process was killed by signal {returncode - 128} before the task returned"
    return f"its process ended with status {returncode} before the task returned"


def remove_state(state: Path) -> None:
    """Remove the state and result files of a walled task that ended (the datastore is large)."""
    for path in (state, result_path(state)):
        path.unlink(missing_ok=True)
