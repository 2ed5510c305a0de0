"""Overhead of building numpy through pyrecipe over a raw meson build of the same source.

Run: ``python bench/numpy_overhead.py [--build-dir build] [--machine raspberrypi4]``

1. ``pyrecipe build numpy -f`` (every numpy task: fetch from the cache, unpack, the meson-python
   wheel build, install, QA, do_test under qemu); the toolchain is provisioned first and not timed.
2. ``meson setup`` + ``meson compile`` on the same unpacked source, with the same cross file,
   options, environment and parallelism, in a scratch build directory.

Prints both wall times and their ratio (the target is at most 1.10).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pyrecipe.build import BuildRequest, provisioned_environment, resolve, pinned_native_tools
from pyrecipe.config import Settings
from pyrecipe.runner import BuildOptions


def timed(command: list[str], **kwargs) -> float:
    started = time.monotonic()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)
    return time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", type=Path, default=Path("build"))
    parser.add_argument("--machine", default="raspberrypi4")
    args = parser.parse_args()
    pyrecipe = [sys.executable, "-m", "pyrecipe"]
    common = ["--machine", args.machine, "--build-dir", str(args.build_dir)]
    # Provision and fetch first, so that both measurements start from the same cached state.
    subprocess.run([*pyrecipe, "build", "numpy", "-c", "unpack", *common], check=True, stdout=subprocess.DEVNULL)

    through_pyrecipe = timed([*pyrecipe, "build", "numpy", "-f", *common])

    request = BuildRequest(Settings(build_dir=args.build_dir, machine=args.machine), ("numpy",), BuildOptions())
    index, graph = resolve(request, pinned_native_tools())
    d = graph.nodes[graph.targets[0]].d
    environment = provisioned_environment(request, graph, index.config)
    env = environment.envs["target"]
    source = d.getVar("S")
    setup_args = [f"--cross-file={d.getVar('PYRECIPE_MESON_CROSS_FILE')}", *(d.getVar("EXTRA_OEMESON") or "").split()]
    jobs = str(os.cpu_count() or 1)
    # numpy builds with its vendored meson (SIMD dispatch support), as meson-python does.
    vendored = Path(source, "vendored-meson", "meson", "meson.py")
    meson = [str(environment.context.toolchain.build_python), str(vendored)] if vendored.exists() else ["meson"]
    with tempfile.TemporaryDirectory(dir=args.build_dir) as scratch:
        builddir = Path(scratch) / "build"
        started = time.monotonic()
        subprocess.run(
            [*meson, "setup", str(builddir), source, "-Dbuildtype=release", "-Db_ndebug=if-release", *setup_args],
            check=True, env=env, stdout=subprocess.DEVNULL,
        )
        subprocess.run([*meson, "compile", "-C", str(builddir), "-j", jobs], check=True, env=env, stdout=subprocess.DEVNULL)
        raw = time.monotonic() - started
    print(f"numpy through pyrecipe: {through_pyrecipe:7.1f} s")
    print(f"numpy raw meson:        {raw:7.1f} s")
    print(f"overhead ratio:         {through_pyrecipe / raw:7.3f} (target <= 1.10)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
