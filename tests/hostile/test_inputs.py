"""Classes 8 and 9 of issue 25, the user's own inputs: requirement files and the command line.

A requirements file names what to build, never a project whose build backend runs on the build
machine while it is resolved, and its ``--hash`` pins are kept, not replaced by the index's. A
command line names machines, distros, layers, directories, URLs and recipes: each is checked
for what it must be, and anything else is a usage error (exit 2) that says what was wrong,
before anything is provisioned, written or deleted: never a traceback, never silence.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from http_support import serve_directory
from pypi_support import publish, sdist, wheel
from pyrecipe.config.configuration import check_build_dir
from pyrecipe.errors import InputError
from reliability_support import MACHINE, TOPDIR, assert_clean_error, build_env

pytestmark = pytest.mark.hostile


def _pyrecipe(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyrecipe", *args], capture_output=True, text=True,
                          cwd=cwd or TOPDIR, env=env or build_env(), timeout=300)


def _on_layer(layer: Path, build_dir: Path, *args: str) -> tuple[str, ...]:
    return (*args, "--layer", str(layer), "--machine", MACHINE, "--build-dir", str(build_dir))


# ---------------------------------------------------------------- 9: machine and distro names


@pytest.mark.parametrize("option", ["--machine", "--distro"])
def test_a_machine_or_distro_is_a_name_not_a_path(layer: Path, tmp_path: Path, option: str) -> None:
    """Escape: ``--machine ../../toolchains/machine/raspberrypi4`` reached a conf file outside the
    conf directories and provisioned 563 MB outside the build directory. A name with a ``/``
    is refused before anything is read, listing the known names."""
    build_dir = tmp_path / "build"
    value = "../../toolchains/machine/raspberrypi4" if option == "--machine" else "../../toolchains/distro/debian-trixie"
    args = ["env", "failing", "--layer", str(layer), "--build-dir", str(build_dir), option, value]
    if option == "--distro":
        args += ["--machine", MACHINE]

    result = _pyrecipe(*args)

    assert_clean_error(result, 2)
    kind = option.removeprefix("--")
    assert f"{kind} {value!r} is not a {kind} name" in result.stderr, result.stderr
    assert ("raspberrypi4" if kind == "machine" else "debian-trixie") in result.stderr  # the known names


# ---------------------------------------------------------------- 9: the build directory


@pytest.mark.parametrize("directory", ["/", "/usr", "/etc", "/usr/src/build", "/proc/self/x"])
def test_a_system_directory_is_no_build_directory(directory: str) -> None:
    """Escape: ``--build-dir /`` was accepted (a build writes conf/, cache/, downloads/ and work
    directories into it). Checked on the function every command calls, since running a command
    on the old code with / would write there."""
    with pytest.raises(InputError, match="a directory of the system or your home directory itself"):
        check_build_dir(Path(directory))


def test_the_home_directory_itself_is_no_build_directory(layer: Path, tmp_path: Path) -> None:
    """Escape: ``--build-dir ~`` spread cache/, downloads/ and conf/ over the user's home. Home
    is a temporary directory here; a directory below it is fine."""
    home = tmp_path / "home"
    home.mkdir()
    env = dict(build_env(), HOME=str(home))

    result = _pyrecipe(*_on_layer(layer, home, "env", "failing"), env=env)

    assert_clean_error(result, 2)
    assert "a directory of the system or your home directory itself" in result.stderr
    assert sorted(os.listdir(home)) == []
    below = _pyrecipe(*_on_layer(layer, home / "build", "env", "failing"), env=env)
    assert below.returncode == 0, below.stderr


def test_init_into_proc_or_through_a_file_is_a_usage_error(tmp_path: Path) -> None:
    """Escape: ``init /proc/self/x`` ended in an internal error (FileNotFoundError); a path
    through a regular file did too (NotADirectoryError)."""
    (tmp_path / "file").write_text("")
    for directory in ("/proc/self/x", str(tmp_path / "file" / "build")):
        result = _pyrecipe("init", directory)
        assert_clean_error(result, 2)
        assert "pyrecipe: error:" in result.stderr


# ---------------------------------------------------------------- 9: layers


def test_a_directory_that_is_no_layer_is_an_error(layer: Path, tmp_path: Path) -> None:
    """Escape: ``--layer DIR`` with neither conf/layer.conf nor recipes was silently ignored
    (its recipes were never found, or it was the wrong directory)."""
    empty = tmp_path / "not-a-layer"
    empty.mkdir()

    result = _pyrecipe("env", "failing", "--layer", str(layer), "--layer", str(empty), "--machine", MACHINE,
                       "--build-dir", str(tmp_path / "build"))

    assert_clean_error(result, 2)
    assert f"{empty} is not a layer" in result.stderr, result.stderr


def test_a_layer_with_white_space_in_its_path_is_an_error(layer: Path, tmp_path: Path) -> None:
    """Escape: a layer at ``my layer/`` was split in two by BBLAYERS and BBFILES and silently
    ignored: its recipes were "not found"."""
    spaced = tmp_path / "my layer"
    layer.rename(spaced)

    result = _pyrecipe(*_on_layer(spaced, tmp_path / "build", "env", "failing"))

    assert_clean_error(result, 2)
    assert "has white space in its path" in result.stderr, result.stderr


def test_a_layer_in_bblayers_without_recipes_is_an_error(layer: Path, tmp_path: Path) -> None:
    """The same check for a layer named in conf/bblayers.conf (not only --layer)."""
    build_dir = tmp_path / "build"
    (build_dir / "conf").mkdir(parents=True)
    (build_dir / "conf" / "bblayers.conf").write_text(f'BBLAYERS = "{layer} {tmp_path}"\n')

    result = _pyrecipe("env", "failing", "--machine", MACHINE, "--build-dir", str(build_dir))

    assert_clean_error(result, 2)
    assert f"{tmp_path} is not a layer" in result.stderr, result.stderr


# ---------------------------------------------------------------- 9: sstate, deps, build


@pytest.mark.parametrize("days", ["-5", "nan", "-inf"])
def test_prune_refuses_a_negative_age(tmp_path: Path, days: str) -> None:
    """Escape: ``sstate prune --keep-days -5`` removed every archive (all were "older" than a
    date in the future)."""
    build_dir = tmp_path / "build"
    sstate_dir = build_dir / "sstate-cache" / "ab"
    sstate_dir.mkdir(parents=True)
    kept = sstate_dir / "sstate:x:aarch64:1.0:r0:ab12.tar.zst"
    kept.write_bytes(b"archive")

    result = _pyrecipe("sstate", "prune", f"--keep-days={days}", "--build-dir", str(build_dir))

    assert_clean_error(result, 2)
    assert "--keep-days" in result.stderr
    assert kept.read_bytes() == b"archive"


@pytest.mark.parametrize("url", ["notaurl", "file:///etc", "ftp://host/x", "http://"])
def test_push_refuses_what_is_no_http_url(tmp_path: Path, url: str) -> None:
    """Escape: ``sstate push notaurl`` reported success ("Pushed 0 archive(s)") or ended in an
    internal error, depending on the shared state present."""
    result = _pyrecipe("sstate", "push", url, "--build-dir", str(tmp_path / "build"))

    assert_clean_error(result, 2)
    assert "is not an http(s)://host/... URL" in result.stderr, result.stderr


def test_deps_dot_into_a_missing_directory_is_a_usage_error(layer: Path, tmp_path: Path) -> None:
    """Escape: ``deps --dot missing/dir/graph.dot`` made the directories (any, as root) or
    ended in an internal error where it could not; a directory given as FILE did too."""
    missing = tmp_path / "missing" / "dir" / "graph.dot"
    for dot in (missing, tmp_path):
        result = _pyrecipe(*_on_layer(layer, tmp_path / "build", "deps", "failing", "--dot", str(dot)))
        assert_clean_error(result, 2)
        assert f"--dot {dot}:" in result.stderr, result.stderr
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize("name", ["x;y z", "", "../x", "a\nb"])
def test_a_recipe_name_is_checked_before_it_reaches_an_url(layer: Path, tmp_path: Path, name: str) -> None:
    """Escape: ``build 'x;y z'`` went to PyPI's index as a URL and ended in an internal error
    (InvalidURL)."""
    result = _pyrecipe(*_on_layer(layer, tmp_path / "build", "build", name))

    assert_clean_error(result, 2)
    assert "is not a recipe name" in result.stderr, result.stderr


def test_nothing_to_build_and_an_empty_task_are_usage_errors(layer: Path, tmp_path: Path) -> None:
    """Found probing: ``build`` with no recipe exited 1 (a build failure), and ``--cmd ''`` ran
    the whole build as if no task had been named."""
    nothing = _pyrecipe(*_on_layer(layer, tmp_path / "build", "build"))
    assert_clean_error(nothing, 2)
    empty_task = _pyrecipe(*_on_layer(layer, tmp_path / "build", "build", "failing", "--cmd", ""))
    assert_clean_error(empty_task, 2)
    assert "is not a task name" in empty_task.stderr


def test_destdir_is_not_the_build_machine_itself(layer: Path, tmp_path: Path) -> None:
    """Found probing: ``build --destdir /`` would install the target's files over the build
    machine's own once the build succeeded; refused before anything runs."""
    result = _pyrecipe(*_on_layer(layer, tmp_path / "build", "build", "failing", "--destdir", "/"))

    assert_clean_error(result, 2)
    assert "--destdir / is" in result.stderr
    assert not (tmp_path / "build" / "cache").exists()


