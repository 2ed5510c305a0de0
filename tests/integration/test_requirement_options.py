"""pip's requirement-file options, end to end (issue 26): ``--extra-index-url`` (a private
index), ``--index-url``, ``-c``/``--constraint``, ``--no-binary``, ``--require-hashes``, in a file
and on pyrecipe's command line; ``--find-links`` refused; a token in an index URL never shown.

Two indexes of our own (tests/pypi_support.py) on 127.0.0.1: the public one (the layer's
PYPI_INDEX_URL) and a "private" one that alone has ``secretlib``. The machine is the runner test
board (the build machine's own tools, no cross toolchain).
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from http_support import serve_directory
from parse_support import write_files
from pypi_support import publish, runner_cli, runner_layer, sdist, wheel, write_requirements
from pyrecipe.config.configuration import DEFAULT_DISTRO

PURELIB_1_0 = wheel("purelib", "1.0")
SECRET = "s3cretT0ken"
BOTH_PYPROJECT = (
    '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
    '[project]\nname = "both"\nversion = "2.0"\nlicense = "MIT"\n'
)


@pytest.fixture
def public(tmp_path: Path) -> Iterator[str]:
    """The public index: purelib 0.9, 1.0 (the layer's) and 1.5; ``both`` as a none-any wheel and an sdist."""
    root = tmp_path / "public"
    with serve_directory(root) as url:
        publish(root, url, "purelib", [wheel("purelib", "0.9"), PURELIB_1_0, wheel("purelib", "1.5")])
        publish(root, url, "both", [wheel("both", "2.0"), sdist("both", "2.0", {"pyproject.toml": BOTH_PYPROJECT})])
        yield url


@pytest.fixture
def private(tmp_path: Path) -> Iterator[str]:
    """The private index: secretlib 2.0 (needs purelib), which the public one does not have."""
    root = tmp_path / "private"
    with serve_directory(root) as url:
        publish(root, url, "secretlib", [wheel("secretlib", "2.0", requires=["purelib"])])
        publish(root, url, "secretsrc", [sdist("secretsrc", "1.0", {"pyproject.toml": BOTH_PYPROJECT.replace('"both"', '"secretsrc"')
                                                                    .replace('"2.0"', '"1.0"')})])
        yield url


@pytest.fixture
def layer(tmp_path: Path, public: str) -> Path:
    copy = runner_layer(tmp_path / "layer", f"{public}/simple")
    write_files(copy, {"recipes-python/purelib/purelib_1.0.bb": (
        'LICENSE = "MIT"\ninherit pypi_wheel\nPYPI_PACKAGE = "purelib"\nPYPI_WHEEL_NAME = "purelib"\n'
        f'PYPI_SRC_URI = "{public}/files/purelib/{PURELIB_1_0.filename}"\n'
        f'SRC_URI[sha256sum] = "{hashlib.sha256(PURELIB_1_0.data).hexdigest()}"\n'
    )})
    return copy


def with_token(url: str) -> str:
    return url.replace("http://", f"http://builder:{SECRET}@")


def generated(build_dir: Path, name: str, version: str) -> Path:
    return build_dir / DEFAULT_DISTRO / "generated" / "recipes" / name / f"{name}_{version}.bb"


def locked(lock: Path) -> dict[str, dict[str, object]]:
    return {entry["name"]: entry for entry in tomllib.loads(lock.read_text())["packages"]}


def files_holding(root: Path, text: str) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file() and text.encode() in path.read_bytes()]


def test_a_project_only_on_a_private_index_is_built_from_there(layer: Path, tmp_path: Path, private: str) -> None:
    """`--extra-index-url` in the file: uv resolved secretlib from the private index, but the
    recipe generator asked PYPI_INDEX_URL alone and the build stopped on a project "not on PyPI"."""
    build_dir = tmp_path / "build"
    wanted = write_requirements(tmp_path, f"--extra-index-url {private}/simple\nsecretlib\n")
    code, stdout, stderr = runner_cli("build", layer, build_dir, "-c", "compile", "-r", wanted)
    assert code == 0, stderr
    recipe = generated(build_dir, "secretlib", "2.0").read_text()
    assert f"{private}/files/secretlib/secretlib-2.0-py3-none-any.whl" in recipe, recipe
    assert "secretlib" in stdout and "purelib" in stdout, stdout


def test_an_sdist_only_on_a_private_index_is_fetched_from_there(layer: Path, tmp_path: Path, private: str) -> None:
    """The recipe generated for a private index's sdist fetched PyPI's /packages/source/ address
    (the pypi class's), then PyPI's simple index: neither has it. Generating the recipe put the
    sdist in DL_DIR; gone from there (a cleaned DL_DIR, another machine), it was not fetched again."""
    build_dir = tmp_path / "build"
    wanted = write_requirements(tmp_path, f"--extra-index-url {private}/simple\nsecretsrc\n")
    code, _, stderr = runner_cli("deps", layer, build_dir, "-r", wanted)
    assert code == 0, stderr
    for path in build_dir.rglob("secretsrc-1.0.tar.gz"):
        path.unlink()
    code, stdout, stderr = runner_cli("build", layer, build_dir, "-c", "fetch", "-r", wanted)
    assert code == 0, stderr
    assert f'PYPI_SRC_URI = "{private}/files/secretsrc/secretsrc-1.0.tar.gz' in generated(build_dir, "secretsrc", "1.0").read_text()
    assert list(build_dir.rglob("secretsrc-1.0.tar.gz")), stdout


