"""Signatures that do not depend on where things are: build directories, checkouts and layers.

A task's signature says whether its output can be reused: by a later build in the same build
directory, and (shared state) by a build on another machine or in another build directory. Values
such as ``WORKDIR`` or the meson cross file's ``--sysroot=...`` hold the build directory's path,
pyrecipe's checkout and the layers' places, which differ between machines without changing what
a task makes (the compiler maps them away: DEBUG_PREFIX_MAP). Before hashing, each such directory
is written as a name (``${TOPDIR}``, ``<layer meta-python>``), as bitbake keeps TOPDIR and the
layer paths out of its task hashes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.parse import DataSmart


@dataclass(frozen=True)
class PathNames:
    """Directories and the names a signature uses for them, the longest directory first (a layer
    or the build directory may lie inside the checkout)."""

    pairs: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, places: Iterable[tuple[str | None, str]]) -> PathNames:
        usable = {str(path).rstrip("/"): name for path, name in places if path and str(path).rstrip("/")}
        return cls(tuple(sorted(usable.items(), key=lambda pair: -len(pair[0]))))

    def __call__(self, text: str) -> str:
        """``text`` with every directory written as its name: a whole path or a prefix of one,
        not the start of a longer name (``/tmp/b`` in ``/tmp/b-other``)."""
        for path, name in self.pairs:
            if path in text:
                text = re.sub(re.escape(path) + r"(?![\w.+-])", name.replace("\\", "\\\\"), text)
        return text


#: No directory to name: paths count as they are.
NO_NAMES = PathNames(())


def path_names(d: DataSmart) -> PathNames:
    """The machine-specific directories of a recipe's (or the configuration's) datastore."""
    places: list[tuple[str | None, str]] = [
        (d.getVar("TOPDIR"), "${TOPDIR}"),
        (d.getVar("PYRECIPE_TOPDIR"), "${PYRECIPE_TOPDIR}"),
        (d.getVar("PYRECIPE_CODEDIR"), "${PYRECIPE_CODEDIR}"),
        # The interpreter running pyrecipe (the frontend's on a distro without a build root): a venv's
        # bin/python or bin/python3 as `python -m pyrecipe` or the console script started it.
        (d.getVar("PYRECIPE_HOST_PYTHON"), "${PYRECIPE_HOST_PYTHON}"),
    ]
    # A layer by its directory's name (meta-python wherever it is checked out), not by its
    # collection: layer.conf's bookkeeping (collections, priorities) chooses recipes, it is no
    # input of a task.
    places += [(layer, f"<layer {Path(layer.rstrip('/')).name}>") for layer in (d.getVar("BBLAYERS") or "").split()]
    return PathNames.of(places)
