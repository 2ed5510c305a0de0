"""Layers: which recipe files exist (BBFILES), their .bbappends, and finding a recipe by name.

A name finds a recipe by its PN or PROVIDES, in any variant (``foo-native`` is the native
variant of ``foo``). Python packages answer to both spellings that people use: ``numpy`` and
``python3-numpy`` name the same recipe, and PyPI spellings (``PyYAML``) are normalised. Among
several versions, ``PREFERRED_VERSION_<pn>`` chooses (``%`` is a wildcard at its end), else the
highest version.

A ``.bbappend`` applies to the recipes of its file name (``%`` a wildcard at its end). pyrecipe's
own layer stands in for OpenEmbedded-core but names its recipes as PyPI does (``idna_3.20.bb``),
and a Python project no layer has becomes a recipe generated from PyPI (``requests_2.32.3.bb``):
a layer's append for OE-core's recipe (``python3-requests_%.bbappend``) applies to those. Such an
append that applies to no recipe yet waits for the recipe generated from PyPI, and is dangling
only when that recipe is of another version.

A layer written for OpenEmbedded is taken as it is: ``BBMASK`` leaves files out, ``LAYERDEPENDS``
and ``LAYERSERIES_COMPAT`` are checked (a warning, not an error), and a recipe of a user's layer
that does not parse is skipped with one warning naming the file and the reason, as bitbake skips
it, instead of stopping every command (asking for it is then the error). pyrecipe's own recipes
still stop the command: they are part of the tool.
"""

from __future__ import annotations

import difflib
import glob
import logging
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pyrecipe.config.paths import RECIPES_DIR
from pyrecipe.config.versions import compare_versions
from pyrecipe.errors import InputError
from pyrecipe.graph.variant import NATIVE_SUFFIX, is_native_name, target_name
from pyrecipe.parse import DataSmart
from pyrecipe.parse.cache import ParseCache, config_fingerprint
from pyrecipe.parse.depends import VersionStringException, explode_dep_versions2

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecipeInfo:
    """What the index keeps of one variant of one recipe (cheap to cache and to load)."""

    file: Path
    appends: tuple[Path, ...]
    variant: str
    pn: str
    pe: str
    pv: str
    pr: str
    provides: tuple[str, ...]
    skipped: str | None

    @property
    def version(self) -> str:
        return f"{self.pe}:{self.pv}-{self.pr}" if self.pe else f"{self.pv}-{self.pr}"


#: How the skip reason of a recipe that does not parse starts (then the parse error).
UNPARSED = "it cannot be parsed: "


class SkippedRecipeError(InputError):
    """The name is provided only by recipes that were skipped (the message says why)."""


def summarise(file: Path, appends: tuple[Path, ...], variants: dict[str, DataSmart]) -> list[RecipeInfo]:
    infos = []
    for variant, d in variants.items():
        pn = d.getVar("PN") or ""
        infos.append(
            RecipeInfo(
                file=file, appends=appends, variant=variant, pn=pn, pe=d.getVar("PE") or "",
                pv=d.getVar("PV") or "", pr=d.getVar("PR") or "",
                provides=tuple(dict.fromkeys([pn, *(d.getVar("PROVIDES") or "").split()])),
                skipped=d.getVar("__SKIPPED", False),
            )
        )
    return infos


def append_matches(append: Path, recipe: Path) -> bool:
    """``foo_%.bbappend`` applies to ``foo_1.0.bb``; ``foo_1.0.bbappend`` only to that version."""
    wanted = append.name[: -len(".bbappend")] + ".bb"
    if wanted == recipe.name:
        return True
    if "%" in wanted:
        return recipe.name.startswith(wanted[: wanted.index("%")])
    return False


def python_spellings(recipe: Path) -> list[Path]:
    """The OpenEmbedded-core file names of a Python recipe that pyrecipe names by its project
    (``idna_3.20.bb``, ``python-dateutil_2.9.0.bb``; its own and those generated from PyPI):
    ``python3-idna_3.20.bb``, ``python3-dateutil_2.9.0.bb``, which a layer's ``.bbappend`` names."""
    pn, _, rest = recipe.name.partition("_")
    stems = dict.fromkeys(f"python3-{stem}" for stem in (pn, pn.removeprefix("python-")) if not stem.startswith("python3-"))
    return [recipe.with_name(f"{stem}_{rest}") for stem in stems]


