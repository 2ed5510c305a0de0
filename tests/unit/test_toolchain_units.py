"""Unit tests of the toolchain's parts on small fixtures: target facts, symlinks, rendered files,
environment, qemu command lines, caching of the sysroot manifest, host package checks."""

from __future__ import annotations

import configparser
import importlib.util
import json
import os
import shutil
import tomllib
from pathlib import Path

import pytest

from cross_support import cross_environment
from pyrecipe.config.configuration import Settings, load_configuration
from pyrecipe.config.paths import TOPDIR
from pyrecipe.engine.task_runner import exported_variables
from pyrecipe.errors import InputError
from pyrecipe.parse import parse_recipe
from pyrecipe.toolchain import Toolchain, host_tools, load_machine, native_tool_names, read_target_python
from pyrecipe.toolchain.debian_apt import _INST_LINE, DebPackage, PrivateApt
from pyrecipe.toolchain.native import find_build_interpreter
from pyrecipe.toolchain.render import CrossSettings, render_files
from pyrecipe.toolchain.sysroot import MANIFEST_FORMAT, MANIFEST_NAME, DebianSysroot, fix_absolute_symlinks
from pyrecipe.toolchain.target_python import write_build_sysconfigdata

TRIPLET = "aarch64-linux-gnu"
#: The default distro's CPython X.Y (what load_machine("raspberrypi4") expects) and its SOABI tag.
PY = load_machine("raspberrypi4").python_version
TAG = f"cpython-{PY.replace('.', '')}"
CONFIG_VARS = {
    "VERSION": PY,
    "SOABI": f"{TAG}-{TRIPLET}",
    "EXT_SUFFIX": f".{TAG}-{TRIPLET}.so",
    "INCLUDEPY": f"/usr/include/python{PY}",
    "LIBDIR": f"/usr/lib/{TRIPLET}",
    "MULTIARCH": TRIPLET,
    "CC": f"{TRIPLET}-gcc",
}


@pytest.fixture
def fake_sysroot(tmp_path: Path) -> Path:
    """The files of a Debian arm64 CPython of the default distro's X.Y the facts come from (and nothing else)."""
    root = tmp_path / "sysroot"
    stdlib = root / f"usr/lib/python{PY}"
    (stdlib / "importlib").mkdir(parents=True)
    (stdlib / f"_sysconfigdata__linux_{TRIPLET}.py").write_text(f"# generated\nbuild_time_vars = {CONFIG_VARS!r}\n")
    (stdlib / f"_sysconfigdata__{TRIPLET}.py").write_text("build_time_vars = {'VERSION': 'alias'}\n")
    (stdlib / "importlib/_bootstrap_external.py").write_text(
        "MAGIC_NUMBER = (3495).to_bytes(2, 'little') + b'\\r\\n'\n"
    )
    (root / f"usr/include/python{PY}").mkdir(parents=True)
    (root / f"usr/include/python{PY}/patchlevel.h").write_text(f'#define PY_VERSION              "{PY}.2"\n')
    return root


