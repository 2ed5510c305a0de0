"""Staging a recipe's installed files into a shared sysroot (do_populate_sysroot).

Later recipes compile against the sysroot (headers, .pc files, libraries and Python packages
such as numpy for scipy), so a target recipe's ${D} is copied there; a native recipe's goes
to the native sysroot, whose site-packages later builds import from. Each recipe keeps a
manifest of what it staged: a rebuild first removes its previous files, so a file dropped
from a recipe does not linger in the sysroot. A file has one owner: a recipe may not stage over
what Debian or another recipe put there, unless that recipe is another provider of the same
package (pyrecipe's ``six`` and a layer's ``python3-six``): the build chose this one, so the other
one's files leave the sysroot first, as switching PREFERRED_PROVIDER does in OpenEmbedded.
"""

from __future__ import annotations

import glob
import os
import shutil
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from pyrecipe.config.layers import normalise
from pyrecipe.engine.context import current_task
from pyrecipe.engine.leftovers import remove_leftovers
from pyrecipe.errors import BuildError
from pyrecipe.fsutil import atomic_write_text, entry_inside, real_directory
from pyrecipe.graph.variant import is_native
from pyrecipe.parse import DataSmart

MANIFEST_DIR = ".pyrecipe-staged"


def _manifest(sysroot: Path, pn: str) -> Path:
    return sysroot / MANIFEST_DIR / f"{pn}.files"


def unstage(sysroot: Path, pn: str) -> None:
    """Remove the files ``pn`` staged last time (directories left empty go too), and what a
    staging killed midway left beside them (``.NAME.tmp-PID``: the manifest is written before
    any file, so it names every file a partial copy was for).

    Every line must name a place inside ``sysroot`` (:func:`entry_inside`), checked before
    anything is removed: pyrecipe removes these files with its own rights, so a manifest line
    ``../../etc/passwd`` or ``usr/lib/link-to-etc/passwd`` must remove nothing.
    """
    manifest = _manifest(sysroot, pn)
    if not manifest.exists():
        return
    lines = _staged_by(sysroot, pn)
    paths = [entry_inside(sysroot, line) for line in lines]
    outside = [line for line, path in zip(lines, paths, strict=True) if path is None]
    if outside:
        raise BuildError(f"recipe {pn}: its staging manifest {manifest} names paths outside the sysroot {sysroot}: "
                         f"{', '.join(repr(line) for line in outside[:5])}; nothing was removed (delete the manifest "
                         "and the files it names by hand)")
    directories: set[Path] = set()
    for path in filter(None, paths):
        for stale in [path, *path.parent.glob(f".{glob.escape(path.name)}.tmp-*")]:
            if stale.is_symlink() or stale.is_file():
                stale.unlink()
        directories.update(path.parents)
    for directory in sorted(directories, key=lambda p: len(p.parts), reverse=True):
        if directory != sysroot and sysroot in directory.parents and directory.is_dir() and not any(directory.iterdir()):
            directory.rmdir()
    manifest.unlink()


def _entries(image: Path) -> list[tuple[Path, str]]:
    """(source, path relative to ``image``) of every file and symlink (to a directory too) in ``image``."""
    found = []
    for root, dirs, files in os.walk(image):
        for name in sorted(files) + sorted(d for d in dirs if (Path(root) / d).is_symlink()):
            source = Path(root) / name
            found.append((source, source.relative_to(image).as_posix()))
    return found


def _owners(sysroot: Path) -> dict[str, str]:
    """The recipe that staged each file of the sysroot (a file no manifest names is Debian's),
    read once from every manifest rather than once per file asked about."""
    return {relative: manifest.stem for manifest in sorted((sysroot / MANIFEST_DIR).glob("*.files"))
            for relative in manifest.read_text().splitlines()}


def _package(name: str) -> str:
    """The package a recipe name stands for: ``python3-six``, ``six`` and ``Six`` are one."""
    return normalise(name).removeprefix("python3-")


def _distributions(paths: Iterable[str]) -> set[str]:
    """The Python distributions among staged paths, by their ``NAME-VERSION.dist-info`` directory:
    pyrecipe's ``python-dateutil`` and a layer's ``python3-dateutil`` both stage
    ``python_dateutil-2.9.0.post0.dist-info``, so they are one package whatever the recipes' names."""
    return {normalise(part.split("-")[0]) for path in paths for part in path.split("/") if part.endswith(".dist-info")}


def _staged_by(sysroot: Path, pn: str) -> list[str]:
    manifest = _manifest(sysroot, pn)
    return manifest.read_text().splitlines() if manifest.exists() else []


def _taken(entries: list[tuple[Path, str]], sysroot: Path) -> list[str]:
    return [relative for _, relative in entries if (sysroot / relative).exists() or (sysroot / relative).is_symlink()]


