"""`pyrecipe test`: a pure-Python recipe's pytest suite (${PN}-ptest) built into a test image with
pytest and the automake plugin (RDEPENDS:${PN}-ptest), run by the board's CPython under qemu-user.
pytest and its dependencies come from our own PyPI (tests/pypi_support.py), repacked from the
tests' venv."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from cross_support import MACHINE, machine_dir, pyrecipe
from http_support import serve_directory
from parse_support import write_files
from pypi_support import installed_wheel, publish

PTEST_LAYER = Path(__file__).parents[1] / "fixtures" / "ptest_layer"
SUITE = "recipes-test/ptestdemo/files/ptestdemo-1.0/tests/test_ptestdemo.py"


@pytest.fixture(scope="module")
def layers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(a layer turning ptest on and naming our PyPI, a copy of ptest_layer)."""
    root = tmp_path_factory.mktemp("pypi")
    settings = tmp_path_factory.mktemp("ptest-on")
    fixture = tmp_path_factory.mktemp("layer") / "ptest_layer"
    shutil.copytree(PTEST_LAYER, fixture)
    with serve_directory(root) as url:
        for project in ("pytest", "pluggy", "iniconfig", "packaging", "pygments"):
            publish(root, url, project, [installed_wheel(project)])
        write_files(settings, {"conf/layer.conf": 'BBPATH .= ":${LAYERDIR}"\nBBFILES += ""\n'
                                                  f'PYPI_INDEX_URL = "{url}/simple"\nDISTRO_FEATURES:append = " ptest"\n'})
        yield settings, fixture


def run_test(layers: tuple[Path, Path], build_dir: Path) -> tuple[int, str]:
    result = pyrecipe("test", "python3-ptestdemo", "--machine", MACHINE, "--layer", str(layers[0]), "--layer", str(layers[1]),
                      build_dir=build_dir)
    return result.returncode, result.stdout + result.stderr


def test_the_suite_passes_on_the_board_and_is_counted(layers: tuple[Path, Path], cross_build_dir: Path) -> None:
    returncode, output = run_test(layers, cross_build_dir)
    assert returncode == 0, output[-6000:]
    assert "PASS: tests/test_ptestdemo.py::test_runs_on_the_board" in output  # platform.machine() is aarch64
    assert "ptest python3-ptestdemo-ptest: PASS 2, FAIL 0, SKIP 1 (run-ptest exit 0): all passed" in output
    image = machine_dir(cross_build_dir) / "ptest" / "python3-ptestdemo" / "image"
    assert (image / "usr/lib/python3-ptestdemo/ptest/run-ptest").is_file()
    site = next(image.glob("usr/lib/python3.*/site-packages"))
    assert {"ptestdemo", "pytest", "_pytest", "pluggy", "unittest_automake_output"} <= {p.name for p in site.iterdir()}
    # The build's own image is not the test image, and no image but the test's has the suite.
    assert not (machine_dir(cross_build_dir) / "image" / "usr/lib/python3-ptestdemo").exists()


def test_a_failing_test_makes_it_exit_1(layers: tuple[Path, Path], cross_build_dir: Path) -> None:
    suite = layers[1] / SUITE
    suite.write_text(suite.read_text() + "\n\ndef test_fails():\n    assert ptestdemo.add(1, 1) == 3\n")
    returncode, output = run_test(layers, cross_build_dir)
    assert returncode == 1, output[-6000:]
    assert "FAIL: tests/test_ptestdemo.py::test_fails" in output
    assert re.search(r"ptest python3-ptestdemo-ptest: PASS 2, FAIL 1, SKIP 1 \(run-ptest exit 1\): FAILED", output), output
