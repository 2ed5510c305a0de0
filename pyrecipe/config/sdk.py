"""The ``sdk`` distro: a Yocto SDK or a Buildroot output directory the user already has.

Such a directory brings both halves of a cross build: the target's sysroot (with its CPython,
headers and libraries) and a build interpreter of the same X.Y that runs on the build machine
(Yocto's nativesdk ``python3`` under ``OECORE_NATIVE_SYSROOT``, Buildroot's ``host/bin/python3``).
The distro's X.Y is therefore read from the SDK, not written in a conf file, and the SDK is
checked against the machine: a missing Python or another architecture is an input error.

Layouts recognised under ``SDK_DIR`` (local.conf, or ``PYRECIPE_SDK`` in the environment):

- Yocto: ``environment-setup-*`` naming ``OECORE_TARGET_SYSROOT`` and ``OECORE_NATIVE_SYSROOT``;
- Buildroot: ``staging/`` (or ``host/<triplet>/sysroot``) and ``host/bin/python3``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.errors import InputError
from pyrecipe.parse import DataSmart

#: ``SYSROOT_PROVIDER`` of the sdk distro.
SDK_PROVIDER = "sdk"
#: Environment variable naming the SDK when local.conf does not (SDK_DIR).
SDK_ENV = "PYRECIPE_SDK"
_OECORE = re.compile(r"^export (OECORE_TARGET_SYSROOT|OECORE_NATIVE_SYSROOT)=\"?([^\"\n]+)\"?$", re.MULTILINE)
_STDLIB = re.compile(r"^python(3\.\d+)$")
_PY_VERSION = re.compile(r'^#define PY_VERSION\s+"([^"]+)"', re.MULTILINE)


@dataclass(frozen=True)
class Sdk:
    """Where an SDK keeps the target sysroot and the build interpreter."""

    directory: Path
    target_sysroot: Path
    build_python: Path


def find_sdk(directory: Path) -> Sdk:
    """The target sysroot and build interpreter of the Yocto SDK or Buildroot output ``directory``."""
    if not directory.is_dir():
        raise InputError(f"SDK {directory} does not exist (SDK_DIR in local.conf or {SDK_ENV})")
    for setup in sorted(directory.glob("environment-setup-*")):
        found = dict(_OECORE.findall(setup.read_text()))
        if len(found) == 2:
            native = Path(found["OECORE_NATIVE_SYSROOT"].replace("$OECORE_SDK_DIR", str(directory)))
            target = Path(found["OECORE_TARGET_SYSROOT"].replace("$OECORE_SDK_DIR", str(directory)))
            return Sdk(directory, target, native / "usr" / "bin" / "python3")
    host = directory / "host"
    if host.is_dir():
        staging = directory / "staging"
        target = staging if staging.is_dir() else next(iter(sorted(host.glob("*/sysroot"))), staging)
        return Sdk(directory, target, host / "bin" / "python3")
    raise InputError(
        f"SDK {directory} is neither a Yocto SDK (no environment-setup-* naming OECORE_TARGET_SYSROOT "
        "and OECORE_NATIVE_SYSROOT) nor a Buildroot output directory (no host/)"
    )


def target_python_version(sdk: Sdk) -> str:
    """The X.Y of the CPython in the SDK's target sysroot (its one ``usr/lib/python3.X``)."""
    lib = sdk.target_sysroot / "usr" / "lib"
    versions = sorted(m.group(1) for p in (lib.iterdir() if lib.is_dir() else ()) if (m := _STDLIB.match(p.name)))
    if len(versions) != 1:
        found = ", ".join(versions) or "none"
        raise InputError(f"SDK {sdk.directory}: its target sysroot {sdk.target_sysroot} must hold one CPython "
                         f"(usr/lib/python3.X), found {found}; in Yocto add python3-dev to the SDK")
    return versions[0]


def patchlevel_version(include_dir: Path) -> str | None:
    """CPython's X.Y.Z as its ``patchlevel.h`` in ``include_dir`` defines PY_VERSION (a "+" of a
    build between releases left out), None without one."""
    patchlevel = include_dir / "patchlevel.h"
    match = _PY_VERSION.search(patchlevel.read_text()) if patchlevel.is_file() else None
    return match.group(1).rstrip("+") if match else None


def _elf_machine(path: Path) -> str | None:
    # Imported here: pyelftools costs about 40 ms, and only a build with an SDK reads an ELF file.
    from elftools.common.exceptions import ELFError
    from elftools.elf.elffile import ELFFile

    try:
        with open(path, "rb") as handle:
            return ELFFile(handle).header["e_machine"]
    except (OSError, ELFError):
        return None


def check_sdk(sdk: Sdk, version: str, machine: str, elf_machine: str) -> None:
    """The SDK's target CPython is of ``machine``'s architecture and its build interpreter exists."""
    interpreter = sdk.target_sysroot / "usr" / "bin" / f"python{version}"
    found = _elf_machine(interpreter.resolve())
    if found is None:
        raise InputError(f"SDK {sdk.directory}: no target interpreter {interpreter} (an ELF file) in its target sysroot")
    if found != elf_machine:
        raise InputError(f"SDK {sdk.directory} is for another architecture: its CPython is {found}, machine {machine!r} is {elf_machine}")
    if not os.access(sdk.build_python, os.X_OK):
        raise InputError(f"SDK {sdk.directory} has no build interpreter {sdk.build_python} (the SDK's own python3 of the target's X.Y)")


def bind_sdk(d: DataSmart) -> None:
    """For the sdk distro, set what the SDK says into ``d``: PYTHON_BASEVERSION and
    PYTHON_FULLVERSION from its target CPython, SDK_TARGET_SYSROOT and SDK_BUILD_PYTHON; other
    distros are left as they are."""
    if d.getVar("SYSROOT_PROVIDER") != SDK_PROVIDER:
        return
    named = d.getVar("SDK_DIR") or os.environ.get(SDK_ENV)
    if not named:
        raise InputError(f"distro {d.getVar('DISTRO')!r} needs the SDK's directory: SDK_DIR in conf/local.conf or {SDK_ENV}")
    sdk = find_sdk(Path(named).absolute())
    version = target_python_version(sdk)
    check_sdk(sdk, version, d.getVar("MACHINE"), d.getVar("ELF_MACHINE"))
    d.setVar("PYTHON_BASEVERSION", version)
    full = patchlevel_version(sdk.target_sysroot / "usr" / "include" / f"python{version}")
    if full:
        d.setVar("PYTHON_FULLVERSION", full)
    d.setVar("SDK_TARGET_SYSROOT", str(sdk.target_sysroot))
    d.setVar("SDK_BUILD_PYTHON", str(sdk.build_python))
