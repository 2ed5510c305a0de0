"""One Debian package per recipe, from its packaged tree ${PKGD} (``PACKAGE_FORMAT = "deb"``).

For boards that run a Debian-based image: what pyrecipe cross-built is handed over as .deb files
that ``dpkg -i`` installs and removes cleanly, with dependencies in Debian's names. The names
follow Debian's Python policy (``python3-<module>``); OpenEmbedded's split CPython packages
(python3-json ...) all mean Debian's ``python3``. A package with ELF files is built for the
machine's DEBIAN_ARCH and pinned to the target's CPython X.Y (its extension modules carry that
ABI) and depends on the Debian packages of the shared libraries it links (DT_NEEDED looked up
in the ``shlibs`` files of the .debs the target sysroot was made from, as dpkg-shlibdeps does);
a pure-Python one is ``Architecture: all``. Debian's CPython does not search
``/usr/lib/python3.X/site-packages`` (where the image has them): the package puts those files in
DEB_PYTHON_DIST_PACKAGES (``/usr/lib/python3/dist-packages``), where Debian's own Python
packages are. RECORD paths are relative to that directory and scripts' are ``../../../bin``
at the same depth, so the move keeps the installed metadata true.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.errors import BuildError
from pyrecipe.fsutil import real_directory
from pyrecipe.outputs.image import board_mode
from pyrecipe.parse import DataSmart
from pyrecipe.parse.depends import explode_deps
from pyrecipe.qa.inventory import StagedFile, take_inventory
from pyrecipe.toolchain.sysroot import MANIFEST_NAME

DEFAULT_MAINTAINER = "pyrecipe <pyrecipe@localhost>"


@dataclass(frozen=True)
class Control:
    """The fields of DEBIAN/control we write."""

    package: str
    version: str
    architecture: str
    maintainer: str
    depends: tuple[str, ...]
    summary: str
    description: str
    homepage: str
    installed_size_kib: int

    def text(self) -> str:
        fields = [
            f"Package: {self.package}", f"Version: {self.version}", f"Architecture: {self.architecture}",
            f"Maintainer: {self.maintainer}", f"Installed-Size: {self.installed_size_kib}",
        ]
        if self.depends:
            fields.append(f"Depends: {', '.join(self.depends)}")
        fields += ["Section: python", "Priority: optional"]
        if self.homepage:
            fields.append(f"Homepage: {self.homepage}")
        long_lines = [line.strip() or "." for line in self.description.splitlines() if self.description != self.summary]
        fields.append("Description: " + "\n ".join([self.summary, *long_lines]))
        return "\n".join(fields) + "\n"


def debian_package_name(recipe: str) -> str:
    """``six`` / ``python3-six`` / ``MarkupSafe`` -> ``python3-six`` / ``python3-markupsafe``."""
    name = re.sub(r"[^a-z0-9.+-]+", "-", recipe.lower()).strip("-")
    return name if name.startswith("python3-") else f"python3-{name}"


def debian_version(d: DataSmart) -> str:
    """``[PE:]PV-PR`` (Debian compares PR as the revision)."""
    epoch = d.getVar("PE") or ""
    version = f"{d.getVar('PV')}-{d.getVar('PR') or 'r0'}"
    return f"{epoch}:{version}" if epoch and epoch != "0" else version


def parse_shlibs(text: str) -> dict[str, str]:
    """A Debian ``shlibs`` control file -> {soname: dependency}.

    ``libfoo 1 libfoo1 (>= 1.2)`` names ``libfoo.so.1``; a library without a dotted version
    (``libfoo-1.2.so``) is written ``libfoo-1.2`` with its version apart, so both spellings are kept.
    """
    result: dict[str, str] = {}
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0].endswith(":"):  # a package type (udeb:) qualifies the line
            if words[0] != "deb:":
                continue
            words = words[1:]
        if len(words) < 3:
            continue
        library, version, dependency = words[0], words[1], " ".join(words[2:])
        result.setdefault(f"{library}.so.{version}", dependency)
        result.setdefault(f"{library}-{version}.so", dependency)
    return result


def sysroot_shlibs(sysroot: Path, archives: Path) -> dict[str, str]:
    """{soname: Debian dependency} from the shlibs of every .deb the sysroot was unpacked from."""
    try:
        debs = json.loads((sysroot / MANIFEST_NAME).read_text())["debs"]
    except (OSError, ValueError, KeyError):
        return {}  # a sysroot pyrecipe did not make: no Debian package facts to use
    result: dict[str, str] = {}
    for name in debs:
        shlibs = subprocess.run(["dpkg-deb", "--info", str(archives / name), "shlibs"], capture_output=True, text=True)
        if shlibs.returncode == 0:
            for soname, dependency in parse_shlibs(shlibs.stdout).items():
                result.setdefault(soname, dependency)
    return result


def shared_library_depends(inventory: Iterable[StagedFile], shlibs: Mapping[str, str]) -> list[str]:
    """Debian dependencies of the libraries the package's ELF files need (its own excepted)."""
    own = {Path(f.rel).name for f in inventory}
    needed = dict.fromkeys(n for f in inventory if f.elf is not None for n in f.elf.needed if n not in own)
    return list(dict.fromkeys(shlibs[n] for n in needed if n in shlibs))