# ---------------------------------------------------------------- 8: requirement files

#: An in-tree PEP 517 backend that leaves a mark on the build machine when anything imports it:
#: what a hostile local project's setup.py would do, without needing setuptools from the index.
MARKING_BACKEND = "import pathlib\npathlib.Path({mark!r}).write_text('the backend ran')\n"
MARKING_PYPROJECT = ('[build-system]\nrequires = []\nbuild-backend = "marking_backend"\nbackend-path = ["."]\n'
                     '[project]\nname = "localproj"\nversion = "1.0"\ndynamic = ["dependencies"]\n')

#: A backend that makes the read-only view of the build machine writable again with mount(2)
#: (MS_REMOUNT|MS_BIND, no MS_RDONLY: what root's capabilities allow), then marks the machine.
REMOUNTING_BACKEND = ("import ctypes, pathlib\n"
                      "libc = ctypes.CDLL(None, use_errno=True)\n"
                      "libc.mount(b'none', b'/', None, 32 | 4096, None)\n"
                      "pathlib.Path({mark!r}).write_text('remounted and wrote')\n")

PURELIB_WHEEL = wheel("purelib", "1.0")
PURELIB_SDIST = sdist("purelib", "1.0", {"pyproject.toml": '[project]\nname = "purelib"\nversion = "1.0"\n'})
NEEDY_WHEEL = wheel("needy", "1.0", requires=["purelib"])


