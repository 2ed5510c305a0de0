"""The Python tasks of base.bbclass that bring the sources and test the result: fetch, unpack, patch, test.

Each takes the recipe's datastore ``d`` and does one step with the tested building blocks
(:mod:`pyrecipe.sources.fetch`, :mod:`pyrecipe.sources.unpack`, :mod:`pyrecipe.qa` ...). What a step needs from
the running build (the provisioned toolchain, the task's log) is the running task's
:class:`~pyrecipe.engine.context.TaskContext`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from pyrecipe.engine.confine import is_inside, relative_inside, sandboxed_command
from pyrecipe.engine.context import current_task
from pyrecipe.errors import BuildError, InputError, PyrecipeError
from pyrecipe.fsutil import atomic_write_text, building_dir, file_sha256
from pyrecipe.graph.variant import is_native
from pyrecipe.parse import DataSmart
from pyrecipe.sources import pypi
from pyrecipe.sources.fetch import (
    DOWNLOAD_DEADLINE,
    DOWNLOAD_MAX_SIZE,
    PATCH_SUFFIXES,
    SourceMissing,
    SrcUriEntry,
    check_scheme,
    mask_credentials,
    mirror_urls,
    parse_src_uri,
)
from pyrecipe.sources.fetch import (
    fetch as fetch_url,
)
from pyrecipe.sources.git import (
    GitSource,
    checkout_git,
    fetch_git,
    fetch_submodules,
    parse_git_url,
    resolve_srcrev,
)
from pyrecipe.sources.unpack import ARCHIVE_KINDS, UnpackLimits, size_value
from pyrecipe.sources.unpack import unpack as unpack_archive
from pyrecipe.toolchain.ldconfig import board_ldconfig


def src_uri_entries(d: DataSmart) -> list[SrcUriEntry]:
    flags = {k: v for k, v in d.getVarFlags("SRC_URI", expand=True).items() if isinstance(v, str)}
    return parse_src_uri(d.getVar("SRC_URI") or "", flags)


def _local_relative(entry: SrcUriEntry, d: DataSmart) -> tuple[str, str]:
    """The path of a ``file://`` entry, relative and without ``..`` (else InputError), and the
    words naming the recipe and the entry for messages."""
    check_scheme(entry.url)
    relative = entry.url.split("://", 1)[1] if "://" in entry.url else entry.url
    where = f"recipe {d.getVar('PN')} ({d.getVar('FILE')}): SRC_URI entry {entry.url}"
    if os.path.isabs(relative) or ".." in Path(relative).parts or not relative:
        raise InputError(f"{where}: a file:// path must be relative to FILESPATH (the recipe's files in its layer), "
                         "without '..': a file of the build machine is not a source")
    return relative, where


def _local_path(entry: SrcUriEntry, d: DataSmart) -> Path:
    """A ``file://`` entry is looked up along FILESPATH, as in bitbake, and must be found in a
    layer (pyrecipe's own included) or beside the recipe (one BBFILES names outside a layer, or
    generated from PyPI). Unlike bitbake, an
    absolute ``file:///path`` and a path that climbs out with ``..`` are refused: a recipe would
    ship a file of the build machine in its image. The file found is judged by its real path, so
    a symlink out of the layer is refused too; FILESPATH itself is the recipe's to set
    (``FILESEXTRAPATHS``) and so proves nothing."""
    relative, where = _local_relative(entry, d)
    for directory in (d.getVar("FILESPATH") or "").split(":"):
        if directory and Path(directory, relative).exists():
            found = Path(directory, relative)
            real = os.path.realpath(found)
            # FILE, not FILE_DIRNAME: only the parser sets FILE (pyrecipe.parse.walls).
            roots = [*(d.getVar("BBLAYERS") or "").split(), d.getVar("PYRECIPE_TOPDIR"), os.path.dirname(d.getVar("FILE") or "")]
            if not any(root and is_inside(real, os.path.realpath(root)) for root in roots):
                raise InputError(f"{where}: {found} is not in a layer (it is {real}); a file of the build machine "
                                 "is not a source")
            return found
    raise InputError(f"{where} not found in FILESPATH ({d.getVar('FILESPATH')})")


def _fetch_deadline(d: DataSmart) -> float:
    """FETCH_DEADLINE: seconds one download may take in all (default DOWNLOAD_DEADLINE)."""
    value = (d.getVar("FETCH_DEADLINE") or "").strip()
    try:
        deadline = float(value) if value else DOWNLOAD_DEADLINE
    except ValueError:
        deadline = 0.0
    if not deadline > 0:
        raise InputError(f"recipe {d.getVar('PN')}: FETCH_DEADLINE={value!r} must be a number of seconds above 0")
    return deadline


def _fetch_max_size(d: DataSmart) -> int:
    """FETCH_MAX_SIZE: bytes a download of unknown length may bring (default DOWNLOAD_MAX_SIZE)."""
    value = (d.getVar("FETCH_MAX_SIZE") or "").strip()
    try:
        return size_value(value) if value else DOWNLOAD_MAX_SIZE
    except (ValueError, KeyError):
        raise InputError(f"recipe {d.getVar('PN')}: FETCH_MAX_SIZE={value!r} must be bytes with an optional K, M or "
                         "G suffix") from None


def _download(entry: SrcUriEntry, d: DataSmart) -> Path:
    dl_dir = Path(d.getVar("DL_DIR"))
    task = current_task()

    def download(url: str) -> Path:
        return fetch_url(url, dl_dir, entry.sha256, allow_missing_checksum=task.build.allow_missing_checksum,
                         filename=entry.filename, deadline=_fetch_deadline(d), max_size=_fetch_max_size(d))

    # PREMIRRORS first (bitbake's pairs of pattern and replacement); the checksum decides, so a
    # mirror that lacks the file or cannot be reached is passed over, one with other bytes is not.
    for mirror in mirror_urls(entry.url, entry.filename, d.getVar("PREMIRRORS") or ""):
        try:
            path = download(mirror)
        except (BuildError, SourceMissing) as error:
            task.note(mask_credentials(f"NOTE: premirror {mirror}: {error}", mirror))
            continue
        task.note(mask_credentials(f"NOTE: {entry.url} from the premirror {mirror}", mirror))
        return path
    try:
        path = download(entry.download_url)
    except BuildError:
        parts = pypi.source_url_parts(entry.url)
        if parts is None:
            raise
        # The /packages/source/ redirector is not served everywhere: ask the simple index.
        resolved = pypi.resolve_file(*parts)
        task.note(mask_credentials(f"NOTE: {entry.url} not served; using {resolved.url} from the PyPI simple index", entry.url))
        path = download(resolved.url)
    if entry.sha256 is None:
        task.note(f"NOTE: computed checksum, paste into the recipe: {entry.checksum_assignment(file_sha256(path))}")
    return path


def git_source(entry: SrcUriEntry, d: DataSmart) -> tuple[GitSource, str]:
    """A git entry's repository and the commit SRCREV pins (InputError when it pins none)."""
    source = parse_git_url(entry.url, entry.params)
    try:
        return source, resolve_srcrev(source, d.getVar)
    except InputError as error:
        raise InputError(f"recipe {d.getVar('PN')} ({d.getVar('FILE')}): {error}") from None


