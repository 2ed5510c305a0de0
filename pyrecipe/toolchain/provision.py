"""One call from a machine to a ready cross toolchain: host packages, sysroot, native venv, files.

Shaped like pypa/installer's entry point: a source (the :class:`Machine`), a destination (the
build directory), and :func:`provision` joining them. Every step is cached, so a second call
only checks stamps.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pyrecipe.engine.notes import Note, silent
from pyrecipe.engine.sigpaths import PathNames
from pyrecipe.errors import InputError
from pyrecipe.toolchain.binconfig import write_cross_scripts
from pyrecipe.toolchain.buildroot import (
    BUILD_ROOT_NAME,
    HOST_PROVIDER,
    MMDEBSTRAP_PROVIDER,
    BuildRoot,
    ensure_build_root,
)
from pyrecipe.toolchain.host_tools import ensure_host_packages
from pyrecipe.toolchain.machine import Machine, distro_build_dir
from pyrecipe.toolchain.native import STAMP_NAME, ensure_native_extras, ensure_native_venv
from pyrecipe.toolchain.provision_cache import ProvisionCache
from pyrecipe.toolchain.render import CrossSettings, render_files
from pyrecipe.toolchain.sysroot import ensure_sysroot, package_versions
from pyrecipe.toolchain.target_python import (
    TargetPython,
    check_full_version,
    read_target_python,
    write_build_sysconfigdata,
)

#: argv[0] names that mean "the target's own CPython" in :meth:`Toolchain.qemu_command`.
PYTHON_NAMES = ("python", "python3")


@dataclass(frozen=True)
class Toolchain:
    """A provisioned cross toolchain for one machine, and how to use it."""

    machine: Machine
    sysroot: Path
    python: TargetPython
    native_venv: Path
    directory: Path  # build/<distro>/<machine>/toolchain: the rendered files
    #: With -k: the native tools' files from PyPI that did not install (file name -> why).
    unusable_native_files: tuple[tuple[str, str], ...] = ()

    @cached_property
    def settings(self) -> CrossSettings:
        # build/<distro>/<machine>/sysroot-native: STAGING_DIR_NATIVE, where native recipes stage.
        native_roots = (self.native_venv, self.directory.parent / "sysroot-native")
        return CrossSettings(self.machine, self.sysroot, self.python, self.directory, native_roots)

    @property
    def meson_cross_file(self) -> Path:
        return self.settings.meson_cross_file

    @property
    def cmake_toolchain_file(self) -> Path:
        return self.settings.cmake_toolchain_file

    @property
    def cargo_config(self) -> Path:
        return self.settings.cargo_config

    @property
    def sysconfigdata_dir(self) -> Path:
        """The directory holding only the build's copy of the target's sysconfigdata."""
        return self.directory / "sysconfigdata"

    @property
    def build_python(self) -> Path:
        """The build interpreter, in the native venv (it has all the backends)."""
        return self.native_venv / "bin" / "python"

    def fingerprint(self) -> str:
        """What target builds depend on: the machine, the target CPython, the rendered files.

        A change of any of them (other tune flags, another CPython) changes it, so task
        signatures that include it make target recipes rebuild.
        """
        # Not the sysroot's package list: adding a package for one recipe (libyaml-dev for pyyaml)
        # must not rebuild every other recipe. A recipe's signature has the versions of the
        # packages it uses, the machine's SYSROOT_PACKAGES included (pyrecipe.engine.scheduler).
        files = [p for p in (self.meson_cross_file, self.cmake_toolchain_file, self.settings.cmake_python_soabi_file, self.cargo_config) if p.is_file()]
        # The files name the sysroot and the build directory: they count by name, not by place
        # (the same toolchain anywhere has the same fingerprint; see pyrecipe.engine.sigpaths).
        names = PathNames.of([(str(self.directory.parent), "${MACHINE_BUILD_DIR}"), (str(self.sysroot), "${PYRECIPE_CROSS_SYSROOT}"),
                              (str(self.native_venv), "${NATIVE_VENV}")])
        digest = hashlib.sha256(names(f"{self.machine!r} {self.python.version} {self.native_fingerprint()}").encode())
        for file in files:
            digest.update(names(file.read_text()).encode())
        return digest.hexdigest()

    def package_versions(self) -> dict[str, str]:
        """The Debian packages of the sysroot and their versions (none for a sysroot given by path)."""
        return package_versions(self.sysroot)

    def native_fingerprint(self) -> str:
        """What native builds depend on: the native venv (its pins and interpreter)."""
        return (self.native_venv / STAMP_NAME).read_text()

    def facts(self) -> dict[str, str]:
        """The values of the distro's cross environment (``tcmode-*.inc``) that only the provisioned
        toolchain knows: the sysroot a path or an SDK gave, the target CPython's sysconfigdata and
        platform, and ccache when the build machine has it. The build sets them on every recipe
        before it computes signatures; the conf's defaults are Debian's."""
        launcher = self.settings.compiler_launcher
        return {
            "PYRECIPE_CROSS_SYSROOT": str(self.sysroot),
            "PYTHON_SYSCONFIGDATA_NAME": self.python.sysconfigdata_name,
            "PYTHON_HOST_PLATFORM": self.python.host_platform,
            "CCACHE": f"{' '.join(launcher)} " if launcher else "",
        }

    @property
    def cross_scripts_dir(self) -> Path:
        """OpenEmbedded's ``STAGING_BINDIR_CROSS``: the sysroot's ``*-config`` scripts, made the
        build's (:mod:`pyrecipe.toolchain.binconfig`)."""
        return self.directory / "crossscripts"

    def path(self, base_path: str) -> str:
        """PATH for target tasks: the native venv's tools, the pkg-config wrapper, the sysroot's
        ``*-config`` scripts, then ``base_path``."""
        return os.pathsep.join([str(self.native_venv / "bin"), str(self.settings.pkg_config.parent), str(self.cross_scripts_dir),
                                base_path])

    def qemu_command(self, argv: Sequence[str], extra_pythonpath: Iterable[Path | str] = ()) -> list[str]:
        """``argv`` run on the target under qemu-user with the sysroot as its root for libraries.

        ``python``/``python3``/``python3.X`` mean the sysroot's interpreter; ``extra_pythonpath``
        becomes the target program's PYTHONPATH (the build machine's is never passed on).
        """
        if not argv:
            raise ValueError("qemu_command needs a program to run")
        program = argv[0]
        if program in (*PYTHON_NAMES, f"python{self.python.version_short}"):
            program = str(self.python.interpreter)
        elif "/" not in program and (self.sysroot / "usr" / "bin" / program).exists():
            program = str(self.sysroot / "usr" / "bin" / program)
        command = [*self.settings.exe_wrapper, "-U", "PYTHONHOME", "-U", "PYTHONPATH"]
        pythonpath = ":".join(str(p) for p in extra_pythonpath)
        if pythonpath:
            command += ["-E", f"PYTHONPATH={pythonpath}"]
        return [*command, program, *argv[1:]]


