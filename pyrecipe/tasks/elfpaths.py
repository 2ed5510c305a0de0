"""RPATHs that name the build sysroot, rewritten to what they mean on the target.

Meson (and others) put the directory of a library found through pkg-config into the RPATH of
what links it: in a cross build that is a path inside the build machine's sysroot
(``/…/build/raspberrypi4/sysroot/usr/lib/aarch64-linux-gnu/openblas-pthread``). On the board
the same directory is that path without the sysroot prefix, so the prefix is removed (with
patchelf from the native tools) and nothing that points at the build machine ships.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile

from pyrecipe.errors import BuildError

ELF_MAGIC = b"\x7fELF"


def _rpath(path: Path) -> str | None:
    with open(path, "rb") as handle:
        if handle.read(4) != ELF_MAGIC:
            return None
        handle.seek(0)
        try:
            elf = ELFFile(handle)
            for section in elf.iter_sections():
                if isinstance(section, DynamicSection):
                    for tag in section.iter_tags():
                        if tag.entry.d_tag in ("DT_RUNPATH", "DT_RPATH"):
                            return tag.runpath if tag.entry.d_tag == "DT_RUNPATH" else tag.rpath
        except ELFError:
            return None
    return None


def retarget_rpaths(tree: Path, sysroot: Path, patchelf: str = "patchelf") -> list[str]:
    """Strip the sysroot prefix from RPATH/RUNPATH entries of every ELF file under ``tree``."""
    prefix = str(sysroot).rstrip("/")
    changed = []
    for root, _, files in os.walk(tree):
        for name in files:
            path = Path(root, name)
            if path.is_symlink() or not path.is_file():
                continue
            rpath = _rpath(path)
            if not rpath or prefix not in rpath:
                continue
            entries = [e[len(prefix):] if e.startswith(prefix + "/") else e for e in rpath.split(":")]
            new = ":".join(dict.fromkeys(e for e in entries if e))
            command = [patchelf, "--set-rpath", new, str(path)] if new else [patchelf, "--remove-rpath", str(path)]
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                raise BuildError(f"patchelf failed on {path}: {result.stderr.strip()}")
            changed.append(f"{path.relative_to(tree)}: {rpath} -> {new or '(none)'}")
    return changed
