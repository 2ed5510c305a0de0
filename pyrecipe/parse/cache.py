"""The parse cache: a recipe's datastores, reused while no file it read has changed.

An entry is keyed by the recipe's path, its appends and the configuration it was parsed on;
it records the sha256 of every file the parse read and every path it looked for and did not
find (a class added earlier on BBPATH changes the result). It is valid while all of those are
unchanged; a file whose modification time and size are those it had when it was read is not
read again to tell (reading and hashing the 900 files of meta-python took a warm index 0.1 s). Each entry holds a small summary (what the layer index needs) beside the full
datastores (what a build or ``pyrecipe env`` needs), so scanning a layer never loads the latter.
Entries and the statements of every file parsed live in one :class:`CacheStore`; statements are
keyed by content alone, so a new configuration re-evaluates recipes without re-parsing them.

Many recipes to parse are spread over worker processes, as bitbake does; the results, and the
error when a recipe does not parse, are those of parsing them one after the other.
"""

from __future__ import annotations

import hashlib
import os
import signal
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pyrecipe.errors import InputError
from pyrecipe.fsutil import file_sha256
from pyrecipe.parse.datastore import DataSmart
from pyrecipe.parse.evaluate import FileParser, parse_variants
from pyrecipe.parse.store import CacheStore, dumps, loads

#: Bump when the meaning of cached data changes.
CACHE_FORMAT = 4
#: Fewer recipes to parse than this are parsed in this process: starting workers costs more.
PARALLEL_FROM = 64
_PARSER_FINGERPRINT: str | None = None
_hash_memo: dict[tuple[str, int, int], str] = {}

#: What summarises a recipe's datastores for an index: (recipe, appends, variants) -> summary.
Summariser = Callable[[Path, tuple[Path, ...], dict[str, DataSmart]], Any]


def _parser_fingerprint() -> str:
    """A hash of the parser's own sources: a new pyrecipe never trusts an old cache."""
    global _PARSER_FINGERPRINT
    if _PARSER_FINGERPRINT is None:
        digest = hashlib.sha256(str(CACHE_FORMAT).encode())
        for source in sorted(Path(__file__).parent.glob("*.py")) + [Path(__file__).with_name("core.conf")]:
            digest.update(source.read_bytes())
        _PARSER_FINGERPRINT = digest.hexdigest()
    return _PARSER_FINGERPRINT


def memoised_sha256(path: str) -> str | None:
    """sha256 of a file's content (memoised per process by mtime and size), None if absent."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    key = (path, stat.st_mtime_ns, stat.st_size)
    digest = _hash_memo.get(key)
    if digest is None:
        digest = _hash_memo[key] = file_sha256(path)
    return digest


def config_fingerprint(config: DataSmart, extra: Sequence[str] = ()) -> str:
    digest = hashlib.sha256(_parser_fingerprint().encode())
    for path, sha in config.getVar("__config_files", False) or []:
        digest.update(f"{path}\0{sha}\n".encode())
    for item in extra:
        digest.update(f"{item}\n".encode())
    return digest.hexdigest()


def open_store(directory: Path) -> CacheStore:
    """The parse cache's one file in ``directory`` (recipe entries and files' statements), for
    this parser's sources: statements are valid for the grammar that parsed them only."""
    return CacheStore(directory / "parse.sqlite", _parser_fingerprint())


