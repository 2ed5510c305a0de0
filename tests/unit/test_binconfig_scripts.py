"""OE's binconfig for a Debian sysroot: the shell ``*-config`` scripts, their paths the sysroot's."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from pyrecipe.toolchain.binconfig import mangle, write_cross_scripts

#: The parts of Debian's curl-config (libcurl4-openssl-dev) that say where things are.
CURL_CONFIG = """#!/bin/sh
prefix='/usr'
exec_prefix="${prefix}"
includedir=/usr/include/aarch64-linux-gnu
case "$1" in
  --prefix) echo "$prefix" ;;
  --cflags) echo "-I$includedir" ;;
  --libs) echo "-L/usr/lib/aarch64-linux-gnu -lcurl" ;;
  --version) echo "libcurl 8.14.1" ;;
esac
"""


def test_the_boards_paths_become_the_sysroots() -> None:
    text = mangle(CURL_CONFIG, Path("/b/sysroot"))
    assert "prefix='/b/sysroot/usr'" in text
    assert 'exec_prefix="${prefix}"' in text  # relative to the prefix already
    assert "includedir=/b/sysroot/usr/include/aarch64-linux-gnu" in text
    assert 'echo "-L/b/sysroot/usr/lib/aarch64-linux-gnu -lcurl"' in text
    assert mangle("libs=/usrlocal -L/library\n", Path("/s")) == "libs=/usrlocal -L/library\n"  # not a path of the board


def test_shell_scripts_are_staged_and_stale_ones_removed(tmp_path: Path) -> None:
    sysroot, out = tmp_path / "sysroot", tmp_path / "crossscripts"
    bindir = sysroot / "usr" / "bin"
    bindir.mkdir(parents=True)
    os.symlink("usr/bin", sysroot / "bin")  # merged /usr: read once
    (bindir / "curl-config").write_text(CURL_CONFIG)
    (bindir / "aarch64-linux-gnu-python3.13-config").write_text("#!/bin/sh\nprefix=$(dirname $0)\n")  # the board's own
    (bindir / "pkg-config").write_bytes(b"\x7fELF\x02\x01\x01")  # a program of the board
    (bindir / "icu-config").write_text("#!/usr/bin/python3\n")  # another interpreter's
    out.mkdir()
    (out / "gone-config").write_text("#!/bin/sh\n")  # staged before from a package the sysroot lost
    assert write_cross_scripts(sysroot, out, "aarch64-linux-gnu") == [out / "curl-config"]
    assert sorted(p.name for p in out.iterdir()) == ["curl-config"]
    printed = subprocess.run([out / "curl-config", "--prefix"], capture_output=True, text=True, check=True).stdout
    assert printed == f"{sysroot}/usr\n"
