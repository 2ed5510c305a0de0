"""The headline, end to end: `pyrecipe build numpy --machine raspberrypi4`, then numpy on the emulated board.

A real cross build of the distro's numpy (2.5 on trixie, 2.3 on bookworm; meson-python, Cython, OpenBLAS from the Debian arm64 sysroot)
takes about five minutes on two cores; it runs in CI on every run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cross_support import SITE, SUFFIX, assert_aarch64_module, build_for_raspberrypi4, pyrecipe, run_on_board


@pytest.fixture(scope="module")
def numpy_image(cross_build_dir: Path) -> Path:
    return build_for_raspberrypi4(cross_build_dir, "numpy") / "image"


def test_extension_modules_are_aarch64(numpy_image: Path) -> None:
    modules = sorted((numpy_image / SITE / "numpy").rglob("*.so"))
    assert len(modules) >= 15
    for module in modules:
        assert module.name.endswith(SUFFIX), module
        assert_aarch64_module(module)


def test_linear_algebra_runs_under_qemu(numpy_image: Path, cross_build_dir: Path) -> None:
    code = (
        "import numpy; a = numpy.random.rand(300, 300); x = numpy.linalg.solve(a, a.sum(1)); "
        "print(numpy.allclose(x, 1), x[:3]); print(numpy.show_config.__module__)"
    )
    output = run_on_board(cross_build_dir, code)
    assert output.startswith("True [1. 1. 1.]"), output


def test_openblas_is_the_blas(numpy_image: Path, cross_build_dir: Path) -> None:
    code = "import numpy; info = numpy.show_config(mode='dicts'); print(info['Build Dependencies']['blas']['name'])"
    assert run_on_board(cross_build_dir, code).strip() == "openblas"


def test_manifest_lists_every_file_with_its_recipe(numpy_image: Path) -> None:
    manifest = numpy_image.with_name("image-manifest.tsv")
    rows = [line.split("\t") for line in manifest.read_text().splitlines() if not line.startswith("#")]
    files = {row[0] for row in rows if row[1] == "file"}
    assert f"{SITE}/numpy/__init__.py" in files
    assert all(row[-1] == "numpy" for row in rows if row[0].startswith(f"{SITE}/numpy/"))


def test_second_build_runs_no_task(numpy_image: Path, cross_build_dir: Path) -> None:
    """Nothing changed, nothing runs (how fast that is, bench/rebuild.py measures)."""
    result = pyrecipe("build", "numpy", "--machine", "raspberrypi4", build_dir=cross_build_dir)
    assert result.returncode == 0, result.stderr
    assert "Build done: 0 tasks run" in result.stdout
