"""Statements of the recipe language and what each does to a datastore (bitbake's semantics).

A file parses once into a list of statements (cached by content); evaluating the list against
a datastore is what "parsing a recipe" means afterwards. ``Evaluator`` is the interface the
statements need from the file-level machinery: finding and reading included files and classes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from pyrecipe.parse.datastore import DataSmart
from pyrecipe.parse.walls import running


class Evaluator(Protocol):
    def include(self, statement: Include, d: DataSmart) -> None: ...
    def inherit(self, names: str, statement: Statement, d: DataSmart, deferred: bool = False) -> None: ...


@dataclass(frozen=True, slots=True)
class Statement:
    """Where a statement came from: the file, its first line, and the text (for messages)."""

    file: str
    line: int
    text: str

    def eval(self, d: DataSmart, evaluator: Evaluator) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def origin(self) -> tuple[str, int]:
        return (self.file, self.line)


@dataclass(frozen=True, slots=True)
class Assignment(Statement):
    var: str
    op: str
    value: str
    flag: str | None = None
    export: bool = False

    def eval(self, d: DataSmart, evaluator: Evaluator) -> None:
        var, flag, op, value = self.var, self.flag, self.op, self.value
        if self.export:
            d.setVarFlag(var, "export", 1)

        def current() -> str | None:
            if flag is not None:
                return d.getVarFlag(var, flag, expand=False, noweakdefault=True)
            return d.getVar(var, False, noweakdefault=True, parsing=True)

        if op == "?=":
            existing = current()
            value = value if existing is None else existing
        elif op == ":=":
            with running(self.origin):  # the statement is not recorded yet: its ${@...} is this line's
                value = d.createCopy().expand(value, var + "[:=]")
        elif op == "+=":
            value = f"{current() or ''} {value}"
        elif op == "=+":
            value = f"{value} {current() or ''}"
        elif op == ".=":
            value = f"{current() or ''}{value}"
        elif op == "=.":
            value = f"{value}{current() or ''}"

        if op == "??=":
            flag = f"_defaultval_flag_{flag}" if flag is not None else "_defaultval"
        if flag is not None:
            d.setVarFlag(var, flag, value, self.origin)
            d.origins.setdefault(var, self.origin)
        else:
            d.setVar(var, value, parsing=True, origin=self.origin)


@dataclass(frozen=True, slots=True)
class Export(Statement):
    var: str

    def eval(self, d: DataSmart, evaluator: Evaluator) -> None:
        d.setVarFlag(self.var, "export", 1)


@dataclass(frozen=True, slots=True)
class Unset(Statement):
    var: str
    flag: str | None = None

    def eval(self, d: DataSmart, evaluator: Evaluator) -> None:
        if self.flag is None:
            d.delVar(self.var, self.origin)
        else:
            d.delVarFlag(self.var, self.flag)


@dataclass(frozen=True, slots=True)
class Include(Statement):
    """``include`` (optional), ``require`` (must exist), ``include_all`` (every match on BBPATH)."""

    kind: str
    target: str

    def eval(self, d: DataSmart, evaluator: Evaluator) -> None:
        evaluator.include(self, d)


@dataclass(frozen=True, slots=True)
class Inherit(Statement):
    classes: str
    deferred: bool = False

    def eval(self, d: DataSmart, evaluator: Evaluator) -> None:
        if self.deferred:
            pending = list(d.getVar("__BBDEFINHERITS", False) or [])
            pending.append((self.classes, self.file, self.line))
            d.setVar("__BBDEFINHERITS", pending)
        else:
            evaluator.inherit(self.classes, self, d)


@dataclass(frozen=True, slots=True)
class Function(Statement):
    """``name() { ... }`` (shell), ``python name() { ... }``, ``python () { ... }`` (anonymous)."""

    name: str | None
    body: str
    python: bool = False
    fakeroot: bool = False

    def eval(self, d: DataSmart, evaluator: Evaluator) -> None:
        name = self.name
        python = self.python
        if name is None or name == "__anonymous":
            name = "__anon_%d_%s" % (self.line, re.sub(r"\W", "_", self.file))
            python = True
            anonymous = list(d.getVar("__BBANONFUNCS", False) or [])
            anonymous.append(name)
            d.setVar("__BBANONFUNCS", anonymous)
        if d.getVar(name, False):
            # A redefinition replaces the old function with its flags.
            d.delVarFlag(name, "python")
            d.delVarFlag(name, "fakeroot")
        if python:
            d.setVarFlag(name, "python", "1")
        if self.fakeroot:
            d.setVarFlag(name, "fakeroot", "1")
        d.setVarFlag(name, "func", 1)
        d.setVar(name, self.body, parsing=True, origin=self.origin)
        d.setVarFlag(name, "filename", self.file)
        d.setVarFlag(name, "lineno", str(self.line))


@dataclass(frozen=True, slots=True)
class PythonDef(Statement):
    """A ``def name(...):`` block: a helper callable from inline Python and other functions."""

    name: str
    source: str

    def eval(self, d: DataSmart, evaluator: Evaluator) -> None:
        d.setVarFlag(self.name, "func", 1)
        d.setVarFlag(self.name, "python", 1)
        d.setVar(self.name, self.source, parsing=True, origin=self.origin)
        d.setVarFlag(self.name, "pydef", 1)


def add_task(d: DataSmart, task: str, before: str, after: str) -> None:
    """Declare ``task`` and its ordering (``addtask``), recording deps as bitbake does."""
    if not task.startswith("do_"):
        task = "do_" + task
    d.setVarFlag(task, "task", 1)
    tasks = list(d.getVar("__BBTASKS", False) or [])
    if task not in tasks:
        tasks.append(task)
    d.setVar("__BBTASKS", tasks)
    deps = list(d.getVarFlag(task, "deps", False) or [])
    for entry in after.split():
        if entry not in deps:
            deps.append(entry)
    d.setVarFlag(task, "deps", deps)
    for entry in before.split():
        existing = list(d.getVarFlag(entry, "deps", False) or [])
        if task not in existing:
            d.setVarFlag(entry, "deps", [task] + existing)


def delete_task(d: DataSmart, task: str) -> None:
    if not task.startswith("do_"):
        task = "do_" + task
    tasks = list(d.getVar("__BBTASKS", False) or [])
    if task in tasks:
        tasks.remove(task)
        d.delVarFlag(task, "task")
        d.setVar("__BBTASKS", tasks)
    d.delVarFlag(task, "deps")
    for other in tasks:
        deps = d.getVarFlag(other, "deps", False) or []
        if task in deps:
            d.setVarFlag(other, "deps", [dep for dep in deps if dep != task])


@dataclass(frozen=True, slots=True)
class AddTask(Statement):
    tasks: str
    before: str
    after: str

    def eval(self, d: DataSmart, evaluator: Evaluator) -> None:
        for task in self.tasks.split():
            add_task(d, task, self.before, self.after)


@dataclass(frozen=True, slots=True)
class DelTask(Statement):
    tasks: str

    def eval(self, d: DataSmart, evaluator: Evaluator) -> None:
        for task in d.expand(self.tasks).split():
            delete_task(d, task)


@dataclass(frozen=True, slots=True)
class AddHandler(Statement):
    handlers: str

    def eval(self, d: DataSmart, evaluator: Evaluator) -> None:
        handlers = list(d.getVar("__BBHANDLERS", False) or [])
        for name in self.handlers.split():
            if name not in handlers:
                handlers.append(name)
            d.setVarFlag(name, "handler", 1)
        d.setVar("__BBHANDLERS", handlers)


#: The first line of a function that EXPORT_FUNCTIONS wrote, bitbake's own marker: a function
#: without it was written by a recipe or class and is never replaced by a later export.
EXPORT_SENTINEL = "    # Export function set\n"


@dataclass(frozen=True, slots=True)
class ExportFunctions(Statement):
    """``EXPORT_FUNCTIONS do_x`` in class ``c``: ``do_x`` runs ``c_do_x`` unless the recipe defines it.

    Whether ``do_x`` is still an export (which a later class may replace) is read from its text,
    as bitbake does: a recipe's own ``do_x`` written between two exporting classes stays.
    """

    functions: str
    classname: str

    def eval(self, d: DataSmart, evaluator: Evaluator) -> None:
        for func in self.functions.split():
            called = f"{self.classname}_{func}"
            current = d.getVar(func, False)
            if current and EXPORT_SENTINEL not in current:
                continue
            if d.getVar(func, False):
                d.delVarFlag(func, "python")
                d.delVarFlag(func, "func")
            for flag in ("func", "python"):
                if d.getVarFlag(called, flag, False):
                    d.setVarFlag(func, flag, d.getVarFlag(called, flag, False))
            for flag in ("dirs", "cleandirs", "fakeroot"):
                if d.getVarFlag(func, flag, False):
                    d.setVarFlag(called, flag, d.getVarFlag(func, flag, False))
            if d.getVarFlag(called, "python", False):
                d.setVar(func, f"{EXPORT_SENTINEL}    bb.build.exec_func('{called}', d)\n", parsing=True, origin=self.origin)
            else:
                d.setVar(func, f"{EXPORT_SENTINEL}    {called}\n", parsing=True, origin=self.origin)
