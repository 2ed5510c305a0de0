"""Runtime speed on the board: pyrecipe's builds against the wheels PyPI publishes.

Run: ``python -m bench board-speed [--packages msgpack,numpy ...]``. For each package, the
version of pyrecipe's recipe is built for the machine (``pyrecipe build``, a no-op when it is
built), the manylinux wheel of the same version for the machine's architecture and the target's
CPython is downloaded from PyPI (``pip download --only-binary=:all: --platform ...``) and unpacked
beside the build, and the same micro-benchmark runs under the same qemu-user with the target's
own CPython on both, interleaved (ours, PyPI, PyPI, ours ...), best of several rounds. The figure
is the ratio of the best times, ours over PyPI's: below 1.0 ours is faster. The installed size of
the package's stripped files (its ${PKGD}) is set beside the wheel's unpacked size.

A benchmark, not a test: qemu-user's timing is noisy, so only ratios of interleaved runs mean
anything, and the figures vary from run to run by a few percent.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bench import Result
from bench.common import pyrecipe, resolve_recipe

#: What each package's micro-benchmark does: setup code, then ``work()``, timed.
WORKLOADS: dict[str, str] = {
    "msgpack": """
import msgpack
doc = [{"id": i, "name": "user%d" % i, "score": i * 0.5, "tags": ["a", "b", "c"], "on": i % 2 == 0}
       for i in range(2000)]
def work():
    for _ in range(5):
        msgpack.unpackb(msgpack.packb(doc))
""",
    "markupsafe": """
import markupsafe
text = '<a href="x">Tom & Jerry\\'s "show"</a> and a longer run of plain text with nothing to escape ' * 3000
def work():
    for _ in range(10):
        markupsafe.escape(text)
""",
    "pyyaml": """
import yaml
doc = {"items": [{"id": i, "name": "n%d" % i, "values": [1.5, 2.5, "x"], "ok": True} for i in range(300)]}
text = yaml.dump(doc, Dumper=yaml.CSafeDumper)
def work():
    yaml.load(text, Loader=yaml.CSafeLoader)
    yaml.dump(doc, Dumper=yaml.CSafeDumper)
""",
    "kiwisolver": """
import kiwisolver
def work():
    solver = kiwisolver.Solver()
    xs = [kiwisolver.Variable("x%d" % i) for i in range(300)]
    for a, b in zip(xs, xs[1:]):
        solver.addConstraint(b >= a + 1)
        solver.addConstraint((b == a + 3) | "weak")
    solver.addConstraint(xs[0] == 0)
    solver.updateVariables()
""",
    "orjson": """
import orjson
doc = [{"id": i, "name": "user%d" % i, "score": i * 0.5, "tags": ["a", "b"], "nested": {"k": [1, 2, 3]}}
       for i in range(3000)]
def work():
    for _ in range(5):
        orjson.loads(orjson.dumps(doc))
""",
    "numpy": """
import numpy as np
rng = np.random.default_rng(0)
a = rng.random(200_000)
m = rng.random((150, 150))
def work():
    np.sort(a)
    np.exp(a).sum()
    (a * 3.0 + 1.0).mean()
    np.cumsum(a)
    np.linalg.solve(m, a[:150])
    m @ m
""",
}
#: The distribution's import name where it differs from the recipe's.
MODULES = {"pyyaml": "yaml"}

HARNESS = """
import time
{setup}
work()
best = float("inf")
for _ in range({repeat}):
    started = time.perf_counter()
    work()
    best = min(best, time.perf_counter() - started)
