"""``do_deploy_wheel``: the recipe's wheel for other boards, as it ships and tagged for what it is.

A fleet of boards installs with pip, not from an image: each target build leaves its wheel in
``DEPLOY_DIR_WHEELS`` (``${DEPLOY_DIR}/${DISTRO}/${MACHINE}/wheels``: one folder per machine, since
two machines of one architecture tuned for different CPUs make wheels of the same name), which
``pyrecipe index`` turns into a package index. The wheel is the one ``do_compile`` built, with two changes:

* its files are the ones that ship: where ``${PKGD}`` holds a file of the wheel's site-packages
  part (a stripped extension module, a ``__config__.py`` rid of build paths), that copy goes in,
  so a board installing the wheel gets what the image has, not 400 MB of debug sections;
* its tag says where it loads. A wheel with ELF files gets the target CPython's ABI tag
  (``cp311-cp311``; ``abi3`` and ``none`` wheels keep theirs) and the platform tag that
  :mod:`pyrecipe.outputs.manylinux` derives from its ELF files (``manylinux_2_17_aarch64`` when it
  needs nothing past glibc 2.17 and the policy's libraries, ``linux_aarch64`` when it links the
  board's own libyaml). A wheel without ELF files keeps the tag its backend gave it
  (``py3-none-any``).

The file name, the ``Tag`` lines of ``WHEEL`` and ``RECORD`` (every hash recomputed) change
together; the file is written under a temporary name and renamed into the folder, replacing an
earlier wheel of the same project and version for the same architecture.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import shutil
import stat
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from installer.records import Hash, RecordEntry
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from pyrecipe.engine.confine import is_inside
from pyrecipe.engine.context import current_task
from pyrecipe.errors import BuildError, InputError
from pyrecipe.fsutil import real_directory, writing_file
from pyrecipe.graph.variant import is_native
from pyrecipe.outputs.image import board_mode
from pyrecipe.outputs.manylinux import ElfNeeds, is_elf, platform_tag, read_needs
from pyrecipe.parse import DataSmart


@dataclass(frozen=True)
class Retagged:
    """The wheel as deployed: its path, its tag and why the platform part is what it is."""

    path: Path
    tag: str
    reason: str
    replaced: tuple[str, ...]  # members taken from ${PKGD} (stripped or edited after installation)


def wheel_tag(filename: str) -> str:
    """The ``python-abi-platform`` part of a wheel's file name."""
    return "-".join(Path(filename).name.removesuffix(".whl").split("-")[-3:])


def retagged_name(filename: str, tag: str) -> str:
    """``filename`` with its tag replaced by ``tag`` (name, version and build tag kept)."""
    parts = Path(filename).name.removesuffix(".whl").split("-")
    return "-".join([*parts[:-3], tag]) + ".whl"


def target_tag(original: str, python_version: str, platform: str) -> str:
    """The tag of a wheel with ELF files for the target: CPython ``python_version``'s ABI unless the
    backend said ``abi3`` (stable ABI) or ``none`` (ELF files that are no extension module)."""
    interpreter, abi, _ = original.split("-")
    if abi in ("abi3", "none"):
        return f"{interpreter}-{abi}-{platform}"
    cp = "cp" + python_version.replace(".", "")
    return f"{cp}-{cp}-{platform}"


def _record_hash(data: bytes) -> Hash:
    return Hash("sha256", base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode().rstrip("="))


def _wheel_metadata_with_tag(text: str, tag: str) -> str:
    """WHEEL's text with its Tag lines replaced by one line per expanded tag of ``tag``."""
    interpreters, abis, platforms = (part.split(".") for part in tag.split("-"))
    tags = [f"Tag: {i}-{a}-{p}" for i in interpreters for a in abis for p in platforms]
    lines = text.splitlines()
    kept = [line for line in lines if not line.startswith("Tag:")]
    first = next((n for n, line in enumerate(lines) if line.startswith("Tag:")), len(kept))
    return "\n".join([*kept[:first], *tags, *kept[first:]]) + "\n"


