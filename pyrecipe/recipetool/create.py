"""``pyrecipe create``: write a recipe for a PyPI project from its sdist.

What Buildroot's scanpypi and OpenEmbedded's recipetool do, for our classes: the recipe is
derived from the sdist itself (its pyproject.toml and PKG-INFO), never from the JSON API (not
reachable from every build machine), so what we read is exactly what will be built. Facts the
sdist cannot tell us (which system libraries a C extension links) are written into the recipe
as comments for the user to act on, not guessed into DEPENDS.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import tempfile
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.markers import Marker
from packaging.metadata import parse_email
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from pyrecipe.config.paths import CLASSES_DIR
from pyrecipe.errors import BuildError, InputError
from pyrecipe.fsutil import atomic_write_text
from pyrecipe.pep517.hooks import read_build_system
from pyrecipe.sources import pypi
from pyrecipe.sources.fetch import fetch
from pyrecipe.sources.unpack import unpack

if TYPE_CHECKING:
    from pyrecipe.parse import DataSmart

SDIST_SUFFIXES = (".tar.gz", ".zip")
#: Written files are readable by everyone (a temporary file starts as 0600).
RECIPE_MODE = 0o644

#: The ``source`` of a crates.io package in a Cargo.lock.
CRATES_IO_SOURCE = "registry+https://github.com/rust-lang/crates.io-index"
#: PEP 517 backend -> the class that builds with it (the module part of ``build-backend``).
BACKEND_CLASSES = {
    "setuptools.build_meta:__legacy__": "setuptools3",
    "setuptools.build_meta": "python_setuptools_build_meta",
    "flit_core.buildapi": "python_flit_core",
    "hatchling.build": "python_hatchling",
    "poetry.core.masonry.api": "python_poetry_core",
    "pdm.backend": "python_pdm",
    "mesonpy": "python_mesonpy",
    "maturin": "python_maturin",
    "scikit_build_core.build": "python_scikit_build_core",
}
#: The generic class: any backend that the native environment has.
GENERIC_CLASS = "python_pep517"

#: Trove classifiers -> SPDX identifiers, for PKG-INFO that has neither License-Expression nor
#: a short License field.
CLASSIFIER_LICENSES = {
    "License :: OSI Approved :: MIT License": "MIT",
    "License :: OSI Approved :: BSD License": "BSD-3-Clause",
    "License :: OSI Approved :: Apache Software License": "Apache-2.0",
    "License :: OSI Approved :: ISC License (ISCL)": "ISC",
    "License :: OSI Approved :: Python Software Foundation License": "PSF-2.0",
    "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "License :: OSI Approved :: GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "License :: OSI Approved :: GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "License :: OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "License :: OSI Approved :: The Unlicense (Unlicense)": "Unlicense",
}
LICENSE_FILE_RE = re.compile(r"^(LICEN[CS]E|COPYING|COPYRIGHT|NOTICE)([.-].*)?$", re.IGNORECASE)

#: Source suffixes of compiled languages, by language.
NATIVE_SUFFIXES = {
    ".c": "C", ".h": "C", ".cc": "C++", ".cpp": "C++", ".cxx": "C++", ".hpp": "C++", ".hh": "C++",
    ".f": "Fortran", ".f90": "Fortran", ".f95": "Fortran", ".rs": "Rust",
    ".pyx": "Cython", ".pxd": "Cython",
}
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.MULTILINE)
#: Headers every build has (the C/C++ standard libraries, POSIX, glibc, the compiler's intrinsics,
#: CPython's and NumPy's own),
#: and those of other platforms (Windows, macOS) that code includes only behind #ifdefs.
SYSTEM_HEADER_RE = re.compile(
    r"^(Python\.h|py[a-z_]*\.h|structmember\.h|numpy/.*|"
    r"(frameobject|datetime|marshal|longintrepr|structseq|code|opcode|osdefs|bytesobject|unicodeobject)\.h|"
    r"(cpython|internal)/.*|"
    r"(?i:(windows|winsock2?|ws2tcpip|winbase|wincrypt|winerror|windef|winnt|winreg|io|direct|conio|process|"
    r"shlobj|intrin|tchar|crtdbg)\.h)|(mach|mach-o|CoreFoundation|Security|TargetConditionals|libkern)(/.*|\.h)|"
    r"(assert|complex|ctype|errno|fenv|float|inttypes|iso646|limits|locale|math|setjmp|signal|stdalign|"
    r"stdarg|stdatomic|stdbool|stddef|stdint|stdio|stdlib|stdnoreturn|string|strings|tgmath|threads|time|"
    r"uchar|wchar|wctype|unistd|fcntl|dirent|dlfcn|pthread|sched|poll|termios|syslog|netdb|alloca|"
    r"endian|byteswap|malloc|features|getopt|glob|grp|pwd|semaphore|spawn|libgen|iconv|langinfo)\.h|"
    r"(sys|arpa|netinet|net|linux|asm|bits)/.*|"
    r"(cpuid|[a-z0-9]*intrin|arm_neon|arm_acle|arm_sve)\.h|"  # the compiler's own (SIMD intrinsics)
    r"[a-z_]+)$"  # C++ standard headers have no suffix: <vector>, <cstdint>
)
#: Headers of libraries the Debian target sysroot can supply -> the -dev package (and what else the
#: library needs on the board, separated by spaces).
DEBIAN_DEV_PACKAGES = {
    "yaml.h": "libyaml-dev", "zlib.h": "zlib1g-dev", "ffi.h": "libffi-dev", "png.h": "libpng-dev",
    "jpeglib.h": "libjpeg-dev", "bzlib.h": "libbz2-dev", "lzma.h": "liblzma-dev",
    "openssl/": "libssl-dev", "libxml/": "libxml2-dev", "libxslt/": "libxslt1-dev",
    "ft2build.h": "libfreetype-dev", "cblas.h": "libopenblas-dev", "lapacke.h": "liblapacke-dev",
    "sqlite3.h": "libsqlite3-dev", "zstd.h": "libzstd-dev", "lz4.h": "liblz4-dev",
    "gmp.h": "libgmp-dev", "hdf5.h": "libhdf5-dev", "curl/": "libcurl4-openssl-dev",
    # GLib, GObject introspection, cairo, D-Bus: what pygobject, pycairo and dbus-python include
    # (OE-core recipes, so generated from their sdists). Headers under a versioned directory
    # (glib-2.0/glib.h) are found through pkg-config, which the -dev package also brings.
    "glib.h": "libglib2.0-dev", "glib-object.h": "libglib2.0-dev", "gmodule.h": "libglib2.0-dev",
    "glib/": "libglib2.0-dev", "gobject/": "libglib2.0-dev", "gio/": "libglib2.0-dev",
    # GLib >= 2.80's girepository-2.0; what loads typelibs needs GLib's own (GLib, GObject, Gio),
    # which OpenEmbedded's glib-2.0 package holds and Debian puts in gir1.2-glib-2.0
    "girepository/": "libgirepository-2.0-dev gir1.2-glib-2.0",
    "girepository.h": "libgirepository1.0-dev", "girffi.h": "libgirepository1.0-dev",
    "cairo.h": "libcairo2-dev", "cairo-*.h": "libcairo2-dev",
    "dbus/dbus-glib*.h": "libdbus-glib-1-dev", "dbus/": "libdbus-1-dev",
}


@dataclass(frozen=True)
class TargetFacts:
    """What PEP 508 markers and ``Requires-Python`` are evaluated against: the board's CPython,
    by its exact version (a project may require 3.13.2; 3.13 alone would be 3.13.0 to them)."""

    python_full_version: str  # the target CPython's X.Y.Z (PYTHON_FULLVERSION)
    machine: str = "aarch64"

    @property
    def python_version(self) -> str:
        """The X.Y (PYTHON_BASEVERSION)."""
        return ".".join(self.python_full_version.split(".")[:2])

    def marker_environment(self, extra: str = "") -> dict[str, str]:
        return {
            "python_version": self.python_version, "python_full_version": self.python_full_version,
            "implementation_name": "cpython", "implementation_version": self.python_full_version,
            "platform_python_implementation": "CPython", "os_name": "posix", "sys_platform": "linux",
            "platform_system": "Linux", "platform_machine": self.machine, "platform_release": "",
            "platform_version": "", "extra": extra,
        }


def target_facts(d: DataSmart) -> TargetFacts:
    """The board of a configuration: its CPython's exact version (PYTHON_FULLVERSION) and machine."""
    return TargetFacts(d.getVar("PYTHON_FULLVERSION"), board_machine(d))


