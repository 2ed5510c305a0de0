"""The machine's pkg-config wrapper finds .pc files that Python packages staged into the sysroot
carry inside site-packages (numpy's numpy.pc), so a later meson build's dependency('numpy')
resolves to the target's numpy, not the build machine's."""

from __future__ import annotations

import subprocess
from pathlib import Path

from pyrecipe.toolchain import load_machine
from pyrecipe.toolchain.render import CrossSettings, render_files
from pyrecipe.toolchain.target_python import TargetPython

#: The default distro's CPython X.Y (what load_machine("raspberrypi4") runs) and its SOABI tag.
PY = load_machine("raspberrypi4").python_version
TAG = f"cpython-{PY.replace('.', '')}"

NUMPY_PC = """prefix=${pcfiledir}/../..
includedir=${prefix}/include

Name: numpy
Description: NumPy
Version: 2.3.5
Cflags: -I${includedir}
"""


def settings_for(sysroot: Path, out_dir: Path) -> CrossSettings:
    python = TargetPython(
        version=f"{PY}.2", version_short=PY, soabi=f"{TAG}-aarch64-linux-gnu",
        ext_suffix=f".{TAG}-aarch64-linux-gnu.so", host_platform="linux-aarch64",
        sysconfigdata_name="_sysconfigdata__linux_aarch64-linux-gnu",
        sysconfigdata_file=sysroot / f"usr/lib/python{PY}/_sysconfigdata__linux_aarch64-linux-gnu.py",
        include_dir=sysroot / f"usr/include/python{PY}", libdir=sysroot / "usr/lib/aarch64-linux-gnu",
        stdlib_dir=sysroot / f"usr/lib/python{PY}", interpreter=sysroot / f"usr/bin/python{PY}",
        magic_number=b"\xa7\x0d\r\n", config_vars={},
    )
    return CrossSettings(load_machine("raspberrypi4"), sysroot, python, out_dir)


def pkg_config(settings: CrossSettings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(settings.pkg_config), *args], capture_output=True, text=True, timeout=30, check=False)


def test_pc_files_inside_staged_python_packages_are_found(tmp_path: Path) -> None:
    sysroot = tmp_path / "sysroot"
    (sysroot / "usr/lib/pkgconfig").mkdir(parents=True)
    settings = settings_for(sysroot, tmp_path / "toolchain")
    render_files(settings)
    assert pkg_config(settings, "--exists", "numpy").returncode != 0  # nothing staged yet

    # numpy is staged after the wrapper was written: found without rendering it again.
    core = settings.python_site_packages / "numpy/_core"
    (core / "include/numpy").mkdir(parents=True)
    (core / "lib/pkgconfig").mkdir(parents=True)
    (core / "lib/pkgconfig/numpy.pc").write_text(NUMPY_PC)
    result = pkg_config(settings, "--variable=includedir", "numpy")
    assert result.returncode == 0, result.stderr
    include = Path(result.stdout.strip())
    # The path is the sysroot's copy, not prefixed with the sysroot a second time.
    assert include.resolve() == (core / "include").resolve(), include
    assert str(include).startswith(f"{sysroot}/usr/lib/python{PY}/site-packages/numpy/")
    cflags = pkg_config(settings, "--cflags", "numpy").stdout.split()
    assert cflags == [f"-I{include}"]
    assert pkg_config(settings, "--modversion", "numpy").stdout.strip() == "2.3.5"


def test_the_sysroots_own_pc_files_come_first(tmp_path: Path) -> None:
    sysroot = tmp_path / "sysroot"
    (sysroot / "usr/lib/pkgconfig").mkdir(parents=True)
    (sysroot / "usr/lib/pkgconfig/numpy.pc").write_text(NUMPY_PC.replace("2.3.5", "1.0"))
    settings = settings_for(sysroot, tmp_path / "toolchain")
    shadow = settings.python_site_packages / "numpy/_core/lib/pkgconfig"
    shadow.mkdir(parents=True)
    (shadow / "numpy.pc").write_text(NUMPY_PC)
    render_files(settings)
    assert pkg_config(settings, "--modversion", "numpy").stdout.strip() == "1.0"
