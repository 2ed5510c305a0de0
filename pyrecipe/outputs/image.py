"""Assembling the machine's image from the recipes' packaged trees.

The image is the union of the packages it installs: for each recipe, the paths of its packaged
tree (``${PKGD}``) that those of its packages ship (do_package's lists), with the directories
above them. A path installed by two recipes must be the same file in both (same content, mode, or link target);
anything else is a conflict that would make the result depend on build order, so it stops the
build naming both recipes. The image is the board's, not the builder's: directories are 0755,
files 0644 or 0755 and owned by root whatever the builder's umask (:func:`board_mode`). Files are
hard-linked from the staging trees when they already are so (no copy of a large package), else
copied; symlinks are kept. A manifest beside the image records which
recipe provided each file and its sha256; the optional tarball is reproducible (sorted
members, fixed mtime, owner root) so two builds of the same sources give the same bytes.
"""

from __future__ import annotations

import gzip
import os
import shutil
import stat
import tarfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyrecipe.errors import BuildError
from pyrecipe.fsutil import atomic_write_text, building_dir, file_sha256, writing_file

#: Modification time of every tarball member: a constant, so the bytes do not depend on when we built.
TAR_MTIME = 0
MANIFEST_HEADER = "# path\ttype\tmode\tsha256 or link target\trecipes\n"


@dataclass
class ImageEntry:
    """One file or symlink of the image and the recipes that install it."""

    path: str
    kind: str
    mode: int
    content: str
    recipes: list[str] = field(default_factory=list)

    def manifest_line(self) -> str:
        return f"{self.path}\t{self.kind}\t{self.mode:04o}\t{self.content}\t{','.join(self.recipes)}\n"


def manifest_path(image_dir: Path) -> Path:
    """Where :func:`assemble_image` writes the manifest: ``<image_dir>-manifest.tsv`` beside it."""
    return image_dir.parent / f"{image_dir.name}-manifest.tsv"


def assemble_image(stagings: Sequence[tuple[str, Path, Iterable[str]]], image_dir: Path, *,
                   tar_path: Path | None = None) -> Path:
    """Make ``image_dir`` the union of the ``(recipe, staging_dir, paths)`` selections (paths
    relative to the staging tree); return ``image_dir``.

    The previous image is replaced as a whole. Also writes :func:`manifest_path` and, with
    ``tar_path``, a reproducible gzip'd tarball of the image.
    """
    entries: dict[str, ImageEntry] = {}
    with building_dir(image_dir) as tmp:
        for recipe, staging, paths in stagings:
            if not staging.is_dir():
                raise BuildError(f"staging tree {staging} of recipe {recipe} does not exist: run its install task first")
            for relative in _with_parents(paths):
                source = staging / relative
                if not os.path.lexists(source):
                    raise BuildError(f"{source} of recipe {recipe} is in a package list but not in its tree: "
                                     "run its do_package again")
                _merge(recipe, source, relative, tmp, entries)
    atomic_write_text(
        manifest_path(image_dir), MANIFEST_HEADER + "".join(e.manifest_line() for p, e in sorted(entries.items()) if e.kind != "dir")
    )
    if tar_path is not None:
        write_reproducible_tar(image_dir, tar_path)
    return image_dir


def _by_components(relative: str) -> list[str]:
    """The sort key that puts each directory right before its content, the same on every machine."""
    return relative.split("/")


def _with_parents(paths: Iterable[str]) -> list[str]:
    """``paths`` and every directory above them, sorted by :func:`_by_components`."""
    wanted = set(paths)
    wanted |= {parent.as_posix() for path in list(wanted) for parent in Path(path).parents if parent != Path(".")}
    return sorted(wanted, key=_by_components)


def _walk(root: Path) -> list[tuple[Path, str]]:
    """Every entry under ``root``, links not followed, sorted by :func:`_by_components`."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        base = Path(dirpath)
        found += [(base / name, (base / name).relative_to(root).as_posix()) for name in dirnames + filenames]
    return sorted(found, key=lambda item: _by_components(item[1]))


def board_mode(mode: int) -> int:
    """The mode an entry has on the board, whatever the builder's umask made of it.

    Directories 0755; files 0755 when their owner may execute them, else 0644; setuid and setgid
    bits are kept (QA lets them through only when INSANE_SKIP names its check). A build with
    umask 077 made ``/usr`` drwx------, an unreadable /usr on the board.
    """
    if stat.S_ISDIR(mode):
        return 0o755
    special = stat.S_IMODE(mode) & (stat.S_ISUID | stat.S_ISGID)
    return special | (0o755 if mode & stat.S_IXUSR else 0o644)


def _describe(path: Path) -> tuple[str, int, str]:
    """(kind, mode on the board, content) of a staging entry: content is the sha256 or the link target."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        return "symlink", 0o777, os.readlink(path)
    if stat.S_ISREG(st.st_mode):
        return "file", board_mode(st.st_mode), file_sha256(path)
    if stat.S_ISDIR(st.st_mode):
        return "dir", board_mode(st.st_mode), ""
    raise BuildError(f"{path}: special files (devices, FIFOs, sockets) cannot go into the image")


def _linkable(source: Path, mode: int) -> bool:
    """Whether the image may share the staging file's inode: only if it already is as the board
    wants it (mode, and owner root when we could make it so); else the image gets a copy, and
    the staging tree is left as the recipe installed it."""
    st = os.lstat(source)
    owned_right = os.geteuid() != 0 or (st.st_uid, st.st_gid) == (0, 0)
    return stat.S_IMODE(st.st_mode) == mode and owned_right


def _hard_link(source: Path, dest: Path) -> bool:
    """Link ``dest`` to ``source`` (no copy of a large package); False across file systems."""
    try:
        os.link(source, dest)
    except OSError:
        return False
    return True


def _merge(recipe: str, source: Path, relative: str, root: Path, entries: dict[str, ImageEntry]) -> None:
    kind, mode, content = _describe(source)
    existing = entries.get(relative)
    if existing is not None:
        if existing.kind != kind:
            raise _conflict(relative, existing.recipes[0], recipe, f"a {existing.kind} in one, a {kind} in the other")
        if kind != "dir" and (existing.mode, existing.content) != (mode, content):
            raise _conflict(relative, existing.recipes[0], recipe, "different content, mode or link target")
        existing.recipes.append(recipe)
        return
    entries[relative] = ImageEntry(relative, kind, mode, content, [recipe])
    dest = root / relative
    if kind == "symlink":
        os.symlink(content, dest)
        return
    if kind == "dir":
        dest.mkdir()
    elif _linkable(source, mode) and _hard_link(source, dest):
        return
    else:
        shutil.copy2(source, dest)
    os.chmod(dest, mode)
    if os.geteuid() == 0:
        os.chown(dest, 0, 0)


def _conflict(path: str, first: str, second: str, how: str) -> BuildError:
    return BuildError(f"image conflict: {path} is installed by both {first} and {second} with {how}; "
                      "drop it from one of the recipes")


def write_reproducible_tar(root: Path, tar_path: Path) -> Path:
    """A gzip'd tar of ``root`` whose bytes depend only on the tree's names, content and modes."""
    with writing_file(tar_path) as tmp, open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=TAR_MTIME) as gz:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
                for path, relative in _walk(root):
                    info = tar.gettarinfo(str(path), arcname=relative)
                    info.mtime, info.uid, info.gid, info.uname, info.gname = TAR_MTIME, 0, 0, "root", "root"
                    if info.isreg():
                        with open(path, "rb") as stream:
                            tar.addfile(info, stream)
                    else:
                        tar.addfile(info)
    return tar_path