def board_machine(d: DataSmart) -> str:
    """The board's ``uname -m`` (PEP 508's platform_machine): UNAME_MACHINE, else the target architecture."""
    return d.getVar("UNAME_MACHINE") or d.getVar("TARGET_ARCH")


@dataclass(frozen=True)
class Sdist:
    """A chosen sdist: the file on the index and the project/version its name carries."""

    entry: pypi.IndexFile
    archive_prefix: str  # the name part of the file name: MarkupSafe, six
    version: str  # as spelled in the file name (PV)
    extension: str  # tar.gz or zip


@dataclass
class NativeCode:
    """Compiled-language sources found in the sdist and the headers they include from outside it."""

    languages: dict[str, int] = field(default_factory=dict)
    external_headers: set[str] = field(default_factory=set)

    def debian_packages(self) -> dict[str, str | None]:
        """Each external header -> the Debian -dev package known to provide it (None: unknown)."""
        return {header: debian_dev_package(header) for header in sorted(self.external_headers)}

    def debian_package_set(self) -> tuple[str, ...]:
        """Every Debian package the known headers need, sorted, each once."""
        return tuple(sorted({package for value in self.debian_packages().values() if value for package in value.split()}))


def debian_dev_package(header: str) -> str | None:
    """The Debian -dev package of ``header`` (as an ``#include <...>`` names it) in
    :data:`DEBIAN_DEV_PACKAGES`, whose keys are a header, a directory (``curl/``: every header
    under it) or a glob (``cairo-*.h``); the first key that matches wins, so a narrower glob
    (``dbus/dbus-glib*.h``) comes before its directory (``dbus/``). None when none matches."""
    for key, package in DEBIAN_DEV_PACKAGES.items():
        if key.endswith("/"):
            if header.startswith(key):
                return package
        elif fnmatch.fnmatchcase(header, key):
            return package
    return None


