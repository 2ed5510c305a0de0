"""The Python tasks of base.bbclass: fetch, unpack, patch, qa, populate_sysroot, test.

Each takes the recipe's datastore ``d`` and does one step with the tested building blocks
(:mod:`pyrecipe.fetch`, :mod:`pyrecipe.unpack`, :mod:`pyrecipe.qa` ...). What a step needs from
the running build (the provisioned toolchain) comes through :func:`build_context`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pyrecipe import pypi
from pyrecipe.atomicdir import building_dir
from pyrecipe.errors import BuildError, InputError
from pyrecipe.fetch import SrcUriEntry, fetch as fetch_url, parse_src_uri
from pyrecipe.parse import DataSmart
from pyrecipe.tasks import current_log
from pyrecipe.toolchain.buildroot import task_build_root, task_command

CONTEXT_VAR = "__PYRECIPE_CONTEXT"
PATCH_SUFFIXES = (".patch", ".diff")


@dataclass(frozen=True)
class BuildContext:
    """What tasks need from the build that runs them (set on each recipe's datastore)."""

    toolchain: object  # pyrecipe.toolchain.Toolchain, or None for native recipes
    allow_missing_checksum: bool = False


def build_context(d: DataSmart) -> BuildContext:
    context = d.getVar(CONTEXT_VAR, False)
    if context is None:
        raise BuildError(f"recipe {d.getVar('PN')}: task run outside a build")
    return context


def _say(message: str) -> None:
    log = current_log()
    if log is not None:
        log.write(message + "\n")
        log.flush()


def src_uri_entries(d: DataSmart) -> list[SrcUriEntry]:
    flags = {k: v for k, v in d.getVarFlags("SRC_URI", expand=True).items() if isinstance(v, str)}
    return parse_src_uri(d.getVar("SRC_URI") or "", flags)


def _local_path(entry: SrcUriEntry, d: DataSmart) -> Path:
    """A ``file://`` entry is looked up along FILESPATH, as in bitbake."""
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


def _download(entry: SrcUriEntry, d: DataSmart) -> Path:
    dl_dir = Path(d.getVar("DL_DIR"))
    allow = build_context(d).allow_missing_checksum
    try:
        path = fetch_url(entry.url, dl_dir, entry.sha256, allow_missing_checksum=allow, filename=entry.filename)
    except BuildError:
        parts = pypi.source_url_parts(entry.url)
        if parts is None:
            raise
        # The /packages/source/ redirector is not served everywhere: ask the simple index.
        resolved = pypi.resolve_file(*parts)
        _say(f"NOTE: {entry.url} not served; using {resolved.url} from the PyPI simple index")
        path = fetch_url(resolved.url, dl_dir, entry.sha256, allow_missing_checksum=allow, filename=entry.filename)
    if entry.sha256 is None:
        from pyrecipe.fetch import file_sha256

        _say(f"NOTE: computed checksum, paste into the recipe: {entry.checksum_assignment(file_sha256(path))}")
    return path


def fetched_path(entry: SrcUriEntry, d: DataSmart) -> Path:
    return Path(d.getVar("DL_DIR")) / entry.filename if entry.is_remote else _local_path(entry, d)


def fetch(d: DataSmart) -> None:
    """do_fetch: every remote SRC_URI entry into DL_DIR, verified; local files must exist."""
    for entry in src_uri_entries(d):
        path = _download(entry, d) if entry.is_remote else _local_path(entry, d)
        _say(f"NOTE: {entry.url} -> {path}")


def unpack(d: DataSmart) -> None:
    """do_unpack: a fresh UNPACKDIR with every archive extracted and every other file copied."""
    from pyrecipe.unpack import ARCHIVE_KINDS, unpack as unpack_archive

    unpackdir = Path(d.getVar("UNPACKDIR"))
    entries = src_uri_entries(d)
    with building_dir(unpackdir) as tmp:
        for number, entry in enumerate(entries):
            source = fetched_path(entry, d)
            target = tmp / entry.subdir if entry.subdir else tmp
            target.mkdir(parents=True, exist_ok=True)
            if entry.unpack and source.name.endswith(tuple(ARCHIVE_KINDS)):
                # Archives unpack side by side (and over each other) as bitbake's do.
                area = tmp / f".archive-{number}"
                unpack_archive(source, area)
                for child in area.iterdir():
                    os.replace(child, target / child.name)
                area.rmdir()
            elif source.is_dir():
                shutil.copytree(source, target / source.name, symlinks=True)
            else:
                shutil.copy2(source, target / source.name)
            _say(f"NOTE: unpacked {source.name} into {target.relative_to(tmp) or '.'}")
    if entries and not Path(d.getVar("S")).is_dir():
        raise BuildError(
            f"recipe {d.getVar('PN')}: source directory S={d.getVar('S')} does not exist after unpacking; "
            "set S in the recipe to the directory the sources unpack to"
        )


def patch(d: DataSmart) -> None:
    """do_patch: apply the ``.patch``/``.diff`` entries of SRC_URI in order, in S."""
    source = Path(d.getVar("S"))
    for entry in src_uri_entries(d):
        path = fetched_path(entry, d)
        wanted = entry.params.get("apply")
        if wanted is None and not path.name.endswith(PATCH_SUFFIXES) or wanted in ("no", "0", "false"):
            continue
        striplevel = entry.params.get("striplevel", "1")
        log = current_log()
        result = subprocess.run(
            ["patch", f"-p{striplevel}", "--batch", "--forward", "-i", str(path)],
            cwd=source, stdout=log, stderr=subprocess.STDOUT, text=True,
        )
        if result.returncode != 0:
            raise BuildError(f"recipe {d.getVar('PN')}: patch {path.name} does not apply to {source}")
        _say(f"NOTE: applied {path.name}")


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
        _say(f"NOTE: RECORD updated for {path}, changed after installation")
    check_recipe(d, build_context(d), _say)


def package(d: DataSmart) -> None:
    """do_package: ${D} as it ships into ${PKGD}, ELF files stripped by the machine's binutils and
    their debug information into DEPLOY_DIR_DEBUG (see :mod:`pyrecipe.debugsplit`)."""
    from pyrecipe.debugsplit import BinTools, split_and_strip

    if d.getVar("CLASSOVERRIDE") == "class-native":
        _say("NOTE: native recipe: nothing is packaged for the board")
        return
    toolchain = build_context(d).toolchain
    tools = None
    if toolchain is not None and d.getVar("INHIBIT_PACKAGE_STRIP") != "1":
        cross = toolchain.settings.tools
        tools = BinTools(strip=cross.strip, objcopy=cross.objcopy)
    jobs = int(d.getVar("BB_NUMBER_THREADS") or 1)
    split_and_strip(Path(d.getVar("D")), Path(d.getVar("PKGD")), Path(d.getVar("DEPLOY_DIR_DEBUG")), tools,
                    jobs=jobs, say=_say)


def populate_sysroot(d: DataSmart) -> None:
    """do_populate_sysroot: make the recipe's files visible to the recipes built after it.

    A target recipe's ${D} is copied into the shared target sysroot (numpy's headers and .pc
    files for scipy); the files it put there last time are removed first, from its manifest.
    """
    from pyrecipe.sysroot_staging import stage_into_sysroot

    stage_into_sysroot(d, _say)


def test(d: DataSmart) -> None:
    """do_test: run PYTHON_TEST_CODE with the target's own CPython under qemu-user (a native
    recipe's with the build interpreter)."""
    code = d.getVar("PYTHON_TEST_CODE")
    if not code:
        _say("NOTE: no PYTHON_TEST_CODE: nothing to test")
        return
    site = d.getVar("PYTHON_SITEPACKAGES_DIR")
    log = current_log()
    if d.getVar("CLASSOVERRIDE") == "class-native":
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
        context = build_context(d)
        if context.toolchain is None:
            raise BuildError(f"recipe {d.getVar('PN')}: do_test needs a target toolchain")
        paths = [Path(d.getVar("D") + site), Path(d.getVar("RECIPE_SYSROOT") + site)]
        command = context.toolchain.qemu_command(["python3", "-c", code], extra_pythonpath=paths)
        env = None
        where = "under qemu"
    _say("NOTE: running " + " ".join(command[:3]) + " ... python3 -c <PYTHON_TEST_CODE>")
    result = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, cwd=d.getVar("T"), env=env)
    if result.returncode != 0:
        raise BuildError(f"recipe {d.getVar('PN')}: PYTHON_TEST_CODE failed {where} (exit {result.returncode})")
