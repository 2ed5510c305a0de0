"""The sysroot's ``*-config`` scripts on a target task's PATH, as OpenEmbedded's ``binconfig`` class puts them.

Some builds ask a library's own script for its flags instead of pkg-config: pycurl's setup.py runs
``curl-config --libs``, ``--features`` and ``--version``. OpenEmbedded's ``binconfig`` class
stages each ``*-config`` script of a library (``BINCONFIG_GLOB``) into ``STAGING_BINDIR_CROSS``
(``crossscripts``), on the PATH of the recipes that depend on it, with the paths it prints
made the sysroot's (``get_binconfig_mangle``). A Debian sysroot has the scripts the -dev packages
ship in ``/usr/bin`` (libcurl4-openssl-dev's curl-config); pyrecipe copies the shell ones into
the machine's ``crossscripts`` with the same rewriting, after each provisioning. Programs of the
board (ELF files) and scripts for another interpreter are left: they cannot run on the build
machine or would report the build machine's Python.
"""

from __future__ import annotations

import re
from pathlib import Path

from pyrecipe.fsutil import atomic_write_text

#: OpenEmbedded's default BINCONFIG_GLOB.
BINCONFIG_GLOB = "*-config"
#: A shell script's first line.
_SHELL_RE = re.compile(rb"#!\s*/(usr/)?bin/(env\s+)?(ba|da)?sh\b")
#: ``prefix='/usr'``, ``libdir="/usr/lib/..."``, ``includedir=/usr/include``: an assignment of a
#: path of the board (OE's ``=${prefix}/``, ``=${libdir}`` ...), quoted or not.
_ASSIGNED_RE = re.compile(r"""=(['"]?)(/usr|/lib)(?=[/'"\s]|$)""", re.MULTILINE)
#: ``-I/usr/include``, ``-L/usr/lib/...``: a flag naming a path of the board.
_FLAG_RE = re.compile(r"""-([IL])(/usr|/lib)(?=[/'"\s]|$)""", re.MULTILINE)


def mangle(text: str, sysroot: Path) -> str:
    """``text`` of a ``*-config`` script with the board's paths it assigns or prints as ``-I``/``-L``
    flags made ``sysroot``'s, as OpenEmbedded's ``get_binconfig_mangle`` does."""
    text = _ASSIGNED_RE.sub(lambda m: f"={m.group(1)}{sysroot}{m.group(2)}", text)
    return _FLAG_RE.sub(lambda m: f"-{m.group(1)}{sysroot}{m.group(2)}", text)


def _is_shell_script(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return bool(_SHELL_RE.match(handle.readline(200)))
    except OSError:
        return False


def write_cross_scripts(sysroot: Path, out_dir: Path, target_sys: str) -> list[Path]:
    """The shell ``*-config`` scripts of ``sysroot``'s ``/usr/bin`` and ``/bin``, mangled into
    ``out_dir`` (each written only when it changed); a script written before whose original has
    gone is removed. Returns the scripts, sorted.

    Scripts named after the board's GNU triplet ``target_sys`` (Debian's
    ``aarch64-linux-gnu-python3.13-config``) are left out: a triplet's tool is for a build on the
    board, and that one finds its prefix from its own path, which a copy does not keep (OE does
    not stage it either: ``python3targetconfig`` makes the build's python3-config)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for bindir in ("usr/bin", "bin"):
        directory = sysroot / bindir
        if not directory.is_dir() or (bindir == "bin" and directory.resolve() == (sysroot / "usr/bin").resolve()):
            continue
        for script in sorted(directory.glob(BINCONFIG_GLOB)):
            if script.name in written or script.name.startswith(f"{target_sys}-") or not script.is_file() \
                    or not _is_shell_script(script):
                continue
            target = out_dir / script.name
            atomic_write_text(target, mangle(script.read_text(errors="replace"), sysroot), mode=0o755)
            written[script.name] = target
    for stale in out_dir.glob(BINCONFIG_GLOB):
        if stale.name not in written:
            stale.unlink()
    return sorted(written.values())