@dataclass
class RecipeFacts:
    """Everything the recipe says, gathered from the index and the sdist."""

    name: str
    sdist: Sdist
    summary: str
    homepage: str
    license: str
    license_file: str | None
    license_md5: str | None
    inherit: str
    depends: list[str]
    rdepends: list[str]
    source_dir_name: str
    native: NativeCode
    notes: list[str]
    #: (name, version, sha256) of the crates.io crates its Cargo.lock pins, when the sdist does not vendor them.
    crates: list[tuple[str, str, str]] = field(default_factory=list)
    #: Installed files (relative to site-packages) that meson configures with the build's facts.
    build_config_files: list[str] = field(default_factory=list)


def parse_spec(spec: str) -> tuple[str, str | None]:
    """``NAME`` or ``NAME==VERSION`` -> (name, version or None)."""
    name, sep, version = spec.partition("==")
    name, version = name.strip(), version.strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name) or (sep and not version):
        raise InputError(f"{spec!r} is not a PyPI project name (NAME or NAME==VERSION)")
    return name, version or None


def sdist_parts(filename: str) -> tuple[str, str, str] | None:
    """``MarkupSafe-3.0.2.tar.gz`` -> ("MarkupSafe", "3.0.2", "tar.gz"); None for other files."""
    for suffix in SDIST_SUFFIXES:
        if filename.endswith(suffix):
            prefix, _, version = filename[: -len(suffix)].rpartition("-")
            return (prefix, version, suffix[1:]) if prefix and version else None
    return None


def _parsed_version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _python_ok(requires_python: str | None, python_full_version: str) -> bool:
    if not requires_python:
        return True
    try:
        return SpecifierSet(requires_python).contains(python_full_version, prereleases=True)
    except InvalidSpecifier:
        return True


def choose_sdist(files: Iterable[pypi.IndexFile], project: str, version: str | None, facts: TargetFacts) -> Sdist:
    """The sdist of ``version``, or of the newest final, non-yanked release that supports the
    target's Python."""
    candidates: list[tuple[Version, Sdist]] = []
    for entry in files:
        parts = sdist_parts(entry.filename)
        parsed = _parsed_version(parts[1]) if parts else None
        # A file named for another project is skipped, as pip skips it: cffi's index lists
        # ``cffi-1.0.2-2.tar.gz`` (project "cffi-1.0.2", version "2", equal to 2.0.0).
        if parts is None or parsed is None or pypi.normalise_project(parts[0]) != pypi.normalise_project(project):
            continue
        sdist = Sdist(entry, *parts)
        if version is not None:
            if parsed == _parsed_version(version):
                return sdist
            continue
        if entry.yanked or parsed.is_prerelease or not _python_ok(entry.requires_python, facts.python_full_version):
            continue
        candidates.append((parsed, sdist))
    if version is not None:
        raise InputError(f"PyPI project {project!r} has no sdist of version {version}")
    if not candidates:
        raise InputError(
            f"PyPI project {project!r} has no sdist of a final release for Python {facts.python_full_version} "
            "(only wheels or pre-releases?); name a version with NAME==VERSION"
        )
    return max(candidates, key=lambda item: item[0])[1]


