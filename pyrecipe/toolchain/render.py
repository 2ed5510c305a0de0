"""Cross files rendered from the templates in ``toolchains/templates``: meson, CMake, cargo, pkg-config.

Each build system is told the same facts (compilers, sysroot, tune flags, the emulator) in
its own language, from one :class:`CrossSettings`.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import jinja2

from pyrecipe.config.paths import TOOLCHAINS_DIR
from pyrecipe.errors import InputError
from pyrecipe.fsutil import FILE_MODE, atomic_write_text
from pyrecipe.toolchain.machine import Machine
from pyrecipe.toolchain.target_python import TargetPython

TEMPLATES_DIR = TOOLCHAINS_DIR / "templates"


def meson_literal(value: object) -> str:
    """A meson literal: a quoted string or a list of them."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(meson_literal(v) for v in value) + "]"
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _cmake(value: object) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _toml(value: object) -> str:
    """A TOML string or array (JSON's escapes are valid TOML basic-string escapes)."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value))


_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    autoescape=False,
)
_ENV.filters.update(meson=meson_literal, cmake=_cmake, toml=_toml, shell=lambda v: shlex.quote(str(v)))


@dataclass(frozen=True)
class CrossTools:
    """The cross binaries, by the names Debian's cross packages install."""

    cc: str
    cxx: str
    fc: str
    ar: str
    strip: str
    objcopy: str
    nm: str
    ranlib: str

    @classmethod
    def for_machine(cls, machine: Machine) -> CrossTools:
        return cls(**{field: machine.tool(name) for field, name in (
            ("cc", "gcc"), ("cxx", "g++"), ("fc", "gfortran"), ("ar", "ar"),
            ("strip", "strip"), ("objcopy", "objcopy"), ("nm", "nm"), ("ranlib", "ranlib"),
        )})


