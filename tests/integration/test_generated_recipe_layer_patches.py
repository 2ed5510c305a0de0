"""A recipe generated from PyPI for a version the layer lacks is offered the patches of the layer's
recipe of the same project: each that applies as it is is applied, each that does not is left out
with a warning. The escape (issue 26): orjson's build script chose its x86 AVX-512 code by the
build machine's architecture; the layer's recipe patches that, and the recipe generated for a
newer orjson, without the patch, failed with "the feature named avx512vl is not valid for this
target" where the layer's own recipe builds. PyPI is our own (tests/pypi_support.py), served on
127.0.0.1; the machine is the runner test board (no cross toolchain), built up to do_patch."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from http_support import serve_directory
from parse_support import pyrecipe_cli, write_files
from pypi_support import installed_wheel, publish, sdist

RUNNER_LAYER = Path(__file__).parents[1] / "fixtures" / "runner_layer"

def pyproject(version: str) -> str:
    return (f'[project]\nname = "patchy"\nversion = "{version}"\n'
            '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n')


OLD = sdist("patchy", "1.0", {"pyproject.toml": pyproject("1.0"), "patchy/__init__.py": "ARCH = 'build machine'\n", "patchy/old.py": "x = 1\n"})
NEW = sdist("patchy", "1.5", {"pyproject.toml": pyproject("1.5"), "patchy/__init__.py": "ARCH = 'build machine'\n"})
#: The layer's fix, still needed by 1.5 (as orjson's build.rs patch).
ARCH_PATCH = """--- a/patchy/__init__.py
+++ b/patchy/__init__.py
@@ -1 +1 @@
-ARCH = 'build machine'
+ARCH = 'target'
"""
#: A fix of a file 1.5 no longer has.
OLD_PATCH = """--- a/patchy/old.py
+++ b/patchy/old.py
@@ -1 +1 @@
-x = 1
+x = 2
"""


def test_the_layers_patches_that_apply_reach_the_generated_recipe(tmp_path: Path) -> None:
    layer = tmp_path / "layer"
    shutil.copytree(RUNNER_LAYER, layer)
    with (layer / "conf" / "machine" / "runnerboard.conf").open("a") as conf:
        conf.write('SYSROOT_PROVIDER = "none"\n')
    write_files(layer, {
        "recipes-python/patchy/patchy_1.0.bb": (
            'LICENSE = "MIT"\ninherit pypi python_setuptools_build_meta\n'
            f'SRC_URI[sha256sum] = "{hashlib.sha256(OLD.data).hexdigest()}"\n'
            'SRC_URI += "file://0001-arch-of-the-target.patch file://0002-old-only.patch"\n'
        ),
        "recipes-python/patchy/files/0001-arch-of-the-target.patch": ARCH_PATCH,
        "recipes-python/patchy/files/0002-old-only.patch": OLD_PATCH,
    })
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("patchy>=1.1\n")
    build_dir = tmp_path / "build"
    with serve_directory(tmp_path / "pypi") as url:
        publish(tmp_path / "pypi", url, "patchy", [OLD, NEW])
        publish(tmp_path / "pypi", url, "setuptools", [installed_wheel("setuptools")])  # uv builds the sdist for its metadata
        with (layer / "conf" / "layer.conf").open("a") as conf:
            conf.write(f'PYPI_INDEX_URL = "{url}/simple"\n')
        result = pyrecipe_cli("build", "--machine", "runnerboard", "--layer", layer, "--build-dir", build_dir,
                              "-c", "patch", "-r", requirements)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    sources = [path for path in build_dir.rglob("patchy-1.5/patchy/__init__.py") if "downloads" not in path.parts]
    assert sources, result.stdout
    assert sources[0].read_text() == "ARCH = 'target'\n"
    logs = "".join(path.read_text() for path in build_dir.rglob("log.do_patch*") if path.is_file())
    assert "applied 0001-arch-of-the-target.patch" in logs, logs
    assert "patch 0002-old-only.patch does not apply to patchy 1.5 as it is: left out" in logs, logs
    # The build's warning no longer names the patch it carried as missing.
    assert "0001-arch-of-the-target.patch" not in result.stderr.split("carries what it goes without", 1)[-1].split("\n", 1)[0]
