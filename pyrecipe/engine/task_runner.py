"""Running one recipe's tasks: the task order, shell and Python execution, logs and stamps.

Shell tasks run with bash from a generated script holding the recipe's exported variables and
shell functions (so ``do_compile:append() { ... }`` from a recipe works as in bitbake); Python
tasks run in-process with ``d``. Each task writes ``${T}/log.do_<task>``. A task is skipped when
its stamp, named by the task's signature, exists: the signature hashes the recipe's expanded
variables and functions, the signatures of the tasks before it, the outputs of the recipe's
dependencies and the toolchain.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TextIO

from pyrecipe.engine.buildstats import MeasuredPopen
from pyrecipe.engine.codesig import code_digest
from pyrecipe.engine.confine import check_task_directories, is_inside, sandboxed_command
from pyrecipe.engine.context import BuildContext, TaskContext, current_task, current_task_or_none, running_task
from pyrecipe.engine.limits import explain_status, wait_within
from pyrecipe.engine.reachable import reachable
from pyrecipe.engine.sigpaths import NO_NAMES, PathNames, path_names
from pyrecipe.engine.taskprogress import LogWatcher, parse_progress_flag
from pyrecipe.engine.walled_python import (
    WalledTask,
    how_it_ended,
    read_result,
    remove_state,
    write_state,
    written_outside_pyrecipe,
)
from pyrecipe.errors import BuildError, PyrecipeError
from pyrecipe.fsutil import file_sha256, full_disk, open_new, real_directory, remove_path, tail_lines, writing_file
from pyrecipe.parse import DataSmart
from pyrecipe.parse.pyapi import function_executor, run_python_function

#: Variables that change between runs without changing what a task produces.
SIGNATURE_EXCLUDED = {
    "BB_NUMBER_THREADS", "PARALLEL_MAKE", "PYRECIPE_TASK_LOG", "PYRECIPE_TASK", "DATE", "TIME", "DATETIME",
    "PYRECIPE_FORCE", "BUILD_ARCH",
    # Where shared state (and ccache's) is kept and looked for, not what a task makes.
    "SSTATE_DIR", "SSTATE_MIRRORS", "CCACHE_REMOTE_STORAGE",
    # Who signs shared state and whose signatures a restore takes (engine/sstatesign.py), as OE.
    "SSTATE_SIG_KEY", "SSTATE_SIG_PASSPHRASE", "SSTATE_VERIFY_SIG", "SSTATE_VALID_SIGS", "GPG_PATH", "GPG_BIN",
    # How cargo reports progress in a log (cargo_common.bbclass), not what it builds.
    "CARGO_TERM_PROGRESS_WHEN", "CARGO_TERM_PROGRESS_WIDTH",
    # Which layers there are and how they rank choose recipes; they are no input of a recipe's
    # tasks (adding a layer must not rebuild everything).
    "BBLAYERS", "BBFILES", "BBFILE_COLLECTIONS", "BBPATH", "BBMASK", "PYRECIPE_STANDIN_COLLECTIONS", "LAYERSERIES_CORENAMES",
}
#: Per-collection layer bookkeeping (BBFILE_PRIORITY_meta-x ...), excluded as above.
SIGNATURE_EXCLUDED_PREFIXES = (
    "BBFILE_PATTERN_", "BBFILE_PRIORITY_", "LAYERVERSION_", "LAYERDEPENDS_", "LAYERRECOMMENDS_", "LAYERSERIES_COMPAT_",
)
LOG_TAIL_LINES = 30
#: The context of tasks that run with the build machine's own tools (no cross toolchain).
NO_TOOLCHAIN = BuildContext(toolchain=None)

#: Shell tasks running now (see stop_running_tasks).
_running: set[subprocess.Popen[bytes]] = set()
_running_lock = threading.Lock()


class _TaskLogHandler(logging.Handler):
    """Sends ``bb.note``/``bb.warn`` from recipe Python to the log of the task running it.

    Warnings are also kept on the task's context, so that the build shows them on the console
    as bitbake does: a warning only in a log file is a warning nobody reads.
    """

    def emit(self, record: logging.LogRecord) -> None:
        task = current_task_or_none()
        if task is None:
            if record.levelno >= logging.WARNING:
                print(f"{record.levelname}: {record.getMessage()}", file=sys.stderr)
        elif record.levelno >= logging.WARNING:
            task.warn(record.getMessage())
        else:
            task.note(f"{record.levelname}: {record.getMessage()}")


def _route_recipe_log() -> None:
    """Route recipe Python's messages (bb.note ...) to the running task; done when the first
    runner is made, not at import (importing a module changes nothing)."""
    recipe_log = logging.getLogger("pyrecipe.recipe")
    if not any(isinstance(handler, _TaskLogHandler) for handler in recipe_log.handlers):
        recipe_log.addHandler(_TaskLogHandler())
        recipe_log.setLevel(logging.DEBUG)
        recipe_log.propagate = False


class TaskFailure(BuildError):
    """A task failed: names the recipe, the task, the log and its last lines."""

    def __init__(self, recipe: str, task: str, log: Path, reason: str) -> None:
        super().__init__(recipe, task, reason)
        self.recipe, self.task, self.log, self.reason = recipe, task, log, reason
        #: Said when the task's disk is full, known now, before anything frees space.
        self.disk = full_disk(log.parent)

    def __str__(self) -> str:
        disk = f"\n  {self.disk}" if self.disk else ""
        return f"recipe {self.recipe}: task {self.task} failed: {self.reason}{disk}\n  log: {self.log}\n{log_tail(self.log)}"


def log_tail(log: Path, count: int = LOG_TAIL_LINES) -> str:
    """The last lines of a task's log as a failure shows them, read as :func:`tail_lines` reads
    (a task could have left a link, a FIFO or 400 MB there); what the log is when it cannot be read."""
    try:
        lines = tail_lines(log, count) if os.path.lexists(log) else []
    except OSError as error:
        return f"  the log is not shown: {error.strerror}"
    return f"  last {len(lines)} lines of the log:\n" + "\n".join("    " + line for line in lines)


def task_order(d: DataSmart, goal: str) -> list[str]:
    """The recipe's tasks needed for ``goal``, prerequisites first (from addtask's deps flags)."""
    tasks = set(d.getVar("__BBTASKS", False) or [])
    goal = goal if goal.startswith("do_") else "do_" + goal
    if goal not in tasks:
        raise PyrecipeError(f"recipe {d.getVar('PN')} has no task {goal} (tasks: {', '.join(sorted(tasks))})")
    order: list[str] = []

    def visit(task: str, path: tuple[str, ...]) -> None:
        if task in order:
            return
        if task in path:
            raise PyrecipeError(f"recipe {d.getVar('PN')}: task cycle {' -> '.join(path + (task,))}")
        for dep in d.getVarFlag(task, "deps", False) or []:
            dep = dep if dep.startswith("do_") else "do_" + dep
            if dep in tasks:
                visit(dep, path + (task,))
        order.append(task)

    visit(goal, ())
    return order


def recipe_signature(d: DataSmart, inputs: Iterable[str]) -> str:
    """A hash of the recipe's variables (not its functions) and of its inputs.

    Functions are hashed per task (:func:`task_signatures`), so that editing one task's code
    (``do_install:append``) reruns that task and the ones after it, not the compile before it.
    Values count with the build directory, pyrecipe's checkout and the layers written by name
    (:mod:`pyrecipe.engine.sigpaths`): the same recipe has the same signature wherever it is built.
    """
    return signature_of(recipe_signature_items(d, inputs))


def recipe_signature_items(d: DataSmart, inputs: Iterable[str]) -> list[tuple[str, str]]:
    """What :func:`recipe_signature` hashes, as (name, value) pairs (``pyrecipe diffsigs`` shows
    the ones that changed)."""
    names = path_names(d)
    items = []
    for name in sorted(d.keys()):
        if name.startswith(("__", *SIGNATURE_EXCLUDED_PREFIXES)) or name in SIGNATURE_EXCLUDED:
            continue
        flags = d.dict.get(name, {})
        if flags.get("func"):
            continue
        if flags.get("vardepvalue") is not None:
            value = flags["vardepvalue"]
        else:
            try:
                value = d.getVar(name)
            except PyrecipeError as exc:
                value = f"<error {exc}>"
        items.append((name, names(repr(value))))
        if "export" in flags:
            items.append((f"{name}[export]", repr(flags["export"])))
    items += [("input", item) for item in inputs]
    return items


def signature_of(items: Iterable[tuple[str, str]], start: str = "") -> str:
    digest = hashlib.sha256(start.encode())
    for name, value in items:
        digest.update(f"{name}={value}\0".encode())
    return digest.hexdigest()


_WORD_RE = re.compile(r"[A-Za-z_][\w.+-]*")
TASK_FLAGS = ("deps", "dirs", "cleandirs", "noexec", "network", "python", "fakeroot")


def function_closure(d: DataSmart, task: str, functions: set[str]) -> list[str]:
    """The task's function and every function its code names, transitively: what it may run."""
    return sorted(reachable([task], lambda name: set(_WORD_RE.findall(str(d.getVar(name, False) or ""))) & functions))


