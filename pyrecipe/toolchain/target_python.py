"""Facts about the target's CPython, read from the sysroot's files (never by running it).

Backends learn they are cross-compiling from the target's ``_sysconfigdata_*.py`` (selected with
``_PYTHON_SYSCONFIGDATA_NAME``) and ``_PYTHON_HOST_PLATFORM``, so these facts drive the cross
environment. PEP 739's ``build-details.json`` is read when the target ships one (CPython >= 3.14).
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.config.sdk import patchlevel_version
from pyrecipe.errors import InputError
from pyrecipe.fsutil import atomic_write_text
from pyrecipe.toolchain.machine import Machine

#: sysconfig variables holding the target's include and library directories. In the copy the
#: build sees they point into the sysroot, so backends never pick up the build machine's headers.
SYSROOT_PATH_VARS = ("INCLUDEPY", "CONFINCLUDEPY", "INCLUDEDIR", "CONFINCLUDEDIR", "LIBDIR", "LIBPL")

_MAGIC = re.compile(r"^MAGIC_NUMBER = \((\d+)\)\.to_bytes\(2, 'little'\) \+ b'\\r\\n'", re.MULTILINE)


@dataclass(frozen=True)
class TargetPython:
    """The target interpreter as a build needs to know it."""

    version: str  # full version, 3.13.5
    version_short: str  # X.Y, 3.13
    soabi: str  # cpython-313-aarch64-linux-gnu
    ext_suffix: str  # .cpython-313-aarch64-linux-gnu.so
    host_platform: str  # _PYTHON_HOST_PLATFORM / sysconfig.get_platform(): linux-aarch64
    sysconfigdata_name: str  # _sysconfigdata__linux_aarch64-linux-gnu
    sysconfigdata_file: Path  # the file in the sysroot
    include_dir: Path  # in the sysroot: <sysroot>/usr/include/python3.13
    libdir: Path  # in the sysroot: <sysroot>/usr/lib/<triplet>
    stdlib_dir: Path  # in the sysroot: <sysroot>/usr/lib/python3.13
    interpreter: Path  # in the sysroot: <sysroot>/usr/bin/python3.13
    magic_number: bytes  # the target's .pyc magic (4 bytes), for the bytecode QA check
    config_vars: dict[str, object]  # the target's build_time_vars as shipped
    abiflags: str = ""  # ABIFLAGS: "" for the default build, "d" for a debug one

    @property
    def platform_tag(self) -> str:
        """The wheel platform tag: linux_aarch64."""
        return self.host_platform.replace("-", "_").replace(".", "_")


def read_sysconfigdata(path: Path) -> dict[str, object]:
    """``build_time_vars`` of a ``_sysconfigdata_*.py`` file, parsed as a literal (not executed)."""
    try:
        tree = ast.parse(path.read_text(), str(path))
    except (OSError, SyntaxError) as exc:
        raise InputError(f"cannot read the target's sysconfig data {path}: {exc}") from exc
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "build_time_vars" for t in node.targets):
            try:
                return ast.literal_eval(node.value)
            except ValueError as exc:
                raise InputError(f"{path}: build_time_vars is not a plain literal: {exc}") from exc
    raise InputError(f"{path} defines no build_time_vars; is it a CPython sysconfigdata file?")


def find_sysconfigdata(stdlib_dir: Path) -> Path:
    """The target's sysconfigdata file: the ``_linux_`` one, the name ``sysconfig`` itself builds
    (Debian also ships an alias without the platform part)."""
    candidates = sorted(stdlib_dir.glob("_sysconfigdata_*.py"))
    preferred = [p for p in candidates if "_linux_" in p.name] or candidates
    if not preferred:
        raise InputError(f"no _sysconfigdata_*.py in {stdlib_dir}: the sysroot has no target CPython stdlib")
    return preferred[0]


def read_magic_number(stdlib_dir: Path) -> bytes:
    """The .pyc magic number of the target's importlib (``MAGIC_NUMBER``)."""
    source = stdlib_dir / "importlib" / "_bootstrap_external.py"
    match = _MAGIC.search(source.read_text()) if source.is_file() else None
    if not match:
        raise InputError(f"cannot find MAGIC_NUMBER in {source}")
    return int(match.group(1)).to_bytes(2, "little") + b"\r\n"


def _full_version(include_dir: Path, short: str, details: dict) -> str:
    if details:
        v = details.get("language", {}).get("version_info") or {}
        if v:
            return f"{v['major']}.{v['minor']}.{v['micro']}"
    return patchlevel_version(include_dir) or short


