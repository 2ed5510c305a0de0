"""What task code is given by the build that runs it: a typed context, set by the task runner.

A class's Python task is one line of recipe language (``pyrecipe.tasks.package.package(d)``), and the
recipe language hands it only the datastore, as bitbake does. What the task needs besides (the
provisioned toolchain, its log, a way to warn that reaches the console) is the runner's to
give: :func:`running_task` makes a :class:`TaskContext` current while the task runs, and
:func:`current_task` returns it, typed. Nothing is stored in the datastore, which stays the
recipe's, and no thread-local is read behind the code's back.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from pyrecipe.errors import BuildError

if TYPE_CHECKING:
    from pyrecipe.toolchain.provision import Toolchain


@dataclass(frozen=True)
class BuildContext:
    """What every task of one build shares: the provisioned toolchain (None when the build runs
    with the build machine's own tools), and the build's options that tasks honour."""

    toolchain: Toolchain | None
    allow_missing_checksum: bool = False


@dataclass
class TaskContext:
    """One running task: which, its log, the build's context, the warnings it gave."""

    pn: str
    task: str
    log: TextIO
    build: BuildContext
    warnings: list[str] = field(default_factory=list)

    def note(self, message: str) -> None:
        """A line in the task's log."""
        self.log.write(message.rstrip("\n") + "\n")
        self.log.flush()

    def warn(self, message: str) -> None:
        """A warning: in the log, and kept for the console (a warning only in a log goes unread)."""
        self.note(f"WARNING: {message}")
        self.warnings.append(message)

    @property
    def toolchain(self) -> Toolchain:
        """The target toolchain, for the tasks that cannot work without one."""
        if self.build.toolchain is None:
            raise BuildError(f"recipe {self.pn}: {self.task} needs a target toolchain, and this build has none "
                             "(its machine says SYSROOT_PROVIDER = \"none\")")
        return self.build.toolchain


_current: contextvars.ContextVar[TaskContext] = contextvars.ContextVar("pyrecipe_task")


def current_task() -> TaskContext:
    """The context of the task running now; task code called from elsewhere is an error."""
    try:
        return _current.get()
    except LookupError:
        raise BuildError("pyrecipe's task code ran outside a task (no build is running it)") from None


def current_task_or_none() -> TaskContext | None:
    return _current.get(None)


@contextmanager
def running_task(context: TaskContext) -> Iterator[TaskContext]:
    """Make ``context`` the current task's while the body runs (in this thread)."""
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
