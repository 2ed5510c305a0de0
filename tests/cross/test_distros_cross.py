"""One build directory, one machine, three distros: the same C extension cross-built for a
Raspberry Pi 4 running Debian trixie (CPython 3.13, built in the trixie build root), running
bookworm (CPython 3.11, built on the build machine) and as an SDK directory sees it, each run
under qemu-user by that distro's own CPython. The X.Y, the site-packages directory and the
extension suffix come from the distro.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cross_support import assert_aarch64_module, pyrecipe
from pyrecipe.toolchain import load_machine

LAYER = Path(__file__).parents[1] / "fixtures" / "cross_layer"
MACHINE = "raspberrypi4"


@pytest.mark.parametrize("distro", ["debian-trixie", "debian-bookworm"])
def test_hello_cext_for_each_distro_runs_with_that_distros_python(distro: str, cross_build_dir: Path) -> None:
    version = load_machine(MACHINE, distro=distro).python_version
    options = ["--machine", MACHINE, "--distro", distro, "--layer", str(LAYER)]
    # pyrecipe() passes the tests' own --distro first; this one, later on the line, wins.
    built = pyrecipe("build", "python3-hello-cext", *options, build_dir=cross_build_dir)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]
    image = cross_build_dir / distro / MACHINE / "image"
    module = image / f"usr/lib/python{version}/site-packages/hello_cext.cpython-{version.replace('.', '')}-aarch64-linux-gnu.so"
    assert_aarch64_module(module)
    code = "import sys, platform, hello_cext; print('%d.%d' % sys.version_info[:2], platform.machine(), hello_cext.checksum(1000), hello_cext.__file__)"
    ran = pyrecipe("run", *options, "--", "python3", "-c", code, build_dir=cross_build_dir, timeout=600)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == [version, "aarch64", "332833500", str(module)]
    log = (cross_build_dir / distro / MACHINE / "work/python3-hello-cext/1.0/temp/log.do_test").read_text()
    assert "aarch64 64 332833500" in log.splitlines()


def host_interpreter(version: str) -> Path | None:
    """A CPython ``version`` that runs on the build machine (python3.X on PATH, pyenv's ...), if any:
    the interpreter itself, not a launcher (pyenv's shims pick the Python by their own name)."""
    candidates = [shutil.which(f"python{version}"), *sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/python{version}"))]
    for candidate in filter(None, candidates):
        ran = subprocess.run([candidate, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True, check=False)
        if ran.returncode == 0 and ran.stdout.strip():
            return Path(ran.stdout.strip())
    return None


def test_an_sdk_directory_is_a_distro_with_its_own_python(cross_build_dir: Path, tmp_path: Path) -> None:
    """A directory laid out like a Yocto SDK: trixie's arm64 sysroot as its target sysroot and a
    CPython of the same X.Y that runs on the build machine (not the one running pyrecipe) as its
    nativesdk python3. pyrecipe takes X.Y, sysroot and build interpreter from it."""
    version = load_machine(MACHINE, distro="debian-trixie").python_version
    native_python = host_interpreter(version)
    if native_python is None:
        pytest.skip(f"no CPython {version} runs on this build machine to stand for the SDK's nativesdk python3")
    provisioned = pyrecipe("sysroot", "--machine", MACHINE, "--distro", "debian-trixie", build_dir=cross_build_dir)
    assert provisioned.returncode == 0, provisioned.stderr
    sdk = tmp_path / "poky"
    target = sdk / "sysroots" / "cortexa72-poky-linux"
    native = sdk / "sysroots" / "x86_64-pokysdk-linux" / "usr" / "bin"
    target.parent.mkdir(parents=True)
    target.symlink_to(cross_build_dir / "debian-trixie" / MACHINE / "sysroot")
    native.mkdir(parents=True)
    (native / "python3").symlink_to(native_python)
    (sdk / "environment-setup-cortexa72-poky-linux").write_text(
        f'export OECORE_NATIVE_SYSROOT="{native.parent.parent}"\nexport OECORE_TARGET_SYSROOT="{target}"\n'
    )
    options = ["--machine", MACHINE, "--distro", "sdk", "--layer", str(LAYER)]
    env_sdk = {"PYRECIPE_SDK": str(sdk)}
    built = pyrecipe_with_env(env_sdk, "build", "python3-hello-cext", *options, build_dir=cross_build_dir)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]
    venv_python = (cross_build_dir / "sdk" / "native" / "venv" / "bin" / "python").resolve()
    assert venv_python == native_python.resolve()  # the SDK's interpreter built the tools venv
    module = cross_build_dir / "sdk" / MACHINE / "image" / f"usr/lib/python{version}/site-packages" / f"hello_cext.cpython-{version.replace('.', '')}-aarch64-linux-gnu.so"
    assert_aarch64_module(module)
    code = "import sys, hello_cext; print('%d.%d' % sys.version_info[:2], hello_cext.checksum(1000))"
    ran = pyrecipe_with_env(env_sdk, "run", *options, "--", "python3", "-c", code, build_dir=cross_build_dir)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == [version, "332833500"]


def pyrecipe_with_env(env: dict[str, str], command: str, *args: str, build_dir: Path) -> subprocess.CompletedProcess[str]:
    """``pyrecipe COMMAND`` with ``env`` added to this process's environment."""
    return subprocess.run(
        [sys.executable, "-m", "pyrecipe", command, "--build-dir", str(build_dir), *args],
        capture_output=True, text=True, timeout=3600, env={**os.environ, **env},
    )
