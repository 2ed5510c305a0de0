"""The distros side by side: a cold trixie build root, and numpy built for trixie and bookworm.

``distro-root`` provisions ``pyrecipe sysroot --distro debian-trixie`` in an empty build directory
with an empty provisioning cache (the mmdebstrap root, the native venv made in it, the arm64
sysroot) and reports the wall time and the root's size, then the same in another empty build
directory from the cache the first one filled. ``distro-numpy`` times ``pyrecipe build numpy -f`` (numpy's own tasks again,
the toolchain already provisioned) for each distro in the benchmark's build directory.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from pathlib import Path

from bench import Result
from bench.common import pyrecipe
from pyrecipe.toolchain.buildroot import BUILD_ROOT_NAME

DISTROS = ("debian-trixie", "debian-bookworm")


def _size_mb(path: Path) -> float:
    out = subprocess.run(["du", "-s", "--block-size=1M", str(path)], capture_output=True, text=True, check=True).stdout
    return float(out.split()[0])


def run_root(options: argparse.Namespace) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="bench-root-", dir=options.build_dir.parent) as scratch:
        # A provisioning cache of its own, empty at first: cold, then another empty build directory from it.
        env = dict(os.environ, PYRECIPE_CACHE_DIR=str(Path(scratch) / "provision-cache"))
        cold, warm = Path(scratch) / "cold", Path(scratch) / "warm"
        cold_seconds = pyrecipe("sysroot", "--distro", "debian-trixie", build_dir=cold, machine=options.machine, env=env)
        root_mb = _size_mb((cold / "debian-trixie" / BUILD_ROOT_NAME).resolve())
        warm_seconds = pyrecipe("sysroot", "--distro", "debian-trixie", build_dir=warm, machine=options.machine, env=env)
    return [Result("cold trixie provisioning: pyrecipe sysroot --distro debian-trixie", f"{cold_seconds:.0f} s",
                   f"mmdebstrap build root ({root_mb:.0f} MB), native venv made in it, arm64 sysroot; empty build dir and cache"),
            Result("the same from the provisioning cache", f"{warm_seconds:.1f} s",
                   "another empty build dir: the root linked, the sysroot and the venv copied")]


def run_numpy(options: argparse.Namespace) -> list[Result]:
    results = []
    for distro in DISTROS:
        where = {"build_dir": options.build_dir, "machine": options.machine}
        pyrecipe("build", "numpy", "--distro", distro, **where)  # provisioning and dependencies, untimed
        seconds = pyrecipe("build", "numpy", "-f", "--distro", distro, **where)
        results.append(Result(f"numpy build on {distro}", f"{seconds:.0f} s", "pyrecipe build numpy -f: its tasks again, toolchain ready"))
    return results
