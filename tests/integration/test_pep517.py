"""pep517: real wheels built by real backends (setuptools with a C extension, flit_core, the
legacy setup.py path, an in-tree backend) in the current interpreter, no isolation."""

from __future__ import annotations

import io
import json
import os
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyrecipe.errors import BuildError, InputError
from pyrecipe.pep517.hooks import (
    LEGACY_BACKEND,
    build_wheel,
    check_requirements,
    parse_config_settings,
    read_build_system,
    require_build_requirements,
)

FIXTURES = Path(__file__).parents[1] / "fixtures"
PYTHON = Path(sys.executable)


def project(name: str, tmp_path: Path) -> Path:
    """A fresh copy of a fixture project (backends write build/ and egg-info into the tree)."""
    return Path(shutil.copytree(FIXTURES / f"pep517_{name}", tmp_path / name))


def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def test_setuptools_c_extension_wheel_builds_and_imports(tmp_path: Path) -> None:
    log = io.StringIO()
    wheel = build_wheel(project("cext", tmp_path), tmp_path / "dist", python=PYTHON, env=dict(os.environ), log=log)
    assert wheel.parent == tmp_path / "dist" and wheel.name.startswith(f"cext_demo-1.0-cp{sys.version_info.major}{sys.version_info.minor}-")
    names = wheel_names(wheel)
    (extension,) = [n for n in names if n.startswith("cext_demo/_speed.") and n.endswith(".so")]
    assert "gcc" in log.getvalue() and "build_wheel with" in log.getvalue()
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    run = subprocess.run([sys.executable, "-c", "import cext_demo; print(cext_demo.add(40, 2))"],
                         cwd=unpacked, capture_output=True, text=True, check=True)
    assert run.stdout == "42\n"
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == [wheel.name]


def test_flit_core_pure_wheel(tmp_path: Path) -> None:
    wheel = build_wheel(project("flit", tmp_path), tmp_path / "dist", python=PYTHON, env=dict(os.environ), log=None)
    assert wheel.name.startswith("flit_demo-2.0-") and wheel.name.endswith("-none-any.whl")
    assert {"flit_demo/__init__.py", "flit_demo-2.0.dist-info/entry_points.txt"} <= wheel_names(wheel)


def test_legacy_setup_py_project_uses_legacy_backend(tmp_path: Path) -> None:
    source = project("legacy", tmp_path)
    assert read_build_system(source).backend == LEGACY_BACKEND
    wheel = build_wheel(source, tmp_path / "dist", python=PYTHON, env=dict(os.environ), log=None)
    assert wheel.name == "legacy_demo-0.3-py3-none-any.whl"
    assert {"legacy_demo/__init__.py", "legacy_demo-0.3.data/scripts/legacy-tool",
            "legacy_demo-0.3.data/headers/legacy_demo.h",
            "legacy_demo-0.3.data/data/share/legacy-demo/readme.txt"} <= wheel_names(wheel)


def test_in_tree_backend_gets_config_settings_and_exactly_our_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYRECIPE_TEST_MARKER", "from the parent process, must not leak")
    settings = parse_config_settings("-Csetup-args=-Dfoo=1 --config-setting=setup-args=-Dbar=2 -Cbuilddir=/b")
    log = io.StringIO()
    wheel = build_wheel(project("intree", tmp_path), tmp_path / "dist", python=PYTHON,
                        env={"PATH": os.environ["PATH"], "PYRECIPE_TEST_MARKER": "given"},
                        config_settings=settings, log=log)
    info = json.loads(zipfile.ZipFile(wheel).read("intree_demo/build_info.json"))
    assert info == {"config_settings": {"setup-args": ["-Dfoo=1", "-Dbar=2"], "builddir": "/b"}, "marker": "given"}
    assert "inhouse backend building intree_demo 0.1" in log.getvalue()


def test_backend_failure_names_backend_and_quotes_output(tmp_path: Path) -> None:
    with pytest.raises(BuildError) as error:
        build_wheel(project("intree", tmp_path), tmp_path / "dist", python=PYTHON, env=dict(os.environ),
                    config_settings={"fail": "compiler exploded in a way you can read"}, log=None)
    message = str(error.value)
    assert "backend inhouse failed (exit code 3)" in message
    assert "compiler exploded in a way you can read" in message
    assert list((tmp_path / "dist").iterdir()) == []


def test_unimportable_backend_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[build-system]\nrequires = []\nbuild-backend = "no_such_backend_xyz"\n')
    with pytest.raises(BuildError, match="backend no_such_backend_xyz cannot be imported by .*No module named 'no_such_backend_xyz'"):
        build_wheel(tmp_path, tmp_path / "dist", python=PYTHON, env=dict(os.environ), log=None)