@pytest.fixture(scope="module")
def index_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pypi")


@pytest.fixture(scope="module")
def index(index_root: Path) -> Iterator[str]:
    """A PyPI of our own: purelib 1.0 as a wheel and an sdist, needy 1.0 needing purelib, and
    dynproj 1.0, an sdist whose dependencies are dynamic and whose backend marks the machine
    (at ``<index root>/dynproj-backend-ran``)."""
    root = index_root
    with serve_directory(root) as url:
        publish(root, url, "purelib", [PURELIB_WHEEL, PURELIB_SDIST])
        publish(root, url, "needy", [NEEDY_WHEEL])
        publish(root, url, "dynproj", [sdist("dynproj", "1.0", {
            "pyproject.toml": MARKING_PYPROJECT.replace("localproj", "dynproj"),
            "marking_backend.py": MARKING_BACKEND.format(mark=str(root / "dynproj-backend-ran")),
        })])
        publish(root, url, "remountproj", [sdist("remountproj", "1.0", {
            "pyproject.toml": MARKING_PYPROJECT.replace("localproj", "remountproj").replace("marking_backend", "remounting_backend"),
            "remounting_backend.py": REMOUNTING_BACKEND.format(mark=str(root / "remountproj-backend-ran")),
        })])
        yield f"{url}/simple"


