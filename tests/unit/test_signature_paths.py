"""Signatures do not depend on where the build directory, pyrecipe or a layer is (shared state
across machines needs that), and still change with what changes an output."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from pyrecipe.config.configuration import Settings, load_configuration
from pyrecipe.engine.sigpaths import PathNames
from pyrecipe.engine.task_runner import recipe_signature, task_order, task_signatures
from pyrecipe.parse import parse_recipe
from pyrecipe.toolchain.machine import load_machine
from pyrecipe.toolchain.provision import Toolchain
from pyrecipe.toolchain.render import render_files
from pyrecipe.toolchain.target_python import TargetPython

LAYER = {
    "conf/layer.conf": (
        'BBPATH .= ":${LAYERDIR}"\nBBFILES += "${LAYERDIR}/recipes-*/*/*.bb"\n'
        'BBFILE_COLLECTIONS += "demo"\nBBFILE_PATTERN_demo = "^${LAYERDIR}/"\nLAYERSERIES_COMPAT_demo = "walnascar"\n'
    ),
    "recipes-demo/demo/demo_1.0.bb": 'LICENSE = "MIT"\nSRC_URI = "file://fix.patch"\ninherit python_setuptools_build_meta\n',
    "recipes-demo/demo/files/fix.patch": "--- a/x\n+++ b/x\n",
}


def signatures(build_dir: Path, layer: Path, extra: str = "") -> dict[str, str]:
    config = load_configuration(Settings(build_dir=build_dir, machine="raspberrypi4", layers=(layer,)))
    d = parse_recipe(layer / "recipes-demo/demo/demo_1.0.bb", config)[""]
    if extra:
        d.setVar("EXTRA_DEMO", extra)
    return task_signatures(d, task_order(d, "do_build"), recipe_signature(d, ["toolchain"]))


def write_layer(where: Path) -> Path:
    for name, text in LAYER.items():
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        (where / name).write_text(text)
    return where


def test_the_same_recipe_elsewhere_has_the_same_signatures(tmp_path: Path) -> None:
    here = signatures(tmp_path / "b", write_layer(tmp_path / "l"))
    there = signatures(tmp_path / "a-much-longer-build-directory" / "b2", write_layer(tmp_path / "elsewhere" / "l"))
    assert here == there
    # ... and a real change still counts: a variable, and the content of a local file
    assert signatures(tmp_path / "b", tmp_path / "l", extra="1")["do_fetch"] != here["do_fetch"]
    (tmp_path / "l/recipes-demo/demo/files/fix.patch").write_text("changed\n")
    assert signatures(tmp_path / "b", tmp_path / "l")["do_fetch"] != here["do_fetch"]


def test_how_pyrecipe_was_started_does_not_count(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m pyrecipe` runs as a venv's bin/python, the console script as its bin/python3: the
    same build, which once had other signatures (and so missed a mirror's shared state)."""
    layer = write_layer(tmp_path / "l")
    monkeypatch.setattr(sys, "executable", "/opt/venv/bin/python3")
    console_script = signatures(tmp_path / "b", layer)
    monkeypatch.setattr(sys, "executable", "/opt/venv/bin/python")
    assert signatures(tmp_path / "b", layer) == console_script


def test_a_directory_is_named_as_a_whole_path_only() -> None:
    names = PathNames.of([("/tmp/b", "${TOPDIR}"), ("/tmp/b/x/layer", "<layer layer>"), (None, "unused")])
    assert names("/tmp/b/work:/tmp/b-other/y /tmp/b") == "${TOPDIR}/work:/tmp/b-other/y ${TOPDIR}"
    assert names("/tmp/b/x/layer/r.bb") == "<layer layer>/r.bb"  # the longest directory first


def test_the_toolchain_fingerprint_does_not_name_the_build_directory(tmp_path: Path) -> None:
    machine = load_machine("raspberrypi4")

    def target_python(sysroot: Path) -> TargetPython:
        return TargetPython(
            version="3.13.5", version_short="3.13", soabi="cpython-313-aarch64-linux-gnu",
            ext_suffix=".cpython-313-aarch64-linux-gnu.so", host_platform="linux-aarch64",
            sysconfigdata_name="_sysconfigdata__linux_aarch64-linux-gnu",
            sysconfigdata_file=sysroot / "usr/lib/python3.13/_sysconfigdata__linux_aarch64-linux-gnu.py",
            include_dir=sysroot / "usr/include/python3.13", libdir=sysroot / "usr/lib/aarch64-linux-gnu",
            stdlib_dir=sysroot / "usr/lib/python3.13", interpreter=sysroot / "usr/bin/python3.13",
            magic_number=b"\xf3\r\r\n", config_vars={})

    def fingerprint(top: Path) -> str:
        machine_dir = top / machine.distro / machine.name
        venv = top / machine.distro / "native" / "venv"
        venv.mkdir(parents=True)
        (venv / ".pyrecipe-stamp").write_text("pins\n")
        toolchain = Toolchain(machine, machine_dir / "sysroot", target_python(machine_dir / "sysroot"), venv, machine_dir / "toolchain")
        render_files(toolchain.settings)
        assert str(top) in toolchain.meson_cross_file.read_text()
        return toolchain.fingerprint()

    first = fingerprint(tmp_path / "one")
    assert fingerprint(tmp_path / "somewhere" / "else") == first
    shutil.rmtree(tmp_path / "one")
    assert fingerprint(tmp_path / "one") == first
