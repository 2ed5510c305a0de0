"""Generated recipes built as a hand-written one would be, for sdists whose build does more than
compile its sources: a setup.py that probes the platform by compiling and linking test programs
(as netifaces does), and a scikit-build-core project whose CMake names its extension module.
Both come from our own PyPI (tests/pypi_support.py) through recipes pyrecipe generates, and both
import under qemu."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cross_support import SITE, SUFFIX, assert_aarch64_module, machine_dir, pyrecipe, run_on_board
from http_support import serve_directory
from parse_support import write_files
from pypi_support import publish, sdist

# A setup.py that probes as netifaces' does: a test program compiled with the build_ext compiler
# and linked with its link_executable, which runs $CC without $CFLAGS or $LDFLAGS. A probe that
# fails leaves HAVE_GETIFADDRS undefined and the module stops at its #error.
PROBE_SETUP_PY = '''import os
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

PROBE = "#include <ifaddrs.h>\\nint main(void) { struct ifaddrs *a; if (getifaddrs(&a) == 0) freeifaddrs(a); return 0; }\\n"


class probing_build_ext(build_ext):
    def build_extensions(self):
        os.makedirs(self.build_temp, exist_ok=True)
        source = os.path.join(self.build_temp, "conftest.c")
        with open(source, "w") as f:
            f.write(PROBE)
        objects = self.compiler.compile([source], output_dir=self.build_temp)
        self.compiler.link_executable(objects, "conftest", output_dir=self.build_temp)
        print("checking for getifaddrs... found")
        self.compiler.define_macro("HAVE_GETIFADDRS", 1)
        build_ext.build_extensions(self)


setup(name="cprobe", version="1.0", ext_modules=[Extension("cprobe", ["cprobe.c"])],
      cmdclass={"build_ext": probing_build_ext})
'''
PROBE_C = """#include <Python.h>
#if !HAVE_GETIFADDRS
#  error You need to add code for your platform.
#endif
#include <ifaddrs.h>
static PyObject *count(PyObject *self, PyObject *args) {
    struct ifaddrs *addrs, *a;
    long n = 0;
    if (getifaddrs(&addrs) != 0) return PyErr_SetFromErrno(PyExc_OSError);
    for (a = addrs; a; a = a->ifa_next) n++;
    freeifaddrs(addrs);
    return PyLong_FromLong(n);
}
static PyMethodDef methods[] = {{"count", count, METH_NOARGS, "interface addresses"}, {NULL, NULL, 0, NULL}};
static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "cprobe", NULL, -1, methods};
PyMODINIT_FUNC PyInit_cprobe(void) { return PyModule_Create(&module); }
"""

# A scikit-build-core project as iminuit, boost-histogram or spglib are: pybind11's CMake package,
# found through the build tools' site-packages (scikit-build-core's CMAKE_PREFIX_PATH), and the
# module named by FindPython's Python_SOABI after find_package(Python COMPONENTS Interpreter ...),
# as spglib names its own (WITH_SOABI).
PYBIND_PYPROJECT = """[build-system]
requires = ["scikit-build-core", "pybind11"]
build-backend = "scikit_build_core.build"

[project]
name = "pbadd"
version = "1.0"
"""
PYBIND_CMAKELISTS = """cmake_minimum_required(VERSION 3.15)
project(pbadd LANGUAGES CXX)
find_package(Python COMPONENTS Interpreter Development.Module REQUIRED)
find_package(pybind11 CONFIG REQUIRED)
pybind11_add_module(pbadd MODULE WITH_SOABI pbadd.cpp)
install(TARGETS pbadd LIBRARY DESTINATION .)
"""
PYBIND_CPP = """#include <pybind11/pybind11.h>
PYBIND11_MODULE(pbadd, m) { m.def("add", [](int a, int b) { return a + b; }); }
"""


@pytest.fixture(scope="module")
def image(cross_build_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("pypi")
    layer = tmp_path_factory.mktemp("layer")
    with serve_directory(root) as url:
        publish(root, url, "cprobe", [sdist("cprobe", "1.0", {
            "pyproject.toml": '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
            "setup.py": PROBE_SETUP_PY, "cprobe.c": PROBE_C,
        })])
        publish(root, url, "pbadd", [sdist("pbadd", "1.0", {
            "pyproject.toml": PYBIND_PYPROJECT, "CMakeLists.txt": PYBIND_CMAKELISTS, "pbadd.cpp": PYBIND_CPP,
        })])
        write_files(layer, {
            "conf/layer.conf": (f'BBPATH .= ":${{LAYERDIR}}"\nBBFILES += "${{LAYERDIR}}/recipes-*/*/*.bb"\n'
                                f'PYPI_INDEX_URL = "{url}/simple"\n'),
            "recipes-devtools/python/python3-natives_1.0.bb": (
                'SUMMARY = "needs sdists that probe and configure"\nLICENSE = "MIT"\n'
                'RDEPENDS:${PN} = "python3-cprobe python3-pbadd"\n'
            ),
        })
        result = pyrecipe("build", "python3-natives", "--machine", "raspberrypi4", "--layer", str(layer),
                          build_dir=cross_build_dir)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
        yield machine_dir(cross_build_dir) / "image"


def test_a_setup_py_probe_links_its_test_program_against_the_sysroot(image: Path, cross_build_dir: Path) -> None:
    """setuptools links a probe with $CC alone: without the sysroot in it, the linker took the
    sysroot's libc.so script's /lib paths from the build machine, every probe said "no" and the
    module stopped at its #error."""
    module = image / SITE / ("cprobe" + SUFFIX)
    assert_aarch64_module(module)
    assert run_on_board(cross_build_dir, "import cprobe; print(cprobe.count() >= 1)").split() == ["True"]


def test_a_scikit_build_core_project_finds_pybind11_among_the_build_tools(image: Path, cross_build_dir: Path) -> None:
    """find_package(pybind11) looked for the build tools' package under the sysroot only (the
    toolchain file's CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY re-rooted the native venv's
    site-packages there) and the configure stopped. With the interpreter found, FindPython emptied
    Python_SOABI and WITH_SOABI named the module with a bare .so (spglib); it has the target's suffix."""
    module = image / SITE / ("pbadd" + SUFFIX)
    assert_aarch64_module(module)
    assert run_on_board(cross_build_dir, "import pbadd; print(pbadd.add(40, 2))").split() == ["42"]
