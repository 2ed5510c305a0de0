"""The headline, end to end: `pyrecipe build numpy --machine raspberrypi4`, then numpy on the emulated board.

A real cross build of numpy 2.3.5 (meson-python, Cython, OpenBLAS from the Debian arm64 sysroot)
takes about five minutes on two cores; it runs in CI on every run.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

pytestmark = pytest.mark.cross

SITE = Path("usr/lib/python3.11/site-packages")


def pyrecipe(command: str, *args: str, build_dir: Path) -> subprocess.CompletedProcess[str]:
    # Options go before the arguments: after `run ... --` everything belongs to the program.
    return subprocess.run(
        [sys.executable, "-m", "pyrecipe", command, "--build-dir", str(build_dir), *args],
        capture_output=True, text=True, timeout=3600,
    )


@pytest.fixture(scope="module")
def numpy_image(cross_build_dir: Path) -> Path:
    result = pyrecipe("build", "numpy", "--machine", "raspberrypi4", build_dir=cross_build_dir)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return cross_build_dir / "raspberrypi4" / "image"


def test_extension_modules_are_aarch64(numpy_image: Path) -> None:
    modules = sorted((numpy_image / SITE / "numpy").rglob("*.so"))
    assert len(modules) >= 15
    for module in modules:
        assert module.name.endswith(".cpython-311-aarch64-linux-gnu.so"), module
        with open(module, "rb") as handle:
            assert ELFFile(handle).header["e_machine"] == "EM_AARCH64", module


def test_linear_algebra_runs_under_qemu(numpy_image: Path, cross_build_dir: Path) -> None:
    code = (
        "import numpy; a = numpy.random.rand(300, 300); x = numpy.linalg.solve(a, a.sum(1)); "
        "print(numpy.allclose(x, 1), x[:3]); print(numpy.show_config.__module__)"
    )
    result = pyrecipe("run", "--machine", "raspberrypi4", "--", "python3", "-c", code, build_dir=cross_build_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("True [1. 1. 1.]"), result.stdout


def test_openblas_is_the_blas(numpy_image: Path, cross_build_dir: Path) -> None:
    code = "import numpy; info = numpy.show_config(mode='dicts'); print(info['Build Dependencies']['blas']['name'])"
    result = pyrecipe("run", "--machine", "raspberrypi4", "--", "python3", "-c", code, build_dir=cross_build_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "openblas"


def test_manifest_lists_every_file_with_its_recipe(numpy_image: Path) -> None:
    manifest = numpy_image.with_name("image-manifest.tsv")
    rows = [line.split("\t") for line in manifest.read_text().splitlines() if not line.startswith("#")]
    files = {row[0] for row in rows if row[1] == "file"}
    assert "usr/lib/python3.11/site-packages/numpy/__init__.py" in files
    assert all(row[-1] == "numpy" for row in rows if row[0].startswith("usr/lib/python3.11/site-packages/numpy/"))


def test_no_op_rebuild_is_fast(numpy_image: Path, cross_build_dir: Path) -> None:
    started = time.monotonic()
    result = pyrecipe("build", "numpy", "--machine", "raspberrypi4", build_dir=cross_build_dir)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert "Build done: 0 tasks run" in result.stdout
    assert elapsed < 2.0, f"no-op rebuild took {elapsed:.2f} s"
