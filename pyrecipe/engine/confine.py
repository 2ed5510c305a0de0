"""The directories a recipe may write: its own work directory, nothing else of the build machine.

pyrecipe usually runs as root (as on most CI), so a path a recipe names is a path pyrecipe will
create, empty or write: ``D = "/usr/local"`` with ``do_install[cleandirs] = "${D}"`` would delete
a directory of the build machine, ``SRC_URI = "...;subdir=../../../../etc"`` would unpack into
it. These checks run before the task does anything, so a refused task has written nothing.
"""

from __future__ import annotations

import os
from pathlib import Path

from pyrecipe.errors import InputError
from pyrecipe.parse import DataSmart

#: Directories of a recipe that its tasks create, empty or write: all must be inside WORKDIR.
RECIPE_DIRECTORIES = ("S", "B", "D", "PKGD", "T", "UNPACKDIR", "STAMPS_DIR")


def is_inside(path: str | Path, root: str | Path) -> bool:
    """Whether ``path`` is ``root`` or below it, judged on the normalized absolute paths."""
    path, root = os.path.abspath(path), os.path.abspath(root)
    return os.path.commonpath([path, root]) == root


def relative_inside(path: str, root: Path, what: str) -> str:
    """``path`` (relative to ``root``, or absolute and inside it) as a normalized relative path.

    InputError when it leaves ``root`` (``..`` climbing out, an absolute path elsewhere).
    """
    absolute = os.path.normpath(os.path.join(root, path))
    if not is_inside(absolute, root):
        raise InputError(f"{what} {path!r} is outside {root}; name a directory inside it")
    return os.path.relpath(absolute, root)


def check_task_directories(d: DataSmart, task: str) -> None:
    """Refuse to run ``task`` when a directory it would write is outside the recipe's own.

    WORKDIR must be inside the build directory (TOPDIR), and S, B, D, PKGD, T, UNPACKDIR, STAMPS_DIR
    and the task's ``[cleandirs]`` (which are emptied) inside WORKDIR.
    """
    workdir, topdir = d.getVar("WORKDIR"), d.getVar("TOPDIR")
    if not workdir or not topdir or not is_inside(workdir, topdir) or is_inside(topdir, workdir):
        raise InputError(f"WORKDIR={workdir} is not a directory inside the build directory {topdir}")
    named = [(name, d.getVar(name)) for name in RECIPE_DIRECTORIES]
    named += [(f"{task}[cleandirs]", path) for path in (d.getVarFlag(task, "cleandirs") or "").split()]
    for name, path in named:
        if path and not is_inside(path, workdir):
            raise InputError(
                f"{name}={path} is outside the recipe's work directory {workdir}; "
                f"{task} refuses to run (tasks write only inside their work directory)"
            )