@pytest.fixture(autouse=True)
def without_ccache(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rendered files and environment as on a build machine without ccache."""
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "ccache" else real_which(name, *a, **k))


@pytest.fixture
def toolchain(fake_sysroot: Path, tmp_path: Path) -> Toolchain:
    machine = load_machine("raspberrypi4")
    return Toolchain(machine, fake_sysroot, read_target_python(fake_sysroot, machine), tmp_path / "venv", tmp_path / "tc")


def test_target_facts_come_from_the_sysconfigdata(toolchain: Toolchain, fake_sysroot: Path) -> None:
    python = toolchain.python
    assert python.version == f"{PY}.2"
    assert python.soabi == f"{TAG}-{TRIPLET}"
    assert python.ext_suffix == f".{TAG}-{TRIPLET}.so"
    assert python.sysconfigdata_name == f"_sysconfigdata__linux_{TRIPLET}"  # not Debian's alias
    assert (python.host_platform, python.platform_tag) == ("linux-aarch64", "linux_aarch64")
    assert python.include_dir == fake_sysroot / f"usr/include/python{PY}"
    assert python.libdir == fake_sysroot / f"usr/lib/{TRIPLET}"
    assert python.magic_number == (3495).to_bytes(2, "little") + b"\r\n"


def test_armhf_platform_is_armv7l(fake_sysroot: Path) -> None:
    assert read_target_python(fake_sysroot, load_machine("beaglebone")).platform_tag == "linux_armv7l"


def test_build_details_json_wins_when_present(fake_sysroot: Path) -> None:
    details = {"platform": "linux-aarch64-custom", "abi": {"extension_suffix": ".custom.so"},
               "language": {"version_info": {"major": 3, "minor": int(PY.split(".")[1]), "micro": 9}}}
    (fake_sysroot / f"usr/lib/python{PY}/build-details.json").write_text(json.dumps(details))
    python = read_target_python(fake_sysroot, load_machine("raspberrypi4"))
    assert (python.host_platform, python.ext_suffix, python.version) == ("linux-aarch64-custom", ".custom.so", f"{PY}.9")


def test_version_mismatch_and_missing_python_are_input_errors(fake_sysroot: Path, tmp_path: Path) -> None:
    data = fake_sysroot / f"usr/lib/python{PY}/_sysconfigdata__linux_{TRIPLET}.py"
    data.write_text(f"build_time_vars = {dict(CONFIG_VARS, VERSION='3.99')!r}\n")
    with pytest.raises(InputError, match="3.99"):
        read_target_python(fake_sysroot, load_machine("raspberrypi4"))
    with pytest.raises(InputError, match=f"no CPython {PY}"):
        read_target_python(tmp_path / "empty", load_machine("raspberrypi4"))


def test_sysconfigdata_is_parsed_not_executed(fake_sysroot: Path) -> None:
    data = fake_sysroot / f"usr/lib/python{PY}/_sysconfigdata__linux_{TRIPLET}.py"
    data.write_text("import os\nos.system('false')\nbuild_time_vars = __import__('os').environ\n")
    with pytest.raises(InputError, match="not a plain literal"):
        read_target_python(fake_sysroot, load_machine("raspberrypi4"))


def test_build_sysconfigdata_copy_points_into_the_sysroot(toolchain: Toolchain, fake_sysroot: Path, tmp_path: Path) -> None:
    out = write_build_sysconfigdata(toolchain.python, fake_sysroot, tmp_path / "scd")
    assert [p.name for p in out.iterdir()] == [f"_sysconfigdata__linux_{TRIPLET}.py"]
    spec = importlib.util.spec_from_file_location("scd", out / f"_sysconfigdata__linux_{TRIPLET}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.build_time_vars["INCLUDEPY"] == f"{fake_sysroot}/usr/include/python{PY}"
    assert module.build_time_vars["LIBDIR"] == f"{fake_sysroot}/usr/lib/{TRIPLET}"
    assert module.build_time_vars["CC"] == f"{TRIPLET}-gcc"


def test_absolute_symlinks_are_made_relative_inside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "lib" / TRIPLET).mkdir(parents=True)
    (root / "usr/lib" / TRIPLET).mkdir(parents=True)
    (root / "lib" / TRIPLET / "libm.so.6").write_text("target libm")
    (root / "usr/lib" / TRIPLET / "libm.so").symlink_to(f"/lib/{TRIPLET}/libm.so.6")
    (root / "usr/lib/dirlink").symlink_to(f"/lib/{TRIPLET}")
    (root / "usr/lib/relative").symlink_to("dirlink")
    (root / "usr/lib/dangling").symlink_to("/nowhere/at/all")
    assert fix_absolute_symlinks(root) == 3
    link = root / "usr/lib" / TRIPLET / "libm.so"
    assert os.readlink(link) == f"../../../lib/{TRIPLET}/libm.so.6"
    assert link.read_text() == "target libm"
    assert (root / "usr/lib/dirlink/libm.so.6").read_text() == "target libm"
    assert os.readlink(root / "usr/lib/relative") == "dirlink"
    assert os.readlink(root / "usr/lib/dangling") == "../../nowhere/at/all"


def test_rendered_files_carry_the_machine_and_sysroot(toolchain: Toolchain) -> None:
    host_tools.ensure_host_packages(["pkg-config"])  # the wrapper names the real one
    settings = toolchain.settings
    render_files(settings)
    cross = configparser.ConfigParser()
    cross.read(toolchain.meson_cross_file)
    sysroot = str(toolchain.sysroot)
    assert cross["host_machine"]["cpu_family"] == "'aarch64'"
    assert cross["host_machine"]["cpu"] == "'cortex-a72'"
    assert cross["binaries"]["c"] == f"['{TRIPLET}-gcc']"
    assert cross["binaries"]["exe_wrapper"] == f"['qemu-aarch64-static', '-L', '{sysroot}', '-cpu', 'cortex-a72']"
    assert f"'--sysroot={sysroot}', '-mcpu=cortex-a72'" in cross["constants"]["pyrecipe_compile_args"]
    assert cross["built-in options"]["c_args"] == "pyrecipe_compile_args"
    assert cross["properties"]["longdouble_format"] == "'IEEE_QUAD_LE'"
    assert f"{sysroot}/usr/lib/{TRIPLET}/openblas-pthread/pkgconfig" in cross["properties"]["pkg_config_libdir"]
    numpy_include = f"'{sysroot}/usr/lib/python{PY}/site-packages/numpy/_core/include'"
    assert cross["properties"]["numpy-include-dir"] == numpy_include
    cmake = toolchain.cmake_toolchain_file.read_text()
    assert f'set(CMAKE_SYSROOT "{sysroot}")' in cmake
    assert f'set(CMAKE_C_COMPILER "{TRIPLET}-gcc")' in cmake
    assert f'set(Python_SOABI "{TAG}-{TRIPLET}" CACHE' in cmake
    # find_package looks in the sysroot, then among the build's tools (pybind11, nanobind).
    native_sysroot = toolchain.directory.parent / "sysroot-native"
    assert f'set(CMAKE_FIND_ROOT_PATH "{sysroot}" "{toolchain.native_venv}" "{native_sysroot}")' in cmake
    # FindPython's empty Python_SOABI (an interpreter found while cross-compiling) is set again.
    soabi_file = toolchain.settings.cmake_python_soabi_file
    assert f'list(APPEND CMAKE_PROJECT_TOP_LEVEL_INCLUDES "{soabi_file}")' in cmake
    assert f'set(${{package_name}}_SOABI "{TAG}-{TRIPLET}")' in soabi_file.read_text()
    cargo = tomllib.loads(toolchain.cargo_config.read_text())
    assert cargo["build"]["target"] == "aarch64-unknown-linux-gnu"
    assert cargo["target"]["aarch64-unknown-linux-gnu"]["linker"] == f"{TRIPLET}-gcc"
    wrapper = settings.pkg_config
    assert os.access(wrapper, os.X_OK) and f"PKG_CONFIG_SYSROOT_DIR={sysroot}" in wrapper.read_text()
    assert f"exec {settings.host_pkg_config} " in wrapper.read_text() and settings.host_pkg_config != str(wrapper)
    before = toolchain.meson_cross_file.stat().st_mtime_ns
    render_files(settings)
    assert toolchain.meson_cross_file.stat().st_mtime_ns == before  # unchanged files are not rewritten


def test_environment_tells_every_backend_it_is_cross_compiling(toolchain: Toolchain, tmp_path: Path) -> None:
    """The distro's cross environment (tcmode-debian-cross.inc) with the provisioned toolchain's facts."""
    env = cross_environment(toolchain, tmp_path / "build")
    # The compilers carry the tune and the sysroot, as OpenEmbedded's CC does: a step that runs $CC
    # without $CFLAGS or $LDFLAGS (setuptools' link_executable) still builds for the target's root.
    cc_args = f"-mcpu=cortex-a72 --sysroot={toolchain.sysroot}"
    assert env["CC"] == f"{TRIPLET}-gcc {cc_args}" and env["CXX"] == f"{TRIPLET}-g++ {cc_args}"
    assert env["CPP"] == f"{TRIPLET}-gcc -E {cc_args}" and env["FC"] == f"{TRIPLET}-gfortran {cc_args}"
    assert env["LDSHARED"] == f"{TRIPLET}-gcc -shared"
    assert f"--sysroot={toolchain.sysroot}" in env["CFLAGS"].split()
    assert env["CFLAGS"].split()[-1] == f"-ffile-prefix-map={toolchain.sysroot}="
    assert "-mcpu=cortex-a72" in env["LDFLAGS"].split()
    assert env["_PYTHON_SYSCONFIGDATA_NAME"] == f"_sysconfigdata__linux_{TRIPLET}"
    assert env["_PYTHON_HOST_PLATFORM"] == "linux-aarch64"
    machine_dir = tmp_path / "build" / toolchain.machine.distro / "raspberrypi4"
    assert env["PYTHONPATH"].split(":") == [str(machine_dir / "toolchain" / "sysconfigdata"),
                                            str(machine_dir / "sysroot-native" / f"usr/lib/python{PY}/site-packages")]
    assert env["PATH"].split(":")[0] == str(toolchain.native_venv / "bin")
    assert env["PKG_CONFIG_SYSROOT_DIR"] == str(toolchain.sysroot)
    assert env["CARGO_BUILD_TARGET"] == "aarch64-unknown-linux-gnu"
    assert env["host_alias"] == TRIPLET  # a bundled library's ./configure, run without --host, configures for the board


def test_native_recipes_do_not_get_the_cross_environment(tmp_path: Path) -> None:
    config = load_configuration(Settings(build_dir=tmp_path / "build", machine="raspberrypi4"))
    recipe = TOPDIR / "tests" / "fixtures" / "meta_oe_style" / "recipes-devtools" / "python" / "python3-six_1.17.0.bb"
    variants = parse_recipe(recipe, config)
    target, native = exported_variables(variants[""]), exported_variables(variants["native"])
    assert target["CC"].split()[0] == f"{TRIPLET}-gcc" and "CC" not in native and "_PYTHON_SYSCONFIGDATA_NAME" not in native
    assert target["host_alias"] == TRIPLET and "host_alias" not in native
    assert native["PYTHONPATH"] == variants["native"].getVar("PYTHON_SITEPACKAGES_NATIVE")


def test_a_recipes_pythonpath_composes_with_pyrecipes_entries(tmp_path: Path) -> None:
    """As OpenEmbedded's classes add their entries inside the task, a recipe's own PYTHONPATH
    (replaced outright or prepended to) keeps the target's sysconfigdata and the native
    site-packages after it, with no empty entry (the working directory) in between."""
    config = load_configuration(Settings(build_dir=tmp_path / "build", machine="raspberrypi4"))
    ours = config.getVar("PYRECIPE_PYTHONPATH").split(":")
    assert ours[0].endswith("/toolchain/sysconfigdata") and len(ours) == 2
    for line, first in (('export PYTHONPATH = "${S}/gen"', "${S}/gen"),
                        ('PYTHONPATH:prepend:class-target = "${RECIPE_SYSROOT}${PYTHON_SITEPACKAGES_DIR}:"\nexport PYTHONPATH',
                         "${RECIPE_SYSROOT}${PYTHON_SITEPACKAGES_DIR}")):
        recipe = tmp_path / "python3-gen_1.0.bb"
        recipe.write_text(f'LICENSE = "MIT"\ninherit python_setuptools_build_meta\n{line}\n')
        d = parse_recipe(recipe, config)[""]
        assert exported_variables(d)["PYTHONPATH"].split(":") == [d.expand(first), *ours]


def test_cargo_recipes_get_the_targets_linker_and_runner(tmp_path: Path) -> None:
    config = load_configuration(Settings(build_dir=tmp_path / "build", machine="raspberrypi4"))
    [recipe] = (TOPDIR / "recipes" / "bcrypt").glob("bcrypt_*.bb")
    env = exported_variables(parse_recipe(recipe, config)[""])
    assert env["CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER"] == f"{TRIPLET}-gcc"
    assert env["CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER"].startswith("qemu-aarch64-static -L ")


def test_qemu_command_maps_python_to_the_target_interpreter(toolchain: Toolchain) -> None:
    command = toolchain.qemu_command(["python3", "-c", "pass"], extra_pythonpath=[Path("/img/site")])
    assert command[:5] == ["qemu-aarch64-static", "-L", str(toolchain.sysroot), "-cpu", "cortex-a72"]
    assert command[-3:] == [str(toolchain.sysroot / f"usr/bin/python{PY}"), "-c", "pass"]
    assert "PYTHONPATH=/img/site" in command
    assert toolchain.qemu_command(["/opt/prog", "x"])[-2:] == ["/opt/prog", "x"]


def test_sysroot_with_a_manifest_is_not_provisioned_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    machine = load_machine("raspberrypi4")
    provider = DebianSysroot(machine, tmp_path)
    provider.path.mkdir(parents=True)
    (provider.path / MANIFEST_NAME).write_text(json.dumps({"format": MANIFEST_FORMAT, "requested": [*machine.sysroot_packages, "libyaml-dev"], "debs": []}))
    fetched: list[list[str]] = []
    monkeypatch.setattr(PrivateApt, "fetch", lambda self, packages: fetched.append(list(packages)) or [])
    assert provider.ensure(["libyaml-dev"]) == provider.path
    assert fetched == []
    provider.ensure(["libxml2-dev"])  # a new package: resolved together with everything asked before
    assert set(fetched[0]) == {*machine.sysroot_packages, "libyaml-dev", "libxml2-dev"}
    assert "libxml2-dev" in json.loads((provider.path / MANIFEST_NAME).read_text())["requested"]


def test_apt_simulation_lines_and_deb_file_names() -> None:
    line = "Inst zlib1g-dev (1:1.2.13.dfsg-1 Debian:12.12/stable [arm64]) []"
    match = _INST_LINE.match(line)
    package = DebPackage(**match.groupdict())
    assert package == DebPackage("zlib1g-dev", "1:1.2.13.dfsg-1", "arm64")
    assert package.filename == "zlib1g-dev_1%3a1.2.13.dfsg-1_arm64.deb"
    assert _INST_LINE.match("Conf zlib1g-dev (1:1.2.13.dfsg-1 Debian:12.12/stable [arm64])") is None


def test_missing_host_packages_without_root_print_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    assert host_tools.missing_host_packages(["dpkg", "no-such-package-pyrecipe"]) == ["no-such-package-pyrecipe"]
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(InputError, match=r"apt-get install -y --no-install-recommends no-such-package-pyrecipe"):
        host_tools.ensure_host_packages(["dpkg", "no-such-package-pyrecipe"])


def test_native_tools_and_build_interpreter() -> None:
    names = native_tool_names()
    assert {"meson", "meson-python", "ninja", "cython", "setuptools", "maturin", "scikit-build-core"} <= set(names)
    with pytest.raises(InputError, match="same X.Y"):
        find_build_interpreter("2.7")


def test_settings_link_and_compile_args(toolchain: Toolchain) -> None:
    settings: CrossSettings = toolchain.settings
    assert settings.compile_args[-1] == f"-ffile-prefix-map={toolchain.sysroot}="
    assert settings.cargo_rustflags[:2] == ["-C", f"link-arg=--sysroot={toolchain.sysroot}"]


def test_ccache_launches_the_c_and_cxx_compilers_when_installed(
    toolchain: Toolchain, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ccache = tmp_path / "bin" / "ccache"
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: str(ccache) if name == "ccache" else real_which(name, *a, **k))
    host_tools.ensure_host_packages(["pkg-config"])
    render_files(toolchain.settings)
    cross = configparser.ConfigParser()
    cross.read(toolchain.meson_cross_file)
    assert cross["binaries"]["c"] == f"['{ccache}', '{TRIPLET}-gcc']"
    assert cross["binaries"]["cpp"] == f"['{ccache}', '{TRIPLET}-g++']"
    assert cross["binaries"]["fortran"] == f"'{TRIPLET}-gfortran'"  # ccache does not cache Fortran
    cmake = toolchain.cmake_toolchain_file.read_text()
    assert f'set(CMAKE_C_COMPILER_LAUNCHER "{ccache}")' in cmake and f'set(CMAKE_CXX_COMPILER_LAUNCHER "{ccache}")' in cmake
    env = cross_environment(toolchain, tmp_path / "build")
    cc_args = f"-mcpu=cortex-a72 --sysroot={toolchain.sysroot}"
    assert env["CC"] == f"{ccache} {TRIPLET}-gcc {cc_args}" and env["CXX"] == f"{ccache} {TRIPLET}-g++ {cc_args}"
    assert env["LDSHARED"] == f"{TRIPLET}-gcc -shared"  # linking is not cached


def test_without_ccache_the_compilers_run_direct(toolchain: Toolchain) -> None:
    host_tools.ensure_host_packages(["pkg-config"])
    render_files(toolchain.settings)
    assert "LAUNCHER" not in toolchain.cmake_toolchain_file.read_text()
    cross = configparser.ConfigParser()
    cross.read(toolchain.meson_cross_file)
    assert cross["binaries"]["c"] == f"['{TRIPLET}-gcc']"


def test_a_free_threaded_target_is_refused_by_name(fake_sysroot: Path) -> None:
    data = fake_sysroot / f"usr/lib/python{PY}/_sysconfigdata__linux_{TRIPLET}.py"
    data.write_text(f"build_time_vars = {dict(CONFIG_VARS, ABIFLAGS='t', SOABI=f'{TAG}t-{TRIPLET}')!r}\n")
    with pytest.raises(InputError, match=rf"free-threaded build \(ABI flags 't', SOABI {TAG}t-{TRIPLET}\)"):
        read_target_python(fake_sysroot, load_machine("raspberrypi4"))


def test_build_details_abi_flags_win_over_sysconfig(fake_sysroot: Path) -> None:
    details = {"abi": {"flags": ["t"], "extension_suffix": f".{TAG}t-{TRIPLET}.so"}}
    (fake_sysroot / f"usr/lib/python{PY}/build-details.json").write_text(json.dumps(details))
    with pytest.raises(InputError, match="free-threaded"):
        read_target_python(fake_sysroot, load_machine("raspberrypi4"))
    details["abi"]["flags"] = []
    (fake_sysroot / f"usr/lib/python{PY}/build-details.json").write_text(json.dumps(details))
    assert read_target_python(fake_sysroot, load_machine("raspberrypi4")).abiflags == ""


def test_sysroot_package_versions_come_from_its_manifest(tmp_path: Path) -> None:
    from pyrecipe.toolchain.sysroot import MANIFEST_FORMAT, MANIFEST_NAME, package_versions

    assert package_versions(tmp_path) == {}  # not a sysroot pyrecipe made (a path, an SDK)
    (tmp_path / MANIFEST_NAME).write_text(json.dumps({"format": MANIFEST_FORMAT, "requested": ["libcrypt-dev"], "debs": [
        "libcrypt-dev_1%3a4.4.38-1_arm64.deb", "libyaml-dev_0.2.5-2_arm64.deb", "debconf_1.5.91_all.deb"]}))
    assert package_versions(tmp_path) == {"libcrypt-dev": "1:4.4.38-1", "libyaml-dev": "0.2.5-2", "debconf": "1.5.91"}