def provision_cache(machine: Machine) -> ProvisionCache | None:
    """The user's cache of provisioning results that ``machine``'s configuration names, if any."""
    return ProvisionCache(machine.provision_cache_dir) if machine.provision_cache_dir else None


def ensure_machine_build_root(machine: Machine, build_dir: Path, note: Note = silent, build_tools: Iterable[str] = ()) -> BuildRoot | None:
    """The build root of ``machine``'s distro with what the machine needs in it and the Debian
    packages of ``build_tools`` (programs recipes run: swig), or None when the distro's tasks run
    on the build machine (BUILD_ROOT_PROVIDER "host"), which then gets those packages itself."""
    if machine.build_root_provider == HOST_PROVIDER:
        ensure_host_packages(build_tools, note)
        return None
    if machine.build_root_provider != MMDEBSTRAP_PROVIDER:
        raise InputError(f"distro {machine.distro!r}: unknown BUILD_ROOT_PROVIDER {machine.build_root_provider!r} "
                         f"(use {HOST_PROVIDER} or {MMDEBSTRAP_PROVIDER})")
    path = distro_build_dir(build_dir, machine.distro) / BUILD_ROOT_NAME
    return ensure_build_root(path, machine.debian_suite, machine.debian_mirror, [*machine.build_root_packages, *build_tools], note,
                             provision_cache(machine))


def provision(
    machine: Machine, build_dir: Path, extra_packages: Iterable[str] = (), note: Note = silent, native_files: Sequence[Path] = (),
    build_tools: Iterable[str] = (), keep_going: bool = False,
) -> Toolchain:
    """Make everything a cross build for ``machine`` needs, under ``build_dir``; cached.

    ``native_files`` are the downloaded native tools resolved from PyPI (not pinned), installed
    into the venv on top of the pins; ``build_tools`` Debian packages of programs the recipes run.
    With ``keep_going`` a native tool that does not install is recorded on the toolchain
    (``unusable_native_files``) instead of failing the whole build.

    ``note`` hears of each step that has work to do (installs, downloads), before it starts.
    """
    build_dir = Path(build_dir).absolute()
    ensure_host_packages(machine.host_packages, note)
    root = ensure_machine_build_root(machine, build_dir, note, build_tools)
    sysroot = ensure_sysroot(machine, build_dir, extra_packages, note)
    python = read_target_python(sysroot, machine)
    check_full_version(python, machine)
    venv_dir = distro_build_dir(build_dir, machine.distro) / "native" / "venv"
    venv = ensure_native_venv(venv_dir, python.version_short, note, root, machine.build_python, provision_cache(machine))
    failed = ensure_native_extras(venv, list(native_files), note, root, keep_going)
    toolchain = Toolchain(machine, sysroot, python, venv, machine.build_dir(build_dir) / "toolchain",
                          tuple((path.name, why) for path, why in failed.items()))
    write_build_sysconfigdata(python, sysroot, toolchain.sysconfigdata_dir)
    render_files(toolchain.settings)
    write_cross_scripts(sysroot, toolchain.cross_scripts_dir, machine.target_sys)
    return toolchain
