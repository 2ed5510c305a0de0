"""A generated recipe's do_test imports the top-level modules the wheel installs, not the
distribution's name: grpcio's recipe generated from its sdist ran `import grpcio` (the module is
`grpc`, below src/python/grpcio/ in the sdist) and failed after a 40-minute compile (issue 26).
PyPI is our own (tests/pypi_support.py), served on 127.0.0.1; the machine is the runner test board."""

from __future__ import annotations

import shutil
from pathlib import Path

from http_support import serve_directory
from parse_support import parse, pyrecipe_cli
from pypi_support import publish, sdist
from pyrecipe.config.configuration import DEFAULT_DISTRO
from pyrecipe.tasks.base import _test_program

RUNNER_LAYER = Path(__file__).parents[1] / "fixtures" / "runner_layer"
#: An sdist laid out as grpcio's: distribution grpcish, its package grpc deep below the top.
GRPCISH = sdist("grpcish", "1.0", {
    "pyproject.toml": '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
    "setup.py": "from setuptools import setup\nsetup(name='grpcish', package_dir={'': 'src/python/grpcio'}, packages=['grpc'])\n",
    "src/python/grpcio/grpc/__init__.py": "VERSION = '1.0'\n",
})


def test_the_generated_recipes_test_imports_the_installed_module(tmp_path: Path) -> None:
    layer = tmp_path / "layer"
    shutil.copytree(RUNNER_LAYER, layer)
    build_dir = tmp_path / "build"
    with serve_directory(tmp_path / "pypi") as url:
        publish(tmp_path / "pypi", url, "grpcish", [GRPCISH])
        with (layer / "conf" / "layer.conf").open("a") as conf:
            conf.write(f'PYPI_INDEX_URL = "{url}/simple"\n')
        result = pyrecipe_cli("deps", "--machine", "runnerboard", "--layer", layer, "--build-dir", build_dir, "python3-grpcish")
    assert result.returncode == 0, result.stdout + result.stderr
    recipe = build_dir / DEFAULT_DISTRO / "generated" / "recipes" / "grpcish" / "grpcish_1.0.bb"
    text = recipe.read_text()
    assert "import grpcish" not in text
    assert not [line for line in text.splitlines() if line.startswith("PYTHON_TEST_")], text
    # What the wheel installed into the recipe's ${D}: do_test imports that.
    site = tmp_path / "image/usr/lib/python3.13/site-packages"
    for name in ("grpc/__init__.py", "grpcish-1.0.dist-info/METADATA", "grpcish-1.0.dist-info/top_level.txt"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("")
    d = parse(tmp_path, f'TOPDIR = "{tmp_path}"\nD = "${{TOPDIR}}/image"\nPYTHON_SITEPACKAGES_DIR = "/usr/lib/python3.13/site-packages"\n')
    assert _test_program(d) == (["-c", "import grpc"], "import grpc")
