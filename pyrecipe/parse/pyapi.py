"""The Python that recipes see: ``d``, the ``bb`` and ``oe`` helpers, ``def`` blocks, inline ``${@...}``.

Real recipes and classes call a small, stable set of bitbake/OpenEmbedded helpers
(``bb.utils.contains``, ``oe.utils.conditional`` ...). They are provided here with the same
names and behaviour so that such files evaluate unchanged. Each datastore gets its own
globals, rebuilt from the ``def`` blocks it holds, so recipes parsed in one process never see
each other's functions.
"""

from __future__ import annotations

import builtins
import contextvars
import logging
import os
import re
import textwrap
import time
import types
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from pyrecipe.errors import PyrecipeError
from pyrecipe.parse import walls
from pyrecipe.parse.datastore import DataSmart
from pyrecipe.parse.depends import VersionStringException, explode_dep_versions2, explode_deps
from pyrecipe.parse.errors import ParseError, SkipRecipe
from pyrecipe.parse.guard import recipe_python

log = logging.getLogger("pyrecipe.recipe")

SPECIAL_PKGSUFFIX = ("-native", "-cross", "-initial", "-intermediate", "-crosssdk", "-cross-canadian")


# --------------------------------------------------------------------------- bb.utils
def _word_set(values: Any) -> set[str]:
    return set(values.split()) if isinstance(values, str) else set(values)


def contains(variable: str, checkvalues: Any, truevalue: Any, falsevalue: Any, d: DataSmart) -> Any:
    """``truevalue`` when every word of ``checkvalues`` is in ``variable``."""
    value = d.getVar(variable)
    if not value:
        return falsevalue
    return truevalue if _word_set(checkvalues) <= set(value.split()) else falsevalue


def contains_any(variable: str, checkvalues: Any, truevalue: Any, falsevalue: Any, d: DataSmart) -> Any:
    """``truevalue`` when any word of ``checkvalues`` is in ``variable``."""
    value = d.getVar(variable)
    if not value:
        return falsevalue
    return truevalue if _word_set(checkvalues) & set(value.split()) else falsevalue


def filter_words(variable: str, checkvalues: Any, d: DataSmart) -> str:
    """The words of ``checkvalues`` present in ``variable``, sorted (``bb.utils.filter``)."""
    value = d.getVar(variable)
    if not value:
        return ""
    return " ".join(sorted(_word_set(checkvalues) & set(value.split())))


def to_boolean(string: Any, default: Any = None) -> Any:
    if not string:
        return default
    if isinstance(string, int):
        return string != 0
    normalized = string.lower()
    if normalized in ("y", "yes", "1", "true"):
        return True
    if normalized in ("n", "no", "0", "false"):
        return False
    raise ValueError(f"Invalid value for to_boolean: {string}")


def which(path: str, item: str, direction: int = 0, history: bool = False, executable: bool = False) -> Any:
    """First ``item`` found along a colon-separated ``path`` (bitbake's search order)."""
    attempts = []
    dirs = (path or "").split(":")
    if direction != 0:
        dirs.reverse()
    for directory in dirs:
        candidate = os.path.join(os.path.abspath(directory or "."), item)
        attempts.append(candidate)
        # An executable is a file (a directory with the x bit is not one), as bitbake checks.
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK) if executable else os.path.exists(candidate):
            return (candidate, attempts) if history else candidate
    return ("", attempts) if history else ""


def vercmp_string(a: str, b: str) -> int:
    from pyrecipe.config.versions import compare_versions

    return compare_versions(a, b)


# --------------------------------------------------------------------------- bb.parse / bb.data
def vars_from_file(filename: str | None, d: DataSmart | None = None) -> list[str | None]:
    """(PN, PV, PR) from ``name_version_revision.bb``, as bitbake.conf derives them."""
    if not filename or not filename.endswith((".bb", ".bbappend")):
        return [None, None, None]
    parts: list[str | None] = list(os.path.splitext(os.path.basename(filename))[0].split("_"))
    if len(parts) > 3:
        raise ParseError("Unable to generate default variables from filename (too many underscores)", filename, 1)
    return parts + [None] * (3 - len(parts))


