"""The native tools venv: meson, ninja, cython and every PEP 517 backend, pinned, for the build.

Backends run in the build interpreter, which must have the target CPython's X.Y (a cross build
compiles against the target's headers but the backend imports and byte-compiles with the build
interpreter). The venv is shared by the machines of a distro and re-created only when the pin file or the
interpreter changes (a hash stamp written last, so an interrupted creation is redone).
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

from pyrecipe.config.layers import normalise
from pyrecipe.config.paths import CODEDIR, TOOLCHAINS_DIR
from pyrecipe.engine.notes import Note, silent
from pyrecipe.errors import BuildError, InputError
from pyrecipe.fsutil import atomic_write_text, building_dir, file_digest
from pyrecipe.toolchain.buildroot import BuildRoot
from pyrecipe.toolchain.provision_cache import (
    VENV_ORIGIN_NAME,
    VENVS,
    ProvisionCache,
    copy_tree,
    inputs_key,
    relocate_venv,
)

PINS_FILE = TOOLCHAINS_DIR / "native-tools.txt"
STAMP_NAME = ".pyrecipe-stamp"
#: The stamp of the tools installed from PyPI on top of the pins (their files' sha256).
EXTRAS_STAMP_NAME = ".pyrecipe-pypi-stamp"


#: The project name a PEP 508 requirement starts with.
REQUIREMENT_NAME_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")


def native_tool_names() -> list[str]:
    """The (normalised) names of the packages pinned in the native venv, in file order.

    Every build reads them; the name that starts each requirement is all they need, and
    packaging's requirement parser costs a no-op build 40 ms of imports. The pins themselves are
    checked by the installer that makes the venv."""
    names: list[str] = []
    for line in PINS_FILE.read_text().splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement:
            match = REQUIREMENT_NAME_RE.match(requirement)
            if match is None:
                raise InputError(f"{PINS_FILE}: {requirement!r} does not start with a package name")
            names.append(normalise(match.group()))
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


def ensure_native_venv(
    venv: Path, python_version: str, note: Note = silent, root: BuildRoot | None = None, interpreter: Path | None = None,
    cache: ProvisionCache | None = None,
) -> Path:
    """The venv ``venv`` (a distro's ``native/venv``) with the pinned tools for CPython ``python_version``.

    Made with ``interpreter`` (an SDK's own python3), the one of the distro's build ``root``, or
    one of the build machine's; or copied from ``cache``, where a venv made here is kept (before
    any tool from PyPI is added to it) under its stamp.
    """
    venv = venv.absolute()
    python: str
    if interpreter is not None:
        python = str(interpreter)
        found = _interpreter_version(python)
        if found != python_version:
            raise InputError(f"the build interpreter {python} is CPython {found or '(it does not run)'}, the target's "
                             f"is {python_version}: a cross build needs the same X.Y")
    elif root is None:
        python = find_build_interpreter(python_version)
    else:
        python = f"/usr/bin/python{python_version}"
    # The root's interpreter itself, not the root's package list: a root remade with another
    # machine's cross compilers must not remake the venv (and so rebuild every recipe).
    identity = os.path.realpath(python) if root is None else file_digest(root.path / python.lstrip("/"))
    stamp_value = file_digest(PINS_FILE, extra=f"{identity} {python_version}")
    stamp = venv / STAMP_NAME
    cached = cache.entry(VENVS, inputs_key(stamp_value)) if cache is not None else None
    if stamp.is_file() and stamp.read_text() == stamp_value:
        pass
    elif cached is not None and (cached / STAMP_NAME).is_file():
        if cache is not None:
            cache.mark_used(cached)
        note(f"NOTE: copying the cached native tools venv {cached}")
        origin = (cached / VENV_ORIGIN_NAME).read_text()
        with building_dir(venv) as scratch:
            copy_tree(cached, scratch, hard_links=True)
            relocate_venv(scratch, origin, venv)
    else:
        note(f"NOTE: creating the native tools venv {venv} ({PINS_FILE.name}, with {python}{'' if root is None else ' of ' + str(root.path)})")
        shutil.rmtree(venv, ignore_errors=True)
        if root is None:
            _run_steps(venv, [
                [python, "-m", "venv", str(venv)],
                [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", str(PINS_FILE)],
            ])
        else:
            _make_venv_in_root(venv, python, python_version, root)
        atomic_write_text(stamp, stamp_value)
        if cache is not None and cached is not None:
            cache.store_copy(venv, VENVS, cached.name, lambda copy: atomic_write_text(copy / VENV_ORIGIN_NAME, str(venv)))
    if root is not None:
        _put_pyrecipe_on_path(venv, python_version)
    return venv


def _run_steps(venv: Path, steps: list[list[str]]) -> None:
    for step in steps:
        result = subprocess.run(step, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BuildError(f"creating the native tools venv {venv} failed at `{' '.join(step)}`:\n{(result.stderr or result.stdout)[-3000:]}")


def _make_venv_in_root(venv: Path, interpreter: str, python_version: str, root: BuildRoot) -> None:
    """The venv made in ``root`` from wheels the build machine's pip downloads for the root's
    interpreter and C library (the build machine's pip configuration and indexes apply; the root
    has no network), with pyrecipe's checkout on its path for the frontend."""
    wheels = venv.with_name("wheels")
    wheels.mkdir(parents=True, exist_ok=True)
    glibc = _root_glibc(root, venv.parent)
    _run_steps(venv, [
        [sys.executable, "-m", "pip", "download", "--disable-pip-version-check", "-q", "--only-binary=:all:",
         "--python-version", python_version, "--implementation", "cp",
         *manylinux_platform_options(glibc, platform.machine()), "-d", str(wheels), "-r", str(PINS_FILE)],
        root.command([interpreter, "-m", "venv", str(venv)], cwd=venv.parent, writable=[venv.parent]),
        root.command(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q", "--no-index",
             "--find-links", str(wheels), "-r", str(PINS_FILE)],
            cwd=venv.parent, writable=[venv.parent], readonly=[PINS_FILE.parent],
        ),
    ])
    _put_pyrecipe_on_path(venv, python_version)


