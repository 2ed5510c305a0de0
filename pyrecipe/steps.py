"""The Python tasks of base.bbclass: fetch, unpack, patch, qa, package, populate_sysroot, test.

Each takes the recipe's datastore ``d`` and does one step with the tested building blocks
(:mod:`pyrecipe.fetch`, :mod:`pyrecipe.unpack`, :mod:`pyrecipe.qa` ...). What a step needs from
the running build (the provisioned toolchain, the task's log) is the running task's
:class:`~pyrecipe.taskcontext.TaskContext`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from pyrecipe import pypi
from pyrecipe.atomicdir import building_dir
from pyrecipe.confine import relative_inside
from pyrecipe.errors import BuildError, InputError, PyrecipeError
from pyrecipe.fetch import (
    DOWNLOAD_DEADLINE, SourceMissing, SrcUriEntry, check_scheme, fetch as fetch_url, file_sha256, mask_credentials,
    mirror_urls, parse_src_uri,
)
from pyrecipe.fetch_git import (
    GitSource, checkout_git, fetch_git, fetch_submodules, parse_git_url, resolve_srcrev,
)
from pyrecipe.parse import DataSmart
from pyrecipe.taskcontext import current_task
from pyrecipe.toolchain.buildroot import task_build_root, task_command
from pyrecipe.unpack import ARCHIVE_KINDS, UnpackLimits, unpack as unpack_archive
from pyrecipe.variant import is_native

PATCH_SUFFIXES = (".patch", ".diff")


def src_uri_entries(d: DataSmart) -> list[SrcUriEntry]:
    flags = {k: v for k, v in d.getVarFlags("SRC_URI", expand=True).items() if isinstance(v, str)}
    return parse_src_uri(d.getVar("SRC_URI") or "", flags)


def _local_path(entry: SrcUriEntry, d: DataSmart) -> Path:
    """A ``file://`` entry is looked up along FILESPATH, as in bitbake."""
    check_scheme(entry.url)
    relative = entry.url.split("://", 1)[1] if "://" in entry.url else entry.url
    if os.path.isabs(relative):
        return Path(relative)
    for directory in (d.getVar("FILESPATH") or "").split(":"):
        if directory and Path(directory, relative).exists():
            return Path(directory, relative)
    raise InputError(
        f"recipe {d.getVar('PN')} ({d.getVar('FILE')}): SRC_URI file {relative} not found in FILESPATH "
        f"({d.getVar('FILESPATH')})"
    )


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


def _download(entry: SrcUriEntry, d: DataSmart) -> Path:
    dl_dir = Path(d.getVar("DL_DIR"))
    task = current_task()

    def download(url: str) -> Path:
        return fetch_url(url, dl_dir, entry.sha256, allow_missing_checksum=task.build.allow_missing_checksum,
                         filename=entry.filename, deadline=_fetch_deadline(d))

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


def check_sources(d: DataSmart) -> list[SrcUriEntry]:
    """The recipe's SRC_URI entries, each understood: InputError for an unsupported scheme or a git
    entry that SRCREV does not pin. The build checks every recipe so before it runs any task."""
    entries = src_uri_entries(d)
    for entry in entries:
        try:
            check_scheme(entry.url)
        except InputError as error:
            raise InputError(f"recipe {d.getVar('PN')} ({d.getVar('FILE')}): {error}") from None
        if entry.is_git:
            git_source(entry, d)
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


_SIZE_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def _unpack_limits(d: DataSmart) -> UnpackLimits:
    """UNPACK_MAX_SIZE (bytes, or with a K/M/G suffix) and UNPACK_MAX_RATIO of the recipe."""
    size, ratio = (d.getVar("UNPACK_MAX_SIZE") or "").strip(), (d.getVar("UNPACK_MAX_RATIO") or "").strip()
    defaults = UnpackLimits()
    try:
        number, unit = (size[:-1], size[-1].upper()) if size[-1:].isalpha() else (size, "")
        max_size = int(number) * _SIZE_UNITS[unit] if size else defaults.max_size
        max_ratio = float(ratio) if ratio else defaults.max_ratio
    except (ValueError, KeyError):
        raise InputError(f"recipe {d.getVar('PN')}: UNPACK_MAX_SIZE={size!r} must be bytes with an optional K, M or G "
                         f"suffix and UNPACK_MAX_RATIO={ratio!r} a number") from None
    return UnpackLimits(max_size, max_ratio)


def unpack(d: DataSmart) -> None:
    """do_unpack: a fresh UNPACKDIR with every archive extracted and every other file copied."""
    unpackdir = Path(d.getVar("UNPACKDIR"))
    limits = _unpack_limits(d)
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
    (dest / ".cargo-checksum.json").write_text(json.dumps({"files": {}, "package": file_sha256(archive)}))
    return dest


def patch(d: DataSmart) -> None:
    """do_patch: apply the ``.patch``/``.diff`` entries of SRC_URI in order, in S."""
    source = Path(d.getVar("S"))
    for entry in src_uri_entries(d):
        path = fetched_path(entry, d)
        wanted = entry.params.get("apply")
        if wanted is None and not path.name.endswith(PATCH_SUFFIXES) or wanted in ("no", "0", "false"):
            continue
        striplevel = entry.params.get("striplevel", "1")
        log = current_task().log
        result = subprocess.run(
            ["patch", f"-p{striplevel}", "--batch", "--forward", "-i", str(path)],
            cwd=source, stdout=log, stderr=subprocess.STDOUT, text=True,
        )
        if result.returncode != 0:
            raise BuildError(f"recipe {d.getVar('PN')}: patch {path.name} does not apply to {source}")
        current_task().note(f"NOTE: applied {path.name}")


