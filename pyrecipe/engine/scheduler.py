"""Building a graph: signatures, parallel scheduling of recipes, failures, progress.

Recipes whose dependencies are done run in parallel (``-j``/``BB_NUMBER_THREADS`` of them);
inside a recipe tasks run in order. A recipe's signature covers its own variables, the toolchain
and the final signatures of its dependencies, so changing a recipe rebuilds it and whatever
depends on it, and nothing else.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pyrecipe.engine import buildstats, sigdata
from pyrecipe.engine.context import BuildContext
from pyrecipe.engine.interrupts import sigterm_as_interrupt
from pyrecipe.engine.progress import Progress
from pyrecipe.engine.sigpaths import path_names
from pyrecipe.engine.task_runner import (
    TaskFailure,
    TaskRunner,
    recipe_signature,
    recipe_signature_items,
    signature_of,
    stop_running_tasks,
    task_order,
    task_signature_items,
    task_signatures,
)
from pyrecipe.errors import InputError, PyrecipeError
from pyrecipe.graph.build_graph import DEBIAN, PYPI_NATIVE_TOOL, Graph, Node

if TYPE_CHECKING:
    from pyrecipe.engine.sstate import SharedState
    from pyrecipe.requirements.targets import RequirementRow

DEPENDENCY_GOAL = "do_populate_sysroot"


class _Stopped(Exception):
    """A recipe left unfinished because another one failed (without -k)."""


@dataclass(frozen=True)
class BuildOptions:
    goal: str = "do_build"
    force: bool = False
    keep_going: bool = False
    dry_run: bool = False
    jobs: int = 2
    isolate_network: bool = True


@dataclass
class Plan:
    """Per recipe: its tasks in order and their signatures."""

    tasks: dict[str, list[str]] = field(default_factory=dict)
    signatures: dict[str, dict[str, str]] = field(default_factory=dict)
    #: Per recipe, the signature of what it delivers (its do_populate_sysroot, whatever the goal):
    #: what dependents and the image see of it.
    results: dict[str, str] = field(default_factory=dict)
    #: With -k: recipes that cannot be built, the task that fails and why: sources that cannot be
    #: fetched as written (an unsupported scheme, an unpinned SRCREV; do_fetch), a native tool
    #: from PyPI that did not install (do_configure). Each fails alone instead of the whole build.
    blocked: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: Per recipe, what its recipe signature hashed besides its variables (the toolchain's
    #: fingerprint, its dependencies' signatures): kept for the signature records (sigdata).
    inputs: dict[str, list[str]] = field(default_factory=dict)

    def pending(self, runners: Mapping[str, TaskRunner]) -> dict[str, list[str]]:
        return {
            key: [t for t in tasks if not runners[key].is_done(t, self.signatures[key][t])]
            for key, tasks in self.tasks.items()
        }


@dataclass
class BuildResult:
    failures: list[TaskFailure] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # recipes not built because a dependency failed
    executed: int = 0
    #: Tasks not run because shared state had their output.
    restored: int = 0
    would_run: int = 0  # in a dry run: the tasks a build would run
    #: With ``-r``: each package of the requirement set and the recipe that builds it.
    requirements: list[RequirementRow] = field(default_factory=list)
    #: What each task cost, its lane and times (:mod:`pyrecipe.engine.buildstats`).
    stats: buildstats.Recorder = field(default_factory=buildstats.Recorder)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.skipped


def plan_build(graph: Graph, options: BuildOptions, toolchain_fingerprint: Mapping[str, str],
               unusable_tools: Mapping[str, str] | None = None, package_versions: Mapping[str, str] | None = None) -> Plan:
    """Tasks and signatures of every recipe, dependencies first; InputError, before any task runs,
    for a recipe whose sources cannot be fetched as written (an unsupported scheme, an unpinned
    SRCREV), unless the build goes on after failures (-k): then that recipe fails alone.

    ``package_versions``: the sysroot's Debian packages and versions; a recipe's signature has
    the versions of those it depends on (a new libyaml-dev rebuilds pyyaml, and only pyyaml)."""
    from pyrecipe.tasks.base import check_sources

    plan = Plan()
    final = plan.results
    for key in graph.order():
        node = graph.nodes[key]
        try:
            check_sources(node.d)
        except InputError as error:
            if not options.keep_going:
                raise
            plan.blocked[key] = ("do_fetch", str(error))
        for edge in node.edges:
            broken = [tool for tool in edge.targets if tool.split("==")[0] in (unusable_tools or {})]
            if edge.kind == PYPI_NATIVE_TOOL and broken:
                name = broken[0].split("==")[0]
                plan.blocked[key] = ("do_configure", f"native tool {broken[0]} (from PyPI, for {edge.entry}) did not install "
                                                     f"into the native venv: {(unusable_tools or {})[name]}")
        goal = options.goal if key in graph.targets else DEPENDENCY_GOAL
        order = task_order(node.d, goal)
        inputs = [toolchain_fingerprint["native" if node.native else "target"]]
        inputs += [f"{dep}={final[dep]}" for dep in sorted(node.depends + node.rdepends)]
        # A native tool from PyPI is not in the venv's pins (the toolchain's fingerprint): the
        # recipes that use it are the ones to build again when its recorded release changes.
        inputs += [f"{edge.entry}={' '.join(edge.targets)}" for edge in node.edges if edge.kind == PYPI_NATIVE_TOOL]
        inputs += sorted({f"{package}={(package_versions or {}).get(package, '')}"
                          for edge in node.edges if edge.kind == DEBIAN for package in edge.targets})
        plan.inputs[key] = inputs
        signatures = task_signatures(node.d, order, recipe_signature(node.d, inputs))
        plan.tasks[key], plan.signatures[key] = order, signatures
        # Dependents see a dependency through its populated sysroot, whatever the goal was.
        full = task_order(node.d, DEPENDENCY_GOAL) if goal != DEPENDENCY_GOAL else order
        final[key] = task_signatures(node.d, full, recipe_signature(node.d, inputs))[full[-1]]
    return plan


class Builder:
    """Runs a :class:`Plan` over a :class:`Graph` with a pool of workers."""

    def __init__(
        self, graph: Graph, plan: Plan, envs: Mapping[str, Mapping[str, str]], options: BuildOptions, progress: Progress,
        context: BuildContext,
    ) -> None:
        self.graph = graph
        self.plan = plan
        self.options = options
        self.progress = progress
        self.runners = {
            key: TaskRunner(node.d, envs["native" if node.native else "target"], options.isolate_network, context)
            for key, node in graph.nodes.items()
        }
        self._stop = threading.Event()

    def run(self) -> BuildResult:
        if self.options.force:
            for key in self.graph.targets:
                self.runners[key].clear_stamps()
        pending = self.plan.pending(self.runners)
        result = BuildResult()
        if self.options.dry_run:
            # Listed, not run: no progress screen and no "Tasks: 0 of N run" before the summary.
            result.would_run = sum(len(tasks) for tasks in pending.values())
            for key in self.graph.order():
                for task in pending[key]:
                    self.progress.note(f"{key}: {task}")
            return result
        self.progress.start(sum(len(tasks) for tasks in pending.values()))
        with sigterm_as_interrupt():
            return self._run_pending(pending, result)

    def _run_pending(self, pending: dict[str, list[str]], result: BuildResult) -> BuildResult:
        done: set[str] = set()
        failed: set[str] = set()
        running: dict[Future[None], str] = {}
        order = self.graph.order()
        pool = ThreadPoolExecutor(max_workers=max(1, self.options.jobs))
        interrupted = False
        try:
            while True:
                for key in order:
                    if key in done or key in failed or key in running.values():
                        continue
                    deps = self._deps(self.graph.nodes[key])
                    if any(dep in failed for dep in deps):
                        failed.add(key)
                        result.skipped.append(key)
                        continue
                    if all(dep in done for dep in deps) and not self._stop.is_set():
                        running[pool.submit(self._build_recipe, key, pending[key], result)] = key
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    key = running.pop(future)
                    error = future.exception()
                    if error is None:
                        done.add(key)
                        continue
                    failed.add(key)
                    if isinstance(error, _Stopped):
                        result.skipped.append(key)
                        continue
                    if not isinstance(error, TaskFailure):
                        raise error
                    result.failures.append(error)
                    if not self.options.keep_going:
                        self._stop.set()
        except KeyboardInterrupt:
            # Shell tasks are stopped; a Python task cannot be stopped from another thread
            # (it may be blocked reading a FIFO or a socket), so nothing waits for it: the
            # command line ends the process (see pyrecipe.cli), which releases the lock.
            interrupted = True
            self._stop.set()
            stop_running_tasks()
            raise
        finally:
            pool.shutdown(wait=not interrupted, cancel_futures=interrupted)
            self.progress.stop()
        result.skipped = [key for key in result.skipped if key not in done]
        return result

    def _signature_recorder(self, key: str) -> Callable[[str], None]:
        """Records what each task of ``key`` that runs had in its signature (:mod:`sigdata`); the
        recipe's items are computed once, when its first task runs."""
        d = self.graph.nodes[key].d
        order, signatures = self.plan.tasks[key], self.plan.signatures[key]
        recipe: list[tuple[str, str]] = []
        functions = {name for name in d.keys() if d.getVarFlag(name, "func", False)}

        def record(task: str) -> None:
            if not recipe:
                recipe.extend(recipe_signature_items(d, self.plan.inputs[key]))
            base = signature_of(recipe)
            index = order.index(task)
            previous = signatures[order[index - 1]] if index else base
            sigdata.record(self.runners[key].stamps, task, signatures[task], previous,
                           task_signature_items(d, task, functions, path_names(d)), base, recipe)

        return record

    def _from_shared_state(self, key: str, tasks: list[str], shared: SharedState, result: BuildResult) -> list[str]:
        """The tasks still to run once shared state has given what the tasks up to do_package
        make (when SSTATE_DIR or a mirror has it): those are stamped done. A target forced with
        -f is built, not restored."""
        from pyrecipe.engine.sstate import PRODUCER_TASK

        if PRODUCER_TASK not in tasks or (self.options.force and key in self.graph.targets):
            return tasks
        signatures = self.plan.signatures[key]
        done = self.plan.tasks[key][: self.plan.tasks[key].index(PRODUCER_TASK) + 1]
        with result.stats.task(key, f"{PRODUCER_TASK}_setscene", "restored") as record:
            restored = shared.restore(signatures[PRODUCER_TASK], lambda text: self.progress.note(f"WARNING: {key}: {text}"))
            record.tasks = [task for task in tasks if task in done]
            if restored is None:
                record.status = None  # nothing restored: the tasks run, and are recorded so
        if restored is None:
            return tasks
        for task in done:
            self.runners[key].mark_done(task, signatures[task])
        result.restored += len([task for task in tasks if task in done])
        self.progress.note(f"NOTE: {key}: {done[0]} ... {PRODUCER_TASK} restored from shared state {restored.source}")
        return [task for task in tasks if task not in done]

    @staticmethod
    def _deps(node: Node) -> list[str]:
        return node.depends + node.rdepends

    def _build_recipe(self, key: str, tasks: list[str], result: BuildResult) -> None:
        runner = self.runners[key]
        signatures = self.plan.signatures[key]
        for task in self.plan.tasks[key]:
            if task not in tasks:
                result.stats.add(buildstats.TaskRecord(key, task, "up to date"))
        if not tasks:
            return
        # Shared state (tarfile, the unpacker, licences, signing) only for a recipe with a task
        # to run: importing it was a tenth of a no-op build's instructions.
        from pyrecipe.engine.sstate import PRODUCER_TASK, SharedState

        shared = SharedState(self.graph.nodes[key].d)
        tasks = self._from_shared_state(key, tasks, shared, result)
        if key in self.plan.blocked and self.plan.blocked[key][0] in tasks:
            task, why = self.plan.blocked[key]
            raise TaskFailure(key, task, runner.temp / f"log.{task}", why)
        record = self._signature_recorder(key)
        for task in tasks:
            if self._stop.is_set():
                raise _Stopped(key)
            self.progress.task_started(key, task)
            try:
                with result.stats.task(key, task) as stats:
                    try:
                        runner.run(task, signatures[task], progress=functools.partial(self.progress.task_progress, key, task))
                    finally:
                        stats.warnings = runner.warnings  # a failed task's too
                result.executed += 1
                record(task)
            except TaskFailure:
                self.progress.task_finished(key, task, ok=False)
                raise
            except PyrecipeError as exc:
                self.progress.task_finished(key, task, ok=False)
                raise TaskFailure(key, task, runner.temp / f"log.{task}", str(exc)) from exc
            self.progress.task_finished(key, task, ok=True)
            for warning in runner.warnings:
                self.progress.note(f"WARNING: {key}: {task}: {warning}")
            if task == PRODUCER_TASK:
                try:
                    shared.store(signatures[task])
                except (OSError, PyrecipeError) as error:
                    self.progress.note(f"WARNING: {key}: could not write shared state to {shared.directory}: {error}")
