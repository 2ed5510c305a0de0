"""Wheels for the board (issue 26): ``pyrecipe build -r --only-binary`` / ``--prefer-binary`` and
pip's options in a requirement file install a project's wheel for the board as it is, once its
ELF files pass QA against the board's sysroot, and refuse one that would not load there.

The board is ``runnerboard``, the build machine itself (x86_64, the default distro's CPython, no
sysroot: the build machine's own libraries are the sysroot), so the wheels hold shared objects the
build machine's gcc compiles; the aarch64 form of the same checks is tests/unit/test_wheel_fit.py.
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from pypi_support import Published, publish, sdist
from reliability_support import add_recipe, assert_clean_error, machine_dir, pyrecipe_build, write_local_conf

TAG = "cp313-cp313-manylinux_2_17_x86_64"
EXT = "fastthing/_speed.cpython-313-x86_64-linux-gnu.so"
PYPROJECT = ('[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
             '[project]\nname = "fastthing"\nversion = "1.0"\nlicense = "MIT"\n')


def _shared_object(tmp: Path, glibc: bytes | None = None) -> bytes:
    """A real shared object of the build machine that calls puts() (GLIBC_2.2.5); ``glibc`` swaps
    that version name for another of the same length, as a wheel built against a newer glibc needs."""
    if shutil.which("gcc") is None:
        pytest.fail("this test needs the build machine's gcc, as the runner board's builds do")
    (tmp / "speed.c").write_text("#include <stdio.h>\nint speed(const char *s) { return puts(s); }\n")
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(tmp / "speed.so"), str(tmp / "speed.c")], check=True)
    data = (tmp / "speed.so").read_bytes()
    if glibc is not None:
        assert len(glibc) == len(b"GLIBC_2.2.5\0") and b"GLIBC_2.2.5\0" in data
        data = data.replace(b"GLIBC_2.2.5\0", glibc)
    return data


def _platform_wheel(so: bytes) -> Published:
    """fastthing 1.0's wheel for the board, holding the extension module ``so``."""
    dist_info = "fastthing-1.0.dist-info"
    members: dict[str, bytes] = {
        "fastthing/__init__.py": b"from fastthing import _speed\n", EXT: so,
        f"{dist_info}/METADATA": b"Metadata-Version: 2.1\nName: fastthing\nVersion: 1.0\nLicense: MIT\n\n",
        f"{dist_info}/WHEEL": f"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: false\nTag: {TAG}\n".encode(),
    }
    digest = {path: base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode() for path, data in members.items()}
    members[f"{dist_info}/RECORD"] = "".join(f"{p},sha256={digest[p]},{len(d)}\n" for p, d in members.items()).encode() + \
        f"{dist_info}/RECORD,,\n".encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in members.items():
            archive.writestr(path, data)
    return Published(f"fastthing-1.0-{TAG}.whl", buffer.getvalue())


def _index(http_dir: tuple[Path, str], so: bytes) -> str:
    served, url = http_dir
    publish(served, url, "fastthing", [_platform_wheel(so), sdist("fastthing", "1.0", {"pyproject.toml": PYPROJECT,
                                                                                      "fastthing/__init__.py": ""})])
    return f"{url}/simple"


def _generated(build_dir: Path) -> str:
    [recipe] = (build_dir / machine_dir(build_dir).parent.name / "generated" / "recipes" / "fastthing").glob("*.bb")
    return recipe.read_text()


def test_only_binary_installs_the_boards_wheel_as_it_is(layer: Path, tmp_path: Path, http_dir: tuple[Path, str]) -> None:
    """--only-binary: the wheel, whose extension needs nothing the board lacks, is installed as
    published (its extension module's bytes unchanged), and the report says it came as a wheel."""
    so = _shared_object(tmp_path)
    build_dir = tmp_path / "build"
    write_local_conf(build_dir, PYPI_INDEX_URL=_index(http_dir, so))
    (tmp_path / "requirements.txt").write_text("fastthing==1.0\n")
    # Up to do_compile: the runner board has no native venv for do_install's installer to run in.
    result = pyrecipe_build(layer, build_dir, "-c", "compile", "-r", str(tmp_path / "requirements.txt"), "--only-binary")
    assert result.returncode == 0, result.stderr
    assert "inherit pypi_wheel" in _generated(build_dir) and TAG in _generated(build_dir)
    assert "pypi wheel" in result.stdout
    [taken] = (machine_dir(build_dir) / "work" / "fastthing").glob(f"*/**/fastthing-1.0-{TAG}.whl")
    with zipfile.ZipFile(taken) as wheel:
        assert wheel.read(EXT) == so


