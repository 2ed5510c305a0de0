"""The datastore: variables, flags, overrides and lazy ``${}`` expansion, with bitbake's semantics.

A variable is a dict of flags; its value is the ``_content`` flag. Assignments made during
parsing are recorded raw and resolved when read, exactly as bitbake does it:

* ``VAR:o = x`` registers ``VAR:o`` as an override candidate of ``VAR``; when ``o`` (or every
  part of ``o1:o2``) is in ``OVERRIDES``, reading ``VAR`` yields the override's value, the
  override that comes last in ``OVERRIDES`` winning.
* ``VAR:append``/``:prepend``/``:remove`` (optionally conditional, ``VAR:append:o``) are kept in
  lists and applied when the variable is read: appends and prepends after the override has been
  chosen, removes last, on whitespace-separated words of the expanded value.
* ``??=`` stores a weak default (``_defaultval``) used only when nothing else set the variable.
* ``${VAR}`` is expanded when read; an unknown reference stays literal; ``${@expr}`` is Python
  evaluated with ``d`` bound to the datastore.

Setting a variable outside parsing (``d.setVar`` from Python code) drops its pending
appends, prepends, removes and active overrides, as bitbake does.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

from pyrecipe.engine.interrupts import signalled
from pyrecipe.parse.errors import ExpansionError, ParseError
from pyrecipe.parse.walls import Walls, python_origin

KEYWORDS = (":append", ":prepend", ":remove")
_OLD_KEYWORDS = ("_append", "_prepend", "_remove")
#: The flags that hold a variable's value (what ``VAR[_content] = ...`` would set).
_VALUE_FLAGS = frozenset({"_content", "_defaultval", *KEYWORDS})
_SETVAR_RE = re.compile(r"(?P<base>.*?)(?P<keyword>:append|:prepend|:remove)(?::(?P<add>[^A-Z]*))?$")
_OVERRIDE_RE = re.compile(r"[a-z0-9]+")
_VAR_REF_RE = re.compile(r"\$\{[a-zA-Z0-9\-_+./~:]+?\}")
_PY_REF_RE = re.compile(r"\$\{@(?:\{.*?\}|.)+?\}")
_WHITESPACE_SPLIT_RE = re.compile(r"(\s)")
#: The longest value an expansion may produce; no real variable comes near it.
MAX_EXPANDED_SIZE = 16 << 20
#: Per thread, the (datastore, variable) pairs being expanded, outermost first (see DataSmart.expand).
_expanding = threading.local()

#: Evaluates inline Python (``${@...}``) for a datastore; :mod:`pyrecipe.parse` sets it to the
#: recipe Python API's, so that the datastore does not depend on the helper modules recipes call.
PythonEvaluator = Callable[["DataSmart", str, str], Any]


class DataSmart:
    """A bitbake-compatible variable store (the ``d`` that recipes and classes see)."""

    python_evaluator: PythonEvaluator | None = None

    def __init__(self) -> None:
        self.dict: dict[str, dict[str, Any]] = {}
        self.overridedata: dict[str, list[tuple[str, str]]] = {}
        #: Where each variable was last assigned: (file, line); used in error messages.
        self.origins: dict[str, tuple[str, int]] = {}
        #: Globals for recipe Python, built lazily from the ``def`` blocks (see pyapi.namespace).
        self.namespace: dict[str, Any] | None = None
        self._overrides: list[str] | None = None
        self._overrides_set: frozenset[str] = frozenset()
        #: The variables read to compute OVERRIDES: only a change to one of them recomputes it
        #: (None: unknown, as after a computation that failed: any change does).
        self._override_reads: frozenset[str] | None = None
        #: While OVERRIDES is computed, every variable read is noted here.
        self._reads: set[str] | None = None
        self._expand_cache: dict[str, str | None] = {}
        #: Who may set the variables that place build areas (see pyrecipe.parse.walls); None while
        #: the configuration itself is read, and in a datastore without one (``--bare``).
        self.walls: Walls | None = None

    # ----------------------------------------------------------------- copies and pickling
    def createCopy(self) -> DataSmart:
        """A copy whose changes do not affect this datastore (flag values are copied on write)."""
        new = DataSmart.__new__(DataSmart)
        new.dict = {name: dict(flags) for name, flags in self.dict.items()}
        new.overridedata = {name: list(entries) for name, entries in self.overridedata.items()}
        new.origins = dict(self.origins)
        new.namespace = None
        new._overrides = self._overrides
        new._overrides_set = self._overrides_set
        new._override_reads = self._override_reads
        new._reads = None
        new._expand_cache = dict(self._expand_cache)
        new.walls = self.walls
        return new

    def __getstate__(self) -> dict[str, Any]:
        # Compiled functions are rebuilt from their source when needed (see pyapi.namespace).
        # The computed OVERRIDES goes along: recomputing it took a cached datastore 1 ms.
        return {
            "dict": self.dict, "overridedata": self.overridedata, "origins": self.origins,
            "overrides": (self._overrides, self._overrides_set, self._override_reads), "walls": self.walls,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        DataSmart.__init__(self)
        self.dict = state["dict"]
        self.overridedata = state["overridedata"]
        self.origins = state["origins"]
        self._overrides, self._overrides_set, self._override_reads = state["overrides"]
        self.walls = state["walls"]

    def _changed(self, var: str) -> None:
        """``var`` (or one of its flags) changed: expansions are stale, and OVERRIDES is when it
        read ``var`` or a variable that ``var`` appends to or overrides (``MACHINEOVERRIDES:append``),
        as in bitbake, which recomputes overrides only then (not on every assignment)."""
        if self._expand_cache:
            self._expand_cache = {}
        if self._overrides is None:
            return
        reads = self._override_reads
        if reads is None:
            self._overrides = None
            return
        name = var
        while True:
            if name in reads:
                self._overrides = None
                return
            if ":" not in name:
                return
            name = name[: name.rindex(":")]

    # ----------------------------------------------------------------- overrides
    @property
    def overrides(self) -> list[str]:
        self._need_overrides()
        return self._overrides or []

    def _need_overrides(self) -> None:
        if self._overrides is not None or self._reads is not None:
            return
        # OVERRIDES may itself depend on overridden variables: iterate to a fixed point, starting
        # from no overrides, with bitbake's bound (five more rounds), and fail as bitbake does
        # when there is none (``O = "x"``, ``O:x = "y"``, ``O:y = "x"``).
        self._reads = {"OVERRIDES"}
        self._override_reads = None
        try:
            self._overrides, self._overrides_set = [], frozenset()
            self._expand_cache = {}
            current = (self.getVar("OVERRIDES") or "").split(":")
            seen = [current]
            for _ in range(5):
                self._overrides, self._overrides_set = current, frozenset(current)
                self._expand_cache = {}
                new = (self.getVar("OVERRIDES") or "").split(":")
                if new == current:
                    break
                current = new
                seen.append(new)
            else:
                self._overrides = None
                rounds = " -> ".join(":".join(o) for o in seen)
                raise ExpansionError(
                    "OVERRIDES", self.getVar("OVERRIDES", False, parsing=True) or "",
                    f"overrides do not reach a stable state after 5 rounds ({rounds})", self._file_of("OVERRIDES"),
                )
            self._override_reads = frozenset(self._reads)
        finally:
            self._reads = None
        self._expand_cache = {}

    def _override_active(self, override: str) -> bool:
        return all(part in self._overrides_set for part in override.split(":"))

    def _conditional_matches(self, condition: str | None) -> bool:
        return not condition or all(part in self._overrides_set for part in condition.split(":"))

    def _register_overrides(self, var: str) -> None:
        """Record ``var`` (``BASE:o1:o2``) as an override candidate of each shorter name."""
        override: str | None = var[var.rfind(":") + 1:]
        shortvar = var[: var.rfind(":")]
        while override and _OVERRIDE_RE.match(override):
            entries = self.overridedata.setdefault(shortvar, [])
            if (var, override) not in entries:
                self.overridedata[shortvar] = entries + [(var, override)]
            override = None
            if ":" in shortvar:
                override = var[shortvar.rfind(":") + 1:]
                shortvar = var[: shortvar.rfind(":")]
                if not shortvar:
                    override = None

    def _unregister_overrides(self, var: str) -> None:
        override: str | None = var[var.rfind(":") + 1:]
        shortvar = var[: var.rfind(":")]
        while override and _OVERRIDE_RE.match(override):
            if shortvar in self.overridedata:
                self.overridedata[shortvar] = [e for e in self.overridedata[shortvar] if e != (var, override)]
            override = None
            if ":" in shortvar:
                override = var[shortvar.rfind(":") + 1:]
                shortvar = var[: shortvar.rfind(":")]
                if not shortvar:
                    override = None

    def _select_override(self, var: str) -> str | None:
        """The name of the override variable that replaces ``var``'s value, if any is active."""
        candidates = self.overridedata.get(var)
        if not candidates:
            return None
        self._need_overrides()
        active = {override: name for name, override in candidates if self._override_active(override)}
        match = None
        changed = True
        while changed:
            changed = False
            for override in self._overrides or []:
                for key in list(active):
                    if key.endswith(":" + override):
                        name = active.pop(key)
                        active[key[: -len(override) - 1]] = name
                        changed = True
                    elif key == override:
                        match = active.pop(key)
        return match

    # ----------------------------------------------------------------- setting
    def setVar(self, var: str, value: Any, parsing: bool = False, origin: tuple[str, int] | None = None) -> None:
        """Set ``var``; ``VAR:append``-style names add a pending operation instead.

        A name in the override syntax bitbake dropped (``A_append``, ``do_install_prepend``,
        ``RDEPENDS_${PN}_remove``) is an error, as in bitbake: read as a plain variable it would
        silently do nothing.
        """
        if not var.startswith("__anon_") and any(old in var for old in _OLD_KEYWORDS):
            file, line = origin or (self.getVar("FILE", False, parsing=True) or "<python>", 1)
            raise ParseError(
                f"variable {var} uses the old override syntax (_append/_prepend/_remove): write :append,"
                " :prepend, :remove (and VAR:override) as bitbake requires since 1.52", file, line,
            )
        if self.walls is not None:
            self.walls.check(var, origin)
        if origin is None:
            origin = python_origin()
        self._changed(var)
        if origin:
            self.origins[var] = origin
        match = _SETVAR_RE.match(var)
        if match:
            base, keyword, condition = match.group("base"), match.group("keyword"), match.group("add")
            flags = self.dict.setdefault(base, {})
            flags[keyword] = list(flags.get(keyword, ())) + [(value, condition)]
            if ":" in base:
                self._register_overrides(base)
            return
        flags = self.dict.setdefault(var, {})
        if not parsing:
            for keyword in KEYWORDS:
                flags.pop(keyword, None)
            if var in self.overridedata:
                self._need_overrides()
                for name, override in self.overridedata[var]:
                    if self._override_active(override):
                        self.delVar(name)
                self.overridedata.pop(var, None)
        if ":" in var:
            self._register_overrides(var)
        flags["_content"] = value

    def setVarFlag(self, var: str, flag: str, value: Any, origin: tuple[str, int] | None = None) -> None:
        if self.walls is not None and flag in _VALUE_FLAGS:
            self.walls.check(var, origin)
        self._changed(var)
        if flag == "pydef":
            # A new ``def`` may change what inline Python in OVERRIDES computes.
            self.namespace = None
            self._overrides = None
        self.dict.setdefault(var, {})[flag] = value
        # A weak default counts as a value: ``A:o ??= "x"`` overrides ``A`` when ``o`` is active.
        if ":" in var and (flag in KEYWORDS or flag == "_defaultval"):
            self._register_overrides(var)

    def setVarFlags(self, var: str, flags: dict[str, Any]) -> None:
        for flag, value in flags.items():
            self.setVarFlag(var, flag, value)

    def delVar(self, var: str, origin: tuple[str, int] | None = None) -> None:
        if self.walls is not None:
            self.walls.check(var, origin)
        self._changed(var)
        self.dict[var] = {}
        self.overridedata.pop(var, None)
        if ":" in var:
            self._unregister_overrides(var)

    def delVarFlag(self, var: str, flag: str) -> None:
        self._changed(var)
        flags = self.dict.get(var)
        if flags is None:
            return
        # As in bitbake, deleting a flag that is set also drops its weak default (``A[f] ??= "w"``,
        # ``A[f] = "s"``, ``unset A[f]``: no value); a flag that has only a weak default keeps it,
        # and the variable's own weak default (``_defaultval``) is never touched.
        if flag in flags:
            del flags[flag]
            flags.pop("_defaultval_flag_" + flag, None)

    def appendVar(self, var: str, value: str) -> None:
        self.setVar(var + ":append", value, parsing=True)

    def prependVar(self, var: str, value: str) -> None:
        self.setVar(var + ":prepend", value, parsing=True)

    def appendVarFlag(self, var: str, flag: str, value: str) -> None:
        self.setVarFlag(var, flag, (self.getVarFlag(var, flag, False) or "") + value)

    def prependVarFlag(self, var: str, flag: str, value: str) -> None:
        self.setVarFlag(var, flag, value + (self.getVarFlag(var, flag, False) or ""))

    def renameVar(self, key: str, newkey: str) -> None:
        """Move ``key`` to ``newkey`` with its pending appends/prepends/removes (bitbake's rules)."""
        value = self.getVar(key, False, parsing=True)
        if value is not None:
            self.setVar(newkey, value, parsing=True, origin=self.origins.get(key))
            if key in self.origins:
                self.origins[newkey] = self.origins[key]
        for keyword in KEYWORDS:
            pending = self.dict.get(key, {}).get(keyword)
            if pending:
                existing = list(self.dict.get(newkey, {}).get(keyword) or [])
                self.setVarFlag(newkey, keyword, existing + list(pending), self.origins.get(key))
        if key in self.overridedata:
            self.overridedata[newkey] = []
            for name, override in self.overridedata[key]:
                renamed = name.replace(key, newkey)
                self.overridedata[newkey].append((renamed, override))
                self.renameVar(name, renamed)
        if ":" in newkey and value is None:
            self._register_overrides(newkey)
        self.delVar(key)

    # ----------------------------------------------------------------- reading
    def getVar(self, var: str, expand: bool = True, noweakdefault: bool = False, parsing: bool = False) -> Any:
        return self.getVarFlag(var, "_content", expand, noweakdefault, parsing)

    def getVarFlag(
        self, var: str, flag: str, expand: bool = True, noweakdefault: bool = False, parsing: bool = False
    ) -> Any:
        if self._reads is not None:
            self._reads.add(var)
        if flag == "_content" and expand and not parsing and not noweakdefault:
            if var in self._expand_cache:
                return self._expand_cache[var]
            value, _ = self._content(var, expand=True, noweakdefault=False, parsing=False)
            self._expand_cache[var] = value
            return value
        if flag == "_content":
            return self._content(var, expand, noweakdefault, parsing)[0]
        flags = self.dict.get(var)
        if flags is None:
            return None
        if flag in flags:
            value = flags[flag]
        elif not noweakdefault and "_defaultval_flag_" + flag in flags:
            value = flags["_defaultval_flag_" + flag]
        else:
            return None
        if expand and isinstance(value, str):
            value = self.expand(value, f"{var}[{flag}]")
        return value

    def _content(self, var: str, expand: bool, noweakdefault: bool, parsing: bool) -> tuple[Any, set[str]]:
        """The value of ``var`` and the removes still to apply to whatever includes it."""
        value: Any = None
        removes: set[str] = set()
        if not parsing:
            selected = self._select_override(var)
            if selected is not None:
                value, removes = self._content(selected, False, False, False)
                if removes and value:
                    # Only the removes that took a word out of the override's own (expanded)
                    # value carry over to ``var``: with ``A:o = "x"``, ``A:o:remove = "z"`` and
                    # ``A:append = " z"``, bitbake gives ``x z``.
                    removes = self._remove_words(self.expand(value, selected), removes)[1]
        flags = self.dict.get(var)
        if flags is not None and value is None:
            if "_content" in flags:
                value = flags["_content"]
            elif "_defaultval" in flags and not noweakdefault:
                value = flags["_defaultval"]
        if flags is not None and not parsing:
            self._need_overrides()
            for text, condition in flags.get(":append", ()):
                if self._conditional_matches(condition):
                    value = (value or "") + text
            for text, condition in flags.get(":prepend", ()):
                if self._conditional_matches(condition):
                    value = text + (value or "")
        if expand and value is not None:
            value = self.expand(value, var)
        if flags is not None and not parsing and value:
            for text, condition in flags.get(":remove", ()):
                if self._conditional_matches(condition):
                    removes.add(text)
        if removes and expand and value:
            value = self._apply_removes(value, removes)
            removes = set()
        return value, removes

    def _apply_removes(self, value: str, removes: set[str]) -> str:
        return self._remove_words(value, removes)[0]

    def _remove_words(self, value: str, removes: set[str]) -> tuple[str, set[str]]:
        """``value`` without the words of ``removes`` (each expanded), and the removes that took one out.

        Whitespace between the remaining words is kept as it was, as bitbake keeps it.
        """
        unwanted = {remove: set(self.expand(remove).split()) for remove in removes}
        kept, used = [], set()
        for word in _WHITESPACE_SPLIT_RE.split(value):
            hits = {remove for remove, words in unwanted.items() if word in words}
            if hits:
                used |= hits
            else:
                kept.append(word)
        return "".join(kept), used

    def getVarFlags(self, var: str, expand: bool | list[str] = False, internalflags: bool = False) -> dict[str, Any]:
        """The flags of ``var``; a flag given only a weak default (``A[f] ??= "x"``) shows it.

        Unlike bitbake, a variable without flags gives ``{}`` rather than ``None`` (callers
        iterate the result).
        """
        flags = self.dict.get(var) or {}
        result = {}
        for flag, value in flags.items():
            if not internalflags and flag.startswith("_defaultval_flag_"):
                flag = flag[len("_defaultval_flag_"):]
                if flag in flags:
                    continue
            elif not internalflags and (flag.startswith("_") or flag in KEYWORDS):
                continue
            if (expand is True or isinstance(expand, list) and flag in expand) and isinstance(value, str):
                value = self.expand(value, f"{var}[{flag}]")
            result[flag] = value
        return result

    def keys(self) -> Iterator[str]:
        """Names of variables that exist (have a value, a weak default or pending operations).

        As in bitbake, a variable that exists only through an active override (``A:o = "x"``
        with ``o`` in OVERRIDES and no ``A``) is one too: reading it gives a value.
        """
        listed = set()
        for name, flags in list(self.dict.items()):
            if flags and ("_content" in flags or "_defaultval" in flags or any(k in flags for k in KEYWORDS)):
                listed.add(name)
                yield name
        self._need_overrides()
        for name, candidates in list(self.overridedata.items()):
            if name not in listed and any(self._override_active(override) for _, override in candidates):
                yield name

    def __iter__(self) -> Iterator[str]:
        return self.keys()

    def __contains__(self, var: str) -> bool:
        """``"A" in d``: whether ``A`` has a value, as bitbake answers (flags alone do not count)."""
        return self.getVar(var, False) is not None

    # ----------------------------------------------------------------- expansion
    def expand(self, text: Any, varname: str | None = None) -> Any:
        """Expand ``${VAR}`` and ``${@python}`` references until nothing changes.

        ``varname`` is the variable (or ``VAR[flag]``) whose value ``text`` is: met again while
        it is being expanded, the references form a loop. A value is at most
        MAX_EXPANDED_SIZE characters (``E1 = "${E0}${E0}"``, ``E2 = "${E1}${E1}"`` ... doubles).
        """
        if not isinstance(text, str) or "${" not in text:
            return text
        stack: list[tuple[DataSmart, str | None]] = _expanding.__dict__.setdefault("stack", [])
        # The datastore itself, not id(self): id() raises an audit event, and recipe Python's
        # audit hook (parse.guard) then ran for every expansion of the parse.
        key = (self, varname)
        if varname is not None and key in stack:
            chain = [str(name) for _, name in stack[stack.index(key):]] + [varname]
            raise ExpansionError(varname, text, f"references form a loop: {' -> '.join(chain)}", self._file_of(varname))
        if varname is not None:
            stack.append(key)
        try:
            return self._expand(text, varname, len(stack))
        finally:
            if varname is not None:
                stack.pop()

    def _expand(self, text: str, varname: str | None, depth: int) -> str:
        original = text
        try:
            while "${" in text:
                previous = text
                text = _VAR_REF_RE.sub(lambda m: self._substitute_var(m, varname), text)
                if "${@" in text:
                    try:
                        text = _PY_REF_RE.sub(lambda m: self._substitute_python(m, varname), text)
                    except SyntaxError as exc:
                        # An unterminated string means the ${@...} match ended too early; leave it.
                        if "unterminated string" not in str(exc.msg) and "EOL while scanning" not in str(exc.msg):
                            raise
                if len(text) > MAX_EXPANDED_SIZE:
                    raise ExpansionError(varname, original, f"expands to more than {MAX_EXPANDED_SIZE} characters",
                                         self._file_of(varname))
                if text == previous:
                    break
        except ExpansionError:
            raise
        except RecursionError:
            # Loops are caught above: this is a chain of references deeper than Python's stack.
            raise ExpansionError(varname, text, f"references nest too deeply (a chain of more than {depth} variables)",
                                 self._file_of(varname)) from None
        except (Exception, SystemExit, GeneratorExit, KeyboardInterrupt) as exc:  # noqa: BLE001 - any failure of user Python (even exit()) is reported as such
            if type(exc).__name__ == "SkipRecipe" or isinstance(exc, KeyboardInterrupt) and signalled():
                raise
            raise ExpansionError(varname, text, f"{type(exc).__name__}: {exc}", self._file_of(varname)) from exc
        return text

    def _substitute_var(self, match: re.Match[str], varname: str | None) -> str:
        key = match.group()[2:-1]
        if varname and key == varname:
            raise ExpansionError(varname, match.group(), "variable references itself", self._file_of(varname))
        value = self.getVar(key)
        return match.group() if value is None else str(value)

    def _substitute_python(self, match: re.Match[str], varname: str | None) -> str:
        code = match.group()[3:-1]
        if _VAR_REF_RE.search(code):
            return match.group()
        if self.python_evaluator is None:
            return match.group()
        return str(self.python_evaluator(self, code, varname or "<expansion>"))

    def _file_of(self, varname: str | None) -> str | None:
        """The file being parsed, and where ``varname`` was set if that is elsewhere."""
        file = self.getVarFlag("FILE", "_content", expand=False, parsing=True)
        file = file if isinstance(file, str) else None
        origin = self.origins.get((varname or "").split("[", 1)[0])
        if origin and origin[0] != file:
            where = "%s:%d" % origin
            return f"{file}, variable set at {where}" if file else where
        return file

    # ----------------------------------------------------------------- helpers
    def isFunction(self, var: str) -> bool:
        return bool(self.dict.get(var, {}).get("func"))
