"""End to end: cross-build real extension packages for a Raspberry Pi 4 and run them under qemu-user.

Uses the real cross compiler, the Debian arm64 sysroot and the target's own CPython, all
provisioned by pyrecipe itself (as root in CI). The recipes' do_test runs each module under
qemu-user during the build; the test then checks the image's ELF files and runs the image
again through ``pyrecipe run``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

LAYER = Path(__file__).parent / "fixtures" / "cross_layer"
SITE = Path("usr/lib/python3.11/site-packages")

pytestmark = pytest.mark.cross


def pyrecipe(command: str, *args: str, build_dir: Path) -> subprocess.CompletedProcess[str]:
    # Options go before the arguments: after `run ... --` everything belongs to the program.
    return subprocess.run(
        [sys.executable, "-m", "pyrecipe", command, "--build-dir", str(build_dir), *args],
        capture_output=True, text=True, timeout=3000,
    )


@pytest.fixture(scope="module")
def built_image(cross_build_dir: Path) -> Path:
    result = pyrecipe(
        "build", "python3-hello-cext", "hello-meson", "--machine", "raspberrypi4", "--layer", str(LAYER),
        build_dir=cross_build_dir,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return cross_build_dir / "raspberrypi4" / "image"


@pytest.mark.parametrize("module", ["hello_cext", "hello_meson"])
def test_extension_is_aarch64_with_target_suffix(built_image: Path, module: str) -> None:
    [so] = (built_image / SITE).glob(f"{module}*.so")
    assert so.name == f"{module}.cpython-311-aarch64-linux-gnu.so"
    with open(so, "rb") as handle:
        elf = ELFFile(handle)
        assert elf.header["e_machine"] == "EM_AARCH64"
        assert elf.elfclass == 64 and elf.little_endian


def test_image_runs_on_the_emulated_board(built_image: Path, cross_build_dir: Path) -> None:
    code = (
        "import platform, hello_cext, hello_meson; "
        "print(platform.machine(), hello_cext.checksum(1000), hello_meson.dot([1, 2], [3, 4]), hello_meson.compiled_for())"
    )
    result = pyrecipe("run", "--machine", "raspberrypi4", "--", "python3", "-c", code, build_dir=cross_build_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["aarch64", "332833500", "11.0", "aarch64"]


def test_do_test_ran_under_qemu(built_image: Path, cross_build_dir: Path) -> None:
    log = cross_build_dir / "raspberrypi4" / "work" / "python3-hello-cext" / "1.0" / "temp" / "log.do_test"
    assert "aarch64 64 332833500" in log.read_text()


def test_second_build_is_a_no_op(built_image: Path, cross_build_dir: Path) -> None:
    result = pyrecipe(
        "build", "python3-hello-cext", "hello-meson", "--machine", "raspberrypi4", "--layer", str(LAYER),
        build_dir=cross_build_dir,
    )
    assert result.returncode == 0, result.stderr
    assert "Build done: 0 tasks run" in result.stdout