class ParseCache:
    """Parse results in ``directory`` (one store file); ``None`` as directory disables caching."""

    def __init__(self, directory: Path | None, config: DataSmart, config_key: str, bbpath: Sequence[Path] = ()) -> None:
        self.store = open_store(directory) if directory is not None else None
        self.config = config
        self.config_key = config_key
        self.bbpath = list(bbpath)
        self._stats: dict[str, tuple[int, int] | None] = {}

    def _key(self, recipe: Path, appends: Sequence[Path]) -> str:
        text = "\0".join([self.config_key, str(recipe), *map(str, appends)])
        return hashlib.sha256(text.encode()).hexdigest()

    def _valid(self, record: Any) -> bool:
        if not isinstance(record, Mapping) or record.get("format") != CACHE_FORMAT:
            return False
        stats = record["files_stat"]
        for path, sha in record["files_read"].items():
            if self._stat(path) != stats.get(path) and memoised_sha256(path) != sha:
                return False
        return not any(self._stat(path) is not None for path in record["files_missing"])

    def _stat(self, path: str) -> tuple[int, int] | None:
        """(mtime in ns, size) of ``path``, None if absent; once per path and cache."""
        if path not in self._stats:
            try:
                stat = os.stat(path)
                self._stats[path] = (stat.st_mtime_ns, stat.st_size)
            except OSError:
                self._stats[path] = None
        return self._stats[path]

    def summaries(
        self, recipes: Sequence[tuple[Path, tuple[Path, ...]]], summarise: Summariser, keep_errors: bool = False
    ) -> list[Any]:
        """``summarise(recipe, appends, variants)`` for each (recipe, appends), in order: from the
        cache while it is valid, else parsed (in worker processes when there are many).

        With ``keep_errors`` a recipe that does not parse (an :class:`InputError`: syntax, unknown
        class, bb.fatal ...) has that error in its place instead of stopping the others; such a
        result is not cached (the recipe is parsed again next time, as bitbake does).
        """
        stored = self.store.records() if self.store is not None else {}
        results: list[Any] = [None] * len(recipes)
        todo: list[int] = []
        for position, (recipe, appends) in enumerate(recipes):
            record, summary = stored.get(self._key(recipe, appends), (None, None))
            summary = loads(summary)
            if summary is not None and self._valid(loads(record)):
                results[position] = summary
            else:
                todo.append(position)
        for position, summary in zip(todo, self._summarise_all([recipes[i] for i in todo], summarise, keep_errors)):
            results[position] = summary
        return results

    def _summarise_all(
        self, recipes: Sequence[tuple[Path, tuple[Path, ...]]], summarise: Summariser, keep_errors: bool
    ) -> list[Any]:
        # A worker per PARALLEL_FROM / 2 recipes, up to one per CPU.
        workers = min(os.cpu_count() or 1, len(recipes) // (PARALLEL_FROM // 2))
        if workers < 2:
            results = []
            for recipe, appends in recipes:
                try:
                    results.append(self._summarise(recipe, appends, summarise))
                except InputError as exc:
                    if not keep_errors:
                        raise
                    results.append(exc)
            return results
        # Imported here: 13 ms that a command finding its recipes in the cache does not need.
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        # fork: the workers start with this process's configuration and caches, nothing pickled.
        # An executor, not a Pool: a worker that dies (the OOM killer, a program recipe Python ran
        # killing it) breaks it with an error instead of leaving the parse waiting for ever.
        context = multiprocessing.get_context("fork")
        try:
            with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(self, summarise)) as executor:
                outcomes = list(executor.map(_summarise_in_worker, recipes, chunksize=4))
        except BrokenProcessPool:
            outcomes = self._summarise_one_by_one(recipes, summarise, context)
        for outcome in outcomes:
            if isinstance(outcome, BaseException) and not (keep_errors and isinstance(outcome, InputError)):
                raise outcome
        return outcomes

    def _summarise_one_by_one(
        self, recipes: Sequence[tuple[Path, tuple[Path, ...]]], summarise: Summariser, context: Any
    ) -> list[Any]:
        """Each recipe parsed in a worker of its own, after a worker died (a signal, the OOM
        killer, a program recipe Python started killing it): the recipe whose worker dies has an
        InputError naming it in its place, as a recipe that does not parse, not "a process in
        the pool was terminated abruptly" for all (a fork per recipe, only after such a death)."""
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        outcomes = []
        for recipe, appends in recipes:
            with ProcessPoolExecutor(1, mp_context=context, initializer=_start_worker, initargs=(self, summarise)) as one:
                try:
                    outcomes.append(one.submit(_summarise_in_worker, (recipe, appends)).result())
                except BrokenProcessPool:
                    outcomes.append(InputError(f"{recipe}: the process parsing this recipe ended abruptly (its "
                                               "Python, or a program it started, killed or ended it)"))
        return outcomes

    def _summarise(self, recipe: Path, appends: tuple[Path, ...], summarise: Summariser) -> Any:
        variants, record = self._parse(recipe, appends)
        summary = summarise(recipe, appends, variants)
        if self.store is not None:
            self.store.put_recipe(self._key(recipe, appends), dumps(record), dumps(summary), dumps(variants))
        return summary

    def parse(self, recipe: Path, appends: Sequence[Path] = ()) -> dict[str, DataSmart]:
        """The recipe's finalised datastores, from the cache while it is valid."""
        key = self._key(recipe, appends)
        entry = self.store.variants(key) if self.store is not None else None
        if entry is not None and self._valid(loads(entry[0])):
            variants = loads(entry[1])
            if isinstance(variants, dict):
                return variants
        variants, record = self._parse(recipe, appends)
        if self.store is not None:
            self.store.put_recipe(key, dumps(record), None, dumps(variants))
        return variants

    def _parse(self, recipe: Path, appends: Sequence[Path]) -> tuple[dict[str, DataSmart], dict[str, Any]]:
        parser = FileParser(bbpath=self.bbpath, store=self.store)
        variants = parse_variants(parser, recipe, self.config, list(appends))
        record = {
            "format": CACHE_FORMAT, "files_read": parser.files_read, "files_stat": parser.files_stat,
            "files_missing": sorted(parser.files_missing),
        }
        return variants, record


# ---------------------------------------------------------------------------- worker processes
_worker: tuple[ParseCache, Summariser] | None = None


def _start_worker(cache: ParseCache, summarise: Summariser) -> None:
    """Keep what a worker parses with. SIGTERM ends a worker at once: the executor terminates
    the others when one dies, and the handler a fork inherits from the command (SIGTERM as
    Ctrl-C) would leave one that is waiting on a lock running."""
    global _worker
    _worker = (cache, summarise)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _summarise_in_worker(item: tuple[Path, tuple[Path, ...]]) -> Any:
    """A recipe's summary, or the error parsing it raised (re-raised in order by the parent)."""
    assert _worker is not None, "a worker is started with its cache"
    cache, summarise = _worker
    try:
        return cache._summarise(item[0], item[1], summarise)
    except Exception as exc:  # noqa: BLE001 - handed to the parent, which raises it where a serial parse would
        return exc
