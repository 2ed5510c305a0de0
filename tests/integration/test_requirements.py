"""`-r` requirement sets against a PyPI of our own (served on 127.0.0.1): `pyrecipe lock` writes a
PEP 751 lock with uv's resolver for the board, `deps -r` and `build -r -n` take each locked
package from a layer's recipe of that version or from PyPI at exactly that version, and every
bad input stops with one message and exit 2 before anything is built.

The machine is the runner test board (the build machine itself, x86_64, the default distro's
CPython X.Y); the cross build of a requirement set is in tests/cross/test_requirements_cross.py.
"""

from __future__ import annotations

import hashlib
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from http_support import serve_directory
from parse_support import write_files
from pypi_support import Published, publish, runner_cli, sdist, wheel, write_requirements
from pyrecipe.config.configuration import DEFAULT_DISTRO

RUNNER_LAYER = Path(__file__).parents[1] / "fixtures" / "runner_layer"
CEXT_PYPROJECT = (
    '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
    '[project]\nname = "cext"\nversion = "0.4"\nlicense = "MIT"\n'
)
PURELIB_1_0 = wheel("purelib", "1.0")


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("pypi")
    with serve_directory(root) as url:
        publish(root, url, "purelib", [
            PURELIB_1_0,
            wheel("purelib", "1.5", requires=["cext>=0.3", "armhelper; platform_machine == 'aarch64'"]),
        ])
        publish(root, url, "cext", [sdist("cext", "0.4", {"pyproject.toml": CEXT_PYPROJECT, "cext/__init__.py": ""})])
        publish(root, url, "armhelper", [wheel("armhelper", "1.0")])
        # a pure fallback wheel beside compiled ones: the board gets the compiled code, from the sdist
        publish(root, url, "speedy", [
            wheel("speedy", "3.0"), Published("speedy-3.0-cp313-cp313-manylinux_2_17_x86_64.whl", wheel("speedy", "3.0").data),
            sdist("speedy", "3.0", {"pyproject.toml": CEXT_PYPROJECT.replace('"cext"', '"speedy"').replace('"0.4"', '"3.0"')}),
        ])
        # a release with nothing pyrecipe can build from: one platform wheel
        publish(root, url, "binonly", [Published("binonly-2.0-cp313-cp313-manylinux_2_17_x86_64.whl", wheel("binonly", "2.0").data)])
        yield f"{url}/simple"


@pytest.fixture
def layer(tmp_path: Path, index: str) -> Path:
    """The runner layer, asking our index; with a layer recipe of purelib 1.0 (the published wheel)."""
    copy = tmp_path / "layer"
    shutil.copytree(RUNNER_LAYER / "conf", copy / "conf")
    with (copy / "conf" / "layer.conf").open("a") as conf:
        conf.write(f'PYPI_INDEX_URL = "{index}"\n')
    sha = hashlib.sha256(PURELIB_1_0.data).hexdigest()
    write_files(copy, {"recipes-python/purelib/purelib_1.0.bb": (
        'LICENSE = "MIT"\ninherit pypi_wheel\nPYPI_PACKAGE = "purelib"\nPYPI_WHEEL_NAME = "purelib"\n'
        f'PYPI_SRC_URI = "{index.removesuffix("/simple")}/files/purelib/{PURELIB_1_0.filename}"\n'
        f'SRC_URI[sha256sum] = "{sha}"\nPROVIDES = "python3-purelib"\n'
    )})
    return copy


def test_lock_resolves_for_the_board_with_hashes(layer: Path, tmp_path: Path, index: str) -> None:
    wanted = write_requirements(tmp_path, "purelib>=1.1\n")
    out = tmp_path / "pylock.toml"
    code, stdout, stderr = runner_cli("lock", layer, tmp_path / "build", "-r", wanted, "-o", out)
    assert code == 0, stderr
    assert "cext==0.4" in stdout and "purelib==1.5" in stdout
    lock = tomllib.loads(out.read_text())
    packages = {p["name"]: p for p in lock["packages"]}
    assert packages["purelib"]["version"] == "1.5"
    published = index.removesuffix("/simple")
    cext = (Path(packages["cext"]["sdist"]["url"].replace(published, "")))
    assert cext.name == "cext-0.4.tar.gz"
    assert "armhelper" not in packages  # its marker is false on x86_64, and uv resolved for x86_64
    assert not list(out.parent.glob(".pylock.tmp-*"))


