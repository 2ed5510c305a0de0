"""Removing what interrupted runs left behind: the temporary names of files and trees.

pyrecipe writes every finished file or tree under a temporary name beside its destination and
renames it into place: ``.NAME.new-*`` and ``.NAME.old-*`` (:mod:`pyrecipe.fsutil`: unpacked
sources, staging trees, the image), ``.NAME.part-*`` (downloads), ``.NAME.tmp-*`` (the image's
tarball, manifests and stamp). A run killed between the two leaves the temporary behind, which
nothing ever reads; the next build, holding the build lock, removes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pyrecipe.fsutil import remove_path

#: What the temporary names hold after their ``.NAME`` (see the module's docstring).
TEMPORARY_MARKERS = (".new-", ".old-", ".part-", ".tmp-")


def _is_leftover(name: str) -> bool:
    """Whether ``name`` is one of pyrecipe's temporary names."""
    return name.startswith(".") and any(marker in name for marker in TEMPORARY_MARKERS)


def remove_leftovers(directories: Iterable[Path]) -> list[Path]:
    """Remove the temporary files and trees directly in ``directories``; returns what went.

    Call only with the build lock held: a running build's temporaries look the same.
    """
    removed = []
    for directory in dict.fromkeys(directories):
        if not directory.is_dir():
            continue
        for entry in sorted(directory.iterdir()):
            if not _is_leftover(entry.name):
                continue
            remove_path(entry)
            removed.append(entry)
    return removed
