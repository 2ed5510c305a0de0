"""The parse cache's one file: an SQLite database of recipe entries and of files' statements.

One file rather than one per recipe: creating 1,400 small files cost a cold scan of meta-python
0.3-0.6 s. SQLite writes each batch in one transaction (all of it or none: a crash never leaves
half an entry), lets several pyrecipe processes share the file, and reads one recipe's
datastores without loading the others'. A file that is not a database, or a value that does not
unpickle, is treated as absent: the cache is rebuilt, never trusted.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

#: The schema; a file with another version is rebuilt (its entries are not understood).
SCHEMA_VERSION = 1
_TABLES = (
    "CREATE TABLE IF NOT EXISTS recipes (key TEXT PRIMARY KEY, record BLOB, summary BLOB, variants BLOB)",
    "CREATE TABLE IF NOT EXISTS statements (key TEXT PRIMARY KEY, statements BLOB)",
)


def loads(blob: bytes | None) -> Any:
    """Unpickle ``blob``; None when it is absent or does not unpickle (a corrupt or stale value)."""
    if blob is None:
        return None
    try:
        return pickle.loads(blob)
    except Exception:  # noqa: BLE001 - whatever a damaged pickle raises, the value is just absent
        return None


def dumps(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


class CacheStore:
    """The database at ``path``, opened on first use (and again in a forked worker).

    ``parser`` identifies the parser's sources: statements stored by another parser are not read.
    """

    def __init__(self, path: Path, parser: str) -> None:
        self.path = path
        self.parser = parser
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        #: Statements of files parsed since the last write, written with the next recipe entry.
        self._new_statements: dict[str, bytes] = {}

    def _connection(self) -> sqlite3.Connection | None:
        """The open database, None when it cannot be opened (an unwritable directory, a lock held
        too long): this run then parses without a cache, and its results stand."""
        if self._pid != os.getpid():
            self._pid = os.getpid()
            try:
                self._db = self._open()
            except (OSError, sqlite3.Error):
                self._db = None
        return self._db

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return self._prepare(sqlite3.connect(self.path, timeout=60))
        except sqlite3.OperationalError:
            raise  # cannot open or locked: the file may be fine, and another process's
        except sqlite3.DatabaseError:
            # Not a database (truncated, overwritten), damaged, or another schema: start again.
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            return self._prepare(sqlite3.connect(self.path, timeout=60))

    @staticmethod
    def _prepare(db: sqlite3.Connection) -> sqlite3.Connection:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            db.close()
            raise sqlite3.DatabaseError(f"parse cache schema {version}, not {SCHEMA_VERSION}")
        db.execute("PRAGMA journal_mode=WAL")
        # A commit does not wait for the disk (a power cut may lose the last entries, never corrupt
        # the file): a cache is cheaper to rebuild than 700 synchronous writes.
        db.execute("PRAGMA synchronous=NORMAL")
        with db:
            for table in _TABLES:
                db.execute(table)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        return db

    def _query(self, sql: str, parameters: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        db = self._connection()
        if db is None:
            return []
        try:
            return db.execute(sql, tuple(parameters)).fetchall()
        except sqlite3.DatabaseError:
            return []

    # ------------------------------------------------------------------ recipes
    def records(self) -> dict[str, tuple[bytes, bytes]]:
        """Every recipe entry's record and summary (pickled), by key; datastores stay on disk."""
        return {key: (record, summary) for key, record, summary in self._query("SELECT key, record, summary FROM recipes")}

    def variants(self, key: str) -> tuple[bytes, bytes] | None:
        """The record and datastores (pickled) of one entry."""
        rows = self._query("SELECT record, variants FROM recipes WHERE key = ?", (key,))
        return rows[0] if rows else None

    def put_recipe(self, key: str, record: bytes, summary: bytes | None, variants: bytes) -> None:
        """Write one recipe entry, with the statements noted since the last write, in one
        transaction. A summary of None (the datastores parsed again without one) drops the
        stored one: it may describe what the files held before."""
        self._write((key, record, summary, variants))

    def _write(self, recipe: tuple[str, bytes, bytes | None, bytes] | None) -> None:
        """One transaction: the recipe entry (if any) and the statements noted since the last write."""
        statements, self._new_statements = self._new_statements, {}
        db = self._connection()
        if db is None:
            return
        try:
            with db:
                if recipe is not None:
                    db.execute("INSERT OR REPLACE INTO recipes (key, record, summary, variants) VALUES (?, ?, ?, ?)", recipe)
                db.executemany("INSERT OR REPLACE INTO statements (key, statements) VALUES (?, ?)", statements.items())
        except sqlite3.DatabaseError:
            # Locked for longer than the timeout, read-only, damaged: the cache is an optimisation,
            # the parse result stands; a later run writes it.
            pass

    # ------------------------------------------------------------------ statements
    def statements(self, key: str) -> bytes | None:
        """The statements (pickled) stored for a file content key."""
        rows = self._query("SELECT statements FROM statements WHERE key = ?", (f"{self.parser}:{key}",))
        return rows[0][0] if rows else None

    def note_statements(self, key: str, statements: bytes) -> None:
        """Statements parsed now, stored with the next recipe entry written (or :meth:`write_statements`)."""
        self._new_statements[f"{self.parser}:{key}"] = statements

    def write_statements(self) -> None:
        """Write the statements noted since the last write, in one transaction (none: nothing opened).
        The configuration's files are parsed before any recipe entry is written, and not always
        followed by one (``pyrecipe env`` of a cached recipe)."""
        if self._new_statements:
            self._write(None)
