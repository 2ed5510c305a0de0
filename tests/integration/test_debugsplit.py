"""do_package's split: a real cross-compiled module stripped into ${PKGD}, its debug information
kept by build-id, the rest of the tree linked as it is, ${D} untouched."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from pyrecipe.errors import BuildError
from pyrecipe.tasks.package import BinTools, build_id, has_debug_info, split_and_strip
from pyrecipe.toolchain.host_tools import ensure_host_packages

CROSS = "aarch64-linux-gnu-"
MODULE = "usr/lib/pkg/_speedups.so"


@pytest.fixture(scope="module")
def tools() -> BinTools:
    ensure_host_packages(["gcc-aarch64-linux-gnu", "binutils-aarch64-linux-gnu", "libc6-dev-arm64-cross"])
    return BinTools(strip=f"{CROSS}strip", objcopy=f"{CROSS}objcopy")


@pytest.fixture
def image(tmp_path: Path, tools: BinTools) -> Path:
    root = tmp_path / "image"
    (root / "usr/lib/pkg").mkdir(parents=True)
    source = tmp_path / "speedups.c"
    source.write_text("int add(int a, int b) { return a + b; }\nint twice(int a) { return add(a, a); }\n")
    subprocess.run([f"{CROSS}gcc", "-shared", "-fPIC", "-g", "-O2", "-o", str(root / MODULE), str(source)], check=True)
    (root / "usr/lib/pkg/__init__.py").write_text("from ._speedups import *\n")
    os.symlink("_speedups.so", root / "usr/lib/pkg/_alias.so")
    return root


def sections(path: Path) -> set[str]:
    with open(path, "rb") as stream:
        return {section.name for section in ELFFile(stream).iter_sections()}


def test_module_is_stripped_and_its_debug_info_kept_by_build_id(tmp_path: Path, image: Path, tools: BinTools) -> None:
    pkgd, debug = tmp_path / "package", tmp_path / "debug"
    unstripped = (image / MODULE).read_bytes()
    [split] = split_and_strip(image, pkgd, debug, tools, jobs=2)
    identity = build_id(image / MODULE)
    assert identity and len(identity) == 40
    assert split.rel == MODULE
    assert split.debug_file == debug / ".build-id" / identity[:2] / f"{identity[2:]}.debug"
    shipped = pkgd / MODULE
    assert ".debug_info" not in sections(shipped) and ".symtab" not in sections(shipped)
    assert ".gnu_debuglink" in sections(shipped) and build_id(shipped) == identity
    assert shipped.stat().st_size < len(unstripped)
    assert has_debug_info(split.debug_file) and not has_debug_info(shipped)
    assert (image / MODULE).read_bytes() == unstripped  # ${D} stays as do_install made it
    assert os.stat(pkgd / "usr/lib/pkg/__init__.py").st_ino == os.stat(image / "usr/lib/pkg/__init__.py").st_ino
    assert os.readlink(pkgd / "usr/lib/pkg/_alias.so") == "_speedups.so"
    assert (shipped.stat().st_mode & 0o777) == ((image / MODULE).stat().st_mode & 0o777)


def test_without_tools_the_package_is_the_tree_as_installed(tmp_path: Path, image: Path) -> None:
    pkgd = tmp_path / "package"
    assert split_and_strip(image, pkgd, tmp_path / "debug", None) == []
    assert (pkgd / MODULE).read_bytes() == (image / MODULE).read_bytes()
    assert not (tmp_path / "debug").exists()


def test_a_file_the_binutils_refuse_ships_as_installed_with_a_warning(tmp_path: Path, image: Path, tools: BinTools) -> None:
    """A module for another machine (QA's arch finding waived by INSANE_SKIP) cannot be stripped by
    the cross strip: it ships as it is, and the warning says so."""
    foreign = image / "usr/lib/pkg/_host.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-g", "-o", str(foreign), "-x", "c", "-"], input=b"int f(void){return 1;}\n",
                   check=True)
    warnings: list[str] = []
    split = split_and_strip(image, tmp_path / "package", tmp_path / "debug", tools, warn=warnings.append)
    assert [(s.rel, s.debug_file is None) for s in split] == [("usr/lib/pkg/_host.so", True), (MODULE, False)]
    assert (tmp_path / "package/usr/lib/pkg/_host.so").read_bytes() == foreign.read_bytes()
    [warning] = warnings
    assert warning.startswith("do_package: usr/lib/pkg/_host.so: not stripped, shipped as installed (")
    assert not list((tmp_path / "debug").rglob("._*"))  # no temporary debug file left


def test_no_installed_tree_is_a_build_error(tmp_path: Path, tools: BinTools) -> None:
    with pytest.raises(BuildError, match="do_install did not run"):
        split_and_strip(tmp_path / "missing", tmp_path / "package", tmp_path / "debug", tools)
