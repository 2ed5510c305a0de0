"""Shared state between build directories: one build stores, others (elsewhere, other path
lengths) restore from SSTATE_DIR or a file:// or http:// mirror instead of building."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from http_support import serve_directory, webdav_server
from parse_support import pyrecipe_cli
from pyrecipe.engine.sstate import SharedState, mirror_urls, prune
from pyrecipe.parse import DataSmart
from runner_support import build, runner_layer_copy, workdir


@pytest.fixture
def layer(tmp_path: Path) -> Path:
    return runner_layer_copy(tmp_path)


def build_dir_with(path: Path, local_conf: str) -> Path:
    (path / "conf").mkdir(parents=True)
    (path / "conf" / "local.conf").write_text(local_conf)
    return path


def app_txt(build_dir: Path) -> str:
    return (workdir(build_dir, "app", "2.1") / "image" / "usr" / "bin" / "app.txt").read_text()


@pytest.fixture
def shared(layer: Path, tmp_path: Path) -> Path:
    """An SSTATE_DIR filled by a first build."""
    sstate = tmp_path / "sstate"
    first = build_dir_with(tmp_path / "first", f'SSTATE_DIR = "{sstate}"\n')
    result, output = build(layer, first, "app")
    assert result.ok and result.restored == 0, output
    archives = sorted(p.name for p in sstate.glob("*/sstate:*.tar.gz"))
    assert [name.split(":")[1] for name in archives] == ["app", "liba"]
    return sstate


def test_another_build_directory_restores_instead_of_building(layer: Path, tmp_path: Path, shared: Path) -> None:
    other = build_dir_with(tmp_path / "somewhere" / "with-a-longer-path" / "build", f'SSTATE_MIRRORS = "file://{shared}"\n')
    result, output = build(layer, other, "app")
    assert result.ok, output
    assert "NOTE: app: do_fetch ... do_package restored from shared state file://" in output
    assert "(app:do_compile)" not in output and "(liba:do_compile)" not in output
    assert result.restored > 0 and not (workdir(other, "app", "2.1") / "temp" / "log.do_compile").exists()
    assert app_txt(other) == app_txt(tmp_path / "first")
    # liba was restored and staged: app's files are built on it, as in the first build
    assert "hello from liba" in app_txt(other)
    again, output = build(layer, other, "app")
    assert again.ok and again.executed == 0 and again.restored == 0, output


def test_an_http_mirror_in_bitbakes_pair_form(layer: Path, tmp_path: Path, shared: Path) -> None:
    with serve_directory(shared) as url:
        other = build_dir_with(tmp_path / "b", f'SSTATE_MIRRORS = "file://.* {url}/PATH"\n')
        result, output = build(layer, other, "app")
    assert result.ok and f"restored from shared state {url}/" in output, output
    assert list((other / "sstate-cache").glob("*/sstate:app:*.tar.gz"))  # kept for this build directory's next builds


def test_a_damaged_archive_is_said_and_built_instead(layer: Path, tmp_path: Path, shared: Path) -> None:
    [archive] = shared.glob("*/sstate:app:*.tar.gz")
    archive.write_bytes(archive.read_bytes()[:-10] + b"0123456789")
    other = build_dir_with(tmp_path / "b", f'SSTATE_MIRRORS = "file://{shared}"\n')
    result, output = build(layer, other, "app")
    assert result.ok, output
    assert "WARNING: app: shared state file://" in output and "is not usable" in output and "building instead" in output
    assert "(app:do_compile)" in output and "(liba:do_compile)" not in output
    assert app_txt(other) == app_txt(tmp_path / "first")


def test_a_forced_target_is_built_not_restored(layer: Path, tmp_path: Path, shared: Path) -> None:
    other = build_dir_with(tmp_path / "b", f'SSTATE_MIRRORS = "file://{shared}"\n')
    result, output = build(layer, other, "app", force=True)
    assert result.ok and "(app:do_compile)" in output and "(liba:do_compile)" not in output, output


def test_mirror_forms() -> None:
    assert mirror_urls("file:///srv/sstate http://cache.example/sstate/") == ["file:///srv/sstate", "http://cache.example/sstate"]
    assert mirror_urls("file://.* https://cache.example/sstate/PATH file://.* file:///nfs/sstate/PATH") == [
        "https://cache.example/sstate", "file:///nfs/sstate"]


@pytest.fixture
def webdav(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    with webdav_server(tmp_path / "nginx") as (url, root):
        yield f"{url}/sstate", root / "sstate"


def test_push_to_a_webdav_server_then_restore_from_it(layer: Path, tmp_path: Path, webdav: tuple[str, Path]) -> None:
    url, served = webdav
    first = build_dir_with(tmp_path / "first", "")
    assert build(layer, first, "app")[0].ok
    push = pyrecipe_cli("sstate", "push", url, "--build-dir", str(first))
    assert push.returncode == 0 and "Pushed 2 archive(s)" in push.stdout, push.stdout + push.stderr
    assert sorted(p.name.split(":")[1] for p in served.glob("*/sstate:*.tar.gz")) == ["app", "liba"]
    again = pyrecipe_cli("sstate", "push", url, "--build-dir", str(first))
    assert "Pushed 0 archive(s)" in again.stdout and "2 were there already" in again.stdout, again.stdout
    other = build_dir_with(tmp_path / "other", f'SSTATE_MIRRORS = "{url}"\n')
    result, output = build(layer, other, "app")
    assert result.ok and f"restored from shared state {url}/" in output and "(app:do_compile)" not in output, output


def test_prune_by_age_and_size(tmp_path: Path) -> None:
    def archive(name: str, days_old: float, size: int) -> Path:
        path = tmp_path / name[:2] / f"sstate:{name}:{name * 8}.tar.gz"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"x" * size)
        path.with_name(path.name + ".sha256").write_text("0\n")
        then = NOW - days_old * 86400
        os.utime(path, (then, then))
        return path

    old, recent, newest = archive("aa", 40, 100), archive("bb", 2, 300), archive("cc", 0, 300)
    orphan = tmp_path / "dd" / "sstate:dd:x.tar.gz"
    orphan.parent.mkdir()
    orphan.write_bytes(b"no checksum beside it: an interrupted store")
    removed = prune(tmp_path, keep_days=30, max_bytes=400, now=NOW)
    assert [a.path for a in removed] == [old, recent]  # too old, then the least recently used over 400 bytes
    assert newest.exists() and not old.exists() and not recent.with_name(recent.name + ".sha256").exists()
    assert not orphan.exists()


NOW = 2_000_000_000.0


def test_a_sysroot_package_version_is_part_of_the_signatures_of_its_users(layer: Path, tmp_path: Path) -> None:
    """A recipe's signature has the versions of the sysroot's Debian packages it depends on: a new
    libyaml-dev rebuilds what uses it (from shared state too: another signature), not the others;
    a new C library (the machine's SYSROOT_PACKAGES) every target recipe."""
    from pyrecipe.config.configuration import Settings
    from pyrecipe.engine.build import BuildRequest, pinned_native_tools, resolve
    from pyrecipe.engine.scheduler import BuildOptions, plan_build

    for name, text in (("yamluser", 'LICENSE = "MIT"\nDEPENDS = "libyaml"\n'), ("plain", 'LICENSE = "MIT"\n')):
        (layer / "recipes-yaml" / name).mkdir(parents=True)
        (layer / "recipes-yaml" / name / f"{name}_1.0.bb").write_text(text)
    request = BuildRequest(Settings(build_dir=tmp_path / "build", machine="raspberrypi4", layers=(layer,)),
                           ("yamluser", "plain"), BuildOptions(goal="do_build"))
    _, graph, _ = resolve(request, pinned_native_tools())
    assert [edge.targets for edge in graph.nodes["yamluser"].edges if edge.when == "build"] == [("libyaml-dev",)]

    def signatures(versions: dict[str, str]) -> dict[str, str]:
        plan = plan_build(graph, BuildOptions(goal="do_build"), {"target": "t", "native": "n"}, None, versions)
        return {key: plan.signatures[key]["do_build"] for key in ("yamluser", "plain")}

    before = signatures({"libyaml-dev": "0.2.5-2", "libc6-dev": "2.41-12"})
    after = signatures({"libyaml-dev": "0.2.5-3", "libc6-dev": "2.41-12"})
    assert after["yamluser"] != before["yamluser"]
    assert after["plain"] == before["plain"]
    libc = signatures({"libyaml-dev": "0.2.5-3", "libc6-dev": "2.41-13"})
    assert libc["yamluser"] != after["yamluser"] and libc["plain"] != after["plain"]


def test_an_archive_holds_the_test_script_do_test_runs_after_a_restore(tmp_path: Path) -> None:
    # do_test runs after a restore and reads PYTHON_TEST_SCRIPT, which do_unpack (not run then)
    # put in WORKDIR: without it, lxml's do_test failed in a fresh build from a mirror.
    def recipe(top: Path) -> DataSmart:
        d, work = DataSmart(), top / "work"
        values = {"PN": "app", "WORKDIR": work, "SSTATE_DIR": tmp_path / "sstate", "D": work / "image",
                  "S": work / "src", "PYTHON_TEST_SCRIPT": work / "sources" / "test_app.py"}
        for name, value in values.items():
            d.setVar(name, str(value))
        return d

    first = recipe(tmp_path / "first")
    (tmp_path / "first/work/image/usr").mkdir(parents=True)
    (tmp_path / "first/work/sources").mkdir(parents=True)
    (tmp_path / "first/work/sources/test_app.py").write_text("import app\n")
    signature = "ab" * 32
    SharedState(first).store(signature)
    assert SharedState(recipe(tmp_path / "other")).restore(signature, warn=pytest.fail) is not None
    assert (tmp_path / "other/work/sources/test_app.py").read_text() == "import app\n"
    assert (tmp_path / "other/work/image/usr").is_dir()
