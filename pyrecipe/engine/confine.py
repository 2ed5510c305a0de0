"""The directories a recipe may write: its own work directory, nothing else of the build machine.

pyrecipe usually runs as root (as on most CI), so a path a recipe names is a path pyrecipe will
create, empty or write: ``D = "/usr/local"`` with ``do_install[cleandirs] = "${D}"`` would delete
a directory of the build machine, ``SRC_URI = "...;subdir=../../../../etc"`` would unpack into
it. These checks run before the task does anything, so a refused task has written nothing.
Then each shell task runs in a sandbox (bubblewrap: on the build machine, or in the distro's build
root) where only those directories are writable.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from pyrecipe.config.paths import CODEDIR
from pyrecipe.engine.isolation import NO_CAPABILITIES, hide_secrets
from pyrecipe.engine.limits import limited_argv
from pyrecipe.errors import InputError
from pyrecipe.parse import DataSmart
from pyrecipe.toolchain.buildroot import task_build_root
from pyrecipe.toolchain.host_tools import ensure_host_packages

#: Installing bubblewrap on first use, once, whichever task asks first.
_install_lock = threading.Lock()

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
    if os.path.normpath(workdir) != workdir:
        # Only configuration sets WORKDIR (pyrecipe.parse.walls), but it is made of PN and PV.
        raise InputError(f"WORKDIR={workdir} is not a plain path: PN={d.getVar('PN')!r} or PV={d.getVar('PV')!r} "
                         "holds '..', '.' or '//'")
    named = [(name, d.getVar(name)) for name in RECIPE_DIRECTORIES]
    named += [(f"{task}[cleandirs]", path) for path in (d.getVarFlag(task, "cleandirs") or "").split()]
    for name, path in named:
        if path and not is_inside(path, workdir):
            raise InputError(
                f"{name}={path} is outside the recipe's work directory {workdir}; "
                f"{task} refuses to run (tasks write only inside their work directory)"
            )


def task_mounts(d: DataSmart, in_build_root: bool) -> tuple[list[Path], list[Path]]:
    """(writable, read-only) directories of a shell task of recipe ``d``, for its sandbox.

    Writable: the recipe's work directory (S, B, D, T are inside it, see above), the ccache
    directory and a TMPDIR other than /tmp. Read-only: the build directory (sysroots, native venv,
    toolchain files, the other recipes' results), the downloads, pyrecipe's layer and the layers,
    and pyrecipe's code for the PEP 517 frontend: on the build machine the interpreter running
    pyrecipe with its site-packages (the frontend runs with it); in a build root only the pyrecipe
    package of ``${PYRECIPE_CODEDIR}``, so that the root's interpreter sees no other package of
    the build machine's. A task writing anywhere else fails with "Read-only file system".
    """
    writable = [d.getVar("WORKDIR"), d.getVar("CCACHE_DIR")]
    tmpdir = os.environ.get("TMPDIR")
    if tmpdir and Path(tmpdir).absolute() != Path("/tmp"):
        writable.append(tmpdir)
    readonly = [d.getVar("TOPDIR"), d.getVar("DL_DIR"), d.getVar("PYRECIPE_TOPDIR"), *(d.getVar("BBLAYERS") or "").split(),
                # A sysroot given by path or by an SDK, and the SDK's own build interpreter with its
                # native sysroot (Yocto's sysroots/<host>/usr/bin/python3, Buildroot's host/bin/python3).
                d.getVar("PYRECIPE_CROSS_SYSROOT"), d.getVar("SDK_TARGET_SYSROOT")]
    sdk_python = d.getVar("SDK_BUILD_PYTHON")
    if sdk_python:
        readonly.append(str(Path(sdk_python).parents[2]))
    codedir = d.getVar("PYRECIPE_CODEDIR")
    if in_build_root:
        readonly.append(os.path.join(codedir, "pyrecipe") if codedir else None)
    else:
        # The running pyrecipe's own code too (a walled Python task's process imports it), which a
        # datastore without PYRECIPE_CODEDIR does not name; under /tmp the fresh /tmp would hide it.
        readonly += [codedir, str(CODEDIR), sys.prefix, sys.base_prefix]
    for path in writable:
        if path:
            Path(path).mkdir(parents=True, exist_ok=True)
    existing_readonly = [Path(p).absolute() for p in readonly if p and Path(p).exists()]
    return [Path(p).absolute() for p in writable if p], existing_readonly


#: What cargo reads in each ``.cargo`` directory above the one it runs in, besides CARGO_HOME's own.
CARGO_CONFIG_FILES = ("config.toml", "config")


def hide_cargo_config_above(topdir: Path) -> list[str]:
    """bubblewrap's options that leave out the cargo configuration files of every ``.cargo``
    directory above the build directory ``topdir`` (a fresh directory in its place, with its other
    entries bound back read-only): cargo merges every such file into a recipe's build (measured:
    a ``[target.<triple>] rustflags`` there joined the target rustflags the cross environment
    gives, and ``[env]`` would set build scripts' environment), so a build directory under HOME
    built with the build machine's ``~/.cargo/config.toml``. The recipe's own CARGO_HOME and an
    sdist's own ``.cargo/`` (orjson's) lie inside ``topdir`` and stay. (A file bound over from
    /dev/null would not do: a device node on the sandbox's root cannot be opened, and cargo fails.)"""
    topdir = topdir.absolute()
    options: list[str] = []
    for parent in topdir.parents:
        directory = parent / ".cargo"
        if topdir.is_relative_to(directory) or not any((directory / name).is_file() for name in CARGO_CONFIG_FILES):
            continue
        options += ["--tmpfs", str(directory)]
        for entry in sorted(directory.iterdir()):
            if entry.name not in CARGO_CONFIG_FILES:
                options += ["--ro-bind", str(entry), str(entry)]
    return options


def _ensure_bubblewrap() -> None:
    if shutil.which("bwrap") is None:
        with _install_lock:  # recipes' tasks run in parallel threads
            ensure_host_packages(["bubblewrap"])


def with_files_replaced(argv: list[str], files: Mapping[Path, Path]) -> list[str]:
    """``argv`` seeing the build machine as it is, writable, but for ``files`` (path there -> file
    standing in for it, read-only): for the user's own programs of the board under qemu
    (``pyrecipe run``, ``pyrecipe test``), which need the board's ``/sbin/ldconfig`` and no wall.
    ``argv`` itself when there is nothing to replace."""
    if not files:
        return argv
    _ensure_bubblewrap()
    command = ["bwrap", "--dev-bind", "/", "/"]
    for target, source in files.items():
        command += ["--ro-bind", str(source), str(target)]
    return [*command, "--die-with-parent", "--", *argv]


def sandboxed_command(
    d: DataSmart, argv: list[str], cwd: Path, network: bool, in_build_root: bool = True,
    files: Mapping[Path, Path] = MappingProxyType({}),
) -> list[str]:
    """``argv`` of a task of ``d`` that runs recipe code (a shell task, do_test's test) inside
    bubblewrap, with only :func:`task_mounts`' writable directories writable and no network unless
    ``network`` (do_fetch's ``[network]``): in the distro's build root when it has one and
    ``in_build_root``, else on the build machine with its root read-only (HOME too) and a fresh /tmp.
    Either way with no capability and, on the build machine, its secrets hidden
    (:mod:`pyrecipe.engine.isolation`).
    On the build machine, ``files`` (path there -> file of the task) replace existing files of the
    build machine for the task alone (do_test's ``/sbin/ldconfig``, the board's: see
    :mod:`pyrecipe.toolchain.ldconfig`)."""
    _ensure_bubblewrap()
    argv = limited_argv(d, argv)
    root = task_build_root(d) if in_build_root else None
    writable, readonly = task_mounts(d, in_build_root=root is not None)
    if root is not None:
        if files:
            raise ValueError("files replace the build machine's, not a build root's")
        return root.command(argv, cwd, writable=writable, readonly=readonly, network=network)
    # A PID namespace of its own: when bwrap is stopped, the kernel ends everything the task
    # started (a compiler under ninja under the backend), not just its first process.
    command = ["bwrap", *NO_CAPABILITIES, "--unshare-pid", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
    for path in dict.fromkeys(readonly):
        command += ["--ro-bind", str(path), str(path)]
    for path in dict.fromkeys(writable):
        command += ["--bind", str(path), str(path)]
    for target, source in files.items():
        command += ["--ro-bind", str(source), str(target)]
    command += hide_secrets()
    command += hide_cargo_config_above(Path(d.getVar("TOPDIR")))
    if not network:
        command.append("--unshare-net")
    return [*command, "--die-with-parent", "--chdir", str(cwd), "--", *argv]
