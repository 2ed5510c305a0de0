"""Sdists that bundle a C library: the recipe generated from such an sdist takes the switch the
project offers to build with the sysroot's library (toolchains/conf/bundled-libraries.conf, the
settings of OpenEmbedded's meta-python recipes), and DEPENDS on that library. The escape (issue 26):
an sdist that bundles a C library ran the library's ./configure for the build machine and failed,
where OE's recipe links the distro's library. PyPI is our own (tests/pypi_support.py), served on
127.0.0.1; the machine is the runner test board (the build machine's tools, no cross toolchain)."""

from __future__ import annotations

import shutil
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from http_support import serve_directory
from parse_support import pyrecipe_cli, write_files
from pypi_support import installed_wheel, publish, sdist, wheel
from pyrecipe.config.configuration import DEFAULT_DISTRO

RUNNER_LAYER = Path(__file__).parents[1] / "fixtures" / "runner_layer"

#: gevent's and pycares's shape: setup.py runs the bundled c-ares's ./configure unless the switch
#: (PYCARES_USE_SYSTEM_LIB=1) says the system's. The bundled configure fails as a real one fails
#: when it configures for the build machine.
CARES = sdist("pycares", "5.2.1", {
    "pyproject.toml": '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
                      '[project]\nname = "pycares"\nversion = "5.2.1"\n',
    "setup.py": (
        "import os, subprocess\nfrom setuptools import setup\n"
        "if os.environ.get('PYCARES_USE_SYSTEM_LIB') != '1':\n"
        "    subprocess.run(['sh', 'deps/c-ares/configure'], check=True)\n"
        "setup(packages=['pycares'])\n"
    ),
    "deps/c-ares/configure": "echo 'configure: error: cannot run C compiled programs.' >&2\nexit 1\n",
    "deps/c-ares/include/ares.h": "",
    "pycares/__init__.py": "",
    "pycares/_cares.c": '#include <Python.h>\n#include "ares.h"\n',
})
#: A project of the user's own: a PEP 517 config setting and an environment variable select its system library.
ZAPP = sdist("zapp", "2.0", {
    "pyproject.toml": '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
                      '[project]\nname = "zapp"\nversion = "2.0"\n',
    # As zstandard's setup.py takes --system-zstd: the build option, and the host its bundled copy would be configured for.
    "setup.py": (
        "import os, sys\nfrom setuptools import setup\n"
        "system = '--system-zlib' in sys.argv\nif system:\n    sys.argv.remove('--system-zlib')\n"
        "if 'bdist_wheel' in sys.argv and not (system and os.environ.get('ZAPP_SYSTEM_ZLIB') == '1'):\n"
        "    raise SystemExit('vendor/zlib/configure: configured for the build machine')\n"
        "open('zapp/host.py', 'w').write(f\"HOST = {os.environ.get('ZAPP_HOST')!r}\\n\")\n"
        "setup(packages=['zapp'])\n"
    ),
    "zapp/__init__.py": "", "zapp/_z.c": "#include <Python.h>\n", "vendor/zlib/configure": "exit 1\n",
})


#: brotli's shape: USE_SYSTEM_BROTLI=1 finds the library with PyPI's pkgconfig module, which its build requires.
BROTLI = sdist("brotli", "1.2.1", {
    "pyproject.toml": '[build-system]\nrequires = ["setuptools", "pkgconfig"]\nbuild-backend = "setuptools.build_meta"\n'
                      '[project]\nname = "brotli"\nversion = "1.2.1"\n',
    "python/_brotli.c": '#include <Python.h>\n#include "brotli/encode.h"\n', "c/include/brotli/encode.h": "",
})


@pytest.fixture
def layer(tmp_path: Path) -> Iterator[Path]:
    copy = tmp_path / "layer"
    shutil.copytree(RUNNER_LAYER, copy)
    with (copy / "conf" / "machine" / "runnerboard.conf").open("a") as conf:
        # No native venv on a board without a sysroot: the backend runs in the tests' own interpreter.
        conf.write(f'SYSROOT_PROVIDER = "none"\nPYTHON = "{sys.executable}"\n')
    write_files(copy, {"recipes-python/app/app_1.0.bb": 'LICENSE = "MIT"\nRDEPENDS:${PN} = "python3-pycares python3-zapp"\n'})
    root = tmp_path / "pypi"
    with serve_directory(root) as url:
        publish(root, url, "pycares", [CARES])
        publish(root, url, "zapp", [ZAPP])
        publish(root, url, "brotli", [BROTLI])
        publish(root, url, "pkgconfig", [wheel("pkgconfig", "1.5.5")])
        publish(root, url, "setuptools", [installed_wheel("setuptools")])
        with (copy / "conf" / "layer.conf").open("a") as conf:
            conf.write(f'PYPI_INDEX_URL = "{url}/simple"\n')
        yield copy