def check_full_version(python: TargetPython, machine: Machine) -> None:
    """The sysroot's CPython is the exact version the configuration says (PYTHON_FULLVERSION):
    requirement sets were resolved, markers and ``Requires-Python`` evaluated, PyPI releases chosen
    for that version before anything was provisioned, and a build for another one would install
    what that CPython may refuse. A sysroot whose patch level cannot be read is not checked."""
    said = machine.python_full_version
    if said and python.version != python.version_short and python.version != said:
        raise InputError(
            f"the sysroot's CPython is {python.version}, but distro {machine.distro!r} says PYTHON_FULLVERSION = \"{said}\" "
            f"(what requirements are resolved for): set PYTHON_FULLVERSION = \"{python.version}\" in conf/local.conf"
        )


def target_abiflags(config_vars: dict[str, object], details: dict) -> str:
    """The target's ABI flags: PEP 739's ``abi.flags`` when it ships build-details.json, else
    sysconfig's ABIFLAGS ("t": free-threaded, "d": debug, "": the default build)."""
    flags = details.get("abi", {}).get("flags") if details else None
    return "".join(flags) if flags is not None else str(config_vars.get("ABIFLAGS", ""))


def read_target_python(sysroot: Path, machine: Machine) -> TargetPython:
    """Read the facts of CPython ``machine.python_version`` in ``sysroot``."""
    short = machine.python_version
    stdlib_dir = sysroot / "usr" / "lib" / f"python{short}"
    if not stdlib_dir.is_dir():
        raise InputError(f"the sysroot {sysroot} has no CPython {short} ({stdlib_dir} is missing)")
    sysconfigdata = find_sysconfigdata(stdlib_dir)
    config_vars = read_sysconfigdata(sysconfigdata)
    details_file = stdlib_dir / "build-details.json"
    details = json.loads(details_file.read_text()) if details_file.is_file() else {}
    version_short = str(config_vars.get("VERSION", short))
    if version_short != short:
        raise InputError(f"the sysroot's CPython is {version_short}, but machine {machine.name} expects {short}")
    abiflags = target_abiflags(config_vars, details)
    if "t" in abiflags:
        raise InputError(
            f"the sysroot's CPython {short} is a free-threaded build (ABI flags {abiflags!r}, SOABI {config_vars.get('SOABI')}): "
            "its extension modules have another ABI, which pyrecipe does not build for; use the default build"
        )
    include_dir = sysroot / str(config_vars.get("INCLUDEPY", f"/usr/include/python{short}")).lstrip("/")
    ext_suffix = details.get("abi", {}).get("extension_suffix") or str(config_vars["EXT_SUFFIX"])
    return TargetPython(
        version=_full_version(include_dir, short, details),
        version_short=short,
        soabi=str(config_vars["SOABI"]),
        ext_suffix=ext_suffix,
        host_platform=details.get("platform") or f"linux-{machine.uname_machine}",
        sysconfigdata_name=sysconfigdata.stem,
        sysconfigdata_file=sysconfigdata,
        include_dir=include_dir,
        libdir=sysroot / str(config_vars.get("LIBDIR", "/usr/lib")).lstrip("/"),
        stdlib_dir=stdlib_dir,
        interpreter=sysroot / "usr" / "bin" / f"python{short}",
        magic_number=read_magic_number(stdlib_dir),
        config_vars=config_vars,
        abiflags=abiflags,
    )


def write_build_sysconfigdata(python: TargetPython, sysroot: Path, dest_dir: Path) -> Path:
    """Write the copy of the target's sysconfigdata the build imports, alone in ``dest_dir``.

    Only this file goes on the build's PYTHONPATH (never the target's stdlib, which the build
    interpreter could load by mistake). Its include and library directories are made to point
    into the sysroot. Returns ``dest_dir``.
    """
    config_vars = dict(python.config_vars)
    for name in SYSROOT_PATH_VARS:
        value = config_vars.get(name)
        if isinstance(value, str) and value.startswith("/"):
            config_vars[name] = str(sysroot / value.lstrip("/"))
    text = (
        f"# The target's {python.sysconfigdata_file.name}, with include/library dirs inside the sysroot\n"
        f"# {sysroot}; written by pyrecipe for cross builds.\n"
        f"build_time_vars = {config_vars!r}\n"
    )
    atomic_write_text(dest_dir / f"{python.sysconfigdata_name}.py", text)
    return dest_dir
