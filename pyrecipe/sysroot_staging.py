"""Staging a recipe's installed files into a shared sysroot (do_populate_sysroot).

Later recipes compile against the sysroot (headers, .pc files, libraries and Python packages
such as numpy for scipy), so a target recipe's ${D} is copied there; a native recipe's goes
to the native sysroot, whose site-packages later builds import from. Each recipe keeps a
manifest of what it staged: a rebuild first removes its previous files, so a file dropped
from a recipe does not linger in the sysroot.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from pyrecipe.parse import DataSmart
from pyrecipe.variant import is_native

MANIFEST_DIR = ".pyrecipe-staged"


def _manifest(sysroot: Path, pn: str) -> Path:
    return sysroot / MANIFEST_DIR / f"{pn}.files"


def unstage(sysroot: Path, pn: str) -> None:
    """Remove the files ``pn`` staged last time (directories left empty go too)."""
    manifest = _manifest(sysroot, pn)
    if not manifest.exists():
        return
    directories: set[Path] = set()
    for line in manifest.read_text().splitlines():
        path = sysroot / line
        if path.is_symlink() or path.is_file():
            path.unlink()
        directories.update(path.parents)
    for directory in sorted(directories, key=lambda p: len(p.parts), reverse=True):
        if directory != sysroot and sysroot in directory.parents and directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
    manifest.unlink()


def stage(image: Path, sysroot: Path, pn: str) -> list[str]:
    """Copy the tree ``image`` into ``sysroot``, recording the files in ``pn``'s manifest."""
    unstage(sysroot, pn)
    staged: list[str] = []
    for root, dirs, files in os.walk(image):
        relative_root = Path(root).relative_to(image)
        (sysroot / relative_root).mkdir(parents=True, exist_ok=True)
        for name in sorted(files) + sorted(d for d in dirs if (Path(root) / d).is_symlink()):
            source = Path(root) / name
            relative = relative_root / name
            target = sysroot / relative
            if target.is_symlink() or target.is_file():
                target.unlink()
            if source.is_symlink():
                os.symlink(os.readlink(source), target)
            else:
                shutil.copy2(source, target)
            staged.append(str(relative))
    manifest = _manifest(sysroot, pn)
    manifest.parent.mkdir(parents=True, exist_ok=True)
    tmp = manifest.with_suffix(".tmp")
    tmp.write_text("".join(f"{line}\n" for line in staged))
    os.replace(tmp, manifest)
    return staged


def stage_into_sysroot(d: DataSmart, say: Callable[[str], None]) -> None:
    """A target recipe's ${D} goes into the target sysroot, a native recipe's into the native one."""
    native = is_native(d)
    sysroot = d.getVar("STAGING_DIR_NATIVE" if native else "RECIPE_SYSROOT")
    staged = stage(Path(d.getVar("D")), Path(sysroot), d.getVar("PN"))
    say(f"NOTE: staged {len(staged)} files into {sysroot}")
