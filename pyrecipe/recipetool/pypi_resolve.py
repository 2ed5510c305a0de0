"""Names no layer provides, taken from PyPI: a recipe written for a target package, a pinned
download for a native tool.

A target ``python3-X`` that no layer has becomes a recipe in the build directory
(``build/<distro>/generated/recipes/X/X_<version>.bb``): ``pypi_wheel`` when the chosen release
publishes a ``none-any`` wheel (the project says it runs everywhere as it is), else a recipe for
its sdist written by ``pyrecipe create``'s code. A project that also publishes wheels for
particular platforms has native code its ``none-any`` wheel goes without (frozenlist's and
yarl's Cython, charset-normalizer's mypyc): it is built from its sdist. The file is the record:
it names the version and the sha256 of what it downloads, so the next build takes the same
file, offline once it is in ``DL_DIR``, until the file is removed or
``PREFERRED_VERSION_<name>`` asks for another version.

A ``python3-X-native`` that is neither a layer's recipe nor a pinned tool is installed into the
native venv from PyPI: the release, its file and the file's sha256 are recorded in
``build/<distro>/generated/native-tools.json`` (with the tools its ``Requires-Dist`` needs that are
not pinned either), and provisioning installs exactly those files.

With ``PYPI_BINARY = "prefer"`` or ``"only"`` (``--prefer-binary``, ``--only-binary :all:``) the
release's wheel for the board (its CPython X.Y or abi3, ``manylinux_2_N_<arch>`` up to the sysroot's
glibc, ``linux_<arch>``) is installed as it is, once it passes :mod:`pyrecipe.qa.wheelfit` against
the board's sysroot; a wheel refused is named with its reason, and the sdist built instead
(``prefer``) or the build stopped (``only``). The choice is written into the recipe, so a recipe
generated under another setting is generated again.

Which release: the newest final, non-yanked one whose ``Requires-Python`` admits the distro's
CPython by its exact version (``PYTHON_FULLVERSION``), or the newest matching ``PREFERRED_VERSION_<name>``
(``%`` a wildcard at its end, as in bitbake).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from packaging.metadata import parse_email
from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import InvalidWheelFilename, parse_wheel_filename
from packaging.version import Version

from pyrecipe.errors import BuildError, InputError
from pyrecipe.fsutil import atomic_write_text
from pyrecipe.qa import wheelfit
from pyrecipe.recipetool import GENERATED_RECIPE, PYPI_WHEEL, create
from pyrecipe.sources import pypi
from pyrecipe.sources.fetch import fetch, mask_urls
from pyrecipe.toolchain.native import manylinux_platforms

log = logging.getLogger(__name__)
#: The top of a generated recipe.
GENERATED_HEADER = "# Written by pyrecipe: no layer provides {name}; from PyPI ({filename}). Delete this file to resolve it again."


@dataclass(frozen=True)
class LayerPatches:
    """The patches of a layer's recipe of the same project, offered to a recipe generated for
    another version: do_patch applies each that applies as it is (``apply=if-clean``) and says
    which do not."""

    recipe: Path  # the layer's recipe
    version: str  # its PV
    filespath: str  # its FILESPATH, where the patches are found
    names: tuple[str, ...]  # as its SRC_URI names them (file://NAME)

    def lines(self) -> list[str]:
        return [f"# The patches of the layer's recipe {self.recipe} ({self.version}), applied where they apply as they are:",
                f'FILESPATH =. "{self.filespath}:"',
                'SRC_URI += "' + " ".join(f"file://{name};apply=if-clean" for name in self.names) + '"']


#: A word of PYPI_BUNDLED_LIBRARY: NAME=VALUE (exported) or -CKEY=VALUE (a PEP 517 config setting).
_SWITCH_RE = re.compile(r"(?:(?P<setting>-C[^=\s\"]+=[^\s\"]*)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>[^\s\"]*))")


@dataclass(frozen=True)
class BundledLibrary:
    """The switch of a project whose sdist bundles a C library (``PYPI_BUNDLED_LIBRARY[project]``,
    toolchains/conf/bundled-libraries.conf): the environment and PEP 517 config settings that build
    it with the sysroot's library (or configure the bundled copy for the board), and the libraries
    it then DEPENDS on. Written into the recipe generated from its sdist, where a user reads it."""

    project: str
    environment: tuple[tuple[str, str], ...]
    config_settings: tuple[str, ...]
    depends: tuple[str, ...]

    def lines(self) -> list[str]:
        lines = [f"# Its sdist bundles a C library: the switch that builds it with the sysroot's (PYPI_BUNDLED_LIBRARY[{self.project}]):"]
        lines += [f'export {name} = "{value}"' for name, value in self.environment]
        if self.config_settings:
            lines.append(f'PEP517_BUILD_OPTS += "{" ".join(self.config_settings)}"')
        if self.depends:
            lines.append(f'DEPENDS += "{" ".join(self.depends)}"')
        return lines


def bundled_libraries(switches: Mapping[str, str], depends: Mapping[str, str]) -> dict[str, BundledLibrary]:
    """PYPI_BUNDLED_LIBRARY's and PYPI_BUNDLED_LIBRARY_DEPENDS' flags (unexpanded: the recipe
    expands ``${TARGET_SYS}``) by normalised project; InputError naming a word that is neither form."""
    found = {}
    for project in {*switches, *depends}:
        environment, settings = [], []
        for word in str(switches.get(project) or "").split():
            match = _SWITCH_RE.fullmatch(word)
            if match is None:
                raise InputError(f"PYPI_BUNDLED_LIBRARY[{project}]: {word!r} is neither NAME=VALUE (exported to the build) "
                                 "nor -CKEY=VALUE (a PEP 517 config setting)")
            if match["setting"]:
                settings.append(word)
            else:
                environment.append((match["name"], match["value"]))
        found[pypi.normalise_project(project)] = BundledLibrary(
            pypi.normalise_project(project), tuple(environment), tuple(settings), tuple(str(depends.get(project) or "").split()))
    return found


class NotOnPyPI(Exception):
    """The index has no project by any spelling of the name (the caller says where else it looked)."""


@dataclass(frozen=True)
class Release:
    """One version of a project and its files on the index."""

    project: str
    version: str
    files: tuple[pypi.IndexFile, ...]

    def pure_wheel(self) -> pypi.IndexFile | None:
        """The release's ``none-any`` wheel for Python 3, if it publishes one."""
        for entry in self.files:
            tags = _wheel_tags(entry.filename)
            if tags and any(t.interpreter.startswith("py3") and t.abi == "none" and t.platform == "any" for t in tags):
                return entry
        return None

    def sdist(self) -> pypi.IndexFile | None:
        return next((entry for entry in self.files if create.sdist_parts(entry.filename)), None)

    def wheel_for(self, tags: Sequence[Tag]) -> pypi.IndexFile | None:
        """The release's wheel that best matches ``tags`` (most preferred first), if any."""
        return next(iter(self.wheels_for(tags)), None)

    def wheels_for(self, tags: Sequence[Tag]) -> list[pypi.IndexFile]:
        """The release's wheels that match ``tags`` (most preferred first), best first."""
        rank = {tag: index for index, tag in enumerate(tags)}
        ranked = [(min(rank[tag] for tag in found & rank.keys()), entry.filename, entry) for entry in self.files
                  if (found := _wheel_tags(entry.filename)) and found & rank.keys()]
        return [entry for _, _, entry in sorted(ranked, key=lambda item: item[:2])]

    def has_native_wheels(self) -> bool:
        """Whether the project also publishes wheels for particular platforms: its ``none-any``
        wheel is then a fallback without the compiled speed-ups (frozenlist, yarl, multidict)."""
        return any(tag.platform != "any" for entry in self.files for tag in (_wheel_tags(entry.filename) or ()))

    def board_wheel(self) -> pypi.IndexFile | None:
        """The ``none-any`` wheel to install on the board as it is: when the project has no
        compiled variant, or no sdist to compile one from."""
        if self.has_native_wheels() and self.sdist() is not None:
            return None
        return self.pure_wheel()