def inherits_class(klass: str, d: DataSmart) -> bool:
    needle = f"/{klass}.bbclass"
    return any(path.endswith(needle) for path in d.getVar("__inherit_cache", False) or [])


# --------------------------------------------------------------------------- oe.utils
def conditional(variable: str, checkvalue: Any, truevalue: Any, falsevalue: Any, d: DataSmart) -> Any:
    return truevalue if d.getVar(variable) == checkvalue else falsevalue


def oe_boolean(value: Any) -> bool:
    """OpenEmbedded's ``oe.types.boolean``: unlike ``bb.utils.to_boolean`` it also takes ``t``/``f``,
    and an empty string is an error; an unset variable (``None``) is false."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if not isinstance(value, str):
        raise TypeError(f"boolean accepts a string, not '{type(value)}'")
    if value.lower() in ("yes", "y", "true", "t", "1"):
        return True
    if value.lower() in ("no", "n", "false", "f", "0"):
        return False
    raise ValueError(f"Invalid boolean value '{value}'")


def vartrue(var: str, iftrue: Any, iffalse: Any, d: DataSmart) -> Any:
    return iftrue if oe_boolean(d.getVar(var)) else iffalse


def ifelse(condition: Any, iftrue: Any = True, iffalse: Any = False) -> Any:
    return iftrue if condition else iffalse


def less_or_equal(variable: str, checkvalue: Any, truevalue: Any, falsevalue: Any, d: DataSmart) -> Any:
    return truevalue if float(d.getVar(variable)) <= float(checkvalue) else falsevalue


def version_less_or_equal(variable: str, checkvalue: str, truevalue: Any, falsevalue: Any, d: DataSmart) -> Any:
    return truevalue if vercmp_string(d.getVar(variable), checkvalue) <= 0 else falsevalue


def both_contain(variable1: str, variable2: str, checkvalue: str, d: DataSmart) -> str:
    words1 = set((d.getVar(variable1) or "").split())
    words2 = set((d.getVar(variable2) or "").split())
    wanted = _word_set(checkvalue)
    return " ".join(sorted(wanted)) if wanted <= words1 and wanted <= words2 else ""


def prune_suffix(var: str, suffixes: Any, d: DataSmart) -> str:
    """Strip one of ``suffixes`` (``-native`` ...) and the multilib prefix from a name."""
    for suffix in suffixes:
        if suffix and var.endswith(suffix):
            var = var[: -len(suffix)]
    prefix = d.getVar("MLPREFIX")
    if prefix and var.startswith(prefix):
        var = var[len(prefix):]
    return var


def str_filter(pattern: str, text: str, d: DataSmart) -> str:
    return " ".join(word for word in text.split() if re.match(pattern, word))


def str_filter_out(pattern: str, text: str, d: DataSmart) -> str:
    return " ".join(word for word in text.split() if not re.match(pattern, word))


def any_distro_features(d: DataSmart, features: Any, truevalue: Any = "1", falsevalue: Any = "") -> Any:
    return contains_any("DISTRO_FEATURES", features, truevalue, falsevalue, d)


def all_distro_features(d: DataSmart, features: Any, truevalue: Any = "1", falsevalue: Any = "") -> Any:
    return contains("DISTRO_FEATURES", features, truevalue, falsevalue, d)


def parallel_make(d: DataSmart, makeinst: bool = False) -> int | str:
    """The job count of ``PARALLEL_MAKE`` (``PARALLEL_MAKEINST`` with ``makeinst``): the number
    after its first ``-j`` (``-j 4`` or ``-j4``), other options ignored; ``""`` when it has none."""
    words = (d.getVar("PARALLEL_MAKEINST" if makeinst else "PARALLEL_MAKE") or "").split()
    for position, word in enumerate(words):
        if word == "-j":
            return int(words[position + 1]) if position + 1 < len(words) else ""
        if word.startswith("-j"):
            return int(word[2:].strip())
    return ""


def parallel_make_argument(d: DataSmart, fmt: str, limit: int | None = None, makeinst: bool = False) -> str:
    """``fmt % jobs`` (at most ``limit``) when ``PARALLEL_MAKE`` gives a job count, else ``""``."""
    jobs = parallel_make(d, makeinst)
    if not jobs:
        return ""
    return fmt % (min(limit, int(jobs)) if limit else jobs)


#: What ``bb.build.exec_func`` runs with: the task runner sets it while a task runs. The recipe
#: language does not know how tasks run, so it does not import the runner.
function_executor: contextvars.ContextVar[Callable[[str, DataSmart], None]] = contextvars.ContextVar("function_executor")


#: Datastores whose SRCPV is being computed (SRC_URI naming PV naming SRCPV would loop).
_IN_SRCREV: set[int] = set()


def get_autorev(d: DataSmart) -> str:
    """bitbake's ``${AUTOREV}``: the marker for "the latest commit", which do_fetch refuses."""
    return "AUTOINC"