_VARIABLE_REF_RE = re.compile(r"\$\{([A-Za-z_][\w-]*)\}")


def pyrecipe_code_text(d: DataSmart, names: Iterable[str]) -> str:
    """The recipe text through which functions reach pyrecipe's own code: their bodies, and the
    values of the variables they name (``${PYRECIPE_FRONTEND}`` is ``... -m pyrecipe.pep517.frontend``)."""
    bodies = [str(d.getVar(name, False) or "") for name in names]
    referenced = sorted({ref for body in bodies for ref in _VARIABLE_REF_RE.findall(body)})
    return "\n".join([*bodies, *(str(d.getVar(ref, False) or "") for ref in referenced)])


def file_checksums(listing: str, names: PathNames = NO_NAMES) -> str:
    """The content digest of the files a ``[file-checksums]`` flag lists (``PATH:True`` words, as
    bitbake writes them; a directory counts with every file under it): a task that reads files
    of the recipe's own (a local patch) reruns when one of them changes. Their paths count as
    ``names`` writes them (the layer's place on this machine is not part of it)."""
    digest = hashlib.sha256()
    for word in listing.split():
        path, _, exists = word.rpartition(":")
        target = Path(path)
        files = sorted(p for p in target.rglob("*") if p.is_file()) if target.is_dir() else [target]
        for file in files:
            digest.update(f"{names(str(file))}={file_sha256(file) if exists == 'True' and file.is_file() else 'missing'}\0".encode())
    return digest.hexdigest()


