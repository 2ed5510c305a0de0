"""``PACKAGE_FORMAT = "deb"``: cross-built recipes as Debian packages that dpkg installs on the board's root.

The cross test builds a C extension linking the sysroot's zlib and a pure-Python recipe that
depends on it (PACKAGE_FORMAT set in the recipes), reads the
packages with dpkg-deb, installs them with dpkg into a scratch copy of the arm64 sysroot and
imports them there under qemu-user with the board's own CPython and no PYTHONPATH, then removes
them again with dpkg.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cross_support import DISTRO, PYTHON_VERSION, SUFFIX, machine_dir
from pyrecipe.outputs.deb import Control, debian_package_name, parse_shlibs
from pyrecipe.toolchain import load_machine

DIST_PACKAGES = "usr/lib/python3/dist-packages"


def test_debian_names_follow_the_python_policy() -> None:
    assert debian_package_name("six") == "python3-six"
    assert debian_package_name("python3-six") == "python3-six"
    assert debian_package_name("MarkupSafe") == "python3-markupsafe"
    assert debian_package_name("zope_interface") == "python3-zope-interface"


def test_control_text_has_a_folded_description() -> None:
    control = Control(
        package="python3-foo", version="1.0-r0", architecture="all", maintainer="A <a@b>", depends=("python3", "python3-bar"),
        summary="Foo things", description="Foo things.\n\nIn detail.", homepage="https://foo", installed_size_kib=3,
    )
    text = control.text()
    assert "Depends: python3, python3-bar\n" in text
    assert text.endswith("Description: Foo things\n Foo things.\n .\n In detail.\n")


def write_layer(layer: Path) -> None:
    """A layer with a C-extension recipe and a pure-Python recipe that needs it, both packaged as deb."""
    (layer / "conf").mkdir(parents=True)
    (layer / "conf" / "layer.conf").write_text(
        'BBPATH .= ":${LAYERDIR}"\nBBFILES += "${LAYERDIR}/recipes-*/*/*.bb"\n'
    )
    recipes = layer / "recipes-test" / "hello-pure"
    source = recipes / "files" / "hello-pure"
    source.mkdir(parents=True)
    (source / "pyproject.toml").write_text(textwrap.dedent("""\
        [build-system]
        requires = ["setuptools>=61"]
        build-backend = "setuptools.build_meta"

        [project]
        name = "hello-pure"
        version = "2.0"

        [tool.setuptools]
        py-modules = ["hello_pure"]
        """))
    (source / "hello_pure.py").write_text("import hello_zlib\n\ndef answer():\n    return hello_zlib.crc(b'hello')\n")
    (recipes / "python3-hello-pure_2.0.bb").write_text(textwrap.dedent("""\
        SUMMARY = "Pure Python on top of hello-zlib"
        LICENSE = "MIT"
        SRC_URI = "file://hello-pure"
        S = "${UNPACKDIR}/hello-pure"
        inherit setuptools3
        PACKAGE_FORMAT = "deb"
        MAINTAINER = "Test Packager <test@example.org>"
        RDEPENDS:${PN} = "python3-core python3-json python3-hello-zlib"
        """))
    # A C extension linking the sysroot's zlib and libcrypto: its package must depend on Debian's
    # zlib1g and on the distro's name of OpenSSL's library package (trixie renamed it libssl3t64).
    ext = layer / "recipes-test" / "hello-zlib"
    ext_source = ext / "files" / "hello-zlib"
    ext_source.mkdir(parents=True)
    (ext_source / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "hello-zlib"\nversion = "1.0"\n'
    )
    (ext_source / "setup.py").write_text(
        'from setuptools import Extension, setup\n\nsetup(ext_modules=[Extension("hello_zlib", ["hello_zlib.c"], libraries=["z", "crypto"])])\n'
    )
    (ext_source / "hello_zlib.c").write_text(textwrap.dedent("""\
        #define PY_SSIZE_T_CLEAN
        #include <Python.h>
        #include <zlib.h>
        #include <openssl/crypto.h>

        static PyObject *crc(PyObject *self, PyObject *args) {
            const char *data; Py_ssize_t size;
            if (!PyArg_ParseTuple(args, "y#", &data, &size)) return NULL;
            return PyLong_FromUnsignedLong(crc32(0L, (const Bytef *)data, (uInt)size));
        }
        static PyObject *openssl(PyObject *self, PyObject *args) { return PyLong_FromUnsignedLong(OpenSSL_version_num() >> 28); }
        static PyMethodDef methods[] = {{"crc", crc, METH_VARARGS, NULL}, {"openssl", openssl, METH_NOARGS, NULL}, {NULL, NULL, 0, NULL}};
        static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "hello_zlib", NULL, -1, methods};
        PyMODINIT_FUNC PyInit_hello_zlib(void) { return PyModule_Create(&module); }
        """))
    (ext / "python3-hello-zlib_1.0.bb").write_text(textwrap.dedent("""\
        SUMMARY = "A C extension linking zlib, packaged as a deb"
        LICENSE = "MIT"
        SRC_URI = "file://hello-zlib"
        S = "${UNPACKDIR}/hello-zlib"
        inherit setuptools3
        DEPENDS += "zlib openssl"
        PACKAGE_FORMAT = "deb"
        RDEPENDS:${PN} = "python3-core"
        PYTHON_TEST_CODE = "import hello_zlib; assert hello_zlib.crc(b'hello') == 907060870; assert hello_zlib.openssl() == 3"
        """))


def test_shlibs_name_the_library_packages() -> None:
    shlibs = parse_shlibs(
        "# comment\nlibz 1 zlib1g (>= 1:1.2.3.3.dfsg-1)\nudeb: libz 1 zlib1g-udeb (>= 1:1.2.3.3.dfsg-1)\n"
        "libblas 3 libblas3 | libblas.so.3\nlibfoo-2.0 0 libfoo-2.0-0\n"
    )
    assert shlibs["libz.so.1"] == "zlib1g (>= 1:1.2.3.3.dfsg-1)"
    assert shlibs["libblas.so.3"] == "libblas3 | libblas.so.3"
    assert shlibs["libfoo-2.0.so.0"] == "libfoo-2.0-0"


def dpkg_field(deb: Path, field: str) -> str:
    return subprocess.run(["dpkg-deb", "--field", str(deb), field], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope="module")
def debs(tmp_path_factory: pytest.TempPathFactory, cross_build_dir: Path) -> Path:
    layer = tmp_path_factory.mktemp("deb-layer")
    write_layer(layer)
    result = subprocess.run(
        [sys.executable, "-m", "pyrecipe", "build", "python3-hello-pure", "--machine", "raspberrypi4", "--distro", DISTRO,
         "--layer", str(layer), "--build-dir", str(cross_build_dir)],
        capture_output=True, text=True, timeout=3000,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return machine_dir(cross_build_dir) / "deploy" / "deb"


def test_control_fields(debs: Path) -> None:
    cext, pure = debs / "python3-hello-zlib_1.0-r0_arm64.deb", debs / "python3-hello-pure_2.0-r0_all.deb"
    assert dpkg_field(cext, "Architecture") == "arm64"
    major, minor = PYTHON_VERSION.split(".")
    upper = f"{major}.{int(minor) + 1}"
    libssl = {"debian-bookworm": "libssl3", "debian-trixie": "libssl3t64"}[DISTRO]  # trixie's 64-bit time_t rename
    assert re.fullmatch(rf"python3 \(>= {re.escape(PYTHON_VERSION)}~\), python3 \(<< {re.escape(upper)}\), "
                        rf"zlib1g \(>= 1:[^)]+\), {libssl} \(>= 3[^)]+\)", dpkg_field(cext, "Depends")), dpkg_field(cext, "Depends")
    assert dpkg_field(pure, "Architecture") == "all"
    assert dpkg_field(pure, "Depends") == "python3, python3-hello-zlib"
    assert dpkg_field(pure, "Maintainer") == "Test Packager <test@example.org>"
    assert dpkg_field(pure, "Version") == "2.0-r0"
    info = subprocess.run(["dpkg-deb", "--info", str(pure)], capture_output=True, text=True, check=True).stdout
    assert "Description: Pure Python on top of hello-zlib" in info
    assert not [p for p in debs.iterdir() if p.name.startswith(".")], "temporary packaging tree left behind"


def test_dpkg_installs_them_into_the_board_root_and_they_import(debs: Path, cross_build_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "root"
    sysroot = machine_dir(cross_build_dir) / "sysroot"
    # A hard-linked copy: dpkg replaces files by renaming, so the shared sysroot is never written.
    subprocess.run(["cp", "-al", str(sysroot), str(root)], check=True)
    admin = root / "var" / "lib" / "dpkg"
    for sub in ("info", "updates", "triggers"):
        (admin / sub).mkdir(parents=True, exist_ok=True)
    (admin / "status").touch()
    dpkg = ["dpkg", f"--root={root}", "--force-architecture", "--force-depends", "--force-not-root"]
    install = subprocess.run([*dpkg, "-i", *map(str, sorted(debs.glob("*.deb")))], capture_output=True, text=True)
    assert install.returncode == 0, install.stdout + install.stderr
    assert (root / DIST_PACKAGES / f"hello_zlib{SUFFIX}").is_file()
    listed = subprocess.run([*dpkg, "-L", "python3-hello-pure"], capture_output=True, text=True, check=True).stdout
    assert f"/{DIST_PACKAGES}/hello_pure.py" in listed.split() and "site-packages" not in listed

    machine = load_machine("raspberrypi4", distro=DISTRO)
    code = "import platform, hello_pure; print(platform.machine(), hello_pure.answer(), hello_pure.__file__)"
    run = subprocess.run(
        [machine.qemu_user, "-L", str(root), "-cpu", machine.qemu_cpu, str(root / f"usr/bin/python{PYTHON_VERSION}"), "-c", code],
        capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"},
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["aarch64", "907060870", f"{root}/{DIST_PACKAGES}/hello_pure.py"]

    remove = subprocess.run([*dpkg, "-r", "python3-hello-pure", "python3-hello-zlib"], capture_output=True, text=True)
    assert remove.returncode == 0, remove.stdout + remove.stderr
    assert not (root / DIST_PACKAGES / "hello_pure.py").exists()
