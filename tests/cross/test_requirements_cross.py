"""`pyrecipe build -r requirements.txt --machine raspberrypi4`: a requirement set no layer has a
recipe for, resolved for the board, cross-built and imported under qemu; then the lock
`pyrecipe lock` writes for it builds the same set (nothing left to run). PyPI is our own
(tests/pypi_support.py), served on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from cross_support import SITE, SUFFIX, assert_aarch64_module, machine_dir, pyrecipe, run_on_board
from http_support import serve_directory
from parse_support import write_files
from pypi_support import publish, sdist, wheel

# Static metadata in pyproject.toml (what a resolver reads without building); the extension in setup.py.
PYPROJECT = (
    '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
    '[project]\nname = "csum"\nversion = "0.3"\nlicense = "MIT"\n[tool.setuptools]\npackages = ["csum"]\n'
)
SETUP_PY = "from setuptools import Extension, setup\nsetup(ext_modules=[Extension('csum._sum', ['csum/_sum.c'])])\n"
SUM_C = """#include <Python.h>
static PyObject *total(PyObject *self, PyObject *args) {
    long a, b, c;
    if (!PyArg_ParseTuple(args, "lll", &a, &b, &c)) return NULL;
    return PyLong_FromLong(a + b + c);
}
static PyMethodDef methods[] = {{"total", total, METH_VARARGS, "a + b + c"}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_sum", NULL, -1, methods};
PyMODINIT_FUNC PyInit__sum(void) { return PyModule_Create(&module); }
"""


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    root = tmp_path_factory.mktemp("pypi")
    layer = tmp_path_factory.mktemp("layer")
    with serve_directory(root) as url:
        publish(root, url, "shout", [
            wheel("shout", "2.0", requires=["csum>=0.2", "winonly; sys_platform == 'win32'"],
                  modules={"shout.py": "def shout(n):\n    return n.upper() + '!'\n"}),
        ])
        publish(root, url, "csum", [sdist("csum", "0.3", {
            "pyproject.toml": PYPROJECT, "setup.py": SETUP_PY, "csum/__init__.py": "from csum._sum import total\n", "csum/_sum.c": SUM_C,
        })])
        write_files(layer, {"conf/layer.conf": f'BBPATH .= ":${{LAYERDIR}}"\nBBFILES += "${{LAYERDIR}}/recipes-*/*/*.bb"\nPYPI_INDEX_URL = "{url}/simple"\n'})
        yield url, layer


@pytest.fixture(scope="module")
def built(index: tuple[str, Path], cross_build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    wanted = tmp_path_factory.mktemp("project") / "requirements.txt"
    wanted.write_text("shout>=1.0\n")
    result = pyrecipe("build", "-r", str(wanted), "--machine", "raspberrypi4", "--layer", str(index[1]), build_dir=cross_build_dir)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return result.stdout, wanted


def test_the_report_says_where_each_package_came_from(built: tuple[str, Path]) -> None:
    stdout = built[0]
    assert "Requirement set: 2 package(s)" in stdout
    assert re.search(r"^csum\s+0\.3\s+generated recipe\s+csum\s+[\d.]+\s+ok\s+no layer recipe$", stdout, re.M), stdout
    assert re.search(r"^shout\s+2\.0\s+pypi wheel\s+shout\s+[\d.]+\s+ok\s+no layer recipe; its none-any wheel: "
                     r"a pure-Python project, the same on every board$", stdout, re.M), stdout


def test_the_set_is_in_the_image_and_imports_under_qemu(built: tuple[str, Path], cross_build_dir: Path) -> None:
    image = machine_dir(cross_build_dir) / "image"
    [module] = sorted((image / SITE / "csum").glob("*.so"))
    assert module.name == "_sum" + SUFFIX
    assert_aarch64_module(module)
    code = "import platform, shout, csum; print(platform.machine(), shout.shout('pi'), csum.total(40, 1, 1))"
    assert run_on_board(cross_build_dir, code).split() == ["aarch64", "PI!", "42"]


def test_its_lock_builds_the_same_set(built: tuple[str, Path], index: tuple[str, Path], cross_build_dir: Path) -> None:
    lock = built[1].with_name("pylock.toml")
    locked = pyrecipe("lock", "-r", str(built[1]), "-o", str(lock), "--machine", "raspberrypi4", "--layer", str(index[1]),
                      build_dir=cross_build_dir)
    assert locked.returncode == 0, locked.stderr
    assert locked.stdout.splitlines()[1:] == [
        "  csum==0.3  generated recipe (no layer recipe)",
        "  shout==2.0  pypi wheel (no layer recipe; its none-any wheel: a pure-Python project, the same on every board)"]
    again = pyrecipe("build", "-r", str(lock), "--machine", "raspberrypi4", "--layer", str(index[1]), build_dir=cross_build_dir)
    assert again.returncode == 0, again.stderr
    assert "Build done: 0 tasks run" in again.stdout
