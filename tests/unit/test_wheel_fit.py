"""A platform wheel's QA against the board's sysroot (pyrecipe.qa.wheelfit): small aarch64 wheels
made of real shared objects (compiled by the build machine's gcc, then marked EM_AARCH64: the
cross compiler is not needed to read what pyelftools reads), checked against a sysroot holding a
real glibc's libc.so.6 (its version definitions are what is read)."""

from __future__ import annotations

import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import pytest

from pyrecipe.qa.wheelfit import refusals

EM_AARCH64 = 183
HOST_LIBC = next((p for p in (Path("/lib/x86_64-linux-gnu/libc.so.6"), Path("/lib/aarch64-linux-gnu/libc.so.6"),
                              Path("/lib64/libc.so.6")) if p.is_file()), None)


def _compile(tmp: Path, name: str, source: str, *flags: str) -> Path:
    (tmp / f"{name}.c").write_text(source)
    out = tmp / name
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(out), str(tmp / f"{name}.c"), *flags], check=True, cwd=tmp)
    return out


def _as_aarch64(path: Path, *replace: tuple[bytes, bytes]) -> bytes:
    """The ELF file with e_machine EM_AARCH64 and the strings ``replace`` swapped (same length)."""
    data = bytearray(path.read_bytes())
    data[18:20] = struct.pack("<H", EM_AARCH64)
    for old, new in replace:
        assert len(old) == len(new) and old in data
        data = bytearray(bytes(data).replace(old, new))
    return bytes(data)


def _wheel(tmp: Path, files: dict[str, bytes]) -> Path:
    wheel = tmp / "demo-1.0-cp313-cp313-manylinux_2_17_aarch64.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("demo/__init__.py", "")
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr("demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n")
    return wheel


@pytest.fixture
def built(tmp_path: Path) -> dict[str, Path]:
    if shutil.which("gcc") is None or HOST_LIBC is None:
        pytest.fail("these tests need the build machine's gcc and glibc (libc.so.6), as the integration tests do")
    helper = _compile(tmp_path, "libhelper.so.1", "int helper(void){return 1;}\n", "-Wl,-soname,libhelper.so.1")
    ext = _compile(tmp_path, "ext.so", "#include <stdio.h>\nint helper(void);\nint f(const char*s){puts(s);return helper();}\n",
                   "-L.", "-l:libhelper.so.1")
    sysroot_lib = tmp_path / "sysroot/lib/aarch64-linux-gnu"
    sysroot_lib.mkdir(parents=True)
    shutil.copy(HOST_LIBC, sysroot_lib / "libc.so.6")
    return {"helper": helper, "ext": ext, "lib": sysroot_lib}


def test_a_wheel_whose_needs_the_sysroot_meets_is_accepted(built: dict[str, Path], tmp_path: Path) -> None:
    """The good wheel: its extension needs libc's GLIBC_2.2.5 and libhelper.so.1, which it carries in demo.libs/."""
    wheel = _wheel(tmp_path, {"demo/_ext.cpython-313-aarch64-linux-gnu.so": _as_aarch64(built["ext"]),
                              "demo.libs/libhelper.so.1": _as_aarch64(built["helper"])})
    assert refusals(wheel, "EM_AARCH64", [built["lib"]]) == []


def test_a_wheel_needing_a_newer_glibc_than_the_sysroot_is_refused(built: dict[str, Path], tmp_path: Path) -> None:
    """A wheel built against a newer glibc (GLIBC_2.99) would fail to load on the board: refused, naming the version."""
    ext = _as_aarch64(built["ext"], (b"GLIBC_2.2.5\0", b"GLIBC_2.99\0\0"))
    wheel = _wheel(tmp_path, {"demo/_ext.so": ext, "demo.libs/libhelper.so.1": _as_aarch64(built["helper"])})
    [reason] = refusals(wheel, "EM_AARCH64", [built["lib"]])
    assert "demo/_ext.so needs GLIBC_2.99 from libc.so.6, which the board's libc.so.6 does not define" in reason
    assert "its newest is GLIBC_2." in reason