def task_signatures(
    d: DataSmart, order: list[str], base: str, code: Callable[[str], str] = code_digest,
) -> dict[str, str]:
    """Each task's signature: the previous task's, the recipe's variables, the code it runs (its
    functions, and the pyrecipe code they call: :mod:`pyrecipe.engine.codesig`)."""
    functions = {name for name in d.keys() if d.getVarFlag(name, "func", False)}
    names = path_names(d)
    signatures: dict[str, str] = {}
    previous = base
    for task in order:
        items = task_signature_items(d, task, functions, names, code)
        previous = signatures[task] = signature_of(items, f"{previous}\0{task}\0")
    return signatures


def task_signature_items(
    d: DataSmart, task: str, functions: set[str], names: PathNames, code: Callable[[str], str] = code_digest,
) -> list[tuple[str, str]]:
    """What a task's signature hashes besides the previous task's signature: its functions'
    text, the pyrecipe code they reach, its flags and the files of [file-checksums]."""
    closure = function_closure(d, task, functions)
    items = [(name, repr(d.getVar(name, False))) for name in closure]
    items.append(("pyrecipe-code", code(pyrecipe_code_text(d, closure))))
    items += [(f"[{flag}]", repr(d.getVarFlag(task, flag, False))) for flag in TASK_FLAGS]
    items.append(("[file-checksums]", file_checksums(d.getVarFlag(task, "file-checksums") or "", names)))
    return items