def cli(command: str, layer: Path, build_dir: Path, *args: str) -> tuple[int, str]:
    result = pyrecipe_cli(command, "--machine", "runnerboard", "--layer", layer, "--build-dir", build_dir, *args)
    return result.returncode, result.stdout + result.stderr


def generated(build_dir: Path, name: str) -> str:
    return next((build_dir / DEFAULT_DISTRO / "generated" / "recipes" / name).glob("*.bb")).read_text()


def test_a_bundled_library_project_builds_with_its_switch(layer: Path, tmp_path: Path) -> None:
    """pycares (the shipped table's entry): PYCARES_USE_SYSTEM_LIB=1 reaches the backend, so the
    bundled c-ares's ./configure never runs; the recipe DEPENDS on c-ares, which Debian provides."""
    build_dir = tmp_path / "build"
    code, out = cli("deps", layer, build_dir, "python3-pycares")
    assert code == 0, out
    assert "build: c-ares -> debian libc-ares-dev" in out
    recipe = generated(build_dir, "pycares")
    assert 'export PYCARES_USE_SYSTEM_LIB = "1"' in recipe and 'DEPENDS += "c-ares"' in recipe
    code, out = cli("build", layer, build_dir, "-c", "compile", "python3-pycares")
    assert code == 0, out[-3000:]
    wheels = list(build_dir.rglob("pycares-5.2.1-*.whl"))
    assert wheels, out[-2000:]
    log = "".join(p.read_text() for p in build_dir.rglob("log.do_compile*") if "pycares" in str(p) and p.is_file())
    assert "cannot run C compiled programs" not in log


def test_the_table_takes_config_settings_and_local_conf_entries(layer: Path, tmp_path: Path) -> None:
    """A user's own entry in local.conf: NAME=VALUE words are exported, -CKEY=VALUE words become
    PEP 517 config settings, ${...} is left for the recipe to expand."""
    build_dir = tmp_path / "build"
    (build_dir / "conf").mkdir(parents=True)
    (build_dir / "conf" / "local.conf").write_text(
        'PYPI_BUNDLED_LIBRARY[zapp] = "ZAPP_SYSTEM_ZLIB=1 ZAPP_HOST=${TARGET_SYS} -C--build-option=--system-zlib"\n'
        'PYPI_BUNDLED_LIBRARY_DEPENDS[zapp] = "zlib"\n')
    code, out = cli("deps", layer, build_dir, "python3-zapp")
    assert code == 0, out
    recipe = generated(build_dir, "zapp")
    assert 'export ZAPP_SYSTEM_ZLIB = "1"\nexport ZAPP_HOST = "${TARGET_SYS}"\n' in recipe
    assert 'PEP517_BUILD_OPTS += "-C--build-option=--system-zlib"' in recipe
    code, out = cli("build", layer, build_dir, "-c", "compile", "python3-zapp")
    assert code == 0, out[-3000:]
    [built] = build_dir.rglob("zapp-2.0-*.whl")
    with zipfile.ZipFile(built) as wheel:
        assert wheel.read("zapp/host.py") == b"HOST = 'x86_64-linux-gnu'\n"  # the runner board's TARGET_SYS


def test_a_word_that_is_no_switch_is_an_input_error(layer: Path, tmp_path: Path) -> None:
    """A table entry that is neither form stops with exit 2 naming the entry, not a recipe that half-applies it."""
    build_dir = tmp_path / "build"
    (build_dir / "conf").mkdir(parents=True)
    (build_dir / "conf" / "local.conf").write_text('PYPI_BUNDLED_LIBRARY[zapp] = "--system-zlib"\n')
    code, out = cli("deps", layer, build_dir, "python3-zapp")
    assert code == 2, out
    assert "PYPI_BUNDLED_LIBRARY[zapp]: '--system-zlib' is neither NAME=VALUE" in out
    assert "Traceback" not in out


def test_a_switch_whose_build_imports_pypis_pkgconfig_gets_that_module(layer: Path, tmp_path: Path) -> None:
    """brotli: USE_SYSTEM_BROTLI=1 and the Debian library; its build requires PyPI's pkgconfig
    module (python3-pkgconfig-native), which is no host program: OE's pkgconfig-native, the
    pkg-config program, is. The cross build of brotli 1.2.1 stopped at "No module named 'pkgconfig'"."""
    build_dir = tmp_path / "build"
    code, out = cli("deps", layer, build_dir, "python3-brotli")
    assert code == 0, out
    assert "build: python3-pkgconfig-native -> pypi native tool pkgconfig==1.5.5" in out
    assert "build: brotli -> debian libbrotli-dev" in out
    assert 'export USE_SYSTEM_BROTLI = "1"' in generated(build_dir, "brotli")