@pytest.fixture
def pypi_layer(layer: Path, index: str) -> Path:
    with (layer / "conf" / "layer.conf").open("a") as conf:
        conf.write(f'PYPI_INDEX_URL = "{index}"\n')
    return layer


def _local_project(tmp_path: Path) -> tuple[Path, Path]:
    """A local project whose build backend marks the build machine; (project, mark)."""
    project, mark = tmp_path / "localproj", tmp_path / "backend-ran"
    project.mkdir()
    (project / "marking_backend.py").write_text(MARKING_BACKEND.format(mark=str(mark)))
    (project / "pyproject.toml").write_text(MARKING_PYPROJECT)
    return project, mark


@pytest.mark.parametrize("line", ["./localproj", "-e ./localproj", "localproj @ file://{project}", "file://{project}",
                                  "{project}", "--find-links ./localproj purelib"])
def test_a_local_project_in_requirements_is_refused_before_the_resolver_runs(
    pypi_layer: Path, tmp_path: Path, line: str
) -> None:
    """Escape: a local project named in ``-r`` had its build backend run on the build machine
    by the resolver (uv builds it to learn its metadata), outside any sandbox, before pyrecipe
    refused the lock's "directory source". Refused now before uv starts, naming file:line."""
    project, mark = _local_project(tmp_path)
    text = line.format(project=project)
    wanted = tmp_path / "requirements.txt"
    wanted.write_text(f"# a comment first\n{text}\n")

    result = _pyrecipe(*_on_layer(pypi_layer, tmp_path / "build", "lock", "-r", str(wanted), "-o",
                                  str(tmp_path / "pylock.toml")), cwd=tmp_path)

    assert_clean_error(result, 2)
    assert f"{wanted}:2: {text}:" in result.stderr, result.stderr
    assert not mark.exists(), "the local project's build backend ran"


def test_a_pyproject_with_dynamic_dependencies_is_refused_before_the_resolver_runs(
    pypi_layer: Path, tmp_path: Path
) -> None:
    """Escape: ``-r pyproject.toml`` whose dependencies are dynamic had its own build backend
    run on the build machine by the resolver to learn them."""
    project, mark = _local_project(tmp_path)

    result = _pyrecipe(*_on_layer(pypi_layer, tmp_path / "build", "lock", "-r", str(project / "pyproject.toml"),
                                  "-o", str(tmp_path / "pylock.toml")), cwd=tmp_path)

    assert_clean_error(result, 2)
    assert "dependencies are not listed statically" in result.stderr, result.stderr
    assert not mark.exists(), "the project's build backend ran"


