"""The user's build directory: found without --build-dir, made by ``pyrecipe init``, given the
workspace layer ``pyrecipe create`` writes into, never inside pyrecipe's own package."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyrecipe.config import paths, project
from pyrecipe.config.configuration import Settings, check_build_dir, load_configuration
from pyrecipe.config.project import find_build_dir, init_build_dir, workspace_layer
from pyrecipe.errors import InputError


def test_the_build_dir_is_the_nearest_with_conf_else_build(tmp_path: Path) -> None:
    assert find_build_dir(tmp_path) == tmp_path / "build"
    (tmp_path / "proj" / "conf").mkdir(parents=True)
    (tmp_path / "proj" / "conf" / "bblayers.conf").write_text('BBLAYERS ?= ""\n')
    deep = tmp_path / "proj" / "a" / "b"
    deep.mkdir(parents=True)
    assert find_build_dir(deep) == tmp_path / "proj"
    assert find_build_dir(tmp_path / "proj") == tmp_path / "proj"
    # A conf/ without local.conf or bblayers.conf (a layer's) is no build directory.
    (tmp_path / "layer" / "conf").mkdir(parents=True)
    (tmp_path / "layer" / "conf" / "layer.conf").write_text("")
    assert find_build_dir(tmp_path / "layer") == tmp_path / "layer" / "build"


def test_without_a_project_the_default_is_build_relative(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_build_dir() == Path("build")


def test_init_writes_the_confs_and_the_workspace_and_keeps_what_exists(tmp_path: Path) -> None:
    build = tmp_path / "build"
    written = init_build_dir(build, "raspberrypi4", "debian-bookworm")
    assert sorted(p.relative_to(build).as_posix() for p in written) == [
        "conf/bblayers.conf", "conf/local.conf", "workspace/conf/layer.conf"]
    local = (build / "conf" / "local.conf").read_text()
    assert '#MACHINE ?= "raspberrypi4"' in local and '#DISTRO ?= "debian-bookworm"' in local
    assert (build / "workspace" / "recipes").is_dir()
    # The written confs configure: the workspace is a layer, MACHINE and DISTRO the defaults.
    config = load_configuration(Settings(build_dir=build))
    assert config.getVar("BBLAYERS") == str(build / "workspace")
    assert config.getVar("MACHINE") == "raspberrypi4"
    (build / "conf" / "local.conf").write_text('MACHINE = "beaglebone"\n')
    assert init_build_dir(build, "raspberrypi4", "debian-bookworm") == []
    assert (build / "conf" / "local.conf").read_text() == 'MACHINE = "beaglebone"\n'


def test_init_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")
    with pytest.raises(InputError, match="is a file"):
        init_build_dir(tmp_path / "f", "raspberrypi4", "debian-bookworm")


def test_no_build_dir_inside_pyrecipes_package(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="where pyrecipe itself is installed"):
        check_build_dir(paths.PACKAGE_DIR / "layer" / "build")
    with pytest.raises(InputError, match="where pyrecipe itself is installed"):
        init_build_dir(paths.PACKAGE_DIR, "raspberrypi4", "debian-bookworm")
    check_build_dir(tmp_path / "build")


def test_workspace_is_added_to_bblayers_once(tmp_path: Path) -> None:
    build = tmp_path / "build"
    workspace, added = workspace_layer(build)
    assert added and workspace == build / "workspace" and (workspace / "conf" / "layer.conf").is_file()
    assert workspace_layer(build) == (workspace, False)
    # A bblayers.conf of the user's own, without the workspace: appended to, once.
    other = tmp_path / "other"
    project.ensure_layer(other)
    (build / "conf" / "bblayers.conf").write_text(f'BBLAYERS ?= "{other}"\n')
    assert workspace_layer(build) == (workspace, True)
    assert workspace_layer(build) == (workspace, False)
    config = load_configuration(Settings(build_dir=build))
    assert config.getVar("BBLAYERS").split() == [str(other), str(workspace)]


def test_project_module_writes_no_conf_that_does_not_parse(tmp_path: Path) -> None:
    # The templates are real configuration: every assignment in them parses.
    text = project.BBLAYERS_CONF.format(workspace="ws") + project.LOCAL_CONF.format(machine="m", distro="d")
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "local.conf").write_text(text.replace("#MACHINE", "MACHINE").replace("#DL_DIR", "DL_DIR"))
    project.ensure_layer(tmp_path / "ws")
    config = load_configuration(Settings(build_dir=tmp_path, machine="raspberrypi4"))
    assert config.getVar("DL_DIR") == f"{tmp_path}/downloads"


def test_the_configuration_files_are_parsed_once_per_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A command's configuration files (bitbake.conf, the machine's, local.conf ...) come from the
    parse cache's statements the next time: no grammar at all for a command of cached recipes.
    A changed local.conf is parsed again, alone."""
    from pyrecipe.parse import reader

    build = tmp_path / "build"
    init_build_dir(build, "raspberrypi4", "debian-bookworm")
    monkeypatch.setattr(reader, "_by_content", {})
    monkeypatch.setattr(reader, "_by_path", {})
    first = load_configuration(Settings(build_dir=build))
    parsed: list[str] = []
    real = reader.parse_text
    monkeypatch.setattr(reader, "parse_text", lambda text, name: parsed.append(Path(name).name) or real(text, name))
    monkeypatch.setattr(reader, "_by_content", {})  # a new process: only the store on disk remains
    monkeypatch.setattr(reader, "_by_path", {})
    again = load_configuration(Settings(build_dir=build))
    assert parsed == []
    assert again.getVar("MACHINE") == first.getVar("MACHINE") and again.getVar("CFLAGS") == first.getVar("CFLAGS")
    with open(build / "conf" / "local.conf", "a") as conf:
        conf.write('EXTRA_SEEN = "yes"\n')
    monkeypatch.setattr(reader, "_by_content", {})
    monkeypatch.setattr(reader, "_by_path", {})
    changed = load_configuration(Settings(build_dir=build))
    assert parsed == ["local.conf"] and changed.getVar("EXTRA_SEEN") == "yes"