def _git_shallow_depth(d: DataSmart) -> int:
    """BB_GIT_SHALLOW = "1": fetch BB_GIT_SHALLOW_DEPTH commits (default 1) instead of the whole history."""
    if d.getVar("BB_GIT_SHALLOW") != "1":
        return 0
    value = (d.getVar("BB_GIT_SHALLOW_DEPTH") or "1").strip()
    if not value.isdigit():
        raise InputError(f"recipe {d.getVar('PN')}: BB_GIT_SHALLOW_DEPTH={value!r} must be a number of commits")
    return int(value)


def _fetch_git(entry: SrcUriEntry, d: DataSmart) -> Path:
    source, revision = git_source(entry, d)
    dl_dir = Path(d.getVar("DL_DIR"))

    def note(line: str) -> None:
        current_task().note(mask_credentials(line, source.repo_url))

    try:
        mirror = fetch_git(source, revision, dl_dir, note, _git_shallow_depth(d))
        if source.submodules:
            fetch_submodules(mirror, revision, source, dl_dir, note)
    except PyrecipeError as error:
        masked = mask_credentials(str(error), source.repo_url)
        if masked == str(error):
            raise
        raise type(error)(masked) from None
    return mirror


def fetched_path(entry: SrcUriEntry, d: DataSmart) -> Path:
    if entry.is_git:
        return parse_git_url(entry.url, entry.params).mirror(Path(d.getVar("DL_DIR")))
    return Path(d.getVar("DL_DIR")) / entry.filename if entry.is_remote else _local_path(entry, d)


