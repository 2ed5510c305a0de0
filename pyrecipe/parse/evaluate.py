"""Evaluating files into datastores: include/require/inherit, finalisation, BBCLASSEXTEND variants.

This is bitbake's parse -> datastore -> finalize pipeline, without global state: a
:class:`FileParser` carries what one parse needs (the search path for ``--bare`` parsing, the
record of every file read, for the parse cache) and nothing survives it but the datastores.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyrecipe.engine.interrupts import signalled
from pyrecipe.errors import InputError
from pyrecipe.parse import pyapi
from pyrecipe.parse.datastore import DataSmart
from pyrecipe.parse.errors import ExpansionError, ParseError, SkipRecipe
from pyrecipe.parse.guard import recipe_python
from pyrecipe.parse.reader import read_statements
from pyrecipe.parse.statements import Include, Statement
from pyrecipe.parse.store import CacheStore

#: Events fired during finalisation, in order; handlers registered with ``addhandler`` and an
#: ``[eventmask]`` naming one of them run then, with ``e.data`` the recipe's datastore.
EVENTS = ("RecipePreDeferredInherits", "RecipePreFinalise", "RecipePostKeyExpansion", "RecipeTaskPreProcess", "RecipeParsed")


@dataclass
class Event:
    """What an event handler receives as ``e``."""

    name: str
    data: DataSmart


@dataclass
class FileParser:
    """Parses files into a datastore and records what it read (for the parse cache)."""

    #: Extra search path for classes and includes, used when BBPATH is not set (``--bare``).
    bbpath: list[Path] = field(default_factory=list)
    #: The files being read now, outermost first: an include of one of them is a loop.
    reading: list[str] = field(default_factory=list)
    #: Every file read, with the sha256 of its content, and every path looked for but absent.
    files_read: dict[str, str] = field(default_factory=dict)
    files_missing: set[str] = field(default_factory=set)
    #: (mtime in ns, size) of each file read, taken before reading it: while a file still has
    #: them, its content is the one read (checking that costs a stat, not a read and a hash).
    files_stat: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: Where statements parsed earlier are kept (see pyrecipe.parse.cache), if anywhere.
    store: CacheStore | None = None

    # ------------------------------------------------------------------ files
    def _read(self, path: Path) -> list[Statement]:
        stat = os.stat(path)
        data = path.read_bytes()
        self.files_read[str(path)] = hashlib.sha256(data).hexdigest()
        self.files_stat[str(path)] = (stat.st_mtime_ns, stat.st_size)
        return read_statements(path, data, self.store)

    def search_path(self, d: DataSmart) -> str:
        configured = d.getVar("BBPATH")
        extra = ":".join(str(p) for p in self.bbpath)
        return ":".join(p for p in (configured, extra) if p)

    def _which(self, search: str, name: str) -> str:
        found, attempts = pyapi.which(search, name, history=True)
        for attempt in attempts:
            if attempt != found:
                self.files_missing.add(attempt)
        return found

    def handle(self, path: Path, d: DataSmart, include: bool = False, origin: Statement | None = None) -> None:
        """Evaluate one file's statements into ``d`` (FILE is the file while it is read).

        ``origin`` is the include/inherit statement that named the file, for error messages.
        """
        path = Path(os.path.abspath(path))
        is_class = path.suffix == ".bbclass"
        old_file = d.getVar("FILE", False) if include else None
        try:
            statements = self._read(path)
        except OSError as exc:
            reason = f"cannot read {path}: {exc.strerror or exc}"
            if origin is None:
                raise InputError(reason) from None
            raise ParseError(reason, origin.file, origin.line, 1, origin.text) from None
        if not is_class and str(path) != old_file:
            d.setVar("FILE", str(path))
        self.reading.append(str(path))
        try:
            for statement in statements:
                statement.eval(d, self)
        finally:
            self.reading.pop()
        if not is_class and old_file and str(path) != old_file:
            d.setVar("FILE", old_file)

    # ------------------------------------------------------------------ Evaluator protocol
    def include(self, statement: Include, d: DataSmart) -> None:
        target = d.expand(statement.target)
        if statement.kind == "include_all":
            for directory in self.search_path(d).split(":"):
                candidate = Path(directory or ".", target)
                if candidate.exists():
                    self.handle(candidate, d, include=True, origin=statement)
                else:
                    self.files_missing.add(str(candidate.absolute()))
            return
        # include and require both take zero or more space-separated names (``include ${@''}`` is none).
        for name in target.split():
            self._include_one(name, statement, d)

    def _include_one(self, name: str, statement: Include, d: DataSmart) -> None:
        if os.path.isabs(name):
            found = name if os.path.exists(name) else ""
            if not found:
                self.files_missing.add(name)
        else:
            search = os.path.dirname(statement.file) + ":" + self.search_path(d)
            found = self._which(search, name)
        if not found:
            if statement.kind == "require":
                raise ParseError(f"could not include required file {name}", statement.file, statement.line, 1, statement.text)
            return
        found = os.path.abspath(found)
        if found in self.reading:
            chain = " -> ".join([*self.reading[self.reading.index(found):], found])
            raise ParseError(f"include loop: {chain}", statement.file, statement.line, 1, statement.text)
        if not os.path.isfile(found) and not os.path.isdir(found):  # /dev/zero is read for ever, a FIFO blocks
            shown = name if found == name else f"{name} ({found})"
            raise ParseError(f"{shown} is a device, FIFO or socket, not a file", statement.file, statement.line, 1, statement.text)
        self.handle(Path(found), d, include=True, origin=statement)

    def inherit(self, names: str, statement: Statement, d: DataSmart, deferred: bool = False) -> None:
        classtype = d.getVar("__bbclasstype", False) or "recipe"
        for name in d.expand(names).split():
            if not deferred and name in (d.getVar("BB_DEFER_BBCLASSES") or "").split():
                # bitbake turns an inherit of these classes into an inherit_defer.
                pending = list(d.getVar("__BBDEFINHERITS", False) or [])
                d.setVar("__BBDEFINHERITS", pending + [(name, statement.file, statement.line)])
                continue
            path = self.find_class(name, classtype, d)
            if not path:
                wanted = name if name.endswith(".bbclass") else f"classes/{name}.bbclass"
                raise ParseError(
                    f"could not inherit class {name}: no {wanted} on BBPATH ({self.search_path(d) or 'empty'})",
                    statement.file, statement.line, 1, statement.text,
                )
            inherited = list(d.getVar("__inherit_cache", False) or [])
            if path in inherited:
                continue
            d.setVar("__inherit_cache", inherited + [path])
            self.handle(Path(path), d, include=True, origin=statement)

    def find_class(self, name: str, classtype: str, d: DataSmart) -> str:
        """The path of class ``name``: ``classes-<type>/name.bbclass`` or ``classes/name.bbclass``
        along BBPATH; a name ending in ``.bbclass`` is a path, looked up along BBPATH when relative."""
        if os.path.isabs(name):
            return name if os.path.exists(name) else ""
        search = self.search_path(d)
        if name.endswith(".bbclass"):
            return self._which(search, name) or (os.path.abspath(name) if os.path.exists(name) else "")
        for subdir in (f"classes-{classtype}", "classes"):
            found = self._which(search, f"{subdir}/{name}.bbclass")
            if found:
                return found
        return ""

    # ------------------------------------------------------------------ finalisation
    def finalize(self, d: DataSmart, config_handlers: Sequence[str] = ()) -> None:
        """Deferred inherits, key expansion, anonymous Python, as at the end of a bitbake parse.

        ``RecipePreDeferredInherits`` reaches only the handlers of the configuration
        (``config_handlers``): bitbake registers a recipe's own handlers after firing it.
        """
        try:
            self._fire("RecipePreDeferredInherits", d, only=config_handlers)
            while True:
                pending = list(d.getVar("__BBDEFINHERITS", False) or [])
                if not pending:
                    break
                classes, file, line = pending.pop(0)
                d.setVar("__BBDEFINHERITS", pending)
                self.inherit(classes, Statement(file, line, f"inherit_defer {classes}"), d, deferred=True)
            self._fire("RecipePreFinalise", d)
            expand_keys(d)
            self._fire("RecipePostKeyExpansion", d)
            for name in d.getVar("__BBANONFUNCS", False) or []:
                self._run_python(d, name)
            self._fire("RecipeTaskPreProcess", d)
            resolve_virtual_providers(d)
            self._fire("RecipeParsed", d)
        except SkipRecipe as exc:
            d.setVar("__SKIPPED", str(exc) or "skipped")

    def _fire(self, event: str, d: DataSmart, only: Sequence[str] | None = None) -> None:
        for handler in d.getVar("__BBHANDLERS", False) or []:
            if only is not None and handler not in only:
                continue
            mask = (d.getVarFlag(handler, "eventmask") or "").split()
            if mask and not any(m.rsplit(".", 1)[-1] == event for m in mask):
                continue
            self._run_python(d, handler, {"e": Event(event, d)})

    def _run_python(self, d: DataSmart, name: str, extra: dict[str, Any] | None = None) -> None:
        """Run anonymous Python or an event handler of the recipe: any way it fails (exit(), a
        ``raise KeyboardInterrupt`` that no signal caused, an attempt to end pyrecipe's process:
        :mod:`pyrecipe.parse.guard`) is a parse error naming the file and line."""
        try:
            with recipe_python():
                pyapi.run_python_function(d, name, extra)
        except (SkipRecipe, ParseError, ExpansionError):
            raise
        except pyapi.FatalRecipeError as exc:
            file, line = d.origins.get(name, (d.getVar("FILE", False) or "<unknown>", 1))
            raise ParseError(f"bb.fatal in {name}: {exc}", file, line) from None
        except BaseException as exc:  # noqa: BLE001 - recipe Python is user input: exit(), KeyboardInterrupt ... included
            if isinstance(exc, KeyboardInterrupt) and signalled():
                raise
            file, line = d.origins.get(name, (d.getVar("FILE", False) or "<unknown>", 1))
            raise ParseError(f"error running Python function {name}: {type(exc).__name__}: {exc}", file, line) from exc


def resolve_virtual_providers(d: DataSmart) -> None:
    """Rewrite DEPENDS and each task's ``[depends]`` as bitbake does at the end of finalisation.

    DEPENDS becomes its words joined by single spaces (``DEPENDS += "x"`` on nothing gives
    ``x``, not `` x``); a word named in ``BB_RECIPE_VIRTUAL_PROVIDERS`` is replaced by its
    ``PREFERRED_PROVIDER_<word>``, in DEPENDS and in the ``recipe:task`` entries of ``[depends]``.
    As in bitbake, a recipe without DEPENDS (a ``--bare`` parse) ends with DEPENDS = "", and every
    task with a ``[depends]`` flag, empty when it had none.
    """
    virtual = set((d.getVar("BB_RECIPE_VIRTUAL_PROVIDERS") or "").split())
    file = d.getVar("FILE", False) or "<recipe>"

    def provider(name: str) -> str:
        chosen = d.getVar("PREFERRED_PROVIDER_" + name)
        if not chosen:
            raise ParseError(f"recipe virtual provider PREFERRED_PROVIDER_{name} not set", file, 1)
        return chosen

    depends = d.getVar("DEPENDS") or ""
    d.setVar("DEPENDS", " ".join(provider(dep) if dep in virtual else dep for dep in depends.split()))
    for task in d.getVar("__BBTASKS", False) or []:
        taskdeps = d.getVarFlag(task, "depends") or ""
        remapped = []
        for entry in taskdeps.split():
            recipe, sep, taskname = entry.partition(":")
            if not sep or ":" in taskname:
                raise ParseError(f"incorrect format for task dependency (task '{task}'): {entry}", file, 1)
            remapped.append(f"{provider(recipe) if recipe in virtual else recipe}:{taskname}")
        d.setVarFlag(task, "depends", " ".join(remapped))


def expand_keys(d: DataSmart) -> None:
    """Rename variables whose names hold ``${...}`` (``RDEPENDS:${PN}``) to their expansion."""
    renames = {}
    for key in list(d.dict):
        if "${" in key and d.dict[key]:
            expanded = d.expand(key)
            if expanded != key:
                renames[key] = expanded
    for key in sorted(renames):
        d.renameVar(key, renames[key])


def parse_variants(parser: FileParser, path: Path, base: DataSmart, appends: Sequence[Path] = ()) -> dict[str, DataSmart]:
    """Parse a recipe (and its .bbappends) on a copy of ``base``; one datastore per variant.

    The target variant is ``""``; each ``BBCLASSEXTEND`` word adds a variant that re-finalises a
    copy of the unfinalised data with that class inherited last, as bitbake does.
    """
    d = base.createCopy()
    d.setVar("__bbclasstype", "recipe")
    try:
        parser.handle(path, d)
        for append in appends:
            parser.handle(Path(append), d, include=True)
    except SkipRecipe as exc:
        d.setVar("__SKIPPED", str(exc) or "skipped")
        return {"": d}
    unfinalised = d
    config_handlers = list(base.getVar("__BBHANDLERS", False) or [])
    target = unfinalised.createCopy()
    parser.finalize(target, config_handlers)
    variants = {"": target}
    extended = (target.getVar("BBCLASSEXTEND") or "").split()
    pn = target.getVar("PN")
    for name in extended:
        classname = name.split(":", 1)[0]
        variant = unfinalised.createCopy()
        if ":" in name:
            variant.setVar("BBEXTENDCURR", classname)
            variant.setVar("BBEXTENDVARIANT", name.split(":", 1)[1])
        else:
            variant.setVar("PN", f"{pn}-{name}")
        if parser.find_class(classname, "recipe", variant):
            pending = list(variant.getVar("__BBDEFINHERITS", False) or [])
            variant.setVar("__BBDEFINHERITS", pending + [(classname, str(path), 0)])
        elif target.getVar("BBPATH"):
            # A configured parse has every class on BBPATH: "nosuchvariant" is a typo, not a variant.
            file, line = target.origins.get("BBCLASSEXTEND", (str(path), 1))
            raise ParseError(f"BBCLASSEXTEND names {name}, but there is no classes/{classname}.bbclass on BBPATH "
                             f"({parser.search_path(target)})", file, line)
        else:
            # No such class on the path (a --bare parse): keep what every extension class sets.
            variant.setVar("CLASSOVERRIDE", f"class-{classname}")
        parser.finalize(variant, config_handlers)
        variants[name] = variant
    return variants