def get_srcrev(d: DataSmart, method_name: str = "sortable_revision") -> str:
    """bitbake's ``${SRCPV}``: the pinned commit of the SRC_URI's git repository, shortened to 10
    digits; with several, SRCREV_FORMAT with each ``name=`` replaced by its commit.

    Lenient where bitbake raises at parse time: a missing SRCREV gives ``INVALID`` and ${AUTOREV}
    ``AUTOINC`` (do_fetch then names the problem), no git repository an empty string.
    """
    from pyrecipe.sources.fetch import parse_src_uri_entry
    from pyrecipe.sources.git import is_git_url, parse_git_url, raw_srcrev

    if id(d) in _IN_SRCREV:
        raise FatalRecipeError("SRCPV: recursive reference through SRC_URI")
    _IN_SRCREV.add(id(d))
    try:
        revisions: dict[str, str] = {}
        for word in (d.getVar("SRC_URI") or "").split():
            if not is_git_url(word):
                continue
            entry = parse_src_uri_entry(word)
            try:
                source = parse_git_url(entry.url, entry.params)
            except Exception:  # the entry's own error is do_fetch's to report
                continue
            revision = raw_srcrev(source, d.getVar) or "INVALID"
            revisions.setdefault(source.name, revision[:10])
    finally:
        _IN_SRCREV.discard(id(d))
    if not revisions:
        return ""
    if len(revisions) == 1 or not (d.getVar("SRCREV_FORMAT") or "").strip():
        return next(iter(revisions.values()))
    names = sorted(revisions, key=len, reverse=True)
    return re.sub("|".join(re.escape(name) for name in names), lambda m: revisions[m.group(0)],
                  d.getVar("SRCREV_FORMAT") or "")


def _exec_func(name: str, d: DataSmart) -> None:
    try:
        executor = function_executor.get()
    except LookupError:
        raise PyrecipeError(f"bb.build.exec_func({name!r}) outside a task") from None
    executor(name, d)


# --------------------------------------------------------------------------- messages
class FatalRecipeError(Exception):
    """``bb.fatal()`` from recipe Python."""


def _fatal(*args: Any) -> None:
    raise FatalRecipeError(" ".join(str(a) for a in args))


