"""Layer recipes are preferences, not walls: a `-r` set touching a package a layer ships builds
whatever the index published since, preferring the layer's version where the requirements allow
it and building the index's newer one from PyPI (with a warning naming what the layer's recipe
carried) where they ask for it. PyPI is our own (tests/pypi_support.py), served on 127.0.0.1,
and publishes a newer release of the layer's package in the middle of a test.

The layer's recipe is named as pyrecipe's own are (``purelib``, no ``python3-purelib`` in
PROVIDES): that is how `idna is locked at 3.21, but its recipe recipes/idna/idna_3.20.bb is
version 3.20` stopped a requirement set the day PyPI published idna 3.21 (issue 26). The machine
is the runner test board (the build machine's own tools, no cross toolchain).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from http_support import serve_directory
from parse_support import pyrecipe_cli, write_files
from pypi_support import publish, wheel
from pyrecipe.config.configuration import DEFAULT_DISTRO

RUNNER_LAYER = Path(__file__).parents[1] / "fixtures" / "runner_layer"
PURELIB_1_0 = wheel("purelib", "1.0")
PURELIB_1_5 = wheel("purelib", "1.5")
PURELIB_0_9 = wheel("purelib", "0.9")


@pytest.fixture
def index(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """(served directory, its URL): a PyPI whose newest purelib is the layer's 1.0, for now."""
    root = tmp_path / "pypi"
    with serve_directory(root) as url:
        publish(root, url, "purelib", [PURELIB_1_0])
        publish(root, url, "needsnew", [wheel("needsnew", "2.0", requires=["purelib>=1.2"])])
        publish(root, url, "needsany", [wheel("needsany", "3.0", requires=["purelib"])])
        yield root, url


def publish_newer(index: tuple[Path, str]) -> None:
    """PyPI publishes purelib 1.5 (this morning)."""
    publish(index[0], index[1], "purelib", [PURELIB_1_0, PURELIB_1_5])


@pytest.fixture
def layer(tmp_path: Path, index: tuple[Path, str]) -> Path:
    """The runner layer asking our index, with a tested recipe of purelib 1.0 that carries a
    local file, a build dependency and a setting of its own."""
    copy = tmp_path / "layer"
    shutil.copytree(RUNNER_LAYER, copy)
    url = index[1]
    with (copy / "conf" / "layer.conf").open("a") as conf:
        conf.write(f'PYPI_INDEX_URL = "{url}/simple"\n')
    with (copy / "conf" / "machine" / "runnerboard.conf").open("a") as conf:
        conf.write('# Builds for real with the build machine\'s tools: no cross toolchain to provision.\nSYSROOT_PROVIDER = "none"\n')
    sha = hashlib.sha256(PURELIB_1_0.data).hexdigest()
    write_files(copy, {
        "recipes-python/purelib/purelib_1.0.bb": (
            'LICENSE = "MIT"\ninherit pypi_wheel\nPYPI_PACKAGE = "purelib"\nPYPI_WHEEL_NAME = "purelib"\n'
            f'PYPI_SRC_URI = "{url}/files/purelib/{PURELIB_1_0.filename}"\n'
            f'SRC_URI[sha256sum] = "{sha}"\n'
            'SRC_URI += "file://purelib-site.cfg"\n'
            'DEPENDS += "liba"\n'
            'export PURELIB_TUNING = "tested"\n'
        ),
        "recipes-python/purelib/files/purelib-site.cfg": "[purelib]\ntuned = yes\n",
    })
    return copy


def cli(command: str, layer: Path, build_dir: Path, *args: object) -> tuple[int, str, str]:
    result = pyrecipe_cli(command, "--machine", "runnerboard", "--layer", layer, "--build-dir", build_dir, *args)
    return result.returncode, result.stdout, result.stderr


def build(layer: Path, build_dir: Path, wanted: Path) -> tuple[int, str, str]:
    """The set built up to do_compile, for real (fetched, sha256 checked, unpacked, the wheel
    taken): installing a Python package needs the native venv, which this board does not
    provision (tests/cross/test_requirements_cross.py builds a set whole)."""
    return cli("build", layer, build_dir, "-c", "compile", "-r", wanted)