def _lock(layer: Path, tmp_path: Path, text: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    wanted = tmp_path / "requirements.txt"
    wanted.write_text(text)
    out = tmp_path / "pylock.toml"
    return _pyrecipe(*_on_layer(layer, tmp_path / "build", "lock", "-r", str(wanted), "-o", str(out))), out


def test_a_hash_pin_is_kept_in_the_lock(pypi_layer: Path, tmp_path: Path) -> None:
    """Escape: ``purelib==1.0 --hash=sha256:<the wheel's>`` was replaced by the index's hashes in
    the lock (the sdist's too), so the build could take a file the user never pinned. The lock
    keeps the pinned file alone."""
    pinned = hashlib.sha256(PURELIB_WHEEL.data).hexdigest()

    result, out = _lock(pypi_layer, tmp_path, f"purelib==1.0 \\\n    --hash=sha256:{pinned}\n")

    assert result.returncode == 0, result.stderr
    [package] = tomllib.loads(out.read_text())["packages"]
    assert [wheel["hashes"]["sha256"] for wheel in package["wheels"]] == [pinned]
    assert "sdist" not in package
    assert hashlib.sha256(PURELIB_SDIST.data).hexdigest() not in out.read_text()


def test_a_file_that_matches_no_hash_pin_is_refused(pypi_layer: Path, tmp_path: Path) -> None:
    """Escape: a pin no file of the index matches (the index serves other bytes) was silently
    dropped and the index's file locked. pip's --require-hashes meaning: refused."""
    result, out = _lock(pypi_layer, tmp_path, f"purelib==1.0 --hash=sha256:{'0' * 64}\n")

    assert_clean_error(result, 2)
    assert "purelib 1.0: no file on the index has a hash pinned by" in result.stderr, result.stderr
    assert not out.exists()


def test_hash_checking_mode_needs_a_pin_for_every_project(pypi_layer: Path, tmp_path: Path) -> None:
    """As pip: once a requirement file pins a hash, a project of the set without one (here a
    dependency) is an error, not an unchecked download."""
    pinned = hashlib.sha256(NEEDY_WHEEL.data).hexdigest()

    result, out = _lock(pypi_layer, tmp_path, f"needy==1.0 --hash=sha256:{pinned}\n")

    assert_clean_error(result, 2)
    assert "purelib 1.0 has no --hash pin" in result.stderr, result.stderr
    assert not out.exists()


@pytest.mark.parametrize("args", [("init", ""), ("env", "failing", "--build-dir", ""), ("lock", "-r", ""),
                                  ("deps", "failing", "--dot", "")], ids=["init", "build-dir", "requirement", "dot"])
def test_an_empty_path_is_a_usage_error(layer: Path, tmp_path: Path, args: tuple[str, ...]) -> None:
    """Found probing: ``init ''`` (an unset ``"$DIR"``) made the current directory a build
    directory, ``--build-dir ''`` built there: ``Path('')`` is ``.``. Refused, nothing written."""
    extra = ("--layer", str(layer), "--machine", MACHINE) if args[0] != "init" else ()
    if args[0] != "init" and "--build-dir" not in args:
        extra += ("--build-dir", str(tmp_path / "build"))

    result = _pyrecipe(*args, *extra, cwd=tmp_path)

    assert_clean_error(result, 2)
    assert "an empty path" in result.stderr, result.stderr
    assert sorted(os.listdir(tmp_path)) == ["layer"]


@pytest.mark.parametrize("package", ["libfoo-dev,libbar-dev", "Upper", "-oAPT::x=y", "a b"])
def test_a_sysroot_package_is_a_debian_package_name(layer: Path, tmp_path: Path, package: str) -> None:
    """Found probing: ``sysroot --package`` went unchecked into mmdebstrap's comma-separated
    ``--include=`` (one name became several) and apt's command line. Checked on the runner
    board, which provisions nothing, so the old code stopped on the board instead."""
    result = _pyrecipe(*_on_layer(layer, tmp_path / "build", "sysroot", f"--package={package}"))

    assert_clean_error(result, 2)
    assert "is not a Debian package name" in result.stderr, result.stderr


def test_an_index_sdist_resolved_by_its_backend_writes_nothing_on_the_machine(
    pypi_layer: Path, tmp_path: Path, index_root: Path
) -> None:
    """Escape: an index sdist whose dependencies are dynamic had its build backend run by the
    resolver on the build machine, free to write anywhere (as root: anywhere at all). uv now
    runs in bubblewrap with the machine read-only but for its cache: the backend's write fails,
    and with it the resolution (exit 2, uv's words), and nothing is left on the machine."""
    result, out = _lock(pypi_layer, tmp_path, "dynproj==1.0\n")

    mark = index_root / "dynproj-backend-ran"
    assert_clean_error(result, 2)
    assert "dynproj" in result.stderr, result.stderr
    assert not mark.exists(), "the sdist's build backend wrote on the build machine"
    assert not out.exists()


def test_an_index_sdists_backend_run_by_the_resolver_cannot_remount_the_machine_writable(
    pypi_layer: Path, tmp_path: Path, index_root: Path
) -> None:
    """Escape: run as root, uv's bubblewrap kept root's capabilities, so the build backend of an
    index sdist with dynamic metadata could remount the read-only view of the build machine
    writable and write anywhere. uv's sandbox now drops every capability, as a task's does: the
    remount fails, the write with it, and the resolution ends with uv's words (exit 2)."""
    result, out = _lock(pypi_layer, tmp_path, "remountproj==1.0\n")

    assert_clean_error(result, 2)
    assert "remountproj" in result.stderr, result.stderr
    assert not (index_root / "remountproj-backend-ran").exists(), "the backend remounted the machine and wrote on it"
    assert not out.exists()