def build_machine_tags(python_version: str) -> list[Tag]:
    """The wheel tags the native venv's CPython X.Y takes on this build machine, most preferred
    first: its glibc's manylinux platforms (the build root's glibc is at least as new) and abi3."""
    major, minor = (int(part) for part in python_version.split(".")[:2])
    glibc = (os.confstr("CS_GNU_LIBC_VERSION") or "glibc 2.17").split()[-1]
    platforms = manylinux_platforms(glibc, platform.machine())
    return [*cpython_tags((major, minor), platforms=platforms), *compatible_tags((major, minor), platforms=platforms)]


#: PYPI_BINARY's values: pip's --no-binary :all: (the default: sdists, none-any wheels of pure
#: projects), --prefer-binary, --only-binary :all:.
BINARY_CHOICES = ("no", "prefer", "only")
#: The line a generated recipe records its PYPI_BINARY with.
_BINARY_LINE = '# Chosen with PYPI_BINARY = "{}"'


@dataclass(frozen=True)
class WheelPolicy:
    """Whether a generated recipe may install the board's own wheel from the index
    (``binary``: one of BINARY_CHOICES), and what such a wheel is checked against: the board's
    ELF machine and the sysroot's library directories."""

    binary: str
    elf_machine: str = ""
    library_dirs: tuple[Path, ...] = ()

    def glibc(self) -> str:
        """The sysroot's glibc (2.41: the newest GLIBC_2.N its libc.so.6 defines); the newest
        manylinux policy's when no sysroot is there to read."""
        libc = next((d / "libc.so.6" for d in self.library_dirs if (d / "libc.so.6").exists()), None)
        newest = wheelfit.newest_version(wheelfit.defined_versions(libc), "GLIBC") if libc else None
        return newest.partition("_")[2] if newest else "2.41"