def test_a_wheel_needing_a_library_neither_sysroot_nor_wheel_has_is_refused(built: dict[str, Path], tmp_path: Path) -> None:
    """The extension links libhelper.so.1, which the wheel does not carry and the sysroot lacks."""
    wheel = _wheel(tmp_path, {"demo/_ext.so": _as_aarch64(built["ext"])})
    assert refusals(wheel, "EM_AARCH64", [built["lib"]]) == [
        "demo/_ext.so needs libhelper.so.1 (DT_NEEDED), which neither the board's sysroot nor the wheel has"]


def test_a_wheel_for_another_machine_is_refused(built: dict[str, Path], tmp_path: Path) -> None:
    """An x86_64 shared object in a wheel for the board (a mislabelled wheel)."""
    wheel = _wheel(tmp_path, {"demo/_ext.so": built["ext"].read_bytes(), "demo.libs/libhelper.so.1": _as_aarch64(built["helper"])})
    assert refusals(wheel, "EM_AARCH64", [built["lib"]]) == ["demo/_ext.so is built for EM_X86_64, the board is EM_AARCH64"]


def test_a_wheel_with_a_host_rpath_is_refused(built: dict[str, Path], tmp_path: Path) -> None:
    """An RPATH naming the builder's directory: the board's loader would search it."""
    ext = _compile(tmp_path, "rp.so", "int g(void){return 2;}\n", "-Wl,-rpath,/home/builder/lib")
    wheel = _wheel(tmp_path, {"demo/_rp.so": _as_aarch64(ext)})
    assert refusals(wheel, "EM_AARCH64", [built["lib"]]) == [
        "demo/_rp.so has the RPATH/RUNPATH entry '/home/builder/lib', a directory of the machine that built it"]


def test_a_requirement_files_wheel_options_are_read(tmp_path: Path) -> None:
    """pip's --prefer-binary and --only-binary :all: say PYPI_BINARY; --only-binary for some
    projects is refused with a clear message (pyrecipe chooses for the whole set)."""
    from pyrecipe.errors import InputError
    from pyrecipe.requirements.pins import read_pins

    (tmp_path / "a.txt").write_text("--prefer-binary\nsix\n")
    (tmp_path / "b.txt").write_text("--only-binary=:all:\nsix\n")
    (tmp_path / "c.txt").write_text("--only-binary numpy\nnumpy\n")
    assert read_pins([tmp_path / "a.txt"]).binary == "prefer"
    assert read_pins([tmp_path / "b.txt"]).binary == "only"
    with pytest.raises(InputError, match=r"c.txt:1: --only-binary numpy: pyrecipe takes --only-binary :all:"):
        read_pins([tmp_path / "c.txt"])



def test_the_command_lines_only_binary_takes_pips_words() -> None:
    """``--only-binary :all:``, as a pip user types it, was taken for a recipe named ':all:'
    (exit 2, "not a recipe name"); the bare flag still works, ``:none:`` builds from source, and a
    project name after it is a usage error rather than a recipe silently taken as its value."""
    from pyrecipe.cli import build_parser

    def parse(*argv: str) -> object:
        return build_parser(["build", *argv]).parse_args(["build", *argv]).binary

    assert parse("--only-binary", ":all:", "-r", "req.txt") == "only"
    assert parse("-r", "req.txt", "--only-binary") == "only"
    assert parse("--only-binary", ":none:", "-r", "req.txt") == "no"
    with pytest.raises(SystemExit) as stopped:
        parse("--only-binary", "numpy")
    assert stopped.value.code == 2

def test_the_boards_tags_follow_its_cpython_machine_and_glibc() -> None:
    """cp313 and abi3 on manylinux up to the sysroot's glibc and linux_aarch64; never another
    machine's or a newer glibc's."""
    from packaging.tags import Tag

    from pyrecipe.recipetool.create import TargetFacts
    from pyrecipe.recipetool.pypi_resolve import board_tags

    tags = board_tags(TargetFacts("3.13.5", "aarch64"), "2.36")
    assert tags.index(Tag("cp313", "cp313", "manylinux_2_36_aarch64")) < tags.index(Tag("cp313", "cp313", "manylinux_2_17_aarch64"))
    assert Tag("cp313", "abi3", "manylinux_2_28_aarch64") in tags and Tag("cp313", "cp313", "linux_aarch64") in tags
    assert Tag("cp313", "cp313", "manylinux_2_38_aarch64") not in tags
    assert not any("x86_64" in tag.platform or tag.interpreter == "cp312" and tag.abi == "cp312" for tag in tags)
