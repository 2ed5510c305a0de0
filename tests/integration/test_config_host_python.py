"""PYRECIPE_HOST_PYTHON (the interpreter the PEP 517 classes run pyrecipe.pep517.frontend with) is part of
the configuration every command loads, so recipes parsed into the cache by `pyrecipe env` or
`pyrecipe deps` are the same datastores `pyrecipe build` needs.

Before, only `pyrecipe build` set it, after loading the configuration, and the parse cache's key
did not cover it: a `pyrecipe env lxml` followed by `pyrecipe build lxml` ran the task script
`${PYRECIPE_HOST_PYTHON} -m pyrecipe.pep517.frontend ...` unexpanded ("-m: command not found").
"""

from __future__ import annotations

import sys
from pathlib import Path

from parse_support import META_TEST, write_files
from pyrecipe.config.configuration import Settings, load_configuration
from pyrecipe.config.layers import LayerIndex
from pyrecipe.config.paths import CODEDIR
from pyrecipe.engine.build import BuildRequest, resolve
from pyrecipe.engine.scheduler import BuildOptions

TESTBOARD = (META_TEST / "conf" / "machine" / "testboard.conf").read_text()
#: PYRECIPE_FRONTEND expanded: the host Python running the frontend of this checkout.
FRONTEND_ARGS = (f"-c 'import sys; sys.path.insert(0, sys.argv.pop(1)); from pyrecipe.pep517.frontend import main; "
                 f"sys.exit(main())' {CODEDIR}")
FRONTEND = f"{sys.executable} {FRONTEND_ARGS}"


def settings_for(tmp_path: Path) -> Settings:
    layer = tmp_path / "meta-hostpy"
    write_files(layer, {
        "conf/machine/testboard.conf": TESTBOARD,
        "recipes/demo/python3-demo_1.0.bb": 'LICENSE = "MIT"\ninherit python_pep517\n',
    })
    # A distro whose tasks run on the build machine: one with a build root runs the frontend
    # with the root's interpreter (test_buildroot_distro_runs_the_frontend_with_the_roots_python).
    return Settings(build_dir=tmp_path / "build", machine="testboard", distro="debian-bookworm", layers=(layer,))


def test_every_command_loads_the_host_python(tmp_path: Path) -> None:
    assert load_configuration(settings_for(tmp_path)).getVar("PYRECIPE_HOST_PYTHON") == sys.executable


def test_recipe_cached_by_env_is_complete_for_build(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    config = load_configuration(settings)
    # What `pyrecipe env python3-demo` does: parse into the build directory's cache.
    first = LayerIndex(config, Path(config.getVar("PARSE_CACHE_DIR")))
    assert first.datastore(first.find("python3-demo")).getVar("PYRECIPE_FRONTEND") == FRONTEND
    # `pyrecipe build` resolves through the same cache and gets the same expansion.
    index, graph, _ = resolve(BuildRequest(settings=settings, targets=("python3-demo",), options=BuildOptions()), ())
    (node,) = graph.nodes.values()
    assert node.d.getVar("PYRECIPE_FRONTEND") == FRONTEND


def test_another_host_python_does_not_reuse_the_cache(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    mine = load_configuration(settings)
    other = load_configuration(settings)
    other.setVar("PYRECIPE_HOST_PYTHON", "/opt/other/bin/python3")
    cache_dir = tmp_path / "cache"
    assert LayerIndex(mine, cache_dir).cache.config_key != LayerIndex(other, cache_dir).cache.config_key


def test_buildroot_distro_runs_the_frontend_with_the_roots_python(tmp_path: Path) -> None:
    config = load_configuration(Settings(build_dir=tmp_path / "build", machine="testboard", distro="debian-trixie",
                                         layers=settings_for(tmp_path).layers))
    index = LayerIndex(config, Path(config.getVar("PARSE_CACHE_DIR")))
    frontend = index.datastore(index.find("python3-demo")).getVar("PYRECIPE_FRONTEND")
    assert frontend == f"{tmp_path}/build/debian-trixie/native/venv/bin/python3 {FRONTEND_ARGS}"
