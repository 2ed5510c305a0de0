"""Checks on where files are and who owns them, and on shipped bytecode."""

from __future__ import annotations

import importlib.util
import os
import stat
import sys
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from pyrecipe.qa.inventory import StagedFile, walk_entries
from pyrecipe.qa.model import QAContext, QAProblem, is_under


def check_files(ctx: QAContext, inventory: Sequence[StagedFile]) -> Iterator[QAProblem]:
    """Nothing is installed outside the scheme's directories.

    Files are grouped under the first directory that is outside the scheme, so a recipe
    that installs a whole tree into ``usr/local`` gets one finding, not one per file.
    """
    allowed = tuple(prefix.strip("/") for prefix in ctx.allowed_prefixes)
    stray: dict[str, int] = defaultdict(int)
    for staged in inventory:
        if not is_under(staged.rel, allowed):
            stray[_first_stray_ancestor(staged.rel, allowed)] += 1
    for place, count in sorted(stray.items()):
        what = "installed" if count == 1 and _is_file(ctx, place) else f"holds {count} file{'s' if count > 1 else ''}"
        yield QAProblem("files", place, f"{what} outside the scheme's directories ({', '.join(allowed)}); "
                        "install into those, or delete it in do_install")


def check_pyc(ctx: QAContext, inventory: Sequence[StagedFile]) -> Iterator[QAProblem]:
    """Shipped bytecode is for the target's Python: any other is ignored or rejected there."""
    for staged in inventory:
        if staged.is_symlink or staged.special or not staged.name.endswith(".pyc"):
            continue
        with staged.path.open("rb") as stream:
            magic = stream.read(4)
        if magic != ctx.pyc_magic:
            yield QAProblem("pyc", staged.rel, f"bytecode magic {magic.hex() or '(empty file)'}{_whose(magic)} is "
                            f"not the target's {ctx.pyc_magic.hex()}; compile .pyc files with the target's "
                            "Python version, or do not ship them")


def check_perms(ctx: QAContext, inventory: Sequence[StagedFile]) -> Iterator[QAProblem]:
    """No setuid, setgid or world-writable file or directory, no file capabilities ("perms",
    OpenEmbedded's reserved name).

    A setuid file runs as root on the board, a file with capabilities (the ``security.capability``
    attribute ``setcap`` writes) runs with those parts of root's power (``cap_sys_admin`` is
    nearly all of it), a world-writable one lets any user change what root runs; a recipe that
    really ships one says so with ``INSANE_SKIP += "perms"``.
    """
    entries = [(staged.rel, staged.path) for staged in inventory if not staged.is_symlink]
    for dirpath, dirnames, _ in os.walk(ctx.staging_dir):
        entries += [(Path(dirpath, name).relative_to(ctx.staging_dir).as_posix(), Path(dirpath, name))
                    for name in dirnames if not Path(dirpath, name).is_symlink()]
    for rel, path in sorted(entries):
        mode = stat.S_IMODE(path.lstat().st_mode)
        what = [word for bit, word in ((stat.S_ISUID, "setuid"), (stat.S_ISGID, "setgid"), (stat.S_IWOTH, "world-writable"))
                if mode & bit]
        if what:
            yield QAProblem("perms", rel, f"is {' and '.join(what)} (mode {mode:04o}); install it with a plain mode "
                            "(0644, 0755), or waive with INSANE_SKIP if the board needs it so")
        if has_capabilities(path):
            yield QAProblem("perms", rel, f"has file capabilities ({CAPABILITY_ATTRIBUTE}, as setcap writes it): it "
                            "runs with part of root's power; do not set them in do_install, or waive with "
                            "INSANE_SKIP if the board needs it so")


#: The extended attribute holding a file's capabilities (setcap, capabilities(7)).
CAPABILITY_ATTRIBUTE = "security.capability"


def has_capabilities(path: Path) -> bool:
    """Whether ``path`` (not followed when a link) carries file capabilities."""
    try:
        os.getxattr(path, CAPABILITY_ATTRIBUTE, follow_symlinks=False)
    except OSError:  # ENODATA: none; ENOTSUP: a file system without extended attributes has none
        return False
    return True


def check_special_files(ctx: QAContext, inventory: Sequence[StagedFile]) -> Iterator[QAProblem]:
    """No FIFO, device or socket: an image cannot hold them, and QA never opens them."""
    for staged in inventory:
        if staged.special:
            yield QAProblem("special-files", staged.rel, "is a FIFO, device or socket, which cannot ship in the image; "
                            "remove it in do_install (the board creates such files at run time)")


def check_file_owners(stagings: Mapping[str, Path]) -> list[QAProblem]:
    """Files that more than one recipe installs ("files"): the image could hold only one."""
    owners: dict[str, list[str]] = defaultdict(list)
    for recipe, staging_dir in sorted(stagings.items()):
        for path in walk_entries(staging_dir):
            owners[path.relative_to(staging_dir).as_posix()].append(recipe)
    return [
        QAProblem("files", rel, f"installed by more than one recipe ({', '.join(recipes)}); "
                  "only one recipe may own a file: remove it from all but one")
        for rel, recipes in sorted(owners.items()) if len(recipes) > 1
    ]


def _whose(magic: bytes) -> str:
    if magic == importlib.util.MAGIC_NUMBER:
        return f" (the build machine's Python {sys.version_info.major}.{sys.version_info.minor})"
    return ""


def _first_stray_ancestor(rel: str, allowed: Sequence[str]) -> str:
    """The shortest leading part of ``rel`` that is neither in, nor on the way to, the scheme."""
    parts = rel.split("/")
    for length in range(1, len(parts) + 1):
        head = "/".join(parts[:length])
        if not any(is_under(prefix, [head]) for prefix in allowed):
            return head
    return rel


def _is_file(ctx: QAContext, rel: str) -> bool:
    path = ctx.staging_dir / rel
    return path.is_symlink() or not path.is_dir()