def write_meson_recipe_cross_file(d: DataSmart) -> None:
    """do_configure of meson-python recipes: the recipe's cross file, read after the machine's.

    Its arguments are the machine's (the ``pyrecipe_compile_args``/``pyrecipe_link_args``
    constants of the machine's file) followed by the build's flags, TARGET_CFLAGS,
    TARGET_CXXFLAGS, TARGET_FFLAGS and TARGET_LDFLAGS: meson takes a cross build's flags from
    cross files only, and a later file's key replaces an earlier one's.
    """
    from pyrecipe.toolchain.fsutil import atomic_write_text
    from pyrecipe.toolchain.render import meson_literal

    def words(var: str) -> str:
        return meson_literal((d.getVar(var) or "").split())

    atomic_write_text(
        Path(d.getVar("MESON_RECIPE_CROSS_FILE")),
        "# The recipe's additions to the machine's cross file, written by pyrecipe.\n[built-in options]\n"
        f"c_args = pyrecipe_compile_args + {words('TARGET_CFLAGS')}\n"
        f"cpp_args = pyrecipe_compile_args + {words('TARGET_CXXFLAGS')}\n"
        f"fortran_args = pyrecipe_compile_args + {words('TARGET_FFLAGS')}\n"
        f"c_link_args = pyrecipe_link_args + {words('TARGET_LDFLAGS')}\n"
        f"cpp_link_args = pyrecipe_link_args + {words('TARGET_LDFLAGS')}\n"
        f"fortran_link_args = pyrecipe_link_args + {words('TARGET_LDFLAGS')}\n",
    )


def qa(d: DataSmart) -> None:
    """do_qa: check the installed files before they reach a sysroot or an image."""
    from pyrecipe.qa_task import check_recipe
    from pyrecipe.record import refresh_records

    # do_install:append may have edited installed files: RECORD must describe what ships.
    site = Path(d.getVar("D") + d.getVar("PYTHON_SITEPACKAGES_DIR"))
    for path in refresh_records(site):
        current_task().note(f"NOTE: RECORD updated for {path}, changed after installation")
    check_recipe(d, current_task())


def package(d: DataSmart) -> None:
    """do_package: ${D} as it ships into ${PKGD}, ELF files stripped by the machine's binutils and
    their debug information into DEPLOY_DIR_DEBUG (see :mod:`pyrecipe.debugsplit`)."""
    from pyrecipe.debugsplit import BinTools, split_and_strip

    if is_native(d):
        current_task().note("NOTE: native recipe: nothing is packaged for the board")
        return
    task = current_task()
    toolchain = task.build.toolchain
    tools = None
    if toolchain is not None and d.getVar("INHIBIT_PACKAGE_STRIP") != "1":
        cross = toolchain.settings.tools
        tools = BinTools(strip=cross.strip, objcopy=cross.objcopy)
    jobs = int(d.getVar("BB_NUMBER_THREADS") or 1)
    split_and_strip(Path(d.getVar("D")), Path(d.getVar("PKGD")), Path(d.getVar("DEPLOY_DIR_DEBUG")), tools,
                    jobs=jobs, say=task.note, warn=task.warn)


def populate_sysroot(d: DataSmart) -> None:
    """do_populate_sysroot: make the recipe's files visible to the recipes built after it.

    A target recipe's ${D} is copied into the shared target sysroot (numpy's headers and .pc
    files for scipy); the files it put there last time are removed first, from its manifest.
    """
    from pyrecipe.sysroot_staging import stage_into_sysroot

    stage_into_sysroot(d, current_task().note)


def test(d: DataSmart) -> None:
    """do_test: run PYTHON_TEST_CODE with the target's own CPython under qemu-user (a native
    recipe's with the build interpreter)."""
    code = d.getVar("PYTHON_TEST_CODE")
    if not code:
        current_task().note("NOTE: no PYTHON_TEST_CODE: nothing to test")
        return
    site = d.getVar("PYTHON_SITEPACKAGES_DIR")
    task = current_task()
    if is_native(d):
        # A native recipe's result runs on the build machine: its own interpreter (the build
        # root's, in there, when the distro has one), no qemu.
        paths = [d.getVar("D") + site, d.getVar("PYTHON_SITEPACKAGES_NATIVE")]
        command = [d.getVar("PYTHON"), "-c", code]
        root = task_build_root(d)
        if root is not None:
            command = task_command(root, d, command, Path(d.getVar("T")), network=False)
        env = {**os.environ, "PYTHONPATH": ":".join(paths)}
        where = "on the build machine"
    else:
        paths = [Path(d.getVar("D") + site), Path(d.getVar("RECIPE_SYSROOT") + site)]
        command = task.toolchain.qemu_command(["python3", "-c", code], extra_pythonpath=paths)
        env = None
        where = "under qemu"
    current_task().note("NOTE: running " + " ".join(command[:3]) + " ... python3 -c <PYTHON_TEST_CODE>")
    result = subprocess.run(command, stdout=task.log, stderr=subprocess.STDOUT, cwd=d.getVar("T"), env=env)
    if result.returncode != 0:
        raise BuildError(f"recipe {d.getVar('PN')}: PYTHON_TEST_CODE failed {where} (exit {result.returncode})")