def exported_variables(d: DataSmart) -> dict[str, str]:
    """The variables a shell task gets in its environment: those flagged ``export`` and not
    ``unexport`` (the distro's cross environment among them), expanded. PYTHONPATH loses its
    empty entries: bitbake.conf appends pyrecipe's own to the recipe's with a ":", and an empty
    entry would put the task's working directory first on the build interpreter's path."""
    exported = {}
    for name in sorted(d.keys()):
        if name.startswith("__") or not d.getVarFlag(name, "export", False) or d.getVarFlag(name, "func", False):
            continue
        if d.getVarFlag(name, "unexport", False) or not _shell_name(name):
            continue
        value = d.getVar(name)
        if value is not None:
            exported[name] = str(value)
    if "PYTHONPATH" in exported:
        exported["PYTHONPATH"] = ":".join(entry for entry in exported["PYTHONPATH"].split(":") if entry)
    return exported


class TaskRunner:
    """Runs the tasks of one recipe datastore."""

    def __init__(
        self, d: DataSmart, env: Mapping[str, str], isolate_network: bool = False,
        context: BuildContext = NO_TOOLCHAIN, walled: bool = False,
    ) -> None:
        _route_recipe_log()
        self.d = d
        self.env = dict(env)
        self.isolate_network = isolate_network
        self.context = context
        #: Running inside a task's sandbox already (pyrecipe.engine.walled_python): shell
        #: functions run as they are, Python in this process.
        self.walled = walled
        self.pn = d.getVar("PN")
        self.stamps = Path(d.getVar("STAMPS_DIR"))
        self.temp = Path(d.getVar("T"))
        #: Where the recipe's tasks write: what pyrecipe writes below it after a task ran goes
        #: through no link a task left (:func:`real_directory`).
        self.workdir = Path(d.getVar("WORKDIR"))
        #: What the last task run warned about (bb.warn in its Python), for the console.
        self.warnings: list[str] = []

    def stamp(self, task: str, signature: str) -> Path:
        return self.stamps / f"{task}.{signature[:32]}"

    def is_done(self, task: str, signature: str) -> bool:
        return self.stamp(task, signature).exists()

    def clear_stamps(self, task: str | None = None) -> None:
        """Remove the stamps of ``task`` (of every task when None); the signature records in
        the sigdata folder stay (diffsigs compares a task's last two)."""
        if self.stamps.is_dir():
            real_directory(self.stamps, self.workdir)
            for stamp in self.stamps.iterdir():
                if stamp.is_file() and (task is None or stamp.name.startswith(task + ".")):
                    stamp.unlink()

    def run(self, task: str, signature: str, progress: Callable[[float], None] | None = None) -> None:
        """Run ``task`` now and stamp it; raises :class:`TaskFailure`. A shell task with a
        ``[progress]`` flag calls ``progress`` with its percentage as its log shows it."""
        d = self.d
        flag = d.getVarFlag(task, "progress") if progress is not None else None
        pattern = parse_progress_flag(flag, f"{self.pn}:{task}") if flag else None
        check_task_directories(d, task)
        real_directory(self.temp, self.workdir)
        log_path = self.temp / f"log.{task}"
        self.warnings = []
        cleandirs = [Path(path) for path in (d.getVarFlag(task, "cleandirs") or "").split()]
        for directory in cleandirs:
            # Emptied with pyrecipe's rights: through no link an earlier task left on the way.
            if is_inside(directory.parent, self.workdir):
                real_directory(directory.parent, self.workdir, create=False)
            remove_path(directory)
        dirs = [Path(path) for path in (d.getVarFlag(task, "dirs") or "").split()] or [Path(d.getVar("B"))]
        for directory in [*dirs, *cleandirs]:
            if is_inside(directory, self.workdir):
                real_directory(directory, self.workdir)
            else:
                directory.mkdir(parents=True, exist_ok=True)
        cwd = dirs[-1]
        self.clear_stamps(task)
        if not d.getVarFlag(task, "noexec"):
            with open_new(log_path) as log:
                if d.getVarFlag(task, "python", False):
                    self._run_python(task, cwd, log, log_path)
                elif pattern is not None and progress is not None:
                    with LogWatcher(log_path, pattern, progress):
                        self._run_shell(task, cwd, log, log_path)
                else:
                    self._run_shell(task, cwd, log, log_path)
        self.mark_done(task, signature)

    def mark_done(self, task: str, signature: str) -> None:
        """Stamp ``task`` as done with ``signature``: it ran, or shared state gave its output."""
        real_directory(self.stamps, self.workdir)
        with writing_file(self.stamp(task, signature)) as tmp:
            tmp.write_text(signature + "\n")

    def _run_python(self, task: str, cwd: Path, log: TextIO, log_path: Path) -> None:
        """In this process when the task is pyrecipe's code alone, else walled (see
        :mod:`pyrecipe.engine.walled_python`)."""
        self.d.setVar("PYRECIPE_TASK_LOG", str(log_path))
        python_functions = {name for name in self.d.keys() if self.d.getVarFlag(name, "python", False)}
        outside = written_outside_pyrecipe(self.d, function_closure(self.d, task, python_functions | {task}))
        if outside and not self.walled:
            self._run_python_walled(task, cwd, log, log_path, outside)
        else:
            self.run_python_here(task, log, log_path)

    def _run_python_walled(self, task: str, cwd: Path, log: TextIO, log_path: Path, outside: list[str]) -> None:
        """Run Python task ``task`` in a process of its own, in the task's sandbox."""
        state = self.temp / f"walled.{task}"
        write_state(WalledTask(self.d, self.env, self.context, task, log_path), state)
        log.write(f"NOTE: {task} has code from {', '.join(outside)}: it runs in the task sandbox, in a process of its own\n")
        log.flush()
        argv = [sys.executable, "-m", "pyrecipe.engine.walled_process", str(state)]
        # On the build machine, not in a build root: the process is pyrecipe, with its interpreter.
        command = sandboxed_command(self.d, argv, cwd, network=self._network(task), in_build_root=False)
        try:
            returncode, exceeded = _wait_for(command, cwd, dict(os.environ), log, self.d, task)
            result = read_result(state)
        finally:
            remove_state(state)
        if exceeded:
            raise TaskFailure(self.pn, task, log_path, exceeded)
        if result is None:
            raise TaskFailure(self.pn, task, log_path, how_it_ended(returncode))
        self.warnings, failure = result
        if returncode != 0 or failure is not None:
            raise TaskFailure(self.pn, task, log_path, failure or f"its process ended with status {returncode}")

    def run_python_here(self, task: str, log: TextIO, log_path: Path) -> None:
        """Run Python task ``task`` in this process, its output into ``log``."""
        context = TaskContext(self.pn, task, log, self.context)
        executor = function_executor.set(self.exec_func)
        try:
            with running_task(context):
                run_python_function(self.d, task)
        except PyrecipeError as exc:
            log.write(f"ERROR: {exc}\n")
            log.flush()
            raise TaskFailure(self.pn, task, log_path, str(exc).splitlines()[0]) from exc
        except BaseException as exc:  # noqa: BLE001 - recipe Python is user code; exit() and Ctrl-C too
            # A worker thread never receives a real Ctrl-C: SystemExit, KeyboardInterrupt,
            # GeneratorExit or CancelledError here came from the recipe. Let through, they ended
            # the whole build (sys.exit(0) with exit status 0, no image and no word said).
            import traceback

            log.write(traceback.format_exc())
            log.flush()
            raise TaskFailure(self.pn, task, log_path, _python_failure_reason(exc)) from exc
        finally:
            function_executor.reset(executor)
            self.warnings = context.warnings

    def shell_script(self, function: str) -> str:
        """A bash script that defines the recipe's exported variables and the shell functions
        ``function`` may run (its closure, as bitbake writes run files), then runs it.

        Only those functions: bash reads every definition before the call, so a syntax error in
        do_compile made do_configure fail, blamed on the wrong task.
        """
        d = self.d
        shell_functions = {
            name for name in d.keys()
            if d.getVarFlag(name, "func", False) and not d.getVarFlag(name, "python", False) and _shell_name(name)
        }
        lines = ["#!/bin/bash", "set -e"]
        lines += [f"export {name}={shlex.quote(value)}" for name, value in exported_variables(d).items()]
        lines += [
            'bbnote() { echo "NOTE: $*"; }',
            'bbwarn() { echo "WARNING: $*"; }',
            'bbfatal() { echo "ERROR: $*"; exit 1; }',
            'bbfatal_log() { echo "ERROR: $*"; exit 1; }',
            'oe_runmake() { ${MAKE:-make} ${PARALLEL_MAKE} "$@"; }',
        ]
        for name in function_closure(d, function, shell_functions):
            if name in shell_functions:
                body = d.getVar(name) or ":"
                lines.append(f"{name}() {{\n{body.rstrip() or ':'}\n}}")
        lines.append(function)
        return "\n".join(lines) + "\n"

    def exec_func(self, name: str, d: DataSmart) -> None:
        """``bb.build.exec_func`` inside this runner's Python task: another function of the recipe,
        a shell one run as tasks are, into the running task's log."""
        if d.getVarFlag(name, "python", False):
            run_python_function(d, name)
            return
        task = current_task()
        log_path = Path(d.getVar("PYRECIPE_TASK_LOG") or self.temp / "log.exec_func")
        self._run_shell(name, Path(d.getVar("B")), task.log, log_path)

    def _run_shell(self, task: str, cwd: Path, log: TextIO, log_path: Path) -> None:
        script = self.temp / f"run.{task}.{os.getpid()}"
        with writing_file(script) as tmp:  # a link left at this name is replaced, not written through
            tmp.write_text(self.shell_script(task))
        env = dict(self.env)
        env["PARALLEL_MAKE"] = self.d.getVar("PARALLEL_MAKE") or ""
        command = ["bash", str(script)]
        if not self.walled:
            command = sandboxed_command(self.d, command, cwd, network=self._network(task))
        returncode, exceeded = _wait_for(command, cwd, env, log, self.d, task)
        if returncode != 0:
            limit = explain_status(self.d, returncode)
            reason = exceeded or f"shell exited with status {returncode}" + (f": {limit}" if limit else "")
            raise TaskFailure(self.pn, task, log_path, reason)

    def _network(self, task: str) -> bool:
        """Whether ``task`` may reach the network. Only do_fetch may (and do_compile when the user
        gives ccache a remote storage): a backend that tries to download its build dependencies
        fails, loudly, instead of leaking unpinned code into the build."""
        if (self.d.getVarFlag(task, "network") or "0") not in ("", "0"):
            return True
        return not (self.isolate_network and network_isolation_available())


