"""The process that runs one walled Python task (see :mod:`pyrecipe.engine.walled_python`):
``python -m pyrecipe.engine.walled_process STATE``, inside the task's sandbox."""

from __future__ import annotations

import io
import json
import pickle
import sys
from pathlib import Path

from pyrecipe.engine.task_runner import TaskFailure, TaskRunner
from pyrecipe.engine.walled_python import WalledTask, result_path
from pyrecipe.fsutil import atomic_write_text


def main(argv: list[str]) -> int:
    """Run the walled task in ``argv[1]``: 0 when it succeeded, 1 when it failed (reason in the
    result file, traceback in the task's log)."""
    state = Path(argv[1])
    walled: WalledTask = pickle.loads(state.read_bytes())
    runner = TaskRunner(walled.d, walled.env, context=walled.context, walled=True)
    # Standard output is the task's log (the parent's open file): everything goes through it, in order.
    log = sys.stdout
    assert isinstance(log, io.TextIOWrapper)
    log.reconfigure(line_buffering=True)
    failure = None
    try:
        runner.run_python_here(walled.task, log, walled.log)
    except TaskFailure as exc:
        failure = exc.reason
    atomic_write_text(result_path(state), json.dumps({"warnings": runner.warnings, "failure": failure}))
    return 0 if failure is None else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