def _requirement(text: str, where: str) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as error:
        raise BuildError(f"{where}: cannot read requirement {text!r}: {error}") from None


def recipe_package_name(requirement_name: str) -> str:
    """A PyPI name as OpenEmbedded spells its recipe: ``PyYAML`` -> ``python3-pyyaml``."""
    return "python3-" + pypi.normalise_project(requirement_name)


def native_depends(build_requires: Iterable[str], facts: TargetFacts) -> list[str]:
    """``[build-system] requires`` -> ``python3-<name>-native`` (markers for the build interpreter,
    which has the target's Python version)."""
    env = {**facts.marker_environment(), "platform_machine": os.uname().machine}
    names: dict[str, None] = {}
    for text in build_requires:
        requirement = _requirement(text, "pyproject.toml [build-system] requires")
        if requirement.marker is None or requirement.marker.evaluate(env):
            names[recipe_package_name(requirement.name) + "-native"] = None
    return list(names)


def runtime_depends(requires_dist: Iterable[str], facts: TargetFacts) -> list[str]:
    """Requires-Dist -> ``python3-<name>`` for those whose markers hold on the target without
    any extra (the recipe provides the package as installed plainly)."""
    env = facts.marker_environment()
    names: dict[str, None] = {}
    for text in requires_dist:
        requirement = _requirement(text, "PKG-INFO Requires-Dist")
        marker: Marker | None = requirement.marker
        if marker is None or marker.evaluate(env):
            names[recipe_package_name(requirement.name)] = None
    return list(names)


def license_of(metadata: Mapping[str, object]) -> str | None:
    """SPDX expression from License-Expression, a one-word License field, or the classifiers."""
    expression = metadata.get("license_expression")
    if isinstance(expression, str) and expression.strip():
        return expression.strip().replace(" AND ", " & ").replace(" OR ", " | ")
    text = metadata.get("license")
    if isinstance(text, str) and re.fullmatch(r"[A-Za-z0-9.+-]{2,40}", text.strip()):
        return text.strip()
    classifiers = metadata.get("classifiers")
    found = [CLASSIFIER_LICENSES[c] for c in classifiers if isinstance(c, str) and c in CLASSIFIER_LICENSES] \
        if isinstance(classifiers, list) else []
    return " & ".join(dict.fromkeys(found)) if found else None


def find_license_file(source_dir: Path, declared: Iterable[str]) -> Path | None:
    """The license file: the first License-File that exists, else a LICENSE/COPYING at the top."""
    for name in declared:
        if (source_dir / name).is_file():
            return source_dir / name
    top = sorted(p for p in source_dir.iterdir() if p.is_file() and LICENSE_FILE_RE.match(p.name))
    return top[0] if top else None


def scan_native_code(source_dir: Path) -> NativeCode:
    """Compiled sources in the tree, and the headers they include that the tree does not hold."""
    native = NativeCode()
    local_headers: set[str] = set()
    includes: set[str] = set()
    for path in source_dir.rglob("*"):
        language = NATIVE_SUFFIXES.get(path.suffix.lower())
        if language is None or not path.is_file():
            continue
        native.languages[language] = native.languages.get(language, 0) + 1
        if language in ("C", "C++"):
            local_headers.add(path.name)
            includes.update(INCLUDE_RE.findall(path.read_text(encoding="utf-8", errors="replace")))
    native.external_headers = {
        h for h in includes if Path(h).name not in local_headers and not SYSTEM_HEADER_RE.match(h)
    }
    return native


def sdist_dev_packages(archive: Path) -> tuple[str, ...]:
    """The Debian -dev packages whose headers the C/C++ code of the sdist ``archive`` includes
    (:func:`scan_native_code`, :data:`DEBIAN_DEV_PACKAGES`), sorted: what a build of it from
    source needs besides a compiler and CPython. Headers no entry names are left out."""
    with tempfile.TemporaryDirectory(prefix="pyrecipe-scan-") as tmp:
        native = scan_native_code(unpack(archive, Path(tmp) / "src"))
    return native.debian_package_set()