def append_applies(append: Path, recipe: Path, python: bool) -> bool:
    """:func:`append_matches`, and for a ``python`` recipe (pyrecipe's own, or one generated from
    PyPI: a Python project named as on PyPI) also by the name OpenEmbedded-core gives it."""
    return append_matches(append, recipe) or (python and any(append_matches(append, name) for name in python_spellings(recipe)))


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def unparsed_info(file: Path, appends: tuple[Path, ...], error: Exception) -> RecipeInfo:
    """A recipe that does not parse: named by its file name (``PN_PV.bb``), skipped with the error."""
    pn, _, pv = file.name[: -len(".bb")].partition("_")
    return RecipeInfo(file=file, appends=appends, variant="", pn=pn, pe="", pv=pv.partition("_")[0], pr="",
                      provides=(pn,), skipped=f"{UNPARSED}{error}")


def bbmask(config: DataSmart) -> re.Pattern[str] | None:
    """BBMASK as bitbake reads it: whitespace-separated regular expressions, any of which
    (searched in a file's absolute path) leaves the file out; an invalid one is ignored with a
    warning, and a leading ``|`` (left from the old single-regex style) is dropped."""
    masks = []
    for mask in (config.getVar("BBMASK") or "").split():
        mask = mask.removeprefix("|")
        try:
            re.compile(mask)
        except re.error as exc:
            log.warning("WARNING: BBMASK: ignoring the invalid regular expression %r: %s", mask, exc)
            continue
        masks.append(mask)
    return re.compile("|".join(masks)) if masks else None


_VERSION_OPS = {"<": lambda c: c < 0, "<=": lambda c: c <= 0, "=": lambda c: c == 0, "==": lambda c: c == 0,
                ">=": lambda c: c >= 0, ">": lambda c: c > 0}


def check_layers(config: DataSmart) -> list[str]:
    """Warnings about the configured collections, as bitbake checks them at start-up.

    ``LAYERDEPENDS_<c>``: each collection named must be configured (at the version asked); the
    OpenEmbedded collections whose part pyrecipe's own layer plays (``PYRECIPE_STANDIN_COLLECTIONS``:
    OE-core, meta-oe) count as configured, at any version. ``LAYERSERIES_COMPAT_<c>``: a layer
    that lists release series must share one with ``LAYERSERIES_CORENAMES`` (the series whose
    syntax and classes pyrecipe follows). bitbake stops on these; pyrecipe warns, since most
    recipes of such a layer still parse and build.
    """
    collections = (config.getVar("BBFILE_COLLECTIONS") or "").split()
    standin = set((config.getVar("PYRECIPE_STANDIN_COLLECTIONS") or "").split())
    series = set((config.getVar("LAYERSERIES_CORENAMES") or "").split())
    warnings = []
    for collection in dict.fromkeys(collections):
        deps = config.getVar(f"LAYERDEPENDS_{collection}") or ""
        try:
            wanted = explode_dep_versions2(deps)
        except VersionStringException as exc:
            warnings.append(f"layer {collection}: cannot read LAYERDEPENDS_{collection} = {deps!r}: {exc}")
            wanted = {}
        for dep, constraints in wanted.items():
            if dep in standin and dep not in collections:
                continue
            if dep not in collections:
                warnings.append(f"layer {collection} depends on layer {dep}, which is not configured "
                                f"(LAYERDEPENDS_{collection}; add it with --layer or BBLAYERS)")
                continue
            version = config.getVar(f"LAYERVERSION_{dep}")
            for constraint in constraints:
                op, _, needed = constraint.partition(" ")
                check = _VERSION_OPS.get(op)
                if check is None or version is None or not check(compare_versions(version, needed.strip())):
                    warnings.append(f"layer {collection} depends on version {constraint} of layer {dep}, "
                                    f"which has LAYERVERSION_{dep} = {version!r}")
        compat = set((config.getVar(f"LAYERSERIES_COMPAT_{collection}") or "").split())
        if compat and series and not compat & series:
            warnings.append(f"layer {collection} is compatible with the release series {' '.join(sorted(compat))}, "
                            f"pyrecipe with {' '.join(sorted(series))}: some of its recipes may not parse or build")
    return warnings