def checksum_file_list(d: DataSmart) -> str:
    """The recipe's local SRC_URI files as bitbake's ``[file-checksums]`` flag lists them:
    ``PATH:True`` for each one found along FILESPATH, ``NAME:False`` for one that is not (its
    absence is part of the signature too; do_fetch then says it is missing). A SRC_URI that does
    not parse lists nothing: do_fetch is where that is reported, naming the recipe and task."""
    try:
        entries = src_uri_entries(d)
    except InputError:
        return ""
    words = []
    for entry in entries:
        if entry.is_remote:
            continue
        try:
            words.append(f"{_local_path(entry, d)}:True")
        except InputError:
            words.append(f"{entry.url}:False")
    return " ".join(words)


def check_sources(d: DataSmart) -> list[SrcUriEntry]:
    """The recipe's SRC_URI entries, each understood: InputError for an unsupported scheme, a git
    entry that SRCREV does not pin or a ``file://`` path out of FILESPATH. The build checks every recipe so before it runs any task."""
    entries = src_uri_entries(d)
    for entry in entries:
        try:
            check_scheme(entry.url)
        except InputError as error:
            raise InputError(f"recipe {d.getVar('PN')} ({d.getVar('FILE')}): {error}") from None
        if entry.is_git:
            git_source(entry, d)
        elif not entry.is_remote:
            _local_relative(entry, d)
    return entries


def fetch(d: DataSmart) -> None:
    """do_fetch: every remote SRC_URI entry into DL_DIR, verified; local files must exist and
    match a checksum given for them."""
    entries = check_sources(d)
    # The plain SRC_URI[sha256sum] is the remote source's when there is one (patches beside it
    # share no checksum); a local entry's own ;sha256sum= or <name>.sha256sum always counts.
    remote_takes_plain = any(entry.is_remote and not entry.name for entry in entries)
    for entry in entries:
        if entry.is_git:
            path = _fetch_git(entry, d)
        elif entry.is_remote:
            path = _download(entry, d)
        else:
            path = _local_path(entry, d)
            plain = not entry.name and "sha256sum" not in entry.params
            if entry.sha256 and path.is_file() and not (plain and remote_takes_plain):
                _check_local_checksum(entry, path)
        current_task().note(mask_credentials(f"NOTE: {entry.url} -> {path}", entry.url))


def _check_local_checksum(entry: SrcUriEntry, path: Path) -> None:
    actual = file_sha256(path)
    if actual != entry.sha256:
        raise InputError(f"checksum mismatch for {path} ({entry.url}): expected sha256 {entry.sha256}, got {actual}; "
                         f"if the file is right, update the recipe: {entry.checksum_assignment(actual)}")


def unpack(d: DataSmart) -> None:
    """do_unpack: a fresh UNPACKDIR with every archive extracted and every other file copied."""
    unpackdir = Path(d.getVar("UNPACKDIR"))
    limits = UnpackLimits.from_variables(d.getVar, d.getVar("PN"))
    entries = src_uri_entries(d)
    # Every subdir= is checked before anything is unpacked: none may lead out of UNPACKDIR.
    subdirs = [relative_inside(entry.subdir or ".", unpackdir, f"SRC_URI entry {entry.url}: subdir") for entry in entries]
    gits = {number: git_source(entry, d) for number, entry in enumerate(entries) if entry.is_git}
    default_destsuffix = d.getVar("BB_GIT_DEFAULT_DESTSUFFIX") or "git"
    checkouts = {
        number: relative_inside(os.path.join(subdirs[number], repository.destsuffix(default_destsuffix)), unpackdir,
                                f"SRC_URI entry {repository.url}: destsuffix")
        for number, (repository, _) in gits.items()
    }
    with building_dir(unpackdir) as tmp:
        for number, (entry, subdir) in enumerate(zip(entries, subdirs)):
            if number in gits:
                repository, revision = gits[number]
                checkout_git(repository, revision, Path(d.getVar("DL_DIR")), tmp / checkouts[number], current_task().note)
                current_task().note(f"NOTE: checked out {repository.url} {revision} into {checkouts[number]}")
                continue
            source = fetched_path(entry, d)
            target = tmp / subdir
            target.mkdir(parents=True, exist_ok=True)
            if entry.is_crate and entry.name != d.getVar("BP"):
                vendored = _unpack_crate(source, tmp / CRATE_UNPACK_SUBDIR, limits)
                current_task().note(f"NOTE: unpacked {source.name} into {vendored.relative_to(tmp)}")
                continue
            if entry.unpack and source.name.endswith(tuple(ARCHIVE_KINDS)):
                # Archives unpack side by side (and over each other) as bitbake's do.
                area = tmp / f".archive-{number}"
                unpack_archive(source, area, limits)
                for child in area.iterdir():
                    os.replace(child, target / child.name)
                area.rmdir()
            elif source.is_dir():
                shutil.copytree(source, target / source.name, symlinks=True)
            else:
                shutil.copy2(source, target / source.name)
            current_task().note(f"NOTE: unpacked {source.name} into {subdir}")
    if entries and not Path(d.getVar("S")).is_dir():
        raise BuildError(
            f"recipe {d.getVar('PN')}: source directory S={d.getVar('S')} does not exist after unpacking; "
            "set S in the recipe to the directory the sources unpack to"
        )