def requirements(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    return path


def report_row(stdout: str, name: str) -> list[str]:
    """The report's row of ``name``: package, version, from, recipe, seconds, state, why."""
    match = re.search(rf"^{name}\s+(\S+)\s+(layer recipe|generated recipe|pypi wheel)\s+(\S+)\s+[\d.]+\s+(\S+)\s+(.*)$", stdout, re.M)
    assert match, stdout
    return list(match.groups())


def generated(build_dir: Path, version: str) -> Path:
    return build_dir / DEFAULT_DISTRO / "generated" / "recipes" / "purelib" / f"purelib_{version}.bb"


def test_a_newer_release_on_the_index_keeps_the_layers_tested_version(layer: Path, tmp_path: Path, index: tuple[Path, str]) -> None:
    """The escape: PyPI publishes purelib 1.5 after the set built; the same unpinned requirement
    stopped with `purelib is locked at 1.5, but its recipe ... is version 1.0`. Now the layer's
    1.0 is preferred (the requirement allows it) and the build goes on."""
    wanted = requirements(tmp_path, "purelib\n")
    build_dir = tmp_path / "build"
    code, stdout, stderr = build(layer, build_dir, wanted)
    assert code == 0, stdout[-3000:] + stderr[-3000:]
    publish_newer(index)
    code, stdout, stderr = build(layer, tmp_path / "build-after", wanted)
    assert code == 0, stdout[-3000:] + stderr[-3000:]
    assert "is locked at" not in stderr
    assert report_row(stdout, "purelib") == ["1.0", "layer recipe", "purelib", "ok", "layer version 1.0 preferred"]
    assert not generated(tmp_path / "build-after", "1.5").exists()
    code, stdout, stderr = cli("lock", layer, tmp_path / "build-after", "-r", wanted, "-o", tmp_path / "pylock.toml")
    assert code == 0, stderr
    assert "  purelib==1.0  layer recipe (layer version 1.0 preferred)" in stdout.splitlines()


def test_a_dependency_that_allows_the_layers_version_keeps_it(layer: Path, tmp_path: Path, index: tuple[Path, str]) -> None:
    """The same through a dependency: needsany requires purelib (any version)."""
    publish_newer(index)
    code, stdout, stderr = cli("deps", layer, tmp_path / "build", "-r", requirements(tmp_path, "needsany\n"))
    assert code == 0, stderr
    assert "purelib 1.0" in stdout and "purelib 1.5" not in stdout, stdout


def test_a_requirement_above_the_layers_version_builds_the_newer_from_pypi(layer: Path, tmp_path: Path,
                                                                           index: tuple[Path, str]) -> None:
    """`purelib>=1.1` rules the layer's 1.0 out: 1.5 is built through a recipe generated from
    PyPI, with a warning naming what the layer's recipe carried that the generated one does not."""
    publish_newer(index)
    build_dir = tmp_path / "build"
    wanted = requirements(tmp_path, "purelib>=1.1\n")
    code, stdout, stderr = build(layer, build_dir, wanted)
    assert code == 0, stdout[-3000:] + stderr[-3000:]
    assert generated(build_dir, "1.5").is_file()
    assert report_row(stdout, "purelib") == ["1.5", "pypi wheel", "purelib", "ok",
                                             "layer has 1.0, requirement asks >=1.1 (requirements.txt); its none-any wheel: a pure-Python project, the same on every board"]
    [warning] = [line for line in stderr.splitlines() if "is built from PyPI" in line]
    assert "purelib 1.5 is built from PyPI" in warning and "layer has 1.0, requirement asks >=1.1" in warning, warning
    assert "purelib_1.0.bb carries what it goes without" in warning, warning
    assert "local files purelib-site.cfg (SRC_URI)" in warning and "DEPENDS liba" in warning, warning
    assert "settings PURELIB_TUNING" in warning, warning
    code, stdout, stderr = cli("lock", layer, build_dir, "-r", wanted, "-o", tmp_path / "pylock.toml")
    assert code == 0, stderr
    assert "  purelib==1.5  pypi wheel (layer has 1.0, requirement asks >=1.1 (requirements.txt); its none-any wheel: a pure-Python project, the same on every board)" in stdout.splitlines(), stdout


def test_a_dependency_above_the_layers_version_takes_pypis(layer: Path, tmp_path: Path, index: tuple[Path, str]) -> None:
    """needsnew requires purelib>=1.2: the resolution takes 1.5, and the report says so."""
    publish_newer(index)
    code, stdout, stderr = cli("build", layer, tmp_path / "build", "-n", "-r", requirements(tmp_path, "needsnew\n"))
    assert code == 0, stdout[-3000:] + stderr[-3000:]
    assert "purelib 1.5 is built from PyPI" in stderr
    assert "layer has 1.0; the resolution took 1.5 for needsnew (a requirement of the set or the index rules 1.0 out)" in stderr, stderr


def test_a_users_pin_of_the_layers_version_takes_the_layer_recipe(layer: Path, tmp_path: Path, index: tuple[Path, str]) -> None:
    """A pin the user wrote always wins: `purelib==1.0` with 1.5 on the index."""
    publish_newer(index)
    build_dir = tmp_path / "build"
    code, stdout, stderr = build(layer, build_dir, requirements(tmp_path, "purelib==1.0\n"))
    assert code == 0, stdout[-3000:] + stderr[-3000:]
    assert report_row(stdout, "purelib") == ["1.0", "layer recipe", "purelib", "ok", "user pin ==1.0 (requirements.txt); layer has 1.0"]
    assert "is built from PyPI" not in stderr
    assert not generated(build_dir, "1.5").exists()


def test_a_lock_from_before_moves_to_the_layers_version(layer: Path, tmp_path: Path, index: tuple[Path, str]) -> None:
    """A REQUIREMENTS_LOCK an older pyrecipe wrote with purelib 1.5 (the build then stopped):
    resolving again prefers the layer's version over the stale lock's."""
    publish_newer(index)
    build_dir = tmp_path / "build"
    code, _, stderr = cli("deps", layer, build_dir, "-r", requirements(tmp_path, "purelib>=1.1\n"))
    assert code == 0, stderr
    code, stdout, stderr = cli("deps", layer, build_dir, "-r", requirements(tmp_path, "purelib\n"))
    assert code == 0, stderr
    assert stdout.splitlines()[0] == "purelib 1.0", stdout


def test_a_pin_of_the_layers_older_recipe_takes_that_recipe(layer: Path, tmp_path: Path, index: tuple[Path, str]) -> None:
    """The layer has purelib 0.9 beside 1.0: `purelib==0.9` takes the layer's 0.9 recipe (a pin
    the user wrote wins), where the lock's pin never reached a recipe named `purelib` and the
    layer's 1.0 stopped the build."""
    publish(index[0], index[1], "purelib", [PURELIB_0_9, PURELIB_1_0, PURELIB_1_5])
    recipe = (layer / "recipes-python" / "purelib" / "purelib_1.0.bb").read_text()
    (layer / "recipes-python" / "purelib" / "purelib_0.9.bb").write_text(recipe.replace(PURELIB_1_0.filename, PURELIB_0_9.filename).replace(
        hashlib.sha256(PURELIB_1_0.data).hexdigest(), hashlib.sha256(PURELIB_0_9.data).hexdigest()))
    build_dir = tmp_path / "build"
    wanted = requirements(tmp_path, "purelib==0.9\n")
    code, stdout, stderr = cli("deps", layer, build_dir, "-r", wanted)
    assert code == 0, stderr
    assert stdout.splitlines()[0] == "purelib 0.9" and "is built from PyPI" not in stderr, stdout + stderr
    assert not generated(build_dir, "0.9").exists()
    code, stdout, stderr = cli("lock", layer, build_dir, "-r", wanted, "-o", tmp_path / "pylock.toml")
    assert code == 0, stderr
    assert "  purelib==0.9  layer recipe (user pin ==0.9 (requirements.txt); layer has 0.9)" in stdout.splitlines(), stdout


def test_the_seed_puts_the_layers_versions_before_an_existing_locks(tmp_path: Path) -> None:
    """What uv is handed as its output file: the layer's version of purelib over the stale lock's
    1.5, the lock's other versions kept (with their markers), nothing else of the lock."""
    from pyrecipe.requirements.resolve import seed_lock

    old = tmp_path / "pylock.toml"
    old.write_text('lock-version = "1.0"\n[[packages]]\nname = "PureLib"\nversion = "1.5"\n'
                   'wheels = [{ url = "http://x/purelib-1.5-py3-none-any.whl", hashes = { sha256 = "ab" } }]\n'
                   '[[packages]]\nname = "other"\nversion = "2.0"\nmarker = "python_version >= \'3.10\'"\n')
    seed = tmp_path / "seed" / "pylock.toml"
    seed.parent.mkdir()
    seed_lock(seed, old, {"purelib": "1.0"})
    packages = tomllib.loads(seed.read_text())["packages"]
    assert packages == [{"name": "purelib", "version": "1.0"},
                        {"name": "other", "version": "2.0", "marker": "python_version >= '3.10'"}]


def test_the_builds_stats_and_report_say_each_packages_origin_and_why(layer: Path, tmp_path: Path, index: tuple[Path, str]) -> None:
    """`pyrecipe report`'s package table: per recipe its origin and why, the requirement set's
    reasons for its packages (the layer's version preferred; no layer recipe and a pure project's
    wheel) and the others' (liba, which purelib's layer recipe needs). Before, it gave the origin
    alone."""
    publish_newer(index)
    build_dir = tmp_path / "build"
    code, stdout, stderr = build(layer, build_dir, requirements(tmp_path, "purelib\nneedsany\n"))
    assert code == 0, stdout[-3000:] + stderr[-3000:]
    [stats] = (build_dir / DEFAULT_DISTRO / "runnerboard" / "buildstats").glob("*.json")
    packages = {package["recipe"]: (package["origin"], package["why"]) for package in json.loads(stats.read_text())["packages"]}
    assert packages == {
        "purelib": ("layer recipe", "layer version 1.0 preferred"),
        "needsany": ("pypi wheel", "no layer recipe; its none-any wheel: a pure-Python project, the same on every board"),
        "liba": ("layer recipe", "a layer provides it"),
    }
    result = pyrecipe_cli("report", "--machine", "runnerboard", "--layer", layer, "--build-dir", build_dir, "-o", tmp_path / "report.html")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "report.html").read_text()
    assert "<th>origin</th><th>why</th>" in html
    assert ("<td>needsany</td><td>3.0</td><td>pypi wheel</td><td>no layer recipe; its none-any wheel: a pure-Python project, "
            "the same on every board</td>") in html