def locked_crates(source_dir: Path) -> list[tuple[str, str, str]]:
    """The crates.io crates of the sdist's ``Cargo.lock`` with their checksums, as OpenEmbedded's
    ``-crates.inc`` lists them; none when there is no lock or the sdist vendors its crates
    (``.cargo-checksum.json`` files: cargo builds from those, as orjson's sdist does)."""
    lock = source_dir / "Cargo.lock"
    if not lock.is_file() or next(source_dir.rglob(".cargo-checksum.json"), None) is not None:
        return []
    try:
        packages = tomllib.loads(lock.read_text()).get("package", [])
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise BuildError(f"{lock.name} of the sdist is not TOML: {error}") from None
    return [(p["name"], p["version"], p["checksum"]) for p in packages
            if str(p.get("source", "")).startswith(CRATES_IO_SOURCE) and p.get("checksum")]


def meson_build_config_files(source_dir: Path, packages: Iterable[str]) -> list[str]:
    """The ``.py.in`` templates of a meson-python package's own modules (numpy's ``__config__.py``,
    contourpy's ``util/_build_config.py``): meson writes the build's paths and flags into them,
    and the installed file must name the board's instead (PYTHON_BUILD_CONFIG_FILES)."""
    found = []
    for template in sorted(source_dir.rglob("*.py.in")):
        parts = template.relative_to(source_dir).parts
        top = next((i for i, part in enumerate(parts[:-1]) if part in packages), None)
        if top is not None and top <= 1:  # the package at the top, or under src/ or lib/
            found.append("/".join(parts[top:])[: -len(".in")])
    return found


#: What a generated recipe says of its test. It sets no PYTHON_TEST_CODE: do_test's default imports
#: the top-level modules the wheel installed (tasks.base.top_level_modules), which a guess from the
#: sdist got wrong where the distribution and its module are named apart (``import grpcio``: the
#: module is ``grpc``, found after a 40-minute compile).
TEST_COMMENT = "# do_test imports the top-level modules the wheel installs; PYTHON_TEST_CODE = \"...\" for a test of its own."


def import_names(source_dir: Path, project: str) -> list[str]:
    """Top-level modules the package installs, as the sdist tells before it is built (what
    meson's build configuration files are looked for under): setuptools' top_level.txt when the
    sdist has one, else the packages of a src/, lib/ or flat layout, else a single module."""
    for top_level in [*sorted(source_dir.glob("*.egg-info/top_level.txt")), *sorted(source_dir.glob("*/*.egg-info/top_level.txt"))]:
        names = [n for n in top_level.read_text(encoding="utf-8", errors="replace").split() if n.isidentifier() and not n.startswith("_")]
        if names:
            return names
    for root in (source_dir / "src", source_dir / "lib", source_dir):
        if not root.is_dir():
            continue
        packages = sorted(p.name for p in root.iterdir() if (p / "__init__.py").is_file() and p.name.isidentifier())
        packages = [p for p in packages if p not in ("tests", "test", "docs", "examples", "benchmarks")]
        if packages:
            return packages
    modules = sorted(
        p.stem for p in source_dir.glob("*.py")
        if p.stem.isidentifier() and p.stem not in ("setup", "conftest", "noxfile", "tasks")
        and not p.stem.startswith("test") and not p.stem.endswith("_test")
    )
    return modules or [pypi.normalise_project(project).replace("-", "_")]


#: The PEP 517 backends and setuptools plugins that build Rust: a sdist builds Rust only through one of them.
RUST_BUILDERS = frozenset({"maturin", "setuptools-rust"})


def builds_rust(backend: str, build_requires: Iterable[str]) -> bool:
    """Whether the default build compiles Rust: its backend is maturin or its ``[build-system]
    requires`` name a Rust builder. Not the sources: zstandard's sdist carries a Cargo.lock and
    rust-ext/ for an optional backend (``--rust-backend``) its setuptools build never touches, and
    a recipe that fetched the crates of that lock failed fetching what it never needs."""
    backend_module = backend.partition(":")[0].split(".")[0]
    return backend_module in RUST_BUILDERS or any(
        pypi.normalise_project(_requirement(r, "[build-system] requires").name) in RUST_BUILDERS for r in build_requires)