#: One staging at a time: two recipes' do_populate_sysroot run in threads of one build, and one
#: reads every manifest (who owns what) while the other removes or writes its own (a race seen
#: when meta-python's sphinxcontrib-* recipes, which share a namespace, staged side by side).
_STAGING = threading.Lock()


def stage(
    image: Path, sysroot: Path, pn: str, provides: Iterable[str] = (), say: Callable[[str], None] = lambda _: None,
) -> list[str]:
    """Copy the tree ``image`` into ``sysroot``, recording the files in ``pn``'s manifest.

    A file the sysroot already has (from Debian, or from another recipe) is refused, as
    OpenEmbedded refuses a file "installed by both": overwritten, it was lost for good once the
    recipe stopped installing it (its manifest said it was the recipe's to remove). The exception
    is another provider of a package this recipe provides (``pn`` and ``provides``): its files are
    unstaged first. The manifest is written before any file, and each file is copied under a
    temporary name and renamed, so a staging cut short (a full disk) leaves no half-written file
    that no manifest names.
    """
    with _STAGING:
        return _stage(image, sysroot, pn, provides, say)


def _stage(image: Path, sysroot: Path, pn: str, provides: Iterable[str], say: Callable[[str], None]) -> list[str]:
    unstage(sysroot, pn)
    entries = _entries(image)
    targets = _targets(entries, sysroot, pn)
    packages = {_package(name) for name in (pn, *provides)}
    distributions = _distributions(relative for _, relative in entries)
    owners = _owners(sysroot)
    for other in sorted({owners[relative] for relative in _taken(entries, sysroot) if relative in owners}):
        package, shared = _package(other), distributions & _distributions(_staged_by(sysroot, other))
        if package in packages or shared:
            unstage(sysroot, other)
            what = package if package in packages else ", ".join(sorted(shared))
            say(f"NOTE: recipe {pn} replaces recipe {other} in {sysroot}: both provide {what}")
    taken = _taken(entries, sysroot)
    if taken:
        owners = _owners(sysroot)

        def owner(relative: str) -> str:
            return f"recipe {owners[relative]}" if relative in owners else "the target's Debian packages"

        shown = "; ".join(f"{relative} (from {owner(relative)})" for relative in taken[:10])
        more = f" and {len(taken) - 10} more" if len(taken) > 10 else ""
        raise BuildError(f"recipe {pn} installs files the sysroot already has: {shown}{more}; "
                         "remove them from do_install (a sysroot file has one owner)")
    staged = [relative for _, relative in entries]
    manifest = _manifest(sysroot, pn)
    remove_leftovers([manifest.parent])
    atomic_write_text(manifest, "".join(f"{line}\n" for line in staged))
    for (source, _), target in zip(entries, targets, strict=True):
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        try:
            if source.is_symlink():
                os.symlink(os.readlink(source), partial)
            else:
                shutil.copy2(source, partial)
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return staged


def _targets(entries: list[tuple[Path, str]], sysroot: Path, pn: str) -> list[Path]:
    """Where each entry of ${D} goes in ``sysroot``: refused when it is among the staging manifests
    (a recipe would write the list of what pyrecipe later removes) or when a directory of the
    sysroot on its way is a link out of it (another recipe staged ``usr/share/x -> /etc``)."""
    refused = [relative for _, relative in entries if relative.split("/")[0] == MANIFEST_DIR]
    targets = [entry_inside(sysroot, relative) for _, relative in entries]
    refused += [relative for (_, relative), target in zip(entries, targets, strict=True) if target is None]
    if refused:
        raise BuildError(f"recipe {pn} installs files the sysroot cannot take: {', '.join(refused[:5])} "
                         f"({MANIFEST_DIR} is pyrecipe's, and no file goes through a link out of {sysroot}); "
                         "remove them from do_install")
    return [target for target in targets if target is not None]


def stage_into_sysroot(d: DataSmart, say: Callable[[str], None]) -> None:
    """A target recipe's ${D} goes into the target sysroot, a native recipe's into the native one."""
    native = is_native(d)
    sysroot = d.getVar("STAGING_DIR_NATIVE" if native else "RECIPE_SYSROOT")
    provides = (d.getVar("PROVIDES") or "").split()
    image = real_directory(Path(d.getVar("D")), Path(d.getVar("WORKDIR")), create=False)  # no link a task left
    staged = stage(image, Path(sysroot), d.getVar("PN"), provides, say)
    say(f"NOTE: staged {len(staged)} files into {sysroot}")


def populate_sysroot(d: DataSmart) -> None:
    """do_populate_sysroot: make the recipe's files visible to the recipes built after it.

    A target recipe's ${D} is copied into the shared target sysroot (numpy's headers and .pc
    files for scipy); the files it put there last time are removed first, from its manifest.
    """
    stage_into_sysroot(d, current_task().note)