def test_deps_and_a_dry_run_take_a_layer_recipe_of_the_locked_version(layer: Path, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    code, stdout, stderr = runner_cli("deps", layer, build_dir, "-r", write_requirements(tmp_path, "purelib==1.0\n"))
    assert code == 0, stderr
    assert stdout.splitlines()[0] == "purelib 1.0"
    assert not (build_dir / DEFAULT_DISTRO / "generated" / "recipes" / "purelib").exists()  # the layer's recipe
    code, stdout, stderr = runner_cli("build", layer, build_dir, "-n", "-r", write_requirements(tmp_path, "purelib==1.0\n"))
    assert code == 0, stderr
    assert "purelib: do_install" in stdout


def test_another_version_than_the_layers_comes_from_pypi(layer: Path, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    code, stdout, stderr = runner_cli("deps", layer, build_dir, "-r", write_requirements(tmp_path, "purelib==1.5\n"))
    assert code == 0, stderr
    lines = stdout.splitlines()
    assert lines[0] == "cext 0.4" and "purelib 1.5" in lines, lines
    generated = build_dir / DEFAULT_DISTRO / "generated" / "recipes"
    assert (generated / "purelib" / "purelib_1.5.bb").is_file() and (generated / "cext" / "cext_0.4.bb").is_file()


def test_show_prints_the_recipes_of_the_set(layer: Path, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    code, stdout, stderr = runner_cli("show", layer, build_dir, "-r", write_requirements(tmp_path, "purelib==1.5\n"))
    assert code == 0, stderr
    recipe = build_dir / DEFAULT_DISTRO / "generated" / "recipes" / "purelib" / "purelib_1.5.bb"
    assert f"# purelib 1.5: {recipe}\n" in stdout
    assert recipe.read_text() in stdout and "# cext 0.4: " in stdout


def test_pyproject_dependencies_and_a_lock_give_the_same_set(layer: Path, tmp_path: Path) -> None:
    project = write_requirements(tmp_path, '[project]\nname = "myapp"\nversion = "1"\ndependencies = ["purelib==1.5"]\n', "pyproject.toml")
    out = tmp_path / "pylock.toml"
    code, _, stderr = runner_cli("lock", layer, tmp_path / "build", "-r", project, "-o", out)
    assert code == 0, stderr
    from_project = runner_cli("deps", layer, tmp_path / "build", "-r", project)
    from_lock = runner_cli("deps", layer, tmp_path / "build", "-r", out)
    assert from_project[0] == from_lock[0] == 0, from_project[2] + from_lock[2]
    assert from_project[1] == from_lock[1]


def test_a_lock_whose_hash_the_index_does_not_serve(layer: Path, tmp_path: Path) -> None:
    out = tmp_path / "pylock.toml"
    assert runner_cli("lock", layer, tmp_path / "build", "-r", write_requirements(tmp_path, "purelib==1.5\n"), "-o", out)[0] == 0
    text = out.read_text()
    real = tomllib.loads(text)["packages"][1]["wheels"][0]["hashes"]["sha256"]
    out.write_text(text.replace(real, "0" * 64))
    build_dir = tmp_path / "build2"
    code, _, stderr = runner_cli("build", layer, build_dir, "-r", out)
    assert code == 2
    assert f"the lock allows {'0' * 64}" in stderr and f"fetches a file of sha256 {real}" in stderr, stderr
    assert "purelib 1.5" in stderr and "Traceback" not in stderr
    assert not (build_dir / DEFAULT_DISTRO / "runnerboard" / "work").exists()  # nothing built


@pytest.mark.parametrize(("text", "said"), [
    ("no-such-project-here\n", "no-such-project-here"),
    ("purelib ; bogus_marker == 'x'\n", "bogus_marker"),
    ("binonly==2.0\n", "binonly"),
])
def test_bad_requirements_stop_before_anything_is_built(layer: Path, tmp_path: Path, text: str, said: str) -> None:
    build_dir = tmp_path / "build"
    code, stdout, stderr = runner_cli("build", layer, build_dir, "-r", write_requirements(tmp_path, text))
    assert code == 2, stdout + stderr
    assert stderr.startswith("pyrecipe: error: ") and said in stderr and "Traceback" not in stderr, stderr
    assert not (build_dir / DEFAULT_DISTRO / "runnerboard" / "work").exists()



@pytest.mark.xfail(strict=True, reason="known failure (issue 26): a project with nothing to build from for the board "
                   "(torch: no sdist, no board wheel) stops a -k requirement set before anything is built")
def test_with_keep_going_a_project_with_nothing_to_build_fails_alone(layer: Path, tmp_path: Path) -> None:
    """The top-60 yardstick stopped whole on torch (exit 2, nothing built): with ``-k``, as with
    any failing recipe, the others build and the project is named as failed (exit 1)."""
    build_dir = tmp_path / "build"
    code, stdout, stderr = runner_cli("build", layer, build_dir, "-k", "-r", write_requirements(tmp_path, "purelib\nbinonly==2.0\n"))
    assert code == 1 and "binonly" in stderr, stdout + stderr
    assert (build_dir / DEFAULT_DISTRO / "runnerboard" / "work").is_dir(), stdout + stderr

def test_a_missing_requirements_file(layer: Path, tmp_path: Path) -> None:
    code, _, stderr = runner_cli("build", layer, tmp_path / "build", "-r", tmp_path / "nope.txt")
    assert code == 2 and f"-r {tmp_path / 'nope.txt'}: no such file" in stderr, stderr


def test_a_project_with_compiled_wheels_is_built_from_its_sdist(layer: Path, tmp_path: Path) -> None:
    """Its none-any wheel is the fallback without the compiled speed-ups (frozenlist, yarl)."""
    build_dir = tmp_path / "build"
    code, stdout, stderr = runner_cli("deps", layer, build_dir, "-r", write_requirements(tmp_path, "speedy\n"))
    assert code == 0, stderr
    recipe = build_dir / DEFAULT_DISTRO / "generated" / "recipes" / "speedy" / "speedy_3.0.bb"
    assert stdout.splitlines()[0] == "speedy 3.0", stdout
    assert "inherit pypi python_setuptools_build_meta" in recipe.read_text()