import {module} as m
print(best, m.__file__)
"""


@dataclass
class Side:
    """One of the two builds of a package: where it is installed, its best time so far."""

    name: str
    site: Path
    best: float = float("inf")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--packages", default=",".join(WORKLOADS),
                        help=f"for 'board-speed': comma-separated, of {', '.join(WORKLOADS)}")
    parser.add_argument("--rounds", type=int, default=5, help="for 'board-speed': interleaved rounds, best of")


def target_glibc(sysroot: Path, triplet: str) -> tuple[int, int]:
    """The glibc version of the target sysroot (from libc.so.6's banner), for manylinux tags."""
    for libdir in (sysroot / "lib" / triplet, sysroot / "usr" / "lib" / triplet):
        libc = libdir / "libc.so.6"
        if libc.is_file():
            match = re.search(rb"release version (\d+)\.(\d+)", libc.read_bytes())
            if match:
                return int(match.group(1)), int(match.group(2))
    raise SystemExit(f"no libc.so.6 with a version banner in {sysroot}")


def download_wheel(package: str, version: str, python: str, platforms: list[str], dest: Path) -> Path:
    """The PyPI wheel of ``package==version`` for the target, unpacked into ``dest/site``."""
    site = dest / "site"
    if site.is_dir():
        return site
    dest.mkdir(parents=True, exist_ok=True)
    abi = "cp" + python.replace(".", "")
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "--python-version", python, "--implementation", "cp", "--abi", abi, "--abi", "abi3",
               "-d", str(dest), f"{package}=={version}"]
    for platform in platforms:
        command += ["--platform", platform]
    subprocess.run(command, check=True, stderr=subprocess.DEVNULL)
    [wheel] = dest.glob("*.whl")
    tmp = dest / "site.tmp"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp)
    tmp.rename(site)
    return site


def tree_size(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def run(options: argparse.Namespace) -> list[Result]:
    from pyrecipe.toolchain.machine import load_machine
    from pyrecipe.toolchain.provision import provision

    packages = [name for name in options.packages.split(",") if name]
    unknown = sorted(set(packages) - WORKLOADS.keys())
    if unknown:
        raise SystemExit(f"board-speed: no workload for {', '.join(unknown)}; known: {', '.join(WORKLOADS)}")
    pyrecipe("build", *packages, build_dir=options.build_dir, machine=options.machine)
    machine = load_machine(options.machine)
    toolchain = provision(machine, options.build_dir)
    python = toolchain.python.version_short
    major, minor = target_glibc(toolchain.sysroot, machine.target_sys)
    arch = machine.uname_machine
    platforms = [f"manylinux_{major}_{m}_{arch}" for m in range(17, minor + 1)] + [f"manylinux2014_{arch}"]
    image_site = machine.build_dir(options.build_dir) / "image" / "usr" / "lib" / f"python{python}" / "site-packages"
    results = []
    for package in packages:
        recipe = resolve_recipe(package, options.build_dir, options.machine).d
        version = recipe.getVar("PV")
        pypi_dir = options.build_dir / "bench" / "pypi-wheels" / f"{package}-{version}-cp{python}-{arch}"
        sides = [Side("pyrecipe", image_site), Side("PyPI", download_wheel(package, version, python, platforms, pypi_dir))]
        module = MODULES.get(package, package)
        code = HARNESS.format(setup=WORKLOADS[package], repeat=3, module=module)
        for round_number in range(options.rounds):
            for side in sides if round_number % 2 == 0 else reversed(sides):
                command = toolchain.qemu_command(["python3", "-c", code], extra_pythonpath=[side.site])
                out = subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()
                if not out[1].startswith(str(side.site)):
                    raise SystemExit(f"board-speed: {module} imported from {out[1]}, not from {side.site}")
                side.best = min(side.best, float(out[0]))
        ours, theirs = sides
        ours_size = tree_size(Path(recipe.getVar("PKGD")))
        results.append(Result(
            f"board-speed: {package} {version}", f"{ours.best / theirs.best:.2f}x",
            f"ours {ours.best * 1000:.1f} ms, PyPI wheel {theirs.best * 1000:.1f} ms (best of {options.rounds}, "
            f"interleaved, qemu-{arch} -cpu {machine.qemu_cpu}); installed {ours_size / 1e6:.2f} MB "
            f"vs wheel {tree_size(theirs.site) / 1e6:.2f} MB",
        ))
    return results
