"""Which platform tag a wheel's ELF files earn: ``manylinux_2_N_<arch>`` or plain ``linux_<arch>``.

A wheel built on (or for) one Debian release is tagged ``linux_<arch>`` by its backend: pip on
another board cannot tell whether it will load there. PEP 600 lets a wheel claim
``manylinux_2_N`` when it needs nothing newer than glibc 2.N and only the libraries every such
system has. auditwheel decides that from two facts of each ELF file, and so does this module:

* the libraries it links (``DT_NEEDED``): each must be one of the policy's libraries (libc,
  libm, libstdc++, libz ...), the dynamic loader, or a library the wheel carries itself;
* the symbol versions it needs from them (``.gnu.version_r``: ``GLIBC_2.34``, ``GLIBCXX_3.4.30``,
  ``CXXABI_1.3.13`` ...): for each family a policy names, the version must be one that policy
  allows. Families no policy names (``OPENSSL_3.0.0``) do not count, as in auditwheel.

The wheel gets the oldest policy that holds for every file (auditwheel's choice; there is no
``manylinux_2_25``, so a need of ``GLIBC_2.25`` makes it ``manylinux_2_26``), or ``linux`` when
none does. The facts below are carried over from auditwheel's ``manylinux-policy.json`` (PEP 600's
reference: pypa/auditwheel, ``src/auditwheel/policy/manylinux-policy.json``). Each policy's
version list is contiguous (every version of the family up to its newest), so a policy is kept
here as the newest version it allows per family, plus the non-numeric names it allows. Not
carried over: auditwheel's per-policy blacklist of a few libz and libc symbols, and its repair
(copying outside libraries into the wheel), which pyrecipe does not do: such a wheel stays
``linux_<arch>`` and needs the board's own libraries, as the image does.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile
from elftools.elf.gnuversions import GNUVerNeedSection

from pyrecipe.qa.inventory import ELF_MAGIC

#: The libraries of the manylinux_2_17 policy onwards (manylinux2014; the same list to 2_41).
POLICY_LIBRARIES = frozenset({
    "libatomic.so.1", "libgcc_s.so.1", "libstdc++.so.6", "libm.so.6", "libanl.so.1", "libdl.so.2",
    "librt.so.1", "libc.so.6", "libnsl.so.1", "libutil.so.1", "libpthread.so.0", "libX11.so.6",
    "libXext.so.6", "libXrender.so.1", "libICE.so.6", "libSM.so.6", "libGL.so.1",
    "libgobject-2.0.so.0", "libgthread-2.0.so.0", "libglib-2.0.so.0", "libresolv.so.2",
    "libexpat.so.1", "libz.so.1",
})
#: manylinux_2_5 lacks libexpat; libmvec joins at manylinux_2_24.
LIBRARIES_FROM = {"libexpat.so.1": 12, "libmvec.so.1": 24}

#: The symbol version families the policies name, in the order of the rows below.
FAMILIES = ("GLIBC", "GLIBCXX", "CXXABI", "GCC", "LIBATOMIC", "ZLIB")

#: Per machine (``uname -m``) and policy (glibc minor N of manylinux_2_N): the newest version of
#: each family of FAMILIES it allows ("" for a family of which it allows none).
_NEWEST: dict[str, dict[int, tuple[str, ...]]] = {
    "aarch64": {
        17: ("2.18", "3.4.19", "1.3.7", "4.7.0", "1.0", "1.2.5.2"),
        24: ("2.24", "3.4.22", "1.3.10", "4.7.0", "1.2", "1.2.5.2"),
        26: ("2.26", "3.4.24", "1.3.11", "7.0.0", "1.2", "1.2.5.2"),
        27: ("2.27", "3.4.24", "1.3.11", "7.0.0", "1.2", "1.2.9"),
        28: ("2.28", "3.4.24", "1.3.11", "7.0.0", "1.2", "1.2.9"),
        31: ("2.31", "3.4.28", "1.3.12", "7.0.0", "1.2", "1.2.9"),
        34: ("2.34", "3.4.29", "1.3.13", "11.0", "1.2", "1.2.9"),
        35: ("2.35", "3.4.30", "1.3.13", "11.0", "1.2", "1.2.9"),
        36: ("2.36", "3.4.30", "1.3.13", "11.0", "1.2", "1.2.9"),
        37: ("2.36", "3.4.30", "1.3.13", "11.0", "1.2", "1.2.12"),
        38: ("2.38", "3.4.30", "1.3.13", "11.0", "1.2", "1.2.12"),
        39: ("2.39", "3.4.33", "1.3.15", "14.0.0", "1.2", "1.2.12"),
        40: ("2.40", "3.4.33", "1.3.15", "14.0.0", "1.2", "1.2.12"),
        41: ("2.41", "3.4.33", "1.3.15", "14.0.0", "1.2", "1.2.12"),
    },
    "armv7l": {
        17: ("2.17", "3.4.19", "1.3.7", "4.7.0", "1.0", "1.2.5.2"),
        24: ("2.24", "3.4.22", "1.3.10", "4.7.0", "1.2", "1.2.5.2"),
        26: ("2.26", "3.4.24", "1.3.11", "7.0.0", "1.2", "1.2.9"),
        27: ("2.27", "3.4.24", "1.3.11", "7.0.0", "1.2", "1.2.9"),
        28: ("2.28", "3.4.24", "1.3.11", "7.0.0", "1.2", "1.2.9"),
        31: ("2.31", "3.4.28", "1.3.12", "7.0.0", "1.2", "1.2.9"),
        34: ("2.34", "3.4.29", "1.3.13", "7.0.0", "1.2", "1.2.9"),
        35: ("2.35", "3.4.30", "1.3.13", "7.0.0", "1.2", "1.2.9"),
        36: ("2.36", "3.4.30", "1.3.13", "7.0.0", "1.2", "1.2.9"),
        37: ("2.37", "3.4.30", "1.3.13", "7.0.0", "1.2", "1.2.12"),
        38: ("2.38", "3.4.30", "1.3.13", "7.0.0", "1.2", "1.2.12"),
        39: ("2.39", "3.4.33", "1.3.15", "14.0.0", "1.2", "1.2.12"),
        40: ("2.40", "3.4.33", "1.3.15", "14.0.0", "1.2", "1.2.12"),
        41: ("2.41", "3.4.33", "1.3.15", "14.0.0", "1.2", "1.2.12"),
    },
    "x86_64": {
        5: ("2.5", "3.4.8", "1.3.1", "4.2.0", "", ""),
        12: ("2.12", "3.4.13", "1.3.3", "4.3.0", "", "1.2.2.4"),
        17: ("2.17", "3.4.19", "1.3.7", "4.8.0", "", "1.2.5.2"),
        24: ("2.24", "3.4.22", "1.3.10", "4.8.0", "1.2", "1.2.5.2"),
        26: ("2.26", "3.4.22", "1.3.10", "4.8.0", "1.2", "1.2.5.2"),
        27: ("2.27", "3.4.24", "1.3.11", "7.0.0", "1.2", "1.2.9"),
        28: ("2.28", "3.4.24", "1.3.11", "7.0.0", "1.2", "1.2.9"),
        31: ("2.31", "3.4.28", "1.3.12", "7.0.0", "1.2", "1.2.9"),
        34: ("2.34", "3.4.29", "1.3.13", "7.0.0", "1.2", "1.2.9"),
        35: ("2.35", "3.4.30", "1.3.13", "12.0.0", "1.2", "1.2.9"),
        36: ("2.36", "3.4.30", "1.3.13", "12.0.0", "1.2", "1.2.9"),
        37: ("2.36", "3.4.30", "1.3.13", "12.0.0", "1.2", "1.2.12"),
        38: ("2.38", "3.4.30", "1.3.13", "12.0.0", "1.2", "1.2.12"),
        39: ("2.39", "3.4.33", "1.3.15", "14.0.0", "1.2", "1.2.12"),
        40: ("2.40", "3.4.33", "1.3.15", "14.0.0", "1.2", "1.2.12"),
        41: ("2.41", "3.4.33", "1.3.15", "14.0.0", "1.2", "1.2.12"),
    },
}
#: The non-numeric version names a policy allows: the transactional-memory ABI everywhere from
#: 2_17, 32-bit ARM's EHABI node, x86_64's __float128 (from 2_24), and glibc's marker for
#: packed relative relocations (-z pack-relative-relocs), from 2_36.
_NAMED_FROM: dict[str, dict[str, int]] = {
    "aarch64": {"CXXABI_TM_1": 17, "GLIBC_ABI_DT_RELR": 36},
    "armv7l": {"CXXABI_TM_1": 17, "CXXABI_ARM_1.3.3": 17, "GLIBC_ABI_DT_RELR": 36},
    "x86_64": {"CXXABI_TM_1": 17, "CXXABI_FLOAT128": 24, "GLIBC_ABI_DT_RELR": 36},
}
_NUMERIC_RE = re.compile(r"[0-9]+(?:\.[0-9]+)*")


@dataclass(frozen=True)
class ElfNeeds:
    """What one ELF file of a wheel asks of the system that loads it."""

    name: str  # the file's path in the wheel
    machine: str  # e_machine: EM_AARCH64 ...
    soname: str | None
    needed: tuple[str, ...]  # DT_NEEDED
    versions: frozenset[str]  # the symbol versions it needs: GLIBC_2.17, GLIBCXX_3.4.30 ...


@dataclass(frozen=True)
class PlatformVerdict:
    """The platform tag of a set of ELF files and why it is not older (or not manylinux)."""

    tag: str  # manylinux_2_17_aarch64 or linux_aarch64
    reason: str


def is_elf(data: bytes) -> bool:
    return data[:4] == ELF_MAGIC


def read_needs(name: str, data: bytes) -> ElfNeeds:
    """The needs of the ELF file ``name`` whose content is ``data`` (ValueError: not readable ELF)."""
    try:
        elf = ELFFile(io.BytesIO(data))
        needed: list[str] = []
        soname: str | None = None
        versions: set[str] = set()
        for section in elf.iter_sections():
            if isinstance(section, DynamicSection):
                for tag in section.iter_tags():
                    if tag.entry.d_tag == "DT_NEEDED":
                        needed.append(tag.needed)
                    elif tag.entry.d_tag == "DT_SONAME":
                        soname = tag.soname
            elif isinstance(section, GNUVerNeedSection):
                for _library, auxiliaries in section.iter_versions():
                    versions.update(aux.name for aux in auxiliaries)
        return ElfNeeds(name, elf.header["e_machine"], soname, tuple(needed), frozenset(versions))
    except (ELFError, OSError, KeyError, ValueError) as error:
        raise ValueError(f"{name}: unreadable ELF file ({error})") from None


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def policies(arch: str) -> list[int]:
    """The glibc minors N of the manylinux_2_N policies for ``arch``, oldest first (none: unknown arch)."""
    return sorted(_NEWEST.get(arch, {}))


def _version_refusal(arch: str, minor: int, version: str) -> str | None:
    """Why policy manylinux_2_<minor> does not allow ``version`` (None: it does or does not judge it)."""
    family, _, number = version.partition("_")
    if family not in FAMILIES:
        return None
    named_from = _NAMED_FROM[arch].get(version)
    if named_from is not None:
        return None if minor >= named_from else f"needs {version}"
    newest = _NEWEST[arch][minor][FAMILIES.index(family)]
    if not _NUMERIC_RE.fullmatch(number) or not newest or _version_key(number) > _version_key(newest):
        return f"needs {version}"
    return None


def _library_refusal(minor: int, library: str) -> str | None:
    if library in POLICY_LIBRARIES or library in LIBRARIES_FROM:
        return None if minor >= LIBRARIES_FROM.get(library, 0) else f"links {library}"
    return f"links {library}, which no manylinux policy allows"


def _is_loader(library: str) -> bool:
    """The dynamic loader (ld-linux-aarch64.so.1 ...), which every policy takes for granted."""
    return library.startswith(("ld-linux", "ld64.so"))


def _refusal(arch: str, minor: int, files: list[ElfNeeds], carried: set[str]) -> str | None:
    """The first need of ``files`` that policy manylinux_2_<minor> does not allow (None: all allowed)."""
    for needs in files:
        for library in needs.needed:
            if library not in carried and not _is_loader(library):
                refused = _library_refusal(minor, library)
                if refused:
                    return f"{needs.name} {refused}"
        for version in sorted(needs.versions):
            refused = _version_refusal(arch, minor, version)
            if refused:
                return f"{needs.name} {refused}"
    return None


def platform_tag(arch: str, files: Iterable[ElfNeeds]) -> PlatformVerdict:
    """The platform tag for a wheel of ``arch`` (``uname -m``: aarch64, armv7l ...) holding ``files``."""
    files = list(files)
    # A library the wheel carries (by its DT_SONAME or its file name) is no outside dependency.
    carried = {needs.soname for needs in files if needs.soname} | {Path(needs.name).name for needs in files}
    outside: dict[str, str] = {}
    for needs in files:
        for library in needs.needed:
            if library not in carried and not _is_loader(library) and library not in POLICY_LIBRARIES \
                    and library not in LIBRARIES_FROM:
                outside.setdefault(library, needs.name)
    if outside:
        named = ", ".join(f"{library} ({user})" for library, user in sorted(outside.items()))
        return PlatformVerdict(f"linux_{arch}", f"links libraries outside the manylinux policy: {named}")
    if not policies(arch):
        return PlatformVerdict(f"linux_{arch}", f"no manylinux policy is known for {arch}")
    refusal = None
    for minor in policies(arch):
        refusal = _refusal(arch, minor, files, carried)
        if refusal is None:
            return PlatformVerdict(f"manylinux_2_{minor}_{arch}", f"needs {newest_needed(files) or 'no versioned symbol'}")
    return PlatformVerdict(f"linux_{arch}", f"newer than manylinux_2_{policies(arch)[-1]}: {refusal}")


def newest_needed(files: Iterable[ElfNeeds]) -> str:
    """The newest version of each family the policies judge that ``files`` need: ``GLIBC_2.34, GLIBCXX_3.4.30``."""
    newest: dict[str, str] = {}
    for needs in files:
        for version in needs.versions:
            family, _, number = version.partition("_")
            if family in FAMILIES and _NUMERIC_RE.fullmatch(number) and (
                    family not in newest or _version_key(number) > _version_key(newest[family])):
                newest[family] = number
    return ", ".join(f"{family}_{newest[family]}" for family in FAMILIES if family in newest)
