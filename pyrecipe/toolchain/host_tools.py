"""The build machine's side of a cross toolchain: Debian's cross compilers and qemu-user.

These are host packages (gcc-aarch64-linux-gnu, qemu-user-static ...), so they are the only
thing pyrecipe installs into the build machine itself, and only when it runs as root; anyone
else gets the exact apt-get command to run.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path

from pyrecipe.engine.notes import Note, silent
from pyrecipe.errors import BuildError, InputError

APT_LISTS = Path("/var/lib/apt/lists")
#: Package lists older than this are refreshed before installing (a week: Debian stable moves slowly).
LISTS_MAX_AGE_S = 7 * 24 * 3600


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
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    result = subprocess.run(["apt-get", *args], capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise BuildError(f"apt-get {' '.join(args)} failed:\n{result.stderr.strip() or result.stdout[-2000:]}")


def ensure_host_packages(packages: Iterable[str], note: Note = silent) -> list[str]:
    """Install the missing ``packages`` (as root), or tell the user how to; returns what was installed."""
    missing = missing_host_packages(packages)
    if not missing:
        return []
    command = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if os.geteuid() != 0:
        raise InputError(
            "the cross toolchain needs build-machine packages that are not installed: "
            f"{' '.join(missing)}\nInstall them as root with:\n  {' '.join(command)}"
        )
    note(f"NOTE: installing build-machine packages: {' '.join(missing)}")
    if _lists_are_stale():
        _apt_get("update")
    try:
        _apt_get(*command[1:])
    except BuildError:
        _apt_get("update")  # lists may name versions the archive no longer has
        _apt_get(*command[1:])
    return missing