#: What a build script asks of ``cfg``, which in build.rs is the build machine's, not the board's.
BUILD_SCRIPT_HOST_CFG_RE = re.compile(r"(?:#\[cfg\(|cfg!\()[^\]\n]*\btarget_(?:arch|os|feature|pointer_width|endian)\b")


def build_script_host_cfg(source_dir: Path) -> list[str]:
    """The sdist's own build scripts (``build.rs`` of its crates, not of vendored ones) that test
    ``cfg(target_arch ...)``: cargo compiles a build script for the build machine, so under cross
    compilation such a test sees x86_64 where the board is aarch64 (orjson's build.rs turned on its
    x86 AVX-512 code that way: "the feature named avx512vl is not valid for this target"). The
    board's values are the CARGO_CFG_TARGET_* variables; a generated recipe names the scripts."""
    found = []
    for script in sorted(source_dir.rglob("build.rs")):
        relative = script.relative_to(source_dir)
        if len(relative.parts) > 3 or any(part in ("vendor", "include", "cargo", ".cargo", "target") for part in relative.parts[:-1]):
            continue
        if BUILD_SCRIPT_HOST_CFG_RE.search(script.read_text(encoding="utf-8", errors="replace")):
            found.append(relative.as_posix())
    return found


def class_for_backend(backend: str, build_requires: Iterable[str], classes_dirs: Iterable[Path]) -> str:
    """The class building with ``backend``; the generic PEP 517 class when ours is not there yet."""
    wanted = BACKEND_CLASSES.get(backend, GENERIC_CLASS)
    if wanted.startswith(("setuptools3", "python_setuptools")) and builds_rust(backend, build_requires):
        wanted = "python_setuptools3_rust"
    if any((directory / f"{wanted}.bbclass").is_file() for directory in classes_dirs):
        return wanted
    return GENERIC_CLASS


def _md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def gather(
    spec: str, dl_dir: Path, facts: TargetFacts, classes_dirs: Iterable[Path] = (CLASSES_DIR,), index: str = pypi.SIMPLE_INDEX,
) -> RecipeFacts:
    """Find, download (checksum-verified) and read the sdist named by ``spec``."""
    name, version = parse_spec(spec)
    sdist = choose_sdist(pypi.project_files(name, index), name, version, facts)
    if not sdist.entry.sha256:
        raise BuildError(f"the index gives no sha256 for {sdist.entry.filename}; cannot pin it")
    archive = fetch(sdist.entry.url, dl_dir, sdist.entry.sha256, filename=sdist.entry.filename)
    with tempfile.TemporaryDirectory(prefix="pyrecipe-create-") as tmp:
        source_dir = unpack(archive, Path(tmp) / "src")
        pkg_info = source_dir / "PKG-INFO"
        if not pkg_info.is_file():
            raise BuildError(f"{archive.name} has no PKG-INFO at its top: not an sdist built by a PEP 517 backend")
        metadata, _ = parse_email(pkg_info.read_bytes())
        system = read_build_system(source_dir)
        license_file = find_license_file(source_dir, metadata.get("license_files", []) or [])
        native = scan_native_code(source_dir)
        modules = import_names(source_dir, name)
        recipe_name = pypi.normalise_project(metadata.get("name") or name)
        notes = []
        if builds_rust(system.backend, system.requires):
            notes += [f"{script} tests cfg(target_*) in a build script: that is the build machine's (x86_64 for an aarch64 board); "
                      "if the build fails on another architecture's code, patch it to read CARGO_CFG_TARGET_ARCH"
                      for script in build_script_host_cfg(source_dir)]
        license_spdx = license_of(metadata)
        if license_spdx is None:
            notes.append("PKG-INFO names no license pyrecipe can map to SPDX: check the license file and set LICENSE")
        urls = metadata.get("project_urls", {}) or {}
        homepage = metadata.get("home_page") or next(
            (url for label, url in urls.items() if label.lower() in ("homepage", "home", "source", "documentation")), ""
        )
        return RecipeFacts(
            name=recipe_name,
            sdist=sdist,
            summary=(metadata.get("summary") or f"The {name} Python package").replace('"', "'"),
            homepage=homepage or f"https://pypi.org/project/{recipe_name}/",
            license=license_spdx or "Unknown",
            license_file=license_file.relative_to(source_dir).as_posix() if license_file else None,
            license_md5=_md5(license_file) if license_file else None,
            inherit=class_for_backend(system.backend, system.requires, classes_dirs),
            depends=native_depends(system.requires, facts),
            rdepends=runtime_depends(metadata.get("requires_dist", []) or [], facts),
            source_dir_name=source_dir.name,
            native=native,
            notes=notes,
            crates=locked_crates(source_dir) if builds_rust(system.backend, system.requires) else [],
            build_config_files=meson_build_config_files(source_dir, modules) if system.backend == "mesonpy" else [],
        )


