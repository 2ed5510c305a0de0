"""``pyrecipe deps``: the tree and the Graphviz graph of a small layer, nothing provisioned."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from parse_support import pyrecipe_cli, write_files

RUNNER_LAYER = Path(__file__).parents[1] / "fixtures" / "runner_layer"

#: app builds against liba, runs with libr (named by its python3- spelling); the other entries
#: are satisfied outside the layer.
DEMO = {
    "recipes-demo/app/app_2.1.bb": (
        'DEPENDS = "liba python3-cython-native zlib gcc-runtime"\n'
        'RDEPENDS:${PN} = "python3-libr python3-json"\n'
    ),
    "recipes-demo/liba/liba_1.0.bb": 'SUMMARY = "a library"\n',
    "recipes-demo/libr/libr_0.3.bb": 'SUMMARY = "needed at run time"\nRDEPENDS:${PN} = "liba"\n',
}


@pytest.fixture
def layer(tmp_path: Path) -> Path:
    """The runner layer's configuration (its machine) with the demo recipes above."""
    copy = tmp_path / "layer"
    shutil.copytree(RUNNER_LAYER / "conf", copy / "conf")
    write_files(copy, DEMO)
    return copy


def deps(layer: Path, build_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return pyrecipe_cli("deps", "--machine", "runnerboard", "--layer", layer, "--build-dir", build_dir, *args)


def test_tree_shows_each_kind_of_dependency(layer: Path, tmp_path: Path) -> None:
    result = deps(layer, tmp_path / "build", "app")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:8] == [
        "app 2.1",
        "├── build: liba 1.0",
        "├── build: python3-cython-native -> native tool cython",
        "├── build: zlib -> debian zlib1g-dev",
        "├── build: gcc-runtime -> already in the sysroot gcc-runtime",
        "├── runtime: libr 0.3",
        "│   └── runtime: liba 1.0",
        "└── runtime: python3-json -> python stdlib python3-json",
    ]
    assert "native tools (pinned venv): cython" in lines
    assert "Debian packages in the target sysroot: zlib1g-dev" in lines


def test_nothing_is_provisioned(layer: Path, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    assert deps(layer, build_dir, "app").returncode == 0
    made = {path.name for path in build_dir.iterdir()} if build_dir.exists() else set()
    assert made <= {"cache"}, made  # the parse cache only: no toolchain, sysroot, venv or downloads


def test_dot_graph_has_styled_build_and_runtime_edges(layer: Path, tmp_path: Path) -> None:
    dot_file = tmp_path / "app.dot"  # a missing directory is a usage error (tests/hostile/test_inputs.py)
    result = deps(layer, tmp_path / "build", "app", "--dot", dot_file)
    assert result.returncode == 0, result.stderr
    text = dot_file.read_text()
    assert '"app" -> "liba" [style=solid];' in text
    assert '"app" -> "libr" [style=dashed];' in text
    assert '"libr" -> "liba" [style=dashed];' in text
    assert '"app" -> "native tool:cython" [style=solid];' in text
    assert '"app" -> "debian:zlib1g-dev" [style=solid];' in text
    assert "python3-json" not in text and "gcc-runtime" not in text  # in the sysroot already: no nodes
    if shutil.which("dot"):
        svg = subprocess.run(["dot", "-Tsvg", str(dot_file)], capture_output=True, text=True, check=True).stdout
        assert "<svg" in svg and "libr" in svg


def test_unknown_recipe_is_a_clear_error(layer: Path, tmp_path: Path) -> None:
    result = deps(layer, tmp_path / "build", "nosuchrecipe")
    assert result.returncode == 2
    assert "nosuchrecipe" in result.stderr and "Traceback" not in result.stderr


def test_version_constraints_read_as_bitbake_reads_them(layer: Path, tmp_path: Path) -> None:
    """The graph reads a list as bb.utils.explode_deps does: '(>= 1.0) (<< 2)' constrains liba (the
    graph's own reader made a dependency named '<<' of it), and a name repeated is one edge."""
    (layer / "recipes-demo/app/app_2.1.bb").write_text('DEPENDS = "liba (>= 1.0) (<< 2) liba zlib"\n')
    result = deps(layer, tmp_path / "build", "app")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[:3] == ["app 2.1", "├── build: liba 1.0", "└── build: zlib -> debian zlib1g-dev"]