def test_not_a_project_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="neither pyproject.toml nor setup.py"):
        read_build_system(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[build-system\n")
    with pytest.raises(InputError, match="pyproject.toml: not valid TOML"):
        read_build_system(tmp_path)


def test_check_requirements_reports_only_unsatisfied(tmp_path: Path) -> None:
    assert check_requirements(project("cext", tmp_path), PYTHON, dict(os.environ)) == []
    source = project("intree", tmp_path)
    (source / "pyproject.toml").write_text(
        '[build-system]\nbuild-backend = "inhouse"\nbackend-path = ["_backend"]\nrequires = [\n'
        '  "setuptools>=1", "setuptools>=9999", "surely-not-installed-pkg-xyz>=1",\n'
        '  "another-missing-pkg; python_version < \'3\'",\n]\n'
    )
    missing = check_requirements(source, PYTHON, dict(os.environ), {"require": "dynamic-missing-pkg-xyz"})
    setuptools_version = subprocess.run([sys.executable, "-c", "import setuptools; print(setuptools.__version__)"],
                                        capture_output=True, text=True, check=True).stdout.strip()
    assert missing == [
        f"setuptools>=9999 (found {setuptools_version})",
        "surely-not-installed-pkg-xyz>=1 (not installed)",
        "dynamic-missing-pkg-xyz (not installed)",
    ]
    with pytest.raises(BuildError, match="missing from .*surely-not-installed-pkg-xyz>=1 \\(not installed\\)"):
        require_build_requirements(source, PYTHON, dict(os.environ))


def test_parse_config_settings_spellings() -> None:
    assert parse_config_settings(
        '-Csetup-args=--cross-file=/x.ini -C setup-args=-Dblas=openblas '
        '--config-setting=build-dir=/tmp/b --config-setting "setup-args=-Dlapack=openblas" -Cflag'
    ) == {"setup-args": ["--cross-file=/x.ini", "-Dblas=openblas", "-Dlapack=openblas"],
          "build-dir": "/tmp/b", "flag": ""}
    assert parse_config_settings("") == {}
    with pytest.raises(InputError, match="unknown option '--no-isolation'"):
        parse_config_settings("--no-isolation")
    with pytest.raises(InputError, match="'-C' needs a key=value"):
        parse_config_settings("-C")


_KEYS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_.", min_size=1, max_size=12)
_VALUES = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)


@given(st.lists(st.tuples(_KEYS, _VALUES), max_size=8))
def test_parse_config_settings_round_trips_any_quoted_settings(pairs: list[tuple[str, str]]) -> None:
    """Whatever the values hold (spaces, quotes, '='), shell-quoted options parse back, repeats as lists."""
    options = " ".join(shlex.join([f"-C{key}={value}"]) for key, value in pairs)
    expected: dict[str, list[str]] = {}
    for key, value in pairs:
        expected.setdefault(key, []).append(value)
    assert parse_config_settings(options) == {k: v[0] if len(v) == 1 else v for k, v in expected.items()}


def _frontend_build(source: Path, wheel_dir: Path, mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pyrecipe.pep517.frontend", "build-wheel", "--python", sys.executable,
         "--wheel-dir", str(wheel_dir), "--check-requirements", mode, str(source)],
        capture_output=True, text=True, check=False,
    )


@pytest.mark.parametrize("mode", ["warn", "error"])
def test_frontend_names_unsatisfied_build_requirements(tmp_path: Path, mode: str) -> None:
    source = project("flit", tmp_path)
    text = (source / "pyproject.toml").read_text()
    (source / "pyproject.toml").write_text(text.replace("requires = [", 'requires = ["surely-not-installed-pkg-xyz>=2", ', 1))
    result = _frontend_build(source, tmp_path / "dist", mode)
    if mode == "warn":  # the build goes on: the pinned tools usually do the job anyway
        assert result.returncode == 0, result.stderr
        assert "WARNING: build requirement not satisfied by the native environment: " \
               "surely-not-installed-pkg-xyz>=2 (not installed)" in result.stdout
        assert [p.suffix for p in (tmp_path / "dist").iterdir()] == [".whl"]
    else:
        assert result.returncode == 1
        assert "surely-not-installed-pkg-xyz>=2 (not installed)" in result.stderr and "Traceback" not in result.stderr
        assert not (tmp_path / "dist").exists() or not any((tmp_path / "dist").iterdir())


def test_recipes_run_the_frontend_of_this_checkout_not_an_installed_pyrecipe(tmp_path: Path) -> None:
    """PYRECIPE_FRONTEND as a pep517 recipe expands it, run where a task runs (its own cwd), with
    another ``pyrecipe`` package first on PYTHONPATH: the checkout's frontend must still be the one."""
    recipe = FIXTURES / "cross_layer/recipes-test/hello-codegen/python3-hello-tables_1.0.bb"
    shown = subprocess.run(
        # The host's interpreter runs the frontend on bookworm (a build-root distro's runs in its root).
        [sys.executable, "-m", "pyrecipe", "env", str(recipe), "--machine", "runnerboard", "--distro", "debian-bookworm", "--json",
         "--layer", str(FIXTURES / "reliability_layer"), "--build-dir", str(tmp_path / "build")],
        capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2],
    )
    frontend = json.loads(shown.stdout.splitlines()[0])["vars"]["PYRECIPE_FRONTEND"]
    shadow = tmp_path / "shadow" / "pyrecipe"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('the installed pyrecipe was imported')\n")
    task_cwd = tmp_path / "work"
    task_cwd.mkdir()
    result = subprocess.run(
        [*shlex.split(frontend), "install-wheel", "--destdir", str(tmp_path / "image"),
         "--python-version", "{}.{}".format(*sys.version_info[:2]), str(tmp_path / "no-wheel")],
        capture_output=True, text=True, cwd=task_cwd, env={**os.environ, "PYTHONPATH": str(shadow.parent)},
    )
    assert "the installed pyrecipe was imported" not in result.stderr, result.stderr
    assert result.returncode == 1 and "ERROR:" in result.stderr and "no-wheel" in result.stderr, result.stderr