def runtime_depends(d: DataSmart, arch_specific: bool, libraries: Iterable[str] = ()) -> tuple[str, ...]:
    """RDEPENDS:${PN} in Debian names: the stdlib is ``python3``, recipes are ``python3-<name>``,
    a RUNTIME_DEBIAN_PACKAGE flag names Debian's own package; then the shared libraries'."""
    python = d.getVar("PYTHON_BASEVERSION")
    major, minor = python.split(".")[:2]
    stdlib = set((d.getVar("PYTHON_STDLIB_PACKAGES") or "").split())
    names: dict[str, None] = {}
    if arch_specific:
        names[f"python3 (>= {python}~)"] = names[f"python3 (<< {major}.{int(minor) + 1})"] = None
    else:
        names["python3"] = None
    for dep in explode_deps(d.getVar(f"RDEPENDS:{d.getVar('PN')}") or ""):
        debian = d.getVarFlag("RUNTIME_DEBIAN_PACKAGE", dep)
        if dep in stdlib:
            continue
        for name in debian.split() if debian is not None else [debian_package_name(dep)]:
            names[name] = None
    names.update(dict.fromkeys(libraries))
    return tuple(names)


def control_for(d: DataSmart, image: Path) -> Control:
    inventory = take_inventory(image)
    arch_specific = any(f.elf is not None for f in inventory)
    libraries = []
    if arch_specific:
        shlibs = sysroot_shlibs(Path(d.getVar("RECIPE_SYSROOT")), Path(d.getVar("DEB_SYSROOT_ARCHIVES")))
        libraries = shared_library_depends(inventory, shlibs)
    size = sum(p.lstat().st_size for p in image.rglob("*") if not p.is_dir())
    summary = " ".join((d.getVar("SUMMARY") or d.getVar("PN")).split())
    return Control(
        package=debian_package_name(d.getVar("PN")),
        version=debian_version(d),
        architecture=d.getVar("DEBIAN_ARCH") if arch_specific else "all",
        maintainer=d.getVar("MAINTAINER") or DEFAULT_MAINTAINER,
        depends=runtime_depends(d, arch_specific, libraries),
        summary=summary,
        description=d.getVar("DESCRIPTION") or summary,
        homepage=d.getVar("HOMEPAGE") or "",
        installed_size_kib=(size + 1023) // 1024,
    )


def _md5sums(root: Path) -> str:
    lines = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        lines.append(f"{hashlib.md5(path.read_bytes()).hexdigest()}  {path.relative_to(root).as_posix()}")
    return "\n".join(lines) + ("\n" if lines else "")


def _move_to_dist_packages(root: Path, site_packages: str | None, dist_packages: str | None) -> None:
    """Move ``root``'s site-packages tree to Debian's dist-packages, dropping emptied parents."""
    if not site_packages or not dist_packages:
        return
    source = root / site_packages.lstrip("/")
    if not source.is_dir():
        return
    target = root / dist_packages.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
    shutil.rmtree(source)
    for parent in source.parents:
        if parent == root or any(parent.iterdir()):
            break
        parent.rmdir()


def _as_on_the_board(root: Path, epoch: int) -> None:
    """Every entry under ``root`` with the board's mode (whatever the builder's umask) and the
    recipe's SOURCE_DATE_EPOCH as its time: the package's bytes then depend on its files alone."""
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            path.chmod(board_mode(path.lstat().st_mode))
        os.utime(path, (epoch, epoch), follow_symlinks=False)


def build_deb(d: DataSmart) -> Path:
    """Write ``DEPLOY_DIR_DEB/<package>_<version>_<arch>.deb`` from ${PKGD}; return its path."""
    image = real_directory(Path(d.getVar("PKGD")), Path(d.getVar("WORKDIR")), create=False)  # no link a task left
    if not image.is_dir():
        raise BuildError(f"recipe {d.getVar('PN')}: no installed tree {image} to package")
    if not (d.getVar("DEBIAN_ARCH") or "").strip():
        raise BuildError(f"recipe {d.getVar('PN')}: the machine sets no DEBIAN_ARCH; a .deb needs one")
    control = control_for(d, image)
    deploy = Path(d.getVar("DEPLOY_DIR_DEB"))
    deploy.mkdir(parents=True, exist_ok=True)
    deb = deploy / f"{control.package}_{control.version.split(':')[-1]}_{control.architecture}.deb"
    with tempfile.TemporaryDirectory(dir=deploy, prefix=".packaging-") as tmp:
        root = Path(tmp) / "root"
        shutil.copytree(image, root, symlinks=True)
        _move_to_dist_packages(root, d.getVar("PYTHON_SITEPACKAGES_DIR"), d.getVar("DEB_PYTHON_DIST_PACKAGES"))
        md5sums = _md5sums(root)
        (root / "DEBIAN").mkdir(mode=0o755)
        (root / "DEBIAN" / "control").write_text(control.text(), encoding="utf-8")
        if md5sums:
            (root / "DEBIAN" / "md5sums").write_text(md5sums, encoding="utf-8")
        epoch = d.getVar("SOURCE_DATE_EPOCH")
        _as_on_the_board(root, int(epoch))
        built = Path(tmp) / deb.name
        result = subprocess.run(
            ["dpkg-deb", "--build", "--root-owner-group", str(root), str(built)],
            capture_output=True, text=True, check=False, env={**os.environ, "SOURCE_DATE_EPOCH": epoch},
        )
        if result.returncode != 0:
            raise BuildError(f"dpkg-deb could not build {deb.name}: {result.stderr.strip() or result.stdout.strip()}")
        os.replace(built, deb)
    return deb