def _wait_for(command: list[str], cwd: Path, env: Mapping[str, str], log: TextIO, d: DataSmart, task: str) -> tuple[int, str | None]:
    """Run a task's process, its output into ``log``; its exit status, and which limit of ``d``
    it went past when it was stopped for one (see :func:`pyrecipe.engine.limits.wait_within`).

    Tasks stay in pyrecipe's process group, so Ctrl-C and a kill of the group stop them too;
    the set of running processes lets an interrupt aimed at pyrecipe alone (`kill <pid>`) stop
    them as well. It is reaped with its rusage (:mod:`pyrecipe.engine.buildstats`)."""
    process = MeasuredPopen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    with _running_lock:
        _running.add(process)
    try:
        return wait_within(process, d, task)
    finally:
        with _running_lock:
            _running.discard(process)


def _python_failure_reason(exc: BaseException) -> str:
    """What a Python task's exception says about its failure, in one line."""
    if isinstance(exc, SystemExit):
        return f"its Python called exit({exc.code!r}); a task ends by returning, or fails by raising an error"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


#: Seconds an interrupted shell task gets to end after SIGTERM, before SIGKILL.
STOP_GRACE_SECONDS = 5.0


def stop_running_tasks() -> None:
    """SIGTERM to every running shell task, and wait for them to end (SIGKILL after
    STOP_GRACE_SECONDS): an interrupted build leaves no task script running on, writing into the
    build dir after the build lock is released (pyrecipe may exit without joining its workers)."""
    with _running_lock:
        processes = list(_running)
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@functools.cache
def network_isolation_available() -> bool:
    """Whether tasks can run in a network namespace of their own (root, or user namespaces).

    Asked once, when the first task runs: a no-op build starts no process for it."""
    try:
        return subprocess.run(["unshare", "--net", "--", "true"], capture_output=True).returncode == 0
    except OSError:
        return False


def _shell_name(name: str) -> bool:
    return name.replace("_", "a").replace("-", "a").isalnum() and not name[0].isdigit() and "-" not in name