def _module(name: str, **members: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__.update(members)
    return module


bb = _module(
    "bb",
    utils=_module(
        "bb.utils", contains=contains, contains_any=contains_any, filter=filter_words, to_boolean=to_boolean,
        which=which, vercmp_string=vercmp_string, explode_deps=explode_deps,
        explode_dep_versions2=explode_dep_versions2, VersionStringException=VersionStringException,
    ),
    parse=_module("bb.parse", vars_from_file=vars_from_file, SkipRecipe=SkipRecipe, SkipPackage=SkipRecipe),
    data=_module("bb.data", inherits_class=inherits_class),
    build=_module("bb.build", exec_func=_exec_func),
    fetch2=_module("bb.fetch2", get_autorev=get_autorev, get_srcrev=get_srcrev),
    note=lambda *a: log.info(" ".join(map(str, a))),
    plain=lambda *a: log.info(" ".join(map(str, a))),
    debug=lambda level, *a: log.debug(" ".join(map(str, a))),
    warn=lambda *a: log.warning(" ".join(map(str, a))),
    warning=lambda *a: log.warning(" ".join(map(str, a))),
    error=lambda *a: log.error(" ".join(map(str, a))),
    fatal=_fatal,
    fatal_error=FatalRecipeError,
)
oe = _module(
    "oe",
    utils=_module(
        "oe.utils", conditional=conditional, vartrue=vartrue, ifelse=ifelse, less_or_equal=less_or_equal,
        version_less_or_equal=version_less_or_equal, both_contain=both_contain, prune_suffix=prune_suffix,
        str_filter=str_filter, str_filter_out=str_filter_out, any_distro_features=any_distro_features,
        all_distro_features=all_distro_features, parallel_make=parallel_make,
        parallel_make_argument=parallel_make_argument,
    ),
)


# --------------------------------------------------------------------------- evaluation
#: Names that inline Python never reads as variables, as in bitbake: a variable called ``len`` or
#: ``filter`` does not hide the builtin.
_BUILTIN_NAMES = frozenset(name for name in dir(builtins) if not name.startswith("_"))


class DataContext(dict):
    """Locals for inline Python: other names read as variables, as in bitbake.

    Builtins and the globals recipe Python sees (``bb``, ``oe``, ``os``, ``time``, ``def``
    functions) keep their meaning even when a variable of that name exists.
    """

    def __init__(self, datastore: DataSmart, globals_: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.d = datastore
        self.globals = globals_ or {}

    def __missing__(self, key: str) -> Any:
        if key in _BUILTIN_NAMES or key in self.globals:
            raise KeyError(key)
        value = self.d.getVar(key)
        if value is None:
            raise KeyError(key)
        return value


@lru_cache(maxsize=4096)
def _compile(source: str, filename: str, mode: str) -> types.CodeType:
    return compile(source, filename, mode)


def _base_globals() -> dict[str, Any]:
    # bitbake's own context is os, bb and time (bb.utils.clean_context); re is pyrecipe's addition.
    return {"__builtins__": builtins, "bb": bb, "oe": oe, "os": os, "re": re, "time": time}


def namespace(d: DataSmart) -> dict[str, Any]:
    """Globals holding the datastore's ``def`` functions, built once per datastore state."""
    if d.namespace is None:
        globals_ = _base_globals()
        for name, flags in d.dict.items():
            if flags.get("pydef") and isinstance(flags.get("_content"), str):
                origin = d.origins.get(name, ("<def>", 1))
                exec(_compile(flags["_content"], origin[0], "exec"), globals_)
        d.namespace = globals_
    return d.namespace


def evaluate_inline(d: DataSmart, code: str, varname: str) -> Any:
    """Evaluate the body of a ``${@...}`` reference."""
    globals_ = namespace(d)
    # What this Python sets is the doing of the file that wrote it; an expression of no recorded
    # variable was written by the file being read (or the recipe's, when a task expands it).
    origin = d.origins.get(varname.partition("[")[0]) or (d.getVar("FILE", False) or "<expansion>", 1)
    with walls.running(origin), recipe_python():
        return eval(_compile(code.strip(), f"Var <{varname}>", "eval"), globals_, DataContext(d, globals_, d=d))


def function_source(name: str, body: str) -> str:
    """``def name(d):`` around a ``python name() { ... }`` body, whatever its indentation."""
    body = textwrap.dedent(body).strip("\n")
    return f"def {name}(d):\n" + (textwrap.indent(body, "    ") if body.strip() else "    pass") + "\n"


def run_python_function(d: DataSmart, name: str, extra_globals: dict[str, Any] | None = None) -> Any:
    """Run the Python function variable ``name`` (a task, an anonymous function) with ``d``."""
    body = d.getVar(name, False) or ""
    origin = d.origins.get(name, ("<python>", 1))
    globals_ = dict(namespace(d))
    if extra_globals:
        globals_.update(extra_globals)
    local_name = "__pyrecipe_" + re.sub(r"\W", "_", name)
    exec(_compile(function_source(local_name, body), origin[0], "exec"), globals_)
    with walls.running(origin):
        return globals_[local_name](d)