def generated_with(path: Path, binary: str) -> bool:
    """Whether the generated recipe ``path`` was chosen under PYPI_BINARY ``binary`` (a recipe
    from before the setting existed was chosen as "no")."""
    text = path.read_text(errors="replace")
    recorded = next((b for b in BINARY_CHOICES if _BINARY_LINE.format(b) in text), "no")
    return recorded == binary


def board_tags(facts: create.TargetFacts, glibc: str) -> list[Tag]:
    """The wheel tags the board's CPython takes, most preferred first: its X.Y and abi3 on the
    manylinux platforms of ``glibc`` and plain ``linux_<arch>``, then the pure ones."""
    version = tuple(int(part) for part in facts.python_version.split("."))
    platforms = [*manylinux_platforms(glibc, facts.machine), f"linux_{facts.machine}"]
    return [*cpython_tags(version, platforms=platforms), *compatible_tags(version, platforms=platforms)]


def platform_wheel(release: Release, facts: create.TargetFacts, policy: WheelPolicy, dl_dir: Path) -> pypi.IndexFile | None:
    """The release's wheel for the board that passes QA against the sysroot (the most preferred
    first); None when none does and the policy allows the sdist; InputError under "only"."""
    refused = []
    for entry in release.wheels_for(board_tags(facts, policy.glibc())):
        if not entry.sha256:
            refused.append(f"{entry.filename}: the index gives no sha256 to pin it")
        elif all(tag.platform == "any" for tag in _wheel_tags(entry.filename) or ()):
            return entry  # a pure wheel asks nothing of the sysroot
        elif not wheelfit.has_libc(policy.library_dirs):
            refused.append(f"{entry.filename}: the board's sysroot is not provisioned yet, so nothing can check what the "
                           "wheel needs of it (pyrecipe sysroot --machine MACHINE provisions it)")
        else:
            reasons = wheelfit.refusals(fetch(entry.url, dl_dir, entry.sha256, filename=entry.filename), policy.elf_machine,
                                        policy.library_dirs)
            if not reasons:
                return entry
            refused.append(f"{entry.filename} refused: {'; '.join(reasons)}")
    said = "; ".join(refused) or (f"the index has no wheel for CPython {facts.python_version} on {facts.machine} "
                                  f"({', '.join(f.filename for f in release.files)})")
    if policy.binary == "only":
        raise InputError(f"{release.project} {release.version}: no wheel of it installs on the board, and only wheels are "
                         f"allowed (PYPI_BINARY = \"only\", --only-binary): {said}")
    if refused:
        log.warning("WARNING: %s %s: no wheel of it installs on the board, its sdist is built: %s", release.project, release.version, said)
    return None


def _wheel_tags(filename: str) -> frozenset[Tag] | None:
    if not filename.endswith(".whl"):
        return None
    try:
        return parse_wheel_filename(filename)[3]
    except InvalidWheelFilename:
        return None


