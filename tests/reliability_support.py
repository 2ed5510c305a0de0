"""Builds of a fault-seeding layer through the real ``pyrecipe build`` command line, and what a
test needs to seed faults and read what a user sees: shared by the reliability tests
(``tests/cross/test_reliability.py``) and the hostile suite (``tests/hostile/``).

The layer ``tests/fixtures/reliability_layer`` has the machine ``runnerboard``, which says
``SYSROOT_PROVIDER = "none"``: tasks run with the build machine's own tools, so no cross
toolchain is needed and every build is real (bash, tar, the task runner, stamps, the image).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import os
import re
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

from pyrecipe.config.configuration import DEFAULT_DISTRO
from pyrecipe.config.paths import TOPDIR

LAYER = Path(__file__).parent / "fixtures" / "reliability_layer"
MACHINE = "runnerboard"
#: Seconds a test waits for a build to reach a point (a task started, a message printed).
WAIT_SECONDS = 30


# ---------------------------------------------------------------- helpers


def build_command(layer: Path, build_dir: Path, *args: str) -> list[str]:
    return [
        sys.executable, "-m", "pyrecipe", "build", *args,
        "--layer", str(layer), "--machine", MACHINE, "--build-dir", str(build_dir),
    ]


def build_env() -> dict[str, str]:
    """Unbuffered output (to read messages while a build runs); the local servers bypass proxies."""
    return dict(os.environ, PYTHONUNBUFFERED="1", no_proxy="127.0.0.1,localhost", NO_PROXY="127.0.0.1,localhost")


def pyrecipe_build(layer: Path, build_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        build_command(layer, build_dir, *args), capture_output=True, text=True, cwd=TOPDIR, env=build_env(),
        timeout=120,
    )


def start_build(layer: Path, build_dir: Path, *args: str) -> subprocess.Popen[str]:
    """A build in its own process group, as a shell starts it in the foreground (so signals reach
    all of it): with Ctrl-C's default action, even when the tests themselves run as a background
    job, whose children inherit SIGINT ignored."""
    return subprocess.Popen(
        build_command(layer, build_dir, *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=TOPDIR, env=build_env(), start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def write_local_conf(build_dir: Path, **values: str) -> None:
    conf = build_dir / "conf" / "local.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text("".join(f'{name} = "{value}"\n' for name, value in values.items()))


def machine_dir(build_dir: Path) -> Path:
    """The test machine's directory: its builds run under pyrecipe's default distro."""
    return build_dir / DEFAULT_DISTRO / MACHINE


def workdir(build_dir: Path, pn: str, pv: str = "1.0") -> Path:
    return machine_dir(build_dir) / "work" / pn / pv


def assert_clean_error(result: subprocess.CompletedProcess[str], exit_code: int) -> None:
    assert result.returncode == exit_code, result.stdout + result.stderr
    # A task's own output is quoted indented under "last N lines of the log"; pyrecipe's is not.
    assert not re.search(r"^Traceback|internal error", result.stderr, re.MULTILINE), result.stderr


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@contextlib.contextmanager
def reaped(process: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    """``process`` killed with its whole group when the block leaves it running (a failed wait)."""
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def stop(process: subprocess.Popen[str], sig: signal.Signals, whole_group: bool = False) -> tuple[int, float]:
    """Send ``sig`` (to pyrecipe alone, or to its group as a terminal's Ctrl-C does); its exit code
    and the seconds it took to exit."""
    started = time.monotonic()
    if whole_group:
        os.killpg(process.pid, sig)
    else:
        os.kill(process.pid, sig)
    return process.wait(timeout=WAIT_SECONDS), time.monotonic() - started


def tree(root: Path) -> dict[str, bytes | str]:
    """Every file (content) and symlink (target) under ``root``, by relative path."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_file():
            found[key] = path.read_bytes()
    return found


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_tarball(path: Path, members: dict[str, bytes | str]) -> Path:
    """A .tar.gz of ``members`` (bytes: a file, str: a symlink's target), the same bytes every time."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.mtime = 1_700_000_000
            if isinstance(content, str):
                info.type, info.linkname = tarfile.SYMTYPE, content
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(raw.getvalue(), mtime=0))
    return path


def make_payload(directory: Path, text: str) -> Path:
    return make_tarball(directory / "payload-1.0.tar.gz", {"payload-1.0/payload.txt": text.encode()})


def add_recipe(layer: Path, name: str, text: str) -> Path:
    """A recipe ``<name>_1.0.bb`` written into the test's copy of the layer."""
    recipe = layer / "recipes-reliability" / name / f"{name}_1.0.bb"
    recipe.parent.mkdir(parents=True, exist_ok=True)
    recipe.write_text(text)
    return recipe