class LayerIndex:
    """Every recipe of the configured layers, parsed (through the cache) into :class:`RecipeInfo`."""

    def __init__(self, config: DataSmart, cache_dir: Path | None) -> None:
        self.config = config
        # What load_configuration sets itself rather than reads from a file (the files are in
        # __config_files): cached datastores hold these values.
        set_in_code = ("TOPDIR", "BBLAYERS", "MACHINE", "DISTRO", "PYRECIPE_TOPDIR", "PYRECIPE_CODEDIR", "PYRECIPE_HOST_PYTHON")
        extra = [config.getVar(name) or "" for name in set_in_code]
        self.cache = ParseCache(cache_dir, config, config_fingerprint(config, extra))
        for warning in check_layers(config):
            log.warning("WARNING: %s", warning)
        recipes, appends = self._files()
        #: The .bbappends of OE-core's Python recipes (``python3-requests_%.bbappend``): they apply
        #: to pyrecipe's own recipe of the project and to one generated from PyPI (:meth:`add_recipe`).
        self.python_appends = tuple(append for append in appends if append.name.startswith("python3-"))
        self.appends_of = {recipe: tuple(a for a in appends if append_applies(a, recipe, RECIPES_DIR in recipe.parents))
                           for recipe in recipes}
        used = {append for matched in self.appends_of.values() for append in matched}
        # A python3- one that applies to no recipe yet waits for the recipe generated from PyPI.
        self._check_dangling_appends([a for a in appends if a not in used and a not in self.python_appends])
        self.recipes = recipes
        self._infos: list[RecipeInfo] | None = None
        self._warned: set[tuple[Path, Path]] = set()

    def _check_dangling_appends(self, dangling: list[Path], why: str = "") -> None:
        """A .bbappend that applies to no recipe is an error, as in bitbake (its changes would be
        lost without a word), or a warning with BB_DANGLINGAPPENDS_WARNONLY."""
        if not dangling:
            return
        message = f"no recipe for the .bbappend file(s) {', '.join(map(str, dangling))}{why}"
        warn_only = (self.config.getVar("BB_DANGLINGAPPENDS_WARNONLY") or "").strip().lower()
        if warn_only and warn_only not in ("0", "no", "false"):  # bitbake's reading of the variable
            log.warning("WARNING: %s", message)
        else:
            raise InputError(f"{message}; remove them, or set BB_DANGLINGAPPENDS_WARNONLY = \"1\" to be warned only")

    def _files(self) -> tuple[list[Path], list[Path]]:
        recipes: dict[Path, None] = {}
        appends: dict[Path, None] = {}
        mask = bbmask(self.config)
        for pattern in (self.config.getVar("BBFILES") or "").split():
            for match in sorted(glob.glob(pattern)):
                path = Path(match).absolute()
                if mask is not None and mask.search(str(path)):
                    continue
                if path.suffix == ".bb":
                    recipes[path] = None
                elif path.suffix == ".bbappend":
                    appends[path] = None
        return list(recipes), list(appends)

    @property
    def infos(self) -> list[RecipeInfo]:
        if self._infos is None:
            items = [(recipe, self.appends_of[recipe]) for recipe in self.recipes]
            infos: list[RecipeInfo] = []
            for (recipe, appends), result in zip(items, self.cache.summaries(items, summarise, keep_errors=True)):
                if not isinstance(result, InputError):
                    infos.extend(result)
                    continue
                if RECIPES_DIR in recipe.parents:
                    raise result  # pyrecipe's own recipe: the tool is broken, not a layer
                reason = str(result).splitlines()[0]
                if reason.startswith(f"{recipe}:"):  # the error is in the recipe itself: file:line:column first
                    log.warning("WARNING: %s (recipe skipped, it cannot be parsed)", reason)
                else:
                    log.warning("WARNING: skipping %s, it cannot be parsed: %s", recipe, reason)
                infos.append(unparsed_info(recipe, appends, result))
            self._infos = infos
        return self._infos

    @property
    def unparsed(self) -> list[RecipeInfo]:
        """The recipes that could not be parsed (skipped with the reason)."""
        return [info for info in self.infos if info.skipped and info.skipped.startswith(UNPARSED)]

    def add_recipe(self, path: Path) -> list[RecipeInfo]:
        """Index one more recipe file, outside BBFILES: one written while resolving names (a recipe
        generated from PyPI into the build directory), with the layers' ``python3-`` appends that
        apply to it. Its variants; the file is indexed once."""
        path = path.absolute()
        if path in self.appends_of:
            return [info for info in self.infos if info.file == path]
        infos = self.infos
        appends = tuple(append for append in self.python_appends if append_applies(append, path, python=True))
        self._check_dangling_appends(self._other_versions(path, appends),
                                     f" (they name the recipe generated from PyPI as {path.name}, of another version)")
        [added] = self.cache.summaries([(path, appends)], summarise)
        self.recipes.append(path)
        self.appends_of[path] = appends
        infos.extend(added)
        return added

    def _other_versions(self, generated: Path, applied: tuple[Path, ...]) -> list[Path]:
        """The ``python3-`` .bbappends of the project of ``generated`` that apply neither to it nor
        to any other recipe: written for versions the build does not have, dangling as in bitbake
        (a layer's ``python3-requests_2.31.%.bbappend`` when PyPI's requests is 2.32.3)."""
        names = {name.name.partition("_")[0] for name in python_spellings(generated)}
        used = {append for matched in self.appends_of.values() for append in matched}
        return [append for append in self.python_appends if append.name.partition("_")[0] in names
                and append not in applied and append not in used]

    def datastore(self, info: RecipeInfo) -> DataSmart:
        """The full, finalised datastore of one recipe variant."""
        return self.cache.parse(info.file, info.appends)[info.variant]

    # ------------------------------------------------------------------ lookup
    def providers(self, name: str) -> list[RecipeInfo]:
        return [info for info in self.infos if name in info.provides and not info.skipped]

    def find(self, name: str) -> RecipeInfo:
        """The recipe variant that ``name`` refers to; an error with suggestions when none does."""
        for candidate in self._spellings(name):
            found = self.providers(candidate)
            if found:
                return self._preferred(candidate, found)
        # A recipe that does not parse has no known variants: its -native name names it too.
        skipped = [info for candidate in self._spellings(name) for info in self.infos
                   if info.skipped and (candidate in info.provides or target_name(candidate) in info.provides)]
        if skipped:
            raise SkippedRecipeError(f"{name!r} is provided only by {skipped[0].file} (variant {skipped[0].variant or 'target'}), "
                             f"which was skipped: {skipped[0].skipped}")
        names = sorted({p for info in self.infos for p in info.provides})
        close = difflib.get_close_matches(name, names, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise InputError(f"no recipe provides {name!r}{hint} (searched {len(self.recipes)} recipes in BBFILES)")

    @staticmethod
    def _spellings(name: str) -> list[str]:
        base = normalise(name)
        native = is_native_name(base)
        stem = target_name(base)
        stems = [stem, stem[len("python3-"):]] if stem.startswith("python3-") else [stem, "python3-" + stem]
        spellings = [name] + [s + NATIVE_SUFFIX if native else s for s in stems]
        return list(dict.fromkeys(spellings))

    @cached_property
    def _collections(self) -> list[tuple[re.Pattern[str], int]]:
        """(BBFILE_PATTERN_x, BBFILE_PRIORITY_x) of each collection in BBFILE_COLLECTIONS."""
        collections = []
        for name in (self.config.getVar("BBFILE_COLLECTIONS") or "").split():
            pattern = self.config.getVar(f"BBFILE_PATTERN_{name}")
            priority = self.config.getVar(f"BBFILE_PRIORITY_{name}") or "0"
            if not pattern:
                continue
            try:
                collections.append((re.compile(pattern), int(priority)))
            except (re.error, ValueError) as exc:
                raise InputError(f"layer collection {name}: BBFILE_PATTERN {pattern!r} / BBFILE_PRIORITY {priority!r}: {exc}") from None
        return collections

    def priority(self, recipe: Path) -> int:
        """The BBFILE_PRIORITY of the collection whose BBFILE_PATTERN matches ``recipe`` (0: none)."""
        return max((priority for pattern, priority in self._collections if pattern.match(str(recipe))), default=0)

    def python_recipes(self) -> dict[str, RecipeInfo]:
        """For each ``<name>`` a target recipe answers to as ``python3-<name>`` (its PN or a
        PROVIDES, with or without ``python3-``), the recipe :meth:`find` gives that name: the
        layers' versions of Python packages, which resolving a requirement set prefers. One pass
        over the recipes, not a :meth:`find` per name (a large layer set has thousands), and no
        shadowing warnings for recipes nothing asked for."""
        by_name: dict[str, list[RecipeInfo]] = {}
        for info in self.infos:
            if info.variant == "" and not info.skipped:
                for name in info.provides:
                    by_name.setdefault(name, []).append(info)
        chosen: dict[str, RecipeInfo] = {}
        for name in by_name:
            stem = normalise(name).removeprefix("python3-")
            spelled = next((s for s in (f"python3-{stem}", stem) if s in by_name), None)
            if stem in chosen or spelled is None:
                continue
            try:
                chosen[stem] = self._preferred(spelled, by_name[spelled], warn=False)
            except InputError:
                continue  # a PREFERRED_VERSION that matches none: asking for the name says so
        return chosen

    def _preferred(self, name: str, found: list[RecipeInfo], warn: bool = True) -> RecipeInfo:
        """PREFERRED_VERSION if set, then the highest layer priority, then the highest version."""
        pn = found[0].pn
        wanted = self.config.getVar(f"PREFERRED_VERSION_{pn}") or self.config.getVar(f"PREFERRED_VERSION_{name}")
        if wanted:
            pattern = re.escape(wanted[:-1]) + ".*" if wanted.endswith("%") else re.escape(wanted)
            chosen = [info for info in found if re.fullmatch(pattern, info.pv)]
            if not chosen:
                versions = ", ".join(sorted(info.pv for info in found))
                raise InputError(f"PREFERRED_VERSION_{pn} = {wanted!r} matches none of the versions: {versions}")
            found = chosen
        candidates = found
        top = max(self.priority(info.file) for info in found)
        found = [info for info in found if self.priority(info.file) == top]
        best = found[0]
        for info in found[1:]:
            if compare_versions(info.version, best.version) > 0:
                best = info
        if warn:
            self._warn_shadowed(best, candidates)
        return best

    def _warn_shadowed(self, best: RecipeInfo, candidates: list[RecipeInfo]) -> None:
        """Say so when a recipe of another file, as new as the chosen one, is not used.

        The choice is bitbake's (higher BBFILE_PRIORITY, then higher version, then the first in
        BBFILES), so that OpenEmbedded layers behave as they do there; but a user's recipe left
        out for pyrecipe's own, or one of two identical versions dropped, must not be silent.
        """
        for info in candidates:
            if info.file == best.file or compare_versions(info.version, best.version) < 0:
                continue
            if (info.file, best.file) in self._warned:
                continue
            self._warned.add((info.file, best.file))
            ours, theirs = self.priority(best.file), self.priority(info.file)
            why = (f"both have version {best.version} and BBFILE_PRIORITY {ours}; the first in BBFILES is used"
                   if ours == theirs and info.version == best.version
                   else f"its layer's BBFILE_PRIORITY {theirs} is below {ours}")
            log.warning("WARNING: recipe %s: %s (version %s) is not used, %s is: %s; raise its layer's "
                        "BBFILE_PRIORITY or remove one of them", best.pn, info.file, info.version, best.file, why)