def test_only_binary_refuses_a_wheel_needing_a_newer_glibc(layer: Path, tmp_path: Path, http_dir: tuple[Path, str]) -> None:
    """A wheel whose extension needs GLIBC_2.99, which the board's libc.so.6 does not define: it
    would fail to load on the board. With --only-binary the build stops before anything runs,
    naming the wheel, the file and the version; nothing is generated from the sdist."""
    build_dir = tmp_path / "build"
    write_local_conf(build_dir, PYPI_INDEX_URL=_index(http_dir, _shared_object(tmp_path, b"GLIBC_2.99\0\0")))
    (tmp_path / "requirements.txt").write_text("fastthing==1.0\n")
    result = pyrecipe_build(layer, build_dir, "-r", str(tmp_path / "requirements.txt"), "--only-binary")
    assert_clean_error(result, 2)
    assert f"fastthing-1.0-{TAG}.whl refused: {EXT} needs GLIBC_2.99 from libc.so.6, which the board's libc.so.6 " \
           "does not define" in result.stderr
    assert "only wheels are allowed" in result.stderr
    assert not (machine_dir(build_dir) / "work").exists() or not list((machine_dir(build_dir) / "work").glob("fastthing*"))


def test_prefer_binary_in_the_requirement_file_builds_the_sdist_of_a_refused_wheel(
        layer: Path, tmp_path: Path, http_dir: tuple[Path, str]) -> None:
    """pip's --prefer-binary written in the requirement file: the refused wheel is named with its
    reason in a warning, and the project's recipe is generated from its sdist instead."""
    build_dir = tmp_path / "build"
    write_local_conf(build_dir, PYPI_INDEX_URL=_index(http_dir, _shared_object(tmp_path, b"GLIBC_2.99\0\0")))
    (tmp_path / "requirements.txt").write_text("--prefer-binary\nfastthing==1.0\n")
    result = pyrecipe_build(layer, build_dir, "-n", "-r", str(tmp_path / "requirements.txt"))
    assert result.returncode == 0, result.stderr
    assert "no wheel of it installs on the board, its sdist is built" in result.stdout + result.stderr
    assert "needs GLIBC_2.99" in result.stdout + result.stderr
    assert "inherit pypi python_setuptools_build_meta" in _generated(build_dir)


def test_only_binary_takes_the_wheel_over_a_layer_recipe_that_builds_the_sdist(
        layer: Path, tmp_path: Path, http_dir: tuple[Path, str]) -> None:
    """The layer has a recipe of the same version that builds the sdist; uv's lock, asked for
    wheels only, names the wheel alone. The package comes from PyPI as its wheel, with the warning
    naming the layer's recipe, rather than stopping on the recipe's file not being in the lock."""
    so = _shared_object(tmp_path)
    build_dir = tmp_path / "build"
    write_local_conf(build_dir, PYPI_INDEX_URL=_index(http_dir, so))
    served, _ = http_dir
    [archive] = (served / "files" / "fastthing").glob("*.tar.gz")
    add_recipe(layer, "fastthing", f'LICENSE = "MIT"\nLIC_FILES_CHKSUM = ""\ninherit pypi python_setuptools_build_meta\n'
               f'SRC_URI[sha256sum] = "{hashlib.sha256(archive.read_bytes()).hexdigest()}"\nPROVIDES = "python3-fastthing"\n')
    (tmp_path / "requirements.txt").write_text("fastthing==1.0\n")
    result = pyrecipe_build(layer, build_dir, "-c", "compile", "-r", str(tmp_path / "requirements.txt"), "--only-binary")
    assert result.returncode == 0, result.stderr
    assert "inherit pypi_wheel" in _generated(build_dir)
    assert "fastthing 1.0 is built from PyPI (pypi wheel" in result.stdout + result.stderr
