"""The distros side by side: a cold trixie build root, and numpy built for trixie and bookworm.

``distro-root`` provisions ``pyrecipe sysroot --distro debian-trixie`` in an empty build directory
(the mmdebstrap root, the native venv made in it, the arm64 sysroot) and reports the wall time
and the root's size. ``distro-numpy`` times ``pyrecipe build numpy -f`` (numpy's own tasks again,
the toolchain already provisioned) for each distro in the benchmark's build directory.
"""

from __future__ import annotations

import argparse
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
        build_dir = Path(scratch)
        seconds = pyrecipe("sysroot", "--distro", "debian-trixie", build_dir=build_dir, machine=options.machine)
        root_mb = _size_mb(build_dir / "debian-trixie" / BUILD_ROOT_NAME)
    return [Result("cold trixie provisioning: pyrecipe sysroot --distro debian-trixie", f"{seconds:.0f} s",
                   f"mmdebstrap build root ({root_mb:.0f} MB), native venv made in it, arm64 sysroot; empty build dir")]


def run_numpy(options: argparse.Namespace) -> list[Result]:
    results = []
    for distro in DISTROS:
        where = {"build_dir": options.build_dir, "machine": options.machine}
        pyrecipe("build", "numpy", "--distro", distro, **where)  # provisioning and dependencies, untimed
        seconds = pyrecipe("build", "numpy", "-f", "--distro", distro, **where)
        results.append(Result(f"numpy build on {distro}", f"{seconds:.0f} s", "pyrecipe build numpy -f: its tasks again, toolchain ready"))
    return results