def _dist_info(names: Iterable[str]) -> str:
    found = {name.split("/", 1)[0] for name in names if name.split("/", 1)[0].endswith(".dist-info")}
    if len(found) != 1:
        raise InputError(f"a wheel has one .dist-info directory, this one has {len(found)}: {sorted(found)}")
    return found.pop()


def site_packages_member(member: str) -> str | None:
    """Where ``member`` of a wheel lands relative to site-packages (None: scripts, data, and the
    RECORD, which the installer writes anew). The .dist-info's other files land as they are, or
    as do_install edited them (maturin's SBOM, its build paths mapped)."""
    top, _, rest = member.partition("/")
    if top.endswith(".dist-info"):
        return None if rest in ("RECORD", "RECORD.jws", "RECORD.p7s") else member
    if top.endswith(".data"):
        scheme, _, path = rest.partition("/")
        return path if scheme in ("purelib", "platlib") and path else None
    return member


def rewrite_wheel(
    source: Path, deploy_dir: Path, *, arch: str, python_version: str, elf_machine: str | None = None,
    shipped: Callable[[str], bytes | None] = lambda _: None, foreign_elf_is_data: bool = False,
) -> Retagged:
    """Write ``source`` into ``deploy_dir`` with its members as ``shipped`` gives them (None: as in
    the wheel) and tagged for what its ELF files are; returns the deployed wheel.

    An ELF file for another machine than ``elf_machine`` is an error, unless
    ``foreign_elf_is_data`` (the recipe waived QA's ``arch`` check: test data of an ELF reader,
    say), when it does not count for the tag."""
    try:
        parse_wheel_filename(source.name)
    except InvalidWheelFilename as error:
        raise InputError(f"{source}: {error}") from None
    try:
        with zipfile.ZipFile(source) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
            contents = {info.filename: archive.read(info) for info in infos}
    except (zipfile.BadZipFile, OSError) as error:
        raise InputError(f"cannot read wheel {source}: {error}") from None
    dist_info = _dist_info(contents)
    replaced: list[str] = []
    for name in list(contents):
        new = shipped(name)
        if new is not None and new != contents[name]:
            contents[name] = new
            replaced.append(name)
    needs: list[ElfNeeds] = []
    foreign: list[str] = []  # ELF files not for the machine (or unreadable): data when QA's arch is waived
    for name, data in contents.items():
        if not is_elf(data):
            continue
        try:
            found = read_needs(name, data)
        except ValueError as error:
            foreign.append(str(error))
            continue
        if elf_machine and found.machine != elf_machine:
            foreign.append(f"{name} ({found.machine})")
        else:
            needs.append(found)
    if foreign and not foreign_elf_is_data:
        raise BuildError(f"{source.name}: ELF files not for {elf_machine}: {', '.join(foreign)} "
                         "(files a package keeps as data: INSANE_SKIP += \"arch\")")
    original = wheel_tag(source.name)
    if not needs and not replaced:
        # Nothing to change (a pure wheel as its backend or PyPI made it): the same bytes, so its
        # sha256 stays the one PyPI publishes for it.
        target = deploy_dir / source.name
        with writing_file(target) as tmp:
            shutil.copyfile(source, tmp)
        return Retagged(target, original, "no ELF files: the backend's tag", ())
    if needs:
        verdict = platform_tag(arch, needs)
        tag, reason = target_tag(original, python_version, verdict.tag), verdict.reason
    else:
        tag, reason = original, "no ELF files: the backend's tag"
    if foreign:
        reason += f"; not judged (INSANE_SKIP arch): {', '.join(foreign)}"
    wheel_info = f"{dist_info}/WHEEL"
    if wheel_info not in contents:
        raise InputError(f"{source}: no {wheel_info}")
    contents[wheel_info] = _wheel_metadata_with_tag(contents[wheel_info].decode("utf-8"), tag).encode("utf-8")
    record_name = f"{dist_info}/RECORD"
    rows = [RecordEntry(name, _record_hash(data), len(data)).to_row()
            for name, data in contents.items() if name != record_name]
    rows.append(RecordEntry(record_name, None, None).to_row())
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    contents[record_name] = buffer.getvalue().encode("utf-8")

    target = deploy_dir / retagged_name(source.name, tag)
    by_name = {info.filename: info for info in infos}
    with writing_file(target) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as out:
            # RECORD last, as wheel writers put it; every other member in the wheel's own order.
            for name in [*(n for n in contents if n != record_name), record_name]:
                old = by_name.get(name)
                info = zipfile.ZipInfo(name, date_time=old.date_time if old else (1980, 1, 1, 0, 0, 0))
                # The board's modes, not the umask of the build that wrote the files: the same bytes from any build.
                info.external_attr = (stat.S_IFREG | board_mode(old.external_attr >> 16 if old else 0o644)) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(info, contents[name])
    return Retagged(target, tag, reason, tuple(replaced))


