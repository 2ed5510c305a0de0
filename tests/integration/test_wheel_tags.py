"""Wheel tags from real ELF files: extension modules compiled by the build machine's cross (and
host) compilers against the libc they ship with, read back and judged as auditwheel would.

Each module's newest symbol version is chosen by what it calls (tests/fixtures/wheels/needs.c),
and the test first checks with binutils' ``readelf`` that the object really needs that version,
so a compiler that changed what it emits fails here instead of passing for the wrong reason.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest
from installer.sources import WheelFile

from pyrecipe.errors import BuildError
from pyrecipe.outputs.manylinux import platform_tag, read_needs
from pyrecipe.outputs.wheel import rewrite_wheel

FIXTURES = Path(__file__).parents[1] / "fixtures" / "wheels"
#: (uname -m, compiler prefix, e_machine) of the machines the tests compile for.
TARGETS = {
    "aarch64": ("aarch64-linux-gnu-", "EM_AARCH64"),
    "armv7l": ("arm-linux-gnueabihf-", "EM_ARM"),
    "x86_64": ("", "EM_X86_64"),
}


def _tool(arch: str, name: str) -> str:
    prefix = TARGETS[arch][0]
    path = shutil.which(prefix + name)
    if path is None:
        pytest.skip(f"{prefix}{name} is not installed")
    return path


def compile_object(tmp_path: Path, arch: str, out: str, *flags: str, cxx: bool = False) -> Path:
    target = tmp_path / arch / out
    target.parent.mkdir(parents=True, exist_ok=True)
    source = FIXTURES / ("needs_cxx.cpp" if cxx else "needs.c")
    compiler = _tool(arch, "g++" if cxx else "gcc")
    subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-o", str(target), str(source), *flags],
                   check=True, capture_output=True, text=True)
    return target


def needed_versions(arch: str, path: Path) -> str:
    """What binutils says the object needs (the independent reading the tests check against)."""
    return subprocess.run([_tool(arch, "readelf"), "--version-info", "--wide", str(path)],
                          check=True, capture_output=True, text=True).stdout


def verdict(arch: str, *paths: Path) -> str:
    return platform_tag(arch, [read_needs(p.name, p.read_bytes()) for p in paths]).tag


@pytest.mark.parametrize("arch, oldest, expected", [
    ("aarch64", "GLIBC_2.17", "manylinux_2_17_aarch64"),
    ("armv7l", "GLIBC_2.4", "manylinux_2_17_armv7l"),
    ("x86_64", "GLIBC_2.2.5", "manylinux_2_5_x86_64"),
])
def test_oldest_policy_for_a_module_that_needs_only_old_symbols(tmp_path: Path, arch: str, oldest: str, expected: str) -> None:
    module = compile_object(tmp_path, arch, "plain.so", "-DMODULE=plain")
    versions = needed_versions(arch, module)
    assert f"Name: {oldest} " in versions and versions.count("Name: GLIBC_") == 1
    needs = read_needs(module.name, module.read_bytes())
    assert needs.machine == TARGETS[arch][1]
    assert "libc.so.6" in needs.needed
    assert verdict(arch, module) == expected


def test_glibc_2_25_needs_the_next_policy_there_is(tmp_path: Path) -> None:
    module = compile_object(tmp_path, "aarch64", "random.so", "-DMODULE=random", "-DUSE_GETRANDOM")
    assert "GLIBC_2.25" in needed_versions("aarch64", module)
    # No manylinux_2_25 policy exists: the oldest that allows GLIBC_2.25 is 2_26 (as auditwheel says).
    assert verdict("aarch64", module) == "manylinux_2_26_aarch64"


def test_pthread_in_libc_since_glibc_2_34(tmp_path: Path) -> None:
    module = compile_object(tmp_path, "aarch64", "threads.so", "-DMODULE=threads", "-DUSE_PTHREAD")
    if "GLIBC_2.34" not in needed_versions("aarch64", module):
        pytest.skip("the cross libc is older than 2.34: pthread_create is not versioned GLIBC_2.34 there")
    assert verdict("aarch64", module) == "manylinux_2_34_aarch64"


def test_libstdcxx_versions_count_too(tmp_path: Path) -> None:
    module = compile_object(tmp_path, "aarch64", "cxxmod.so", cxx=True)
    versions = needed_versions("aarch64", module)
    assert "GLIBCXX_3.4.25" in versions and "GLIBC_2.2" not in versions
    assert verdict("aarch64", module) == "manylinux_2_31_aarch64"


def test_a_library_outside_the_policy_makes_it_linux_unless_the_wheel_carries_it(tmp_path: Path) -> None:
    helper = compile_object(tmp_path, "aarch64", "libhelper.so.1", "-DLIBRARY", "-Wl,-soname,libhelper.so.1")
    module = compile_object(tmp_path, "aarch64", "uses.so", "-DMODULE=uses", "-DNEEDS_HELPER",
                            f"-L{helper.parent}", "-l:libhelper.so.1")
    assert "libhelper.so.1" in read_needs(module.name, module.read_bytes()).needed
    alone = platform_tag("aarch64", [read_needs(module.name, module.read_bytes())])
    assert alone.tag == "linux_aarch64" and "libhelper.so.1" in alone.reason
    assert verdict("aarch64", module, helper) == "manylinux_2_17_aarch64"


def _record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode().rstrip("=")


def make_wheel(directory: Path, name: str, tag: str, files: dict[str, bytes]) -> Path:
    """A wheel as a backend writes it: the files, METADATA, WHEEL and a true RECORD."""
    dist_info = f"{name}-1.0.dist-info"
    members = dict(files)
    members[f"{dist_info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n".encode()
    members[f"{dist_info}/WHEEL"] = (f"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: false\nTag: {tag}\n").encode()
    record = "".join(f"{n},{_record_hash(d)},{len(d)}\n" for n, d in members.items()) + f"{dist_info}/RECORD,,\n"
    members[f"{dist_info}/RECORD"] = record.encode()
    path = directory / f"{name}-1.0-{tag}.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return path


def test_rewrite_takes_the_shipped_file_and_retags(tmp_path: Path) -> None:
    module = compile_object(tmp_path, "aarch64", "random.cpython-311-aarch64-linux-gnu.so",
                            "-DMODULE=random", "-DUSE_GETRANDOM", "-g")
    member = "demo/random.cpython-311-aarch64-linux-gnu.so"
    wheel = make_wheel(tmp_path, "demo", "cp311-cp311-linux_aarch64", {member: module.read_bytes(), "demo/__init__.py": b""})
    stripped = tmp_path / "stripped.so"
    subprocess.run([_tool("aarch64", "strip"), "-o", str(stripped), str(module)], check=True)
    deploy = tmp_path / "deploy"

    result = rewrite_wheel(wheel, deploy, arch="aarch64", python_version="3.11", elf_machine="EM_AARCH64",
                           shipped=lambda name: stripped.read_bytes() if name == member else None)

    assert result.path == deploy / "demo-1.0-cp311-cp311-manylinux_2_26_aarch64.whl"
    assert result.replaced == (member,)
    assert list(deploy.iterdir()) == [result.path]
    with zipfile.ZipFile(result.path) as archive:
        assert archive.read(member) == stripped.read_bytes()
        wheel_text = archive.read("demo-1.0.dist-info/WHEEL").decode()
        # the members were written 0600 (as a umask of 077 leaves files): deployed with the board's modes
        assert {info.external_attr >> 16 for info in archive.infolist()} == {stat.S_IFREG | 0o644}
    assert "Tag: cp311-cp311-manylinux_2_26_aarch64" in wheel_text and "linux_aarch64\n" not in wheel_text.replace("manylinux_2_26_aarch64", "")
    with WheelFile.open(result.path) as source:
        source.validate_record()  # every hash and size true for the new content


def test_rewrite_refuses_elf_files_of_another_machine(tmp_path: Path) -> None:
    module = compile_object(tmp_path, "x86_64", "plain.so", "-DMODULE=plain")
    wheel = make_wheel(tmp_path, "wrong", "cp311-cp311-linux_aarch64", {"wrong/plain.so": module.read_bytes()})
    with pytest.raises(BuildError, match=r"not for EM_AARCH64: wrong/plain.so \(EM_X86_64\).*INSANE_SKIP"):
        rewrite_wheel(wheel, tmp_path / "deploy", arch="aarch64", python_version="3.11", elf_machine="EM_AARCH64")
    assert not (tmp_path / "deploy").exists() or not any((tmp_path / "deploy").iterdir())


def test_foreign_elf_files_are_data_when_qa_arch_is_waived(tmp_path: Path) -> None:
    """An ELF reader's test data (x86_64 objects in an aarch64 package) with INSANE_SKIP arch:
    the tag comes from the package's own module, and the reason names what was left out."""
    own = compile_object(tmp_path, "aarch64", "reader.so", "-DMODULE=reader")
    data = compile_object(tmp_path, "x86_64", "sample.so", "-DMODULE=sample")
    wheel = make_wheel(tmp_path, "reader", "cp311-cp311-linux_aarch64",
                       {"reader/reader.so": own.read_bytes(), "reader/tests/sample.so": data.read_bytes()})
    result = rewrite_wheel(wheel, tmp_path / "deploy", arch="aarch64", python_version="3.11",
                           elf_machine="EM_AARCH64", foreign_elf_is_data=True)
    assert result.tag == "cp311-cp311-manylinux_2_17_aarch64"
    assert "reader/tests/sample.so (EM_X86_64)" in result.reason
