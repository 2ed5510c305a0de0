"""The parse cache: a recipe's datastores, reused while no file it read has changed.

An entry is keyed by the recipe's path, its appends and the configuration it was parsed on;
it records the sha256 of every file the parse read and every path it looked for and did not
find (a class added earlier on BBPATH changes the result). It is valid while all of those are
unchanged. Each entry is two files: a small summary (what the layer index needs) and the full
datastores (what a build or ``pyrecipe env`` needs), so scanning a layer never loads the latter.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pyrecipe.parse.datastore import DataSmart
from pyrecipe.parse.evaluate import FileParser, parse_variants

#: Bump when the meaning of cached data changes.
CACHE_FORMAT = 1
_PARSER_FINGERPRINT: str | None = None
_hash_memo: dict[tuple[str, int, int], str] = {}


def _parser_fingerprint() -> str:
    """A hash of the parser's own sources: a new pyrecipe never trusts an old cache."""
    global _PARSER_FINGERPRINT
    if _PARSER_FINGERPRINT is None:
        digest = hashlib.sha256(str(CACHE_FORMAT).encode())
        for source in sorted(Path(__file__).parent.glob("*.py")) + [Path(__file__).with_name("core.conf")]:
            digest.update(source.read_bytes())
        _PARSER_FINGERPRINT = digest.hexdigest()
    return _PARSER_FINGERPRINT


def file_sha256(path: str) -> str | None:
    """sha256 of a file's content (memoised per process by mtime and size), None if absent."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    key = (path, stat.st_mtime_ns, stat.st_size)
    digest = _hash_memo.get(key)
    if digest is None:
        with open(path, "rb") as handle:
            digest = _hash_memo[key] = hashlib.sha256(handle.read()).hexdigest()
    return digest


def config_fingerprint(config: DataSmart, extra: Sequence[str] = ()) -> str:
    digest = hashlib.sha256(_parser_fingerprint().encode())
    for path, sha in config.getVar("__config_files", False) or []:
        digest.update(f"{path}\0{sha}\n".encode())
    for item in extra:
        digest.update(f"{item}\n".encode())
    return digest.hexdigest()


def _atomic_pickle(path: Path, value: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


class ParseCache:
    """Parse results under ``directory``; ``None`` as directory disables caching."""

    def __init__(self, directory: Path | None, config: DataSmart, config_key: str, bbpath: Sequence[Path] = ()) -> None:
        self.directory = directory
        self.config = config
        self.config_key = config_key
        self.bbpath = list(bbpath)

    def _key(self, recipe: Path, appends: Sequence[Path]) -> str:
        text = "\0".join([self.config_key, str(recipe), *map(str, appends)])
        return hashlib.sha256(text.encode()).hexdigest()

    def _valid(self, entry: Mapping[str, Any]) -> bool:
        if entry.get("format") != CACHE_FORMAT:
            return False
        if any(file_sha256(path) != sha for path, sha in entry["files_read"].items()):
            return False
        return not any(os.path.exists(path) for path in entry["files_missing"])

    def _path(self, recipe: Path, appends: Sequence[Path], kind: str) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / f"{self._key(recipe, appends)}.{kind}"

    def _load(self, path: Path | None, field: str) -> Any:
        if path is None:
            return None
        try:
            with open(path, "rb") as handle:
                entry = pickle.load(handle)
            return entry[field] if self._valid(entry) else None
        except (OSError, pickle.UnpicklingError, EOFError, KeyError, AttributeError, ImportError):
            return None

    def summary(self, recipe: Path, appends: Sequence[Path], summarise: Callable[[dict[str, DataSmart]], Any]) -> Any:
        """``summarise(variants)`` for the recipe, from the cache while it is valid."""
        cached = self._load(self._path(recipe, appends, "summary"), "summary")
        if cached is not None:
            return cached
        variants, record = self._parse_and_store(recipe, appends)
        result = summarise(variants)
        path = self._path(recipe, appends, "summary")
        if path is not None:
            _atomic_pickle(path, {**record, "summary": result})
        return result

    def parse(self, recipe: Path, appends: Sequence[Path] = ()) -> dict[str, DataSmart]:
        """The recipe's finalised datastores, from the cache while it is valid."""
        cached = self._load(self._path(recipe, appends, "data"), "variants")
        if cached is not None:
            return cached
        return self._parse_and_store(recipe, appends)[0]

    def _parse_and_store(self, recipe: Path, appends: Sequence[Path]) -> tuple[dict[str, DataSmart], dict[str, Any]]:
        parser = FileParser(bbpath=self.bbpath)
        variants = parse_variants(parser, recipe, self.config, list(appends))
        record = {"format": CACHE_FORMAT, "files_read": parser.files_read, "files_missing": sorted(parser.files_missing)}
        path = self._path(recipe, appends, "data")
        if path is not None:
            _atomic_pickle(path, {**record, "variants": variants})
        return variants, record