def remove_superseded(deploy_dir: Path, wheel: Path, arch: str) -> list[Path]:
    """Remove the wheels of ``wheel``'s project and version for ``arch`` (or for any platform) that
    another name stands for now (a tag that changed): the folder keeps one build of each."""
    name, version, _, _ = parse_wheel_filename(wheel.name)
    removed = []
    for other in sorted(deploy_dir.glob("*.whl")):
        if other.name == wheel.name:
            continue
        try:
            other_name, other_version, _, tags = parse_wheel_filename(other.name)
        except InvalidWheelFilename:
            continue
        if canonicalize_name(other_name) == canonicalize_name(name) and other_version == version and all(
            t.platform == "any" or t.platform.endswith(f"_{arch}") for t in tags
        ):
            other.unlink(missing_ok=True)
            removed.append(other)
    return removed


def deploy_wheel(d: DataSmart) -> Path | None:
    """do_deploy_wheel: the wheel of ``${PEP517_WHEEL_PATH}``, with the files of ``${PKGD}``,
    retagged into ``DEPLOY_DIR_WHEELS``. Native recipes deploy nothing."""
    task = current_task()
    if is_native(d):
        task.note("NOTE: native recipe: no wheel is deployed for the board")
        return None
    wheel_dir = Path(d.getVar("PEP517_WHEEL_PATH"))
    wheels = sorted(wheel_dir.glob("*.whl"))
    if len(wheels) != 1:
        found = ", ".join(w.name for w in wheels) or "none"
        raise BuildError(f"do_deploy_wheel: expected one wheel in {wheel_dir} (do_compile's), found {found}")
    pkgd = real_directory(Path(d.getVar("PKGD")), Path(d.getVar("WORKDIR")), create=False)  # no link a task left
    site = pkgd / d.getVar("PYTHON_SITEPACKAGES_DIR").lstrip("/")

    def shipped(member: str) -> bytes | None:
        rel = site_packages_member(member)
        if rel is None:
            return None
        path = site / rel
        return path.read_bytes() if path.is_file() and not path.is_symlink() else None

    pn = d.getVar("PN")
    waived = {*(d.getVar("INSANE_SKIP") or "").split(), *(d.getVar(f"INSANE_SKIP:{pn}") or "").split()}
    arch = d.getVar("UNAME_MACHINE")
    deploy_dir = Path(d.getVar("DEPLOY_DIR_WHEELS"))
    if not is_inside(deploy_dir, d.getVar("TOPDIR")):
        raise InputError(f"DEPLOY_DIR_WHEELS={deploy_dir} is outside the build directory {d.getVar('TOPDIR')}; "
                         "do_deploy_wheel writes only inside it")
    result = rewrite_wheel(wheels[0], deploy_dir, arch=arch, python_version=d.getVar("PYTHON_BASEVERSION"),
                           elf_machine=d.getVar("ELF_MACHINE") or None, shipped=shipped,
                           foreign_elf_is_data="arch" in waived)
    for old in remove_superseded(deploy_dir, result.path, arch):
        task.note(f"NOTE: removed {old.name}, superseded by {result.path.name}")
    if result.replaced:
        task.note(f"NOTE: {len(result.replaced)} file(s) taken as packaged (stripped or edited): "
                  + ", ".join(result.replaced[:8]) + (" ..." if len(result.replaced) > 8 else ""))
    task.note(f"NOTE: deployed {result.path} ({result.tag}: {result.reason})")
    return result.path
