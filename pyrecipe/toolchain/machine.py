"""A target machine as one distro runs it: the board's CPU and ABI, the distro's software.

As in OpenEmbedded, the machine's conf file (``toolchains/machine/<name>.conf``) says what the
hardware is (CPU, tuning, ELF and qemu facts) and the distro's (``toolchains/distro/<name>.conf``)
what runs on it (Debian suite, CPython X.Y, sysroot and build-tool packages). Both are bitbake
syntax, so a layer can add or override them; :class:`Machine` is the typed view of the variables
the toolchain code needs, read once from the datastore of the pair.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyrecipe.config.configuration import DEFAULT_DISTRO, distro_conf, machine_conf
from pyrecipe.config.sdk import SDK_PROVIDER, bind_sdk
from pyrecipe.errors import InputError
from pyrecipe.parse import DataSmart, core_datastore, load_config
from pyrecipe.toolchain.provision_cache import configured_cache_dir

#: Environment variable naming an existing target sysroot (a Yocto SDK's, Buildroot's staging):
#: when set, the "path" provider uses it and nothing is downloaded.
SYSROOT_ENV = "PYRECIPE_SYSROOT"


@dataclass(frozen=True)
class Machine:
    """Everything about a target board and its distro that provisioning, flags and QA depend on."""

    name: str
    distro: str  # DISTRO: debian-trixie
    description: str
    target_arch: str  # TARGET_ARCH: aarch64, arm, x86_64
    uname_machine: str  # UNAME_MACHINE: aarch64, armv7l, x86_64 (the platform tag's source)
    target_sys: str  # TARGET_SYS: the GNU triplet, aarch64-linux-gnu
    debian_arch: str  # DEBIAN_ARCH: arm64, armhf, amd64
    tune_ccargs: str  # TUNE_CCARGS: -mcpu=cortex-a72
    meson_cpu_family: str
    meson_cpu: str
    meson_endian: str
    rust_target: str
    qemu_user: str  # QEMU_USER: the static qemu-user binary, qemu-aarch64-static
    qemu_cpu: str
    sysroot_provider: str  # "debian" or "path"
    debian_suite: str  # DEBIAN_SUITE: the release the sysroot's packages come from, trixie
    debian_mirror: str  # DEBIAN_ARCHIVE: the archive that has it (OE's DEBIAN_MIRROR is its pool)
    longdouble_format: str
    elf_machine: str  # pyelftools' e_machine name: EM_AARCH64
    elf_class: int  # 32 or 64
    elf_endian: str  # little or big
    python_version: str  # PYTHON_BASEVERSION: the target CPython's X.Y
    sysroot_packages: tuple[str, ...]
    host_packages: tuple[str, ...]  # HOST_PACKAGES: installed into the build machine
    build_root_provider: str  # BUILD_ROOT_PROVIDER: "host" (tasks run here) or "mmdebstrap"
    build_root_packages: tuple[str, ...]  # BUILD_ROOT_PACKAGES: what the distro's build root holds
    cross_compile: str  # CROSS_COMPILE: prefix of the cross binutils/compilers, aarch64-linux-gnu-
    sysroot_path: Path | None = None  # set when the provider is "path" or "sdk"
    build_python: Path | None = None  # the SDK's own python3 (provider "sdk"), else found on the build machine
    #: PROVISION_CACHE_DIR (None: no cache). Where results are kept changes none of them, so it
    #: is left out of the repr that toolchain fingerprints hash.
    provision_cache_dir: Path | None = field(default=None, repr=False, compare=False)
    #: PYTHON_FULLVERSION: the target CPython's X.Y.Z, what requirements are resolved for; the
    #: provisioned sysroot's interpreter must be it. The sysroot's packages are in the toolchain's
    #: fingerprint already, so it is left out of the repr too.
    python_full_version: str = field(default="", repr=False, compare=False)

    def build_dir(self, top: Path) -> Path:
        """This machine's directory in build directory ``top``: ``<top>/<distro>/<machine>``
        (bitbake.conf's MACHINE_BUILD_DIR), so one build directory holds several pairs."""
        return distro_build_dir(top, self.distro) / self.name

    def tool(self, name: str) -> str:
        """The cross tool ``name`` (gcc, g++, ar, strip ...) for this machine."""
        return f"{self.cross_compile}{name}"


#: Machine field -> conf variable, for the fields read as plain strings.
_STRING_VARS = {
    "description": "MACHINE_DESCRIPTION",
    "target_arch": "TARGET_ARCH",
    "uname_machine": "UNAME_MACHINE",
    "target_sys": "TARGET_SYS",
    "debian_arch": "DEBIAN_ARCH",
    "tune_ccargs": "TUNE_CCARGS",
    "meson_cpu_family": "MESON_CPU_FAMILY",
    "meson_cpu": "MESON_CPU",
    "meson_endian": "MESON_ENDIAN",
    "rust_target": "RUST_TARGET",
    "qemu_user": "QEMU_USER",
    "qemu_cpu": "QEMU_CPU",
    "sysroot_provider": "SYSROOT_PROVIDER",
    "debian_suite": "DEBIAN_SUITE",
    "debian_mirror": "DEBIAN_ARCHIVE",
    "longdouble_format": "LONGDOUBLE_FORMAT",
    "elf_machine": "ELF_MACHINE",
    "elf_endian": "ELF_ENDIAN",
    "python_version": "PYTHON_BASEVERSION",
    "cross_compile": "CROSS_COMPILE",
    "build_root_provider": "BUILD_ROOT_PROVIDER",
}


def machine_from_datastore(d: DataSmart, name: str | None = None) -> Machine:
    """The :class:`Machine` described by a parsed configuration (machine and distro confs on top).

    A distro that lists the Debian architectures it has (``DISTRO_DEBIAN_ARCHES``) refuses a
    machine of another one.

    ``PYRECIPE_SYSROOT`` in the environment switches the sysroot provider to "path", so a
    user with a Yocto SDK or a Buildroot staging tree reuses it instead of Debian packages.
    """
    name = name or d.getVar("MACHINE") or "?"
    distro = d.getVar("DISTRO") or DEFAULT_DISTRO
    values: dict[str, object] = {}
    for field_name, var in _STRING_VARS.items():
        value = d.getVar(var)
        if value is None or not value.strip():
            raise InputError(f"machine {name!r} with distro {distro!r}: {var} is not set; add it to the machine's or the distro's conf file")
        values[field_name] = " ".join(value.split())
    elf_class = d.getVar("ELF_CLASS") or ""
    if elf_class.strip() not in ("32", "64"):
        raise InputError(f"machine {name!r}: ELF_CLASS must be 32 or 64, not {elf_class!r}")
    arches = (d.getVar("DISTRO_DEBIAN_ARCHES") or "").split()
    if arches and values["debian_arch"] not in arches:
        raise InputError(
            f"distro {distro!r} does not fit machine {name!r}: the machine is Debian {values['debian_arch']}, "
            f"the distro has {', '.join(arches)} (DISTRO_DEBIAN_ARCHES)"
        )
    sysroot_path = build_python = None
    if values["sysroot_provider"] == SDK_PROVIDER:
        sysroot_path, build_python = Path(d.getVar("SDK_TARGET_SYSROOT")), Path(d.getVar("SDK_BUILD_PYTHON"))
    elif os.environ.get(SYSROOT_ENV):
        sysroot_path = Path(os.environ[SYSROOT_ENV]).absolute()
        values["sysroot_provider"] = "path"
    return Machine(
        name=name,
        distro=distro,
        elf_class=int(elf_class),
        sysroot_packages=tuple((d.getVar("SYSROOT_PACKAGES") or "").split()),
        host_packages=tuple((d.getVar("HOST_PACKAGES") or "").split()),
        build_root_packages=tuple((d.getVar("BUILD_ROOT_PACKAGES") or "").split()),
        sysroot_path=sysroot_path,
        build_python=build_python,
        provision_cache_dir=configured_cache_dir(d.getVar("PROVISION_CACHE_DIR")),
        python_full_version=d.getVar("PYTHON_FULLVERSION") or "",
        **values,  # type: ignore[arg-type]
    )


def distro_build_dir(top: Path, distro: str) -> Path:
    """Distro ``distro``'s directory in build directory ``top`` (bitbake.conf's DISTRO_BUILD_DIR):
    what its machines share (the build root, the native venv of its CPython)."""
    return Path(top).absolute() / distro


def load_machine(
    name: str, extra_confs: Iterable[Path] = (), layers: tuple[Path, ...] = (), distro: str | None = None
) -> Machine:
    """Read machine ``name``'s conf file, distro ``distro``'s (default: DEFAULT_DISTRO), then
    ``extra_confs``; unknown names list the known ones."""
    distro = distro or DEFAULT_DISTRO
    confs = [machine_conf(name, layers), distro_conf(distro, layers)]
    base = core_datastore()
    base.setVar("MACHINE", name)  # before parsing, so MACHINE and DISTRO overrides apply
    base.setVar("DISTRO", distro)
    d = load_config([*confs, *extra_confs], base=base)
    bind_sdk(d)
    return machine_from_datastore(d, name)
