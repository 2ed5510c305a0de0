"""The build machine's side of a cross toolchain: Debian's cross compilers and qemu-user.

These are host packages (gcc-aarch64-linux-gnu, qemu-user-static ...), so they are the only
thing pyrecipe installs into the build machine itself, and the one step of a build that needs
root: run as root, pyrecipe installs them; anyone else gets the exact ``sudo apt-get`` command
to run, or, having allowed it with ``--sudo``, sees pyrecipe run that command (sudo asks for the
password as usual). Everything else, the build root and the sysroots included, is made as the
user who builds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

from pyrecipe.engine.notes import Note, silent
from pyrecipe.errors import BuildError, InputError

APT_LISTS = Path("/var/lib/apt/lists")
#: Package lists older than this are refreshed before installing (a week: Debian stable moves slowly).
LISTS_MAX_AGE_S = 7 * 24 * 3600
#: What ``--sudo`` says: pyrecipe, not being root, may install through sudo. One setting for the
#: process, as the command line gives it, since the callers that install are many and deep.
_sudo = {"allowed": False}


def allow_sudo(allowed: bool = True) -> None:
    """Let pyrecipe run apt-get through sudo when it is not root (the ``--sudo`` option)."""
    _sudo["allowed"] = allowed


def missing_host_packages(packages: Iterable[str]) -> list[str]:
    """The packages among ``packages`` that dpkg does not have installed."""
    packages = list(dict.fromkeys(packages))
    if not packages:
        return []
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\n", *packages],
        capture_output=True, text=True, check=False,
    )
    installed = {
        line.split()[0].split(":")[0]
        for line in result.stdout.splitlines()
        if line.endswith(" installed")
    }
    return [p for p in packages if p not in installed]


def _lists_are_stale() -> bool:
    stamps = list(APT_LISTS.glob("*_Packages*"))
    return not stamps or time.time() - max(p.stat().st_mtime for p in stamps) > LISTS_MAX_AGE_S


def _apt_get(*args: str) -> None:
    """apt-get ``args``, as root or through sudo (sudo's own policy decides the environment)."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    argv = ["apt-get", *args] if os.geteuid() == 0 else ["sudo", "apt-get", *args]
    result = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise BuildError(f"{' '.join(argv[:2])} {args[0]} failed:\n{result.stderr.strip() or result.stdout[-2000:]}")


def ensure_host_packages(packages: Iterable[str], note: Note = silent) -> list[str]:
    """Install the missing ``packages`` (as root, or through sudo when allowed), or tell the user
    how to (exit 2); returns what was installed."""
    missing = missing_host_packages(packages)
    if not missing:
        return []
    command = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if os.geteuid() != 0 and not (_sudo["allowed"] and shutil.which("sudo")):
        how = (f"Install them with:\n  sudo {' '.join(command)}\nor let pyrecipe run that itself: add --sudo"
               if shutil.which("sudo") else f"Install them as root with:\n  {' '.join(command)}")
        raise InputError(f"pyrecipe needs build-machine packages that are not installed: {' '.join(missing)}\n{how}")
    note(f"NOTE: installing build-machine packages{'' if os.geteuid() == 0 else ' with sudo'}: {' '.join(missing)}")
    if _lists_are_stale():
        _apt_get("update")
    try:
        _apt_get(*command[1:])
    except BuildError:
        _apt_get("update")  # lists may name versions the archive no longer has
        _apt_get(*command[1:])
    return missing