def test_a_token_in_an_index_url_is_never_shown_nor_written(layer: Path, tmp_path: Path, private: str) -> None:
    """`--extra-index-url https://user:token@host/simple` on the command line: the build takes
    the private project, and the token is in no output, no lock, no recipe, no log."""
    build_dir = tmp_path / "build"
    code, stdout, stderr = runner_cli("build", layer, build_dir, "-c", "compile", "-r", write_requirements(tmp_path, "secretlib\n"),
                               "--extra-index-url", with_token(f"{private}/simple"))
    assert code == 0, stderr
    assert SECRET not in stdout + stderr
    assert generated(build_dir, "secretlib", "2.0").is_file()
    assert files_holding(build_dir, SECRET) == []


def test_a_token_in_a_refused_find_links_line_is_masked(layer: Path, tmp_path: Path, private: str) -> None:
    """`--find-links` (a flat page of archives the build cannot fetch from) is refused, and the
    refusal quoted the line with its token."""
    wanted = write_requirements(tmp_path, f"--find-links {with_token(private)}/files/\nsecretlib\n")
    code, stdout, stderr = runner_cli("lock", layer, tmp_path / "build", "-r", wanted, "-o", tmp_path / "pylock.toml")
    assert code == 2, stderr
    assert "--find-links" in stderr and "--extra-index-url" in stderr, stderr
    assert SECRET not in stdout + stderr, stderr
    assert "builder:***@" in stderr, stderr


def test_a_constraints_file_on_the_command_line_constrains_the_version(layer: Path, tmp_path: Path) -> None:
    """`pyrecipe lock -c constraints.txt` as pip's -c: purelib held below the layer's 1.0."""
    constraints = write_requirements(tmp_path, "purelib<1.0\n", "constraints.txt")
    out = tmp_path / "pylock.toml"
    code, stdout, stderr = runner_cli("lock", layer, tmp_path / "build", "-r", write_requirements(tmp_path, "purelib\n"), "-c", constraints, "-o", out)
    assert code == 0, stderr
    assert locked(out)["purelib"]["version"] == "0.9", out.read_text()


def test_a_constraints_file_reaches_the_build(layer: Path, tmp_path: Path) -> None:
    """`pyrecipe build --constraint FILE -r ...`: the build takes the constrained version."""
    constraints = write_requirements(tmp_path, "purelib==1.5\n", "constraints.txt")
    build_dir = tmp_path / "build"
    code, stdout, stderr = runner_cli("deps", layer, build_dir, "-r", write_requirements(tmp_path, "purelib\n"), "--constraint", constraints)
    assert code == 0, stderr
    assert stdout.splitlines()[0] == "purelib 1.5", stdout


def test_no_binary_builds_the_sdist_where_a_none_any_wheel_exists(layer: Path, tmp_path: Path) -> None:
    """`--no-binary both`: uv's lock holds only the sdist, and the generated recipe took the
    none-any wheel anyway (then stopped on the lock's hash)."""
    build_dir = tmp_path / "build"
    code, stdout, stderr = runner_cli("deps", layer, build_dir, "-r", write_requirements(tmp_path, "--no-binary both\nboth\n"))
    assert code == 0, stderr
    recipe = generated(build_dir, "both", "2.0").read_text()
    assert "both-2.0.tar.gz" in recipe and ".whl" not in recipe, recipe


def test_no_binary_regenerates_a_wheel_recipe_generated_before(layer: Path, tmp_path: Path) -> None:
    """The set built once with `both`'s none-any wheel, then with `--no-binary both`: the recipe
    generated before (the wheel's) was taken again and the set stopped on the lock's hash."""
    build_dir = tmp_path / "build"
    code, _, stderr = runner_cli("deps", layer, build_dir, "-r", write_requirements(tmp_path, "both\n"))
    assert code == 0, stderr
    assert ".whl" in generated(build_dir, "both", "2.0").read_text()
    code, _, stderr = runner_cli("deps", layer, build_dir, "-r", write_requirements(tmp_path, "--no-binary both\nboth\n"))
    assert code == 0, stderr
    recipe = generated(build_dir, "both", "2.0").read_text()
    assert "both-2.0.tar.gz" in recipe and ".whl" not in recipe, recipe


@pytest.mark.parametrize("where", ["file", "command line"])
def test_require_hashes_without_hashes_is_refused(layer: Path, tmp_path: Path, where: str) -> None:
    """`--require-hashes` with no `--hash` pin: pip refuses the set; the lock was written."""
    text = "--require-hashes\npurelib\n" if where == "file" else "purelib\n"
    extra = ["--require-hashes"] if where == "command line" else []
    out = tmp_path / "pylock.toml"
    code, stdout, stderr = runner_cli("lock", layer, tmp_path / "build", "-r", write_requirements(tmp_path, text), *extra, "-o", out)
    assert code == 2, stderr
    assert "purelib 1.0 has no --hash pin" in stderr, stderr
    assert not out.exists()