#: Where do_unpack puts crate:// crates, as bitbake's crate fetcher does (under the unpack root):
#: each in NAME-VERSION/ with the .cargo-checksum.json a cargo directory source needs.
CRATE_UNPACK_SUBDIR = "cargo_home/bitbake"


def _unpack_crate(archive: Path, crates: Path, limits: UnpackLimits) -> Path:
    """A ``.crate`` (a gzipped tar of NAME-VERSION/) as a crate of a cargo directory source."""
    crates.mkdir(parents=True, exist_ok=True)
    name = archive.name.removesuffix(".crate")
    area = crates / f".{name}.unpack"
    unpack_archive(archive, area, limits)
    top = area / name
    if not top.is_dir():
        raise InputError(f"{archive}: a crate must hold one directory {name}/")
    dest = crates / name
    if dest.exists():
        shutil.rmtree(dest)
    os.replace(top, dest)
    shutil.rmtree(area)
    # cargo checks "package" against Cargo.lock's checksum; no per-file sums (the crate was verified whole).
    # Renamed into place: a link the crate shipped under that name is replaced, not written through.
    atomic_write_text(dest / ".cargo-checksum.json", json.dumps({"files": {}, "package": file_sha256(archive)}))
    return dest


def patch(d: DataSmart) -> None:
    """do_patch: apply the ``.patch``/``.diff`` entries of SRC_URI in order, in S; one with
    ``apply=if-clean`` only when it applies without fuzz, else it is left out with a warning."""
    source = Path(d.getVar("S"))
    for entry in src_uri_entries(d):
        path = fetched_path(entry, d)
        wanted = entry.params.get("apply")
        if wanted is None and not path.name.endswith(PATCH_SUFFIXES) or wanted in ("no", "0", "false"):
            continue
        command = ["patch", f"-p{entry.params.get('striplevel', '1')}", "--batch", "--forward", "-i", str(path)]
        log = current_task().log
        if wanted == "if-clean" and subprocess.run([*command, "--dry-run", "--fuzz=0"], cwd=source, stdout=log,
                                                   stderr=subprocess.STDOUT).returncode != 0:
            # A layer's patch offered to a recipe generated for another version (pypi_resolve.LayerPatches).
            current_task().note(f"WARNING: patch {path.name} does not apply to {d.getVar('PN')} {d.getVar('PV')} as it is: left out")
            continue
        result = subprocess.run(command, cwd=source, stdout=log, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            raise BuildError(f"recipe {d.getVar('PN')}: patch {path.name} does not apply to {source}")
        current_task().note(f"NOTE: applied {path.name}")


#: Top-level names of site-packages that are not the project's importable modules: tests, docs and
#: scripts shipped beside it (pyrad installs its examples as ``example/``, whose scripts open their
#: data files when imported).
_NOT_MODULES = frozenset({"tests", "test", "testing", "example", "examples", "doc", "docs", "benchmark", "benchmarks"})


def top_level_modules(site_packages: Path, prefix: str = "") -> list[str]:
    """The importable top-level modules a recipe installed into ``site_packages`` (its ${D}'s):
    packages with an ``__init__.py``, ``.py`` modules and extension modules, not private ones
    (``_foo``, usually imported by the public module anyway), metadata or test folders. In a
    namespace package (a folder without ``__init__.py``: ``google/``), the modules one level down
    (``google.auth``)."""
    names = []
    for entry in sorted(site_packages.iterdir()) if site_packages.is_dir() else []:
        name = entry.name.split(".")[0]
        if name.startswith(("_", ".")) or name in _NOT_MODULES or not name.isidentifier():
            continue
        if entry.is_dir() and (entry / "__init__.py").exists() or entry.suffix in (".py", ".so"):
            names.append(prefix + name)
        elif entry.is_dir() and not prefix:
            names += top_level_modules(entry, f"{name}.")
    return list(dict.fromkeys(names))


def _test_program(d: DataSmart) -> tuple[list[str], str] | None:
    """What do_test runs after the interpreter, and what to call it: ``-c PYTHON_TEST_CODE`` (a
    line), or the file PYTHON_TEST_SCRIPT names (a test longer than a line, shipped beside the
    recipe as a file:// entry of SRC_URI, so that editing it reruns the test). A recipe with
    neither (a layer's recipe written for OpenEmbedded, which has no such test) gets an import of
    the top-level modules it installed, unless PYTHON_TEST_IMPORTS is "0": a wrong binary or a
    missing runtime dependency shows here, not on the board. None when there is nothing to run."""
    code, script = d.getVar("PYTHON_TEST_CODE"), d.getVar("PYTHON_TEST_SCRIPT")
    if code and script:
        raise InputError(f"recipe {d.getVar('PN')}: set PYTHON_TEST_CODE or PYTHON_TEST_SCRIPT, not both")
    if script:
        if not Path(script).is_file():
            raise InputError(f"recipe {d.getVar('PN')}: PYTHON_TEST_SCRIPT {script} does not exist (list the file in "
                             "SRC_URI as file://NAME and set PYTHON_TEST_SCRIPT = \"${UNPACKDIR}/NAME\")")
        return [script], f"PYTHON_TEST_SCRIPT {Path(script).name}"
    if code:
        return ["-c", code], "PYTHON_TEST_CODE"
    if d.getVar("PYTHON_TEST_IMPORTS") == "0":
        return None
    modules = top_level_modules(Path(d.getVar("D") + d.getVar("PYTHON_SITEPACKAGES_DIR")))
    if not modules:
        return None
    return ["-c", "import " + ", ".join(modules)], "import " + ", ".join(modules)


def test(d: DataSmart) -> None:
    """do_test: run the recipe's test (PYTHON_TEST_CODE or PYTHON_TEST_SCRIPT) with the target's
    own CPython under qemu-user (a native recipe's with the build interpreter)."""
    test_program = _test_program(d)
    if test_program is None:
        current_task().note("NOTE: no PYTHON_TEST_CODE or PYTHON_TEST_SCRIPT and no module installed: nothing to test")
        return
    program, what = test_program
    site = d.getVar("PYTHON_SITEPACKAGES_DIR")
    task = current_task()
    if is_native(d):
        # A native recipe's result runs on the build machine: its own interpreter (the build
        # root's, in there, when the distro has one), no qemu.
        paths = [d.getVar("D") + site, d.getVar("PYTHON_SITEPACKAGES_NATIVE")]
        inner = [d.getVar("PYTHON"), *program]
        command = sandboxed_command(d, inner, Path(d.getVar("T")), network=False)
        env = {**os.environ, "PYTHONPATH": ":".join(paths)}
        where = "on the build machine"
    else:
        # qemu-user is the build machine's: the test runs there, walled in as the recipe's tasks are.
        paths = [Path(d.getVar("D") + site), Path(d.getVar("RECIPE_SYSROOT") + site)]
        inner = task.toolchain.qemu_command(["python3", *program], extra_pythonpath=paths)
        command = sandboxed_command(d, inner, Path(d.getVar("T")), network=False, in_build_root=False,
                                    files=board_ldconfig(Path(d.getVar("T")), task.toolchain.sysroot,
                                                         task.toolchain.machine.elf_machine))
        env = None
        where = "under qemu"
    current_task().note("NOTE: running " + " ".join(inner[:3]) + f" ... python3 <{what}>")
    result = subprocess.run(command, stdout=task.log, stderr=subprocess.STDOUT, cwd=d.getVar("T"), env=env)
    if result.returncode != 0:
        raise BuildError(f"recipe {d.getVar('PN')}: {what} failed {where} (exit {result.returncode})")