#: The .pth file that puts the running pyrecipe's code on the path of a build root's venv.
CODE_PTH_NAME = "pyrecipe-checkout.pth"


def _put_pyrecipe_on_path(venv: Path, python_version: str) -> None:
    """The root's venv imports the running pyrecipe (its checkout, or the site-packages it is
    installed in, of which the root sees the package alone): rewritten when another pyrecipe
    (another checkout, an installed wheel) uses the build directory, without remaking the venv."""
    pth = venv / "lib" / f"python{python_version}" / "site-packages" / CODE_PTH_NAME
    line = f"{CODEDIR}\n"
    if not pth.is_file() or pth.read_text() != line:
        atomic_write_text(pth, line)


#: The manylinux names older than PEP 600's, by the glibc minor version they stand for.
_LEGACY_MANYLINUX = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}


def manylinux_platforms(glibc: str, arch: str) -> list[str]:
    """Every manylinux platform tag a C library ``glibc`` (2.41) takes, the newest first."""
    major, minor = (int(part) for part in glibc.split(".")[:2])
    tags = [f"manylinux_{major}_{m}_{arch}" for m in range(minor, 4, -1)]
    return tags + [f"{name}_{arch}" for m, name in _LEGACY_MANYLINUX.items() if m <= minor]


def manylinux_platform_options(glibc: str, arch: str) -> list[str]:
    """pip's ``--platform`` options for every manylinux tag a C library ``glibc`` (2.41) takes:
    pip does not widen one tag to the older ones as it does for the interpreter it runs in."""
    return [option for tag in manylinux_platforms(glibc, arch) for option in ("--platform", tag)]


def _root_glibc(root: BuildRoot, cwd: Path) -> str:
    """The C library version of ``root`` (2.41): the newest manylinux tag its interpreter takes."""
    result = subprocess.run(root.command(["getconf", "GNU_LIBC_VERSION"], cwd=cwd, writable=[cwd]), capture_output=True, text=True, check=False)
    if result.returncode != 0 or not result.stdout.startswith("glibc "):
        raise BuildError(f"cannot read the C library version of the build root {root.path}: {result.stderr.strip()}")
    return result.stdout.split()[1]


def ensure_native_extras(
    venv: Path, files: list[Path], note: Note = silent, root: BuildRoot | None = None, keep_going: bool = False,
) -> dict[Path, str]:
    """Install ``files`` (wheels or sdists of the native tools resolved from PyPI, recorded and
    checked by sha256 in DL_DIR) into ``venv`` on top of the pins: no index, no dependencies (the
    record lists every tool it needs that is not pinned), an sdist built with the venv's backends.

    Done again only when the set of files changes (a stamp of their digests); a venv re-created
    for new pins loses the stamp with everything else and gets them again. When one does not
    install (an sdist that needs C headers the build root lacks: pycairo) the error names it;
    with ``keep_going`` (``pyrecipe build -k``) the others are installed one by one and the ones
    that failed are returned with the reason, so that only the recipes needing them fail.
    """
    if not files:
        return {}
    venv = venv.absolute()
    stamp_value = file_digest(*sorted(files), extra=(venv / STAMP_NAME).read_text() if (venv / STAMP_NAME).is_file() else "")
    stamp = venv / EXTRAS_STAMP_NAME
    if stamp.is_file() and stamp.read_text() == stamp_value:
        return {}
    names = ", ".join(sorted(path.name for path in files))
    note(f"NOTE: installing native tools from PyPI into {venv}: {names}")
    try:
        _run_steps(venv, [_pip_install(venv, files, root)])
    except BuildError:
        if not keep_going:
            raise
        failed = {}
        for path in files:
            try:
                _run_steps(venv, [_pip_install(venv, [path], root)])
            except BuildError as error:
                failed[path] = str(error).splitlines()[-1][:300]
        if failed:
            note(f"WARNING: native tools from PyPI that do not install: {', '.join(sorted(p.name for p in failed))}; "
                 "the recipes that need them fail")
            return failed
    atomic_write_text(stamp, stamp_value)
    return {}


def _pip_install(venv: Path, files: list[Path], root: BuildRoot | None) -> list[str]:
    """pip installing ``files`` into ``venv`` (in ``root``), as if the venv were activated: without
    build isolation a backend finds its programs on PATH only (meson-python runs ``meson``, which
    is in the venv's bin, to build an sdist such as pycairo's)."""
    search_path = f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', os.defpath)}"
    argv = ["env", f"PATH={search_path}", str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q", "--no-index",
            "--no-deps", "--no-build-isolation", *(str(path) for path in files)]
    if root is not None:
        argv = root.command(argv, cwd=venv.parent, writable=[venv.parent], readonly=sorted({path.parent for path in files}))
    return argv
