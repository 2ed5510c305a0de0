"""An OE-style recipe whose runtime dependencies no layer provides, built for the board: one comes
from PyPI as a none-any wheel, one as an sdist with a C extension through a generated recipe,
and both import under qemu. PyPI is our own (tests/pypi_support.py), served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cross_support import SITE, SUFFIX, assert_aarch64_module, machine_dir, pyrecipe, run_on_board
from http_support import serve_directory
from parse_support import write_files
from pypi_support import publish, sdist, wheel

SETUP_PY = (
    "from setuptools import Extension, setup\n"
    "setup(name='cadd', version='0.2', packages=['cadd'], ext_modules=[Extension('cadd._add', ['cadd/_add.c'])])\n"
)
ADD_C = """#include <Python.h>
static PyObject *add(PyObject *self, PyObject *args) {
    long a, b;
    if (!PyArg_ParseTuple(args, "ll", &a, &b)) return NULL;
    return PyLong_FromLong(a + b);
}
static PyMethodDef methods[] = {{"add", add, METH_VARARGS, "a + b"}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_add", NULL, -1, methods};
PyMODINIT_FUNC PyInit__add(void) { return PyModule_Create(&module); }
"""


@pytest.fixture(scope="module")
def image(cross_build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("pypi")
    layer = tmp_path_factory.mktemp("layer")
    with serve_directory(root) as url:
        publish(root, url, "greet", [wheel("greet", "1.1", requires=["cadd"], modules={"greet.py": "def hello(n):\n    return 'hello ' + n\n"})])
        publish(root, url, "cadd", [sdist("cadd", "0.2", {
            "pyproject.toml": '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
            "setup.py": SETUP_PY, "cadd/__init__.py": "from cadd._add import add\n", "cadd/_add.c": ADD_C,
        })])
        write_files(layer, {
            "conf/layer.conf": (f'BBPATH .= ":${{LAYERDIR}}"\nBBFILES += "${{LAYERDIR}}/recipes-*/*/*.bb"\n'
                                f'PYPI_INDEX_URL = "{url}/simple"\n'),
            "recipes-devtools/python/python3-app_1.0.bb": (
                'SUMMARY = "needs what no layer has"\nLICENSE = "MIT"\nRDEPENDS:${PN} = "python3-greet python3-json"\n'
            ),
        })
        result = pyrecipe("build", "python3-app", "--machine", "raspberrypi4", "--layer", str(layer), build_dir=cross_build_dir)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
        yield machine_dir(cross_build_dir) / "image"


def test_the_sdist_is_cross_compiled_through_its_generated_recipe(image: Path) -> None:
    [module] = sorted((image / SITE / "cadd").glob("*.so"))
    assert module.name == "_add" + SUFFIX
    assert_aarch64_module(module)
    assert (image / SITE / "greet.py").is_file()


def test_both_import_under_qemu(image: Path, cross_build_dir: Path) -> None:
    code = "import platform, greet, cadd; print(platform.machine(), greet.hello('pi'), cadd.add(40, 2))"
    assert run_on_board(cross_build_dir, code).split() == ["aarch64", "hello", "pi", "42"]
