"""Debian alternatives in an unpacked sysroot.

``dpkg-deb -x`` unpacks files but runs no maintainer scripts, so the links Debian's
``update-alternatives`` would make are missing: ``libopenblas.so.0``, ``libblas.so.3`` and
``liblapack.so.3`` in the multiarch library directory exist on a board but not in the sysroot,
and modules linked against them look broken to the linker and to QA. The ``--install`` lines of
each package's postinst say which links to make; the highest priority wins, as on a board.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from collections.abc import Iterable
from pathlib import Path

_CONTINUATION_RE = re.compile(r"\\\n\s*")


def alternatives_of(deb: Path) -> list[tuple[str, str, str, int]]:
    """(link, name, path, priority) of every ``update-alternatives --install`` in ``deb``'s postinst."""
    result = subprocess.run(["dpkg-deb", "-I", str(deb), "postinst"], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        return []
    found = []
    for line in _CONTINUATION_RE.sub(" ", result.stdout).splitlines():
        try:
            words = shlex.split(line, comments=True)
        except ValueError:
            continue
        if "update-alternatives" not in words or "--install" not in words:
            continue
        args = words[words.index("--install") + 1:]
        if len(args) >= 4 and args[3].lstrip("-").isdigit():
            found.append((args[0], args[1], args[2], int(args[3])))
    return found


def apply_alternatives(debs: Iterable[Path], root: Path) -> int:
    """Make the highest-priority link of each alternative inside ``root`` (relative links)."""
    best: dict[str, tuple[int, str, str]] = {}
    for deb in debs:
        for link, name, path, priority in alternatives_of(deb):
            if name not in best or priority > best[name][0]:
                best[name] = (priority, link, path)
    made = 0
    for _priority, link, path in best.values():
        link_path = root / link.lstrip("/")
        target = root / path.lstrip("/")
        if not target.exists() or link_path.exists() and not link_path.is_symlink():
            continue
        link_path.parent.mkdir(parents=True, exist_ok=True)
        if link_path.is_symlink():
            link_path.unlink()
        # Relative to where the link really lies: ``/lib/cpp`` is in usr/lib on a merged /usr.
        os.symlink(os.path.relpath(target.parent.resolve() / target.name, link_path.parent.resolve()), link_path)
        made += 1
    return made
