"""The recipe language: bitbake-syntax files parsed into datastores.

Public entry points:

* :func:`core_datastore` - the variables every file sees (PN, PV, PR, PE, P, BPN, BP,
  FILE_DIRNAME), the base of a ``--bare`` parse;
* :func:`load_config` - configuration files (.conf) parsed in order on top of the core;
* :func:`parse_recipe` - a recipe and its .bbappends, finalised, one datastore per variant.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from pyrecipe.parse.datastore import DataSmart
from pyrecipe.parse.errors import ExpansionError, ParseError
from pyrecipe.parse.evaluate import FileParser, parse_variants
from pyrecipe.parse.pyapi import evaluate_inline
from pyrecipe.parse.store import CacheStore
from pyrecipe.parse.walls import Walls

# The one place the recipe language is put together: datastores evaluate ``${@...}`` with the
# Python API that recipes see (the datastore module itself knows no recipe helpers).
DataSmart.python_evaluator = staticmethod(evaluate_inline)

CORE_CONF = Path(__file__).with_name("core.conf")

__all__ = ["DataSmart", "ExpansionError", "FileParser", "ParseError", "core_datastore", "load_config", "parse_recipe"]


def core_datastore(store: CacheStore | None = None) -> DataSmart:
    d = DataSmart()
    FileParser(store=store).handle(CORE_CONF, d)
    d.delVar("FILE")
    return d


def load_config(
    files: Iterable[Path], bbpath: Sequence[Path] = (), inherit: Iterable[str] = (), base: DataSmart | None = None,
    store: CacheStore | None = None, trusted_dirs: Sequence[str] | None = None,
) -> DataSmart:
    """Parse configuration files in order (then inherit ``inherit`` classes, as bitbake inherits
    ``base`` and ``INHERIT`` into the configuration); their statements from ``store`` if given.

    With ``trusted_dirs``, the datastore gets walls (:mod:`pyrecipe.parse.walls`): the variables
    that place build areas may then be set only by ``files`` and by the classes under those
    directories."""
    d = (base or core_datastore(store)).createCopy()
    d.setVar("__bbclasstype", "global")
    parser = FileParser(bbpath=list(bbpath), store=store)
    for path in files:
        parser.handle(Path(path), d)
    d.delVar("FILE")
    d.setVar("__bbclasstype", "recipe")
    if trusted_dirs is not None:
        # From here on only the files just read and the classes under trusted_dirs may set the
        # variables that place build areas: the classes inherited next, then every recipe.
        d.walls = Walls.of([str(CORE_CONF), *parser.files_read], trusted_dirs)
    for name in [*inherit, *(d.getVar("INHERIT") or "").split()]:
        from pyrecipe.parse.statements import Statement

        parser.inherit(name, Statement("configuration INHERIT", 0, f"inherit {name}"), d)
    d.setVar("__config_files", sorted(parser.files_read.items()))
    return d


def parse_recipe(
    path: Path, config: DataSmart | None = None, appends: Sequence[Path] = (), bbpath: Sequence[Path] = ()
) -> dict[str, DataSmart]:
    """Parse ``path`` with its appends on top of ``config`` (the core variables by default)."""
    parser = FileParser(bbpath=list(bbpath))
    return parse_variants(parser, Path(path), config if config is not None else core_datastore(), list(appends))