@dataclass(frozen=True)
class CrossSettings:
    """Everything the rendered files say, computed once."""

    machine: Machine
    sysroot: Path
    python: TargetPython
    out_dir: Path
    #: Where the build's own tools are installed (the native venv, the native recipes' sysroot):
    #: more roots for CMake's find_package, as OpenEmbedded's toolchain file lists
    #: STAGING_DIR_NATIVE, so that a build tool's package (pybind11, nanobind, found through
    #: scikit-build-core's CMAKE_PREFIX_PATH into the native venv) is found and a target library
    #: is still looked for in the sysroot first.
    native_roots: tuple[Path, ...] = ()

    @property
    def tools(self) -> CrossTools:
        return CrossTools.for_machine(self.machine)

    @cached_property
    def compiler_launcher(self) -> list[str]:
        """``ccache`` in front of the C and C++ compilers when it is installed, as Yocto's ccache
        class does: an unchanged compilation (a forced rebuild, a build dir started again) is a
        cache lookup. Linking and Fortran, which ccache does not cache, run the tools direct."""
        found = shutil.which("ccache")
        return [found] if found else []

    @property
    def cc_command(self) -> list[str]:
        return [*self.compiler_launcher, self.tools.cc]

    @property
    def cxx_command(self) -> list[str]:
        return [*self.compiler_launcher, self.tools.cxx]

    @property
    def tune(self) -> list[str]:
        return self.machine.tune_ccargs.split()

    @property
    def compile_args(self) -> list[str]:
        # The prefix map keeps the sysroot's path out of debug info and __FILE__ strings.
        return [f"--sysroot={self.sysroot}", *self.tune, f"-ffile-prefix-map={self.sysroot}="]

    @property
    def link_args(self) -> list[str]:
        return [f"--sysroot={self.sysroot}", *self.tune]

    @property
    def pkg_config_libdir(self) -> list[str]:
        triplet = self.machine.target_sys
        return [
            str(self.sysroot / "usr" / "lib" / triplet / "pkgconfig"),
            str(self.sysroot / "usr" / "lib" / triplet / "openblas-pthread" / "pkgconfig"),
            str(self.sysroot / "usr" / "lib" / "pkgconfig"),
            str(self.sysroot / "usr" / "share" / "pkgconfig"),
        ]

    @property
    def python_site_packages(self) -> Path:
        """Where target recipes stage their Python packages in the sysroot (PYTHON_SITEPACKAGES_DIR)."""
        return self.sysroot / "usr" / "lib" / f"python{self.python.version_short}" / "site-packages"

    @property
    def exe_wrapper(self) -> list[str]:
        return [self.machine.qemu_user, "-L", str(self.sysroot), "-cpu", self.machine.qemu_cpu]

    @property
    def pkg_config(self) -> Path:
        return self.out_dir / "bin" / "pkg-config"

    @property
    def host_pkg_config(self) -> str:
        """The build machine's real pkg-config, which the wrapper runs. By absolute path: the
        wrapper's directory is on the build's PATH, and a plain ``pkg-config`` would find itself."""
        search = os.pathsep.join(
            p for p in os.environ.get("PATH", os.defpath).split(os.pathsep) if Path(p) != self.pkg_config.parent
        )
        found = shutil.which("pkg-config", path=search)
        if found is None:
            raise InputError("pkg-config is not installed on the build machine (apt-get install pkg-config)")
        return found

    @property
    def meson_cross_file(self) -> Path:
        return self.out_dir / "meson-cross.ini"

    @property
    def cmake_toolchain_file(self) -> Path:
        return self.out_dir / "cmake-toolchain.cmake"

    @property
    def cmake_python_soabi_file(self) -> Path:
        return self.out_dir / "cmake-python-soabi.cmake"

    @property
    def cargo_config(self) -> Path:
        return self.out_dir / "cargo-config.toml"

    @property
    def cargo_rustflags(self) -> list[str]:
        return [arg for flag in self.link_args for arg in ("-C", f"link-arg={flag}")]

    def context(self) -> dict[str, object]:
        return {
            "machine": self.machine, "sysroot": self.sysroot, "python": self.python, "tools": self.tools,
            "tune": " ".join(self.tune), "compile_args": self.compile_args, "link_args": self.link_args,
            "pkg_config": self.pkg_config, "pkg_config_libdir": self.pkg_config_libdir,
            "host_pkg_config": self.host_pkg_config, "python_site_packages": self.python_site_packages,
            "exe_wrapper": self.exe_wrapper, "cmake_toolchain_file": self.cmake_toolchain_file,
            "cmake_python_soabi_file": self.cmake_python_soabi_file,
            "cargo_rustflags": self.cargo_rustflags, "compiler_launcher": self.compiler_launcher,
            "cc_command": self.cc_command, "cxx_command": self.cxx_command, "native_roots": self.native_roots,
        }


def render_template(name: str, settings: CrossSettings) -> str:
    return _ENV.get_template(name).render(settings.context())


def render_files(settings: CrossSettings) -> None:
    """Write the cross files into ``settings.out_dir`` (each atomically, unchanged ones untouched).

    The templates' compiled code is kept in ``out_dir/.templates`` (jinja2's bytecode cache,
    taken only for the same template source): every build renders the files, and compiling the
    four templates was a tenth of a no-op build of numpy."""
    templates = settings.out_dir / ".templates"
    templates.mkdir(parents=True, exist_ok=True)
    _ENV.bytecode_cache = jinja2.FileSystemBytecodeCache(str(templates))
    outputs = {
        settings.meson_cross_file: ("meson-cross.ini.j2", FILE_MODE),
        settings.cmake_toolchain_file: ("cmake-toolchain.cmake.j2", FILE_MODE),
        settings.cmake_python_soabi_file: ("cmake-python-soabi.cmake.j2", FILE_MODE),
        settings.cargo_config: ("cargo-config.toml.j2", FILE_MODE),
        settings.pkg_config: ("pkg-config.sh.j2", 0o755),
    }
    for path, (template, mode) in outputs.items():
        atomic_write_text(path, render_template(template, settings), mode=mode)
