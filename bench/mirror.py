"""A fresh build directory built from a warm shared-state mirror served over HTTP.

The build directory given (``--build-dir``) builds the targets first (untimed; a no-op when it
has already), and its ``sstate-cache`` is served read-only by an HTTP server on 127.0.0.1. A new
build directory at a longer path, whose ``conf/local.conf`` has only ``SSTATE_MIRRORS`` pointing
at that server, then builds the same targets, timed as a user runs it (three times, each a new directory) (a new process: parsing,
provisioning from the user's provisioning cache, downloads of the archives, the tasks after
do_package). Its image is compared with the first one's, file by file (sha256).
"""

from __future__ import annotations

import argparse
import hashlib
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import Result
from pyrecipe.config.configuration import DEFAULT_DISTRO
from tests.http_support import serve_directory

#: Fresh build directories timed, one after the other.
RUNS = 3


def image_digests(build_dir: Path, machine: str) -> dict[str, str]:
    image = build_dir / DEFAULT_DISTRO / machine / "image"
    return {path.relative_to(image).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(image.rglob("*")) if path.is_file() and not path.is_symlink()}


def run(options: argparse.Namespace) -> list[Result]:
    targets = shlex.split(options.mirror_targets)
    command = [sys.executable, "-m", "pyrecipe", "build", *targets, "--machine", options.machine]
    subprocess.run([*command, "--build-dir", str(options.build_dir)], check=True, stdout=subprocess.DEVNULL)
    times, restored, compiled, differing = [], set(), set(), set()
    ours = image_digests(options.build_dir, options.machine)
    with serve_directory(options.build_dir / "sstate-cache") as url:
        for run_number in range(RUNS):
            with tempfile.TemporaryDirectory(prefix="bench-mirror-") as scratch:
                fresh = Path(scratch) / "a-fresh-build-directory-at-a-longer-path" / f"build{run_number}"
                (fresh / "conf").mkdir(parents=True)
                (fresh / "conf" / "local.conf").write_text(f'SSTATE_MIRRORS = "{url}"\n')
                started = time.monotonic()
                result = subprocess.run([*command, "--build-dir", str(fresh)], check=False, capture_output=True, text=True)
                times.append(time.monotonic() - started)
                if result.returncode != 0:
                    raise SystemExit(f"mirror: the fresh build failed (exit {result.returncode}):\n"
                                     + "\n".join((result.stdout + result.stderr).splitlines()[-30:]))
                lines = result.stdout.splitlines()
                restored |= {line.split(":")[1].strip() for line in lines if line.startswith("NOTE:") and "restored from shared state" in line}
                compiled |= {line for line in lines if ":do_compile)" in line}
                theirs = image_digests(fresh, options.machine)
                differing |= {name for name in ours.keys() | theirs.keys() if ours.get(name) != theirs.get(name)}
    same = f"image identical ({len(ours)} files, sha256)" if not differing else f"{len(differing)} image files differ: {sorted(differing)[:5]}"
    return [Result(
        f"fresh build dir from an HTTP mirror: pyrecipe build {' '.join(targets)}", f"{statistics.median(times):.1f} s",
        f"median of {RUNS} ({', '.join(f'{t:.1f}' for t in times)} s), each a new build dir; {len(restored)} recipe(s) "
        f"restored, {len(compiled)} do_compile run; {same}; provisioning from the user's cache",
    )]