def file_version(filename: str) -> Version | None:
    """The version a wheel's or an sdist's file name carries."""
    if filename.endswith(".whl"):
        try:
            return parse_wheel_filename(filename)[1]
        except InvalidWheelFilename:
            return None
    parts = create.sdist_parts(filename)
    return create._parsed_version(parts[1]) if parts else None


def preferred_matches(preferred: str, version: str) -> bool:
    """bitbake's reading of PREFERRED_VERSION: the exact version, or a prefix before a ``%``."""
    if preferred.endswith("%"):
        return version.startswith(preferred[:-1])
    return version == preferred


def choose_release(files: Iterable[pypi.IndexFile], project: str, python_full_version: str, preferred: str | None = None) -> Release:
    """The release to take: see the module's docstring."""
    by_version: dict[Version, list[pypi.IndexFile]] = {}
    for entry in files:
        version = file_version(entry.filename)
        if version is None or entry.yanked or not create._python_ok(entry.requires_python, python_full_version):
            continue
        by_version.setdefault(version, []).append(entry)
    if preferred:
        chosen = [v for v in by_version if preferred_matches(preferred, str(v))]
        if not chosen:
            raise InputError(f"PyPI project {project!r} has no release matching PREFERRED_VERSION {preferred!r} "
                             f"for Python {python_full_version} (newest: {', '.join(str(v) for v in sorted(by_version)[-5:]) or 'none'})")
    else:
        chosen = [v for v in by_version if not v.is_prerelease]
    if not chosen:
        raise InputError(f"PyPI project {project!r} has no final release for Python {python_full_version}")
    best = max(chosen)
    return Release(project, str(best), tuple(by_version[best]))


def pypi_projects(name: str, alias: str | None = None) -> list[str]:
    """The PyPI projects a dependency name may mean: ``alias`` when the configuration names one
    (``PYPI_PROJECT[python3-git] = "GitPython"``), else ``python3-six`` -> six, python-six."""
    if alias:
        return [pypi.normalise_project(alias)]
    stem = pypi.normalise_project(name).removesuffix("-native")
    if stem.startswith("python3-"):
        stem = stem[len("python3-"):]
        return [stem, "python-" + stem]
    return [stem]


def find_project(projects: list[str], index: str) -> tuple[str, list[pypi.IndexFile]]:
    """The first of ``projects`` (:func:`pypi_projects`) the index has, with its files; NotOnPyPI when none."""
    for project in projects:
        try:
            return project, pypi.project_files(project, index)
        except pypi.ProjectNotFound:
            continue
    raise NotOnPyPI(", ".join(f"{mask_urls(index)}/{p}/" for p in projects))


# ---------------------------------------------------------------- metadata of a downloaded file
@dataclass(frozen=True)
class WheelFacts:
    metadata: dict  # type: ignore[type-arg]
    dist_info: str
    license_file: str | None
    license_md5: str | None