def render(facts: RecipeFacts) -> str:
    """The recipe text."""
    sdist = facts.sdist
    lines = [f'SUMMARY = "{facts.summary}"', f'HOMEPAGE = "{facts.homepage}"', f'LICENSE = "{facts.license}"']
    if facts.license_file:
        lines.append(f'LIC_FILES_CHKSUM = "file://{facts.license_file};md5={facts.license_md5}"')
    else:
        lines.append("# No license file found in the sdist: add LIC_FILES_CHKSUM by hand.")
    lines += [f"# {note}" for note in facts.notes]
    lines += ["", f"inherit pypi {facts.inherit}", "", f'SRC_URI[sha256sum] = "{sdist.entry.sha256}"']
    if sdist.archive_prefix != facts.name:
        lines.append(f'PYPI_PACKAGE = "{sdist.archive_prefix}"')
    if sdist.extension != "tar.gz":
        lines.append(f'PYPI_PACKAGE_EXT = "{sdist.extension}"')
    if facts.source_dir_name != f"{sdist.archive_prefix}-{sdist.version}":
        lines.append(f'S = "${{UNPACKDIR}}/{facts.source_dir_name}"')
    lines += ["", f'PROVIDES = "python3-{facts.name}"']
    if facts.depends:
        lines.append(f'DEPENDS += "{" ".join(facts.depends)}"')
    lines.append(f'RDEPENDS:${{PN}} = "{" ".join(["python3-core", *facts.rdepends])}"')
    lines += _native_comment(facts.native)
    if facts.build_config_files:
        lines += ["", "# Written by meson with the build's paths: made the board's (python_pep517).",
                  f'PYTHON_BUILD_CONFIG_FILES = "{" ".join(facts.build_config_files)}"']
    if facts.crates:
        lines += ["", "# The crates its Cargo.lock pins, from crates.io (OpenEmbedded's -crates.inc form):", 'SRC_URI += " \\']
        lines += [f"    crate://crates.io/{name}/{version} \\" for name, version, _ in facts.crates]
        lines.append('"')
        lines += [f'SRC_URI[{name}-{version}.sha256sum] = "{sha}"' for name, version, sha in facts.crates]
    lines += ["", TEST_COMMENT, ""]
    return "\n".join(lines)


def _native_comment(native: NativeCode) -> list[str]:
    if not native.languages:
        return []
    seen = ", ".join(f"{language} ({count} files)" for language, count in sorted(native.languages.items()))
    lines = ["", f"# pyrecipe create saw native code: {seen}."]
    packages = native.debian_packages()
    if packages:
        lines.append("# It includes headers from outside the sdist; the target sysroot may need their -dev packages")
        lines.append("# (DEPENDS on the library, or SYSROOT_PACKAGES += the Debian package):")
        for header, package in packages.items():
            lines.append(f"#   #include <{header}>: {package or 'unknown package (apt-file search ' + header + ')'}")
    else:
        lines.append("# It includes no headers from outside the sdist beyond libc and CPython.")
    return lines


def recipe_path(facts: RecipeFacts, recipes_dir: Path) -> Path:
    return recipes_dir / facts.name / f"{facts.name}_{facts.sdist.version}.bb"


def create_recipe(spec: str, recipes_dir: Path, dl_dir: Path, *, facts: TargetFacts, force: bool = False) -> Path:
    """Write ``recipes_dir/<name>/<name>_<version>.bb`` for ``spec``; return its path."""
    gathered = gather(spec, dl_dir, facts)
    path = recipe_path(gathered, recipes_dir)
    if path.exists() and not force:
        raise InputError(f"{path} already exists; use --force to overwrite it")
    atomic_write_text(path, render(gathered), mode=RECIPE_MODE)
    return path
