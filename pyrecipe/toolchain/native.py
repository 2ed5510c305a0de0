"""The native tools venv: meson, ninja, cython and every PEP 517 backend, pinned, for the build.

Backends run in the build interpreter, which must have the target CPython's X.Y (a cross build
compiles against the target's headers but the backend imports and byte-compiles with the build
interpreter). The venv is shared by the machines of a distro and re-created only when the pin file or the
interpreter changes (a hash stamp written last, so an interrupted creation is redone).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pyrecipe.errors import BuildError, InputError
from pyrecipe.notes import Note, silent
from pyrecipe.paths import TOOLCHAINS_DIR
from pyrecipe.toolchain.fsutil import atomic_write_text, file_digest

PINS_FILE = TOOLCHAINS_DIR / "native-tools.txt"
STAMP_NAME = ".pyrecipe-stamp"


def native_tool_names() -> list[str]:
    """The (normalised) names of the packages pinned in the native venv, in file order."""
    names = []
    for line in PINS_FILE.read_text().splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement:
            names.append(canonicalize_name(Requirement(requirement).name))
    return names


def _interpreter_version(python: str) -> str | None:
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.strip()


def find_build_interpreter(version: str) -> str:
    """A python with X.Y ``version``: the running one if it matches, else ``python<X.Y>`` on PATH."""
    if "%d.%d" % sys.version_info[:2] == version:
        return sys.executable
    candidate = shutil.which(f"python{version}")
    if candidate and _interpreter_version(candidate) == version:
        return candidate
    raise InputError(
        f"the target's CPython is {version} but pyrecipe runs on {sys.version.split()[0]} and no "
        f"python{version} is on PATH: a cross build needs a build interpreter of the same X.Y "
        f"(install python{version}, e.g. apt-get install python{version}-venv)"
    )


def ensure_native_venv(venv: Path, python_version: str, note: Note = silent) -> Path:
    """The venv ``venv`` (a distro's ``native/venv``) with the pinned tools for CPython ``python_version``."""
    venv = venv.absolute()
    interpreter = find_build_interpreter(python_version)
    stamp_value = file_digest(PINS_FILE, extra=f"{os.path.realpath(interpreter)} {python_version}")
    stamp = venv / STAMP_NAME
    if stamp.is_file() and stamp.read_text() == stamp_value:
        return venv
    note(f"NOTE: creating the native tools venv {venv} ({PINS_FILE.name}, with {interpreter})")
    shutil.rmtree(venv, ignore_errors=True)
    steps = [
        [interpreter, "-m", "venv", str(venv)],
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", str(PINS_FILE)],
    ]
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BuildError(f"creating the native tools venv {venv} failed at `{' '.join(step)}`:\n{result.stderr[-3000:]}")
    atomic_write_text(stamp, stamp_value)
    return venv