def read_wheel(path: Path) -> WheelFacts:
    """The METADATA of a wheel and its license file (under ``.dist-info``)."""
    try:
        with zipfile.ZipFile(path) as wheel:
            names = wheel.namelist()
            dist_info = next((n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA") and n.count("/") == 1), None)
            if dist_info is None:
                raise BuildError(f"{path.name} has no .dist-info/METADATA: not a wheel")
            metadata, _ = parse_email(wheel.read(f"{dist_info}/METADATA"))
            declared = [f"{dist_info}/licenses/{n}" for n in metadata.get("license_files", []) or []]
            licenses = [n for n in declared if n in names] or sorted(
                n for n in names if n.startswith(dist_info + "/") and create.LICENSE_FILE_RE.match(n.rsplit("/", 1)[1]))
            license_file = licenses[0] if licenses else None
            md5 = hashlib.md5(wheel.read(license_file)).hexdigest() if license_file else None
    except (zipfile.BadZipFile, OSError) as error:
        raise BuildError(f"cannot read the wheel {path}: {error}") from None
    return WheelFacts(dict(metadata), dist_info, license_file, md5)


def read_sdist_metadata(path: Path) -> dict:  # type: ignore[type-arg]
    """PKG-INFO of an sdist, read from the archive without unpacking it."""
    import tarfile

    try:
        if path.name.endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                member = next(n for n in archive.namelist() if n.count("/") == 1 and n.endswith("/PKG-INFO"))
                data = archive.read(member)
        else:
            with tarfile.open(path) as archive:
                info = next(m for m in archive.getmembers() if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO"))
                handle = archive.extractfile(info)
                data = handle.read() if handle else b""
    except (StopIteration, OSError, tarfile.TarError, zipfile.BadZipFile) as error:
        raise BuildError(f"cannot read PKG-INFO of {path}: {error or 'no PKG-INFO'}") from None
    metadata, _ = parse_email(data)
    return dict(metadata)


# ---------------------------------------------------------------- target recipes
def generated_recipes(generated_dir: Path, projects: list[str]) -> list[Path]:
    """Recipes generated before for ``projects`` (:func:`pypi_projects`), oldest version first."""
    found: list[Path] = []
    for project in projects:
        found += (generated_dir / "recipes" / project).glob(f"{project}_*.bb")
    return sorted(found, key=lambda path: (file_version(f"x-{recipe_version(path)}.tar.gz") or Version("0"), path.name))


def fetches_one_of(path: Path, sha256: frozenset[str]) -> bool:
    """Whether the generated recipe at ``path`` pins one of the files of ``sha256``."""
    return any(digest in sha256 for digest in re.findall(r'sha256sum\] = "([0-9a-f]{64})"', path.read_text()))


def recipe_version(path: Path) -> str:
    return path.stem.split("_", 1)[1]


def _find_on_indexes(projects: list[str], indexes: Sequence[str]) -> tuple[str, list[pypi.IndexFile], str]:
    """:func:`find_project` on the first of ``indexes`` that has the project, and that index."""
    missing = []
    for index in indexes:
        try:
            return (*find_project(projects, index), index)
        except NotOnPyPI as error:
            missing.append(str(error))
    raise NotOnPyPI(", ".join(missing))


def generate_target_recipe(name: str, projects: list[str], generated_dir: Path, dl_dir: Path, python_full_version: str,
                           index: str, preferred: str | None = None, machine: str = "aarch64",
                           layer_patches: LayerPatches | None = None, wheels: WheelPolicy = WheelPolicy("no"),
                           extra_indexes: Sequence[str] = (), locked: frozenset[str] = frozenset(),
                           bundled: Mapping[str, BundledLibrary] | None = None) -> Path:
    """Write the recipe for target dependency ``name``, the first of ``projects`` on the index;
    NotOnPyPI when the index has none of them. A recipe for its sdist offers ``layer_patches``;
    ``wheels`` says whether the board's wheel of the release may be taken instead.

    ``extra_indexes`` (a requirement file's ``--extra-index-url``) are asked first, as uv asks
    them first: a project of a private index is fetched from there. ``locked`` (the sha256 of
    the files the lock allows) leaves out the other files of the release, so ``--no-binary``
    (a lock without wheels) and ``--hash`` pins reach the recipe as they reached the lock.
    ``bundled`` (:func:`bundled_libraries`) gives a recipe for the sdist of a project that bundles
    a C library its switch."""
    project, files, index = _find_on_indexes(projects, [*extra_indexes, index])
    # The index serving none of the lock's files is the lock's error, which the requirement set's
    # check names with both hashes: the recipe is then generated as if there were no lock.
    files = [entry for entry in files if (entry.sha256 or "").lower() in locked] or files
    release = choose_release(files, project, python_full_version, preferred)
    facts = create.TargetFacts(python_full_version, machine)
    wheel = platform_wheel(release, facts, wheels, dl_dir) if wheels.binary != "no" else None
    wheel = wheel or release.board_wheel()
    if wheel is not None:
        text, recipe_name = _wheel_recipe(name, project, release, wheel, dl_dir, facts)
    elif release.sdist() is not None:
        gathered = create.gather(f"{project}=={release.version}", dl_dir, facts, index=index)
        recipe_name = gathered.name
        sdist = gathered.sdist.entry
        extra = [f'PYRECIPE_GENERATED = "{GENERATED_RECIPE}"']
        if index != pypi.SIMPLE_INDEX:
            # PyPI's /packages/source/ address (the pypi class's) would not find an sdist of another index.
            extra.append(f'PYPI_SRC_URI = "{pypi.without_credentials(sdist.url)};downloadfilename={sdist.filename}"')
        known = gathered.native.debian_package_set()
        if known:
            extra.append(f'# The headers its C code includes come from these Debian packages:\nSYSROOT_PACKAGES += "{" ".join(known)}"')
        if bundled and project in bundled:
            extra += bundled[project].lines()
        if layer_patches is not None:
            extra += layer_patches.lines()
        text = GENERATED_HEADER.format(name=name, filename=sdist.filename) + "\n" + create.render(gathered) + "\n".join(extra) + "\n"
    else:
        raise InputError(f"PyPI project {project!r} {release.version} has neither an sdist nor a none-any wheel "
                         f"({', '.join(f.filename for f in release.files)}): write a recipe for {name}")
    if wheels.binary != "no":
        text += _BINARY_LINE.format(wheels.binary) + "\n"
    if pypi.normalise_project(name) not in (recipe_name, f"python3-{recipe_name}"):
        text += f'PROVIDES += "{name}"\n'  # python3-dateutil for python-dateutil: the name asked for finds it
    path = generated_dir / "recipes" / recipe_name / f"{recipe_name}_{release.version}.bb"
    atomic_write_text(path, text, mode=create.RECIPE_MODE)
    return path


def _wheel_recipe(name: str, project: str, release: Release, wheel: pypi.IndexFile, dl_dir: Path,
                  facts: create.TargetFacts) -> tuple[str, str]:
    if not wheel.sha256:
        raise BuildError(f"the index gives no sha256 for {wheel.filename}; cannot pin it")
    path = fetch(wheel.url, dl_dir, wheel.sha256, filename=wheel.filename)
    read = read_wheel(path)
    distribution = parse_wheel_filename(wheel.filename)[0]
    recipe_name = pypi.normalise_project(str(distribution))
    tag = "-".join(wheel.filename[:-len(".whl")].split("-")[-3:])
    license_spdx = create.license_of(read.metadata)
    summary = (read.metadata.get("summary") or f"The {project} Python package").replace('"', "'")
    lines = [
        GENERATED_HEADER.format(name=name, filename=wheel.filename),
        f'SUMMARY = "{summary}"',
        f'HOMEPAGE = "https://pypi.org/project/{project}/"',
        f'LICENSE = "{license_spdx or "Unknown"}"',
    ]
    if read.license_file:
        lines.append(f'LIC_FILES_CHKSUM = "file://{read.license_file};md5={read.license_md5}"')
    lines += [
        "", "inherit pypi_wheel", "",
        f'PYPI_PACKAGE = "{project}"',
        f'PYPI_WHEEL_NAME = "{wheel.filename.split("-", 1)[0]}"',
        f'PYPI_WHEEL_TAG = "{tag}"',
        f'PYPI_SRC_URI = "{wheel.url};downloadfilename={wheel.filename}"',
        f'SRC_URI[sha256sum] = "{wheel.sha256}"',
        f'PYRECIPE_GENERATED = "{PYPI_WHEEL}"',
        "",
        f'PROVIDES = "python3-{recipe_name}"',
        f'RDEPENDS:${{PN}} = "{" ".join(["python3-core", *create.runtime_depends(read.metadata.get("requires_dist", []) or [], facts)])}"',
    ]
    lines.append(create.TEST_COMMENT)
    return "\n".join(lines) + "\n", recipe_name


# ---------------------------------------------------------------- native tools
@dataclass(frozen=True)
class NativeTool:
    """A tool of the native venv taken from PyPI, as recorded."""

    name: str
    version: str
    filename: str
    url: str
    sha256: str
    requires: tuple[str, ...] = ()  # the normalised names it needs besides the pinned tools
    # An sdist's: the Debian -dev packages whose headers its C code includes, which the build
    # root (or the build machine) needs to compile it (pycairo: libcairo2-dev). None: a record
    # written before pyrecipe looked, looked at again when read.
    build_packages: tuple[str, ...] | None = None


class NativeToolLock:
    """``generated/native-tools.json``: what each PyPI native tool resolved to."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tools: dict[str, NativeTool] = {}
        if path.is_file():
            try:
                data = json.loads(path.read_text())
                self.tools = {name: _recorded_tool(entry) for name, entry in data.items()}
            except (ValueError, TypeError) as error:
                raise InputError(f"{path} is not a native tools record ({error}); delete it to resolve the tools again") from None

    def save(self) -> None:
        data = {name: asdict(tool) | {"requires": list(tool.requires)} for name, tool in sorted(self.tools.items())}
        atomic_write_text(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")


def _recorded_tool(entry: dict[str, Any]) -> NativeTool:
    packages = entry.get("build_packages")
    return NativeTool(**{**entry, "requires": tuple(entry.get("requires", ())),
                         "build_packages": None if packages is None else tuple(packages)})


def resolve_native_tool(name: str, lock: NativeToolLock, pinned: set[str], dl_dir: Path, python_full_version: str,
                        index: str, preferred: Callable[[str], str | None] = lambda name: None,
                        alias: str | None = None) -> list[NativeTool]:
    """The tool ``name`` (``python3-<name>-native``; the PyPI project ``alias`` when one is
    configured) and the unpinned tools it needs, from the record or resolved now (and recorded);
    NotOnPyPI when the index has no such project."""
    wanted: list[str] = [name]
    result: dict[str, NativeTool] = {}
    while wanted:
        tool_name = wanted.pop()
        if tool_name in result or tool_name in pinned:
            continue
        tool = lock.tools.get(tool_name)
        want_version = preferred(tool_name)
        if tool is None or (want_version and not preferred_matches(want_version, tool.version)):
            # the tool asked for is an OE name (X, then python-X); what it requires are PyPI's own
            projects = pypi_projects(f"python3-{tool_name}", alias) if tool_name == name else [tool_name]
            tool = _resolve_tool(tool_name, projects, pinned, dl_dir, python_full_version, index, want_version)
            lock.tools[tool_name] = tool
            lock.save()
        elif tool.build_packages is None:
            tool = replace(tool, build_packages=_build_packages(tool.filename, fetch(tool.url, dl_dir, tool.sha256, filename=tool.filename)))
            lock.tools[tool_name] = tool
            lock.save()
        result[tool_name] = tool
        wanted += list(tool.requires)
    return list(result.values())


def _resolve_tool(name: str, projects: list[str], pinned: set[str], dl_dir: Path, python_full_version: str, index: str,
                  preferred: str | None) -> NativeTool:
    project, files = find_project(projects, index)
    release = choose_release(files, project, python_full_version, preferred)
    # A build tool runs on the build machine: its own compiled wheel serves as well as a pure one
    # (an sdist would be compiled in the venv: pycairo's needs cairo's headers there).
    chosen = release.pure_wheel() or release.wheel_for(build_machine_tags(python_full_version)) or release.sdist()
    if chosen is None or not chosen.sha256:
        raise InputError(f"PyPI project {name!r} {release.version} has no none-any wheel, wheel for the build machine or sdist with a sha256 "
                         f"({', '.join(f.filename for f in release.files)}): pin it in toolchains/native-tools.txt")
    path = fetch(chosen.url, dl_dir, chosen.sha256, filename=chosen.filename)
    metadata = read_wheel(path).metadata if chosen.filename.endswith(".whl") else read_sdist_metadata(path)
    facts = create.TargetFacts(python_full_version)
    needs = [pypi.normalise_project(dep.removeprefix("python3-")) for dep in create.runtime_depends(metadata.get("requires_dist", []) or [], facts)]
    requires = tuple(dict.fromkeys(n for n in needs if n not in pinned))
    return NativeTool(name, release.version, chosen.filename, chosen.url, chosen.sha256, requires,
                      _build_packages(chosen.filename, path))


def _build_packages(filename: str, path: Path) -> tuple[str, ...]:
    """What compiling the tool's file needs from Debian: nothing for a wheel, the -dev packages
    of the headers an sdist's C code includes (:func:`create.sdist_dev_packages`)."""
    return () if filename.endswith(".whl") else create.sdist_dev_packages(path)


def native_tool_files(tools: Iterable[NativeTool], dl_dir: Path) -> list[Path]:
    """The recorded files of ``tools`` in ``dl_dir`` (downloaded now when missing, checked by sha256)."""
    return [fetch(tool.url, dl_dir, tool.sha256, filename=tool.filename) for tool in tools]
