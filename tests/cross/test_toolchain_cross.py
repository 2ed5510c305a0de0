"""Real cross builds with the provisioned toolchain, run under qemu-user with the target's CPython.

A small C extension is built by setuptools (through its PEP 517 hooks, in the native venv, with
the rendered environment) and another by meson with the rendered cross file; both are imported
by the target's own interpreter under qemu-user and their computed results checked.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from pyproject_hooks import BuildBackendHookCaller

from cross_support import DISTRO, cross_environment
from pyrecipe.toolchain import Toolchain, load_machine
from pyrecipe.toolchain.provision import provision

FIXTURES = Path(__file__).parents[1] / "fixtures"
#: machine -> what the C extension's preprocessor check says, pointer bits
#: (x86-64 is the build machine's own architecture, through the same sysroot and qemu-user path.)
EXPECTED = {"raspberrypi4": ("aarch64", 64), "beaglebone": ("armv7-a", 32), "x86-64": ("x86_64", 64)}


#: These tests drive the toolchain by hand on the build machine (its cross compilers, its native
#: venv), which a distro with a build root keeps inside the root: bookworm's toolchain is the
#: build machine's own. The recipe builds test the build root's.
TOOLCHAIN_DISTRO = "debian-bookworm"


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def toolchain(request: pytest.FixtureRequest, cross_build_dir: Path) -> Toolchain:
    return provision(load_machine(request.param, distro=TOOLCHAIN_DISTRO), cross_build_dir)


def run_on_target(toolchain: Toolchain, code: str, pythonpath: list[Path]) -> str:
    result = subprocess.run(
        toolchain.qemu_command(["python3", "-c", code], extra_pythonpath=pythonpath),
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_second_provision_is_a_fast_no_op(toolchain: Toolchain, cross_build_dir: Path) -> None:
    manifest = toolchain.sysroot / ".pyrecipe-sysroot.json"
    before = manifest.stat().st_mtime_ns
    start = time.monotonic()
    again = provision(toolchain.machine, cross_build_dir)
    assert time.monotonic() - start < 1.0
    assert again.sysroot == toolchain.sysroot
    assert manifest.stat().st_mtime_ns == before


def test_target_cpython_runs_under_qemu(toolchain: Toolchain) -> None:
    out = run_on_target(toolchain, "import platform, sys, sysconfig; print(platform.machine(), sys.version.split()[0], sysconfig.get_config_var('EXT_SUFFIX'))", [])
    machine, version, ext_suffix = out.split()
    assert machine == toolchain.machine.uname_machine
    assert version == toolchain.python.version
    assert ext_suffix == toolchain.python.ext_suffix


def test_setuptools_extension_cross_builds_and_imports(toolchain: Toolchain, tmp_path: Path) -> None:
    source = tmp_path / "ext_c"
    shutil.copytree(FIXTURES / "ext_c", source)
    env = cross_environment(toolchain)

    def runner(cmd, cwd=None, extra_environ=None):
        subprocess.run(cmd, cwd=cwd, env={**env, **(extra_environ or {})}, check=True)

    hooks = BuildBackendHookCaller(
        str(source), "setuptools.build_meta", python_executable=str(toolchain.build_python), runner=runner
    )
    dist = tmp_path / "dist"
    dist.mkdir()
    wheel_name = hooks.build_wheel(str(dist))
    assert wheel_name.endswith(f"-{toolchain.python.platform_tag}.whl"), wheel_name
    site = tmp_path / "site"
    with zipfile.ZipFile(dist / wheel_name) as wheel:
        names = wheel.namelist()
        wheel.extractall(site)
    assert f"ext_c{toolchain.python.ext_suffix}" in names
    arch, bits = EXPECTED[toolchain.machine.name]
    out = run_on_target(toolchain, "import ext_c; print(ext_c.arch(), ext_c.sum_squares(1000000))", [site])
    assert out == f"{arch} {sum(i * i for i in range(1000000))}"


def test_meson_extension_cross_builds_with_the_cross_file(toolchain: Toolchain, tmp_path: Path) -> None:
    source = tmp_path / "ext_meson"
    shutil.copytree(FIXTURES / "ext_meson", source)
    build = tmp_path / "build"
    env = cross_environment(toolchain)
    meson = str(toolchain.native_venv / "bin" / "meson")
    for step in (
        [meson, "setup", "--cross-file", str(toolchain.meson_cross_file), str(build), str(source)],
        [meson, "compile", "-C", str(build)],
    ):
        result = subprocess.run(step, env=env, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
    module = build / f"ext_meson{toolchain.python.ext_suffix}"
    assert module.is_file(), sorted(p.name for p in build.iterdir())
    commands = json.loads((build / "compile_commands.json").read_text())
    (command,) = [c["command"] for c in commands if c["file"].endswith("ext_meson.c")]
    assert f"-I{toolchain.python.include_dir}" in command  # the target's headers, not the build machine's
    _, bits = EXPECTED[toolchain.machine.name]
    out = run_on_target(toolchain, "import ext_meson; print(ext_meson.layout(), ext_meson.fib(90))", [build])
    assert out == f"({bits}, 'little') 2880067194370816120"


def test_pkg_config_wrapper_finds_the_targets_packages_in_the_sysroot(toolchain: Toolchain) -> None:
    # Through the build's PATH, where the wrapper comes first: it must run the real pkg-config.
    result = subprocess.run(
        ["pkg-config", "--cflags", "openblas"], env=cross_environment(toolchain), capture_output=True, text=True, check=False, timeout=30
    )
    assert result.returncode == 0, result.stderr
    include = toolchain.sysroot / "usr/include" / toolchain.machine.target_sys / "openblas-pthread"
    assert f"-I{include}" in result.stdout


def test_extra_packages_are_added_to_an_existing_sysroot(cross_build_dir: Path) -> None:
    machine = load_machine("raspberrypi4", distro=DISTRO)
    before = provision(machine, cross_build_dir)
    header = before.sysroot / "usr/include/yaml.h"
    added = provision(machine, cross_build_dir, ["libyaml-dev"])
    assert header.is_file()
    assert "libyaml-dev" in json.loads((added.sysroot / ".pyrecipe-sysroot.json").read_text())["requested"]
    library = added.sysroot / "usr/lib" / machine.target_sys / "libyaml.so"
    assert library.resolve().is_relative_to(added.sysroot)  # its link was made relative
    start = time.monotonic()
    notes: list[str] = []
    provision(machine, cross_build_dir, ["libyaml-dev"], notes.append)
    assert time.monotonic() - start < 1.0
    assert notes == []  # nothing to do, nothing said
    provision(machine, cross_build_dir, ["libsqlite3-dev"], notes.append)
    assert notes == [
        f"NOTE: adding to the arm64 sysroot {added.sysroot}: libsqlite3-dev (Debian {machine.debian_suite}, with their dependencies)"
    ]
    assert (added.sysroot / "usr/include/sqlite3.h").is_file()


def test_an_existing_sysroot_is_used_as_it_is(
    toolchain: Toolchain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cross_build_dir: Path
) -> None:
    # As a Yocto SDK's or Buildroot's sysroot would be: PYRECIPE_SYSROOT names it, nothing is downloaded.
    monkeypatch.setenv("PYRECIPE_SYSROOT", str(toolchain.sysroot))
    machine = load_machine(toolchain.machine.name, distro=TOOLCHAIN_DISTRO)
    build_dir = tmp_path / "build"
    build_dir.mkdir()
    (build_dir / TOOLCHAIN_DISTRO).mkdir()
    # The shared venv: not what this tests.
    (build_dir / TOOLCHAIN_DISTRO / "native").symlink_to(cross_build_dir / TOOLCHAIN_DISTRO / "native")
    other = provision(machine, build_dir)
    assert other.sysroot == toolchain.sysroot
    assert not (build_dir / "downloads").exists() and not (machine.build_dir(build_dir) / "sysroot").exists()
    assert other.python == toolchain.python
    out = run_on_target(other, "import sys; print(sys.version.split()[0])", [])
    assert out == toolchain.python.version


def test_cmake_extension_cross_builds_with_the_toolchain_file(toolchain: Toolchain, tmp_path: Path) -> None:
    build = tmp_path / "build"
    env = cross_environment(toolchain)
    for step in (
        ["cmake", "-S", str(FIXTURES / "ext_cmake"), "-B", str(build), f"-DCMAKE_TOOLCHAIN_FILE={toolchain.cmake_toolchain_file}"],
        ["cmake", "--build", str(build)],
    ):
        result = subprocess.run(step, env=env, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
    assert (build / f"ext_cmake{toolchain.python.ext_suffix}").is_file(), sorted(p.name for p in build.iterdir())
    assert run_on_target(toolchain, "import ext_cmake; print(ext_cmake.gcd(1071, 462), ext_cmake.gcd(2**40, 6**20))", [build]) == "21 1048576"
