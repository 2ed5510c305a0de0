"""A C library that both a layer's recipe and Debian provide (meta-oe's ``zeromq``, Debian's
``libzmq3-dev``): the choice follows ``PREFERRED_PROVIDER_zeromq`` (the recipe's name or the
Debian package), else the distro's ``PREFERRED_LIBRARY_PROVIDER`` ("debian" for the Debian
distros). Before (issue 26, "real layers against PyPI names"), the layer's recipe always won:
adding meta-oe for meta-python's sake built meta-oe's zeromq for pyzmq, a second libzmq.so.5 beside
the one the board's Debian packages link, and there was no way to take Debian's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from parse_support import META_TEST, pyrecipe_cli, write_files
from pyrecipe.config.configuration import Settings, load_configuration
from pyrecipe.config.layers import LayerIndex
from pyrecipe.errors import InputError
from pyrecipe.graph.build_graph import DEBIAN, RECIPE, Edge, GraphBuilder
from reliability_support import LAYER

TESTBOARD = (META_TEST / "conf" / "machine" / "testboard.conf").read_text()
#: meta-oe's zeromq (what it stages, for the build below) and a pyzmq that needs it to build and run.
RECIPES = {
    "recipes-connectivity/zeromq/zeromq_4.3.5.bb": (
        'LICENSE = "MIT"\n'
        "do_compile() {\n\techo 'the layer built zeromq' > zmq.h\n}\n"
        "do_install() {\n\tinstall -d ${D}${includedir}\n\tinstall -m 0644 ${B}/zmq.h ${D}${includedir}/zmq.h\n}\n"
    ),
    "recipes-devtools/python/python3-pyzmq_26.0.bb": (
        'LICENSE = "MIT"\nDEPENDS = "zeromq"\nRDEPENDS:${PN} = "zeromq"\n'
        "do_compile() {\n\tcat ${STAGING_INCDIR}/zmq.h > seen.txt\n}\n"
    ),
}


def _edges(tmp_path: Path, local_conf: str) -> dict[str, Edge]:
    layer = tmp_path / "meta-oe"
    write_files(layer, {"conf/layer.conf": 'BBFILES += "${LAYERDIR}/recipes-*/*/*.bb"\n',
                        "conf/machine/testboard.conf": TESTBOARD, **RECIPES})
    write_files(tmp_path / "build", {"conf/local.conf": local_conf})
    config = load_configuration(Settings(build_dir=tmp_path / "build", machine="testboard", layers=(layer,)))
    graph = GraphBuilder(LayerIndex(config, tmp_path / "cache"), []).build(["python3-pyzmq"])
    return {edge.when: edge for edge in graph.nodes["python3-pyzmq"].edges if edge.entry == "zeromq"}


@pytest.mark.parametrize("local_conf, kind, targets", [
    ("", DEBIAN, ("libzmq3-dev",)),  # the Debian distros' default
    ('PREFERRED_PROVIDER_zeromq = "libzmq3-dev"\n', DEBIAN, ("libzmq3-dev",)),
    ('PREFERRED_PROVIDER_zeromq = "zeromq"\n', RECIPE, ("zeromq",)),
    ('PREFERRED_LIBRARY_PROVIDER = "recipe"\n', RECIPE, ("zeromq",)),
    ('PREFERRED_LIBRARY_PROVIDER = "recipe"\nPREFERRED_PROVIDER_zeromq = "libzmq3-dev"\n', DEBIAN, ("libzmq3-dev",)),
])
def test_preferred_provider_chooses_between_the_layers_zeromq_and_debians(tmp_path: Path, local_conf: str, kind: str,
                                                                          targets: tuple[str, ...]) -> None:
    """Both the build (DEPENDS) and the runtime (RDEPENDS) entry follow the same choice."""
    edges = _edges(tmp_path, local_conf)
    assert (edges["build"].kind, edges["build"].targets) == (kind, targets)
    assert (edges["runtime"].kind, edges["runtime"].targets) == (kind, targets)


@pytest.mark.parametrize("local_conf, message", [
    ('PREFERRED_PROVIDER_zeromq = "libzmq5"\n',
     'PREFERRED_PROVIDER_zeromq = "libzmq5" names neither the recipe zeromq ({file}) nor the Debian package(s) libzmq3-dev, which provide zeromq'),
    ('PREFERRED_LIBRARY_PROVIDER = "layer"\n', 'PREFERRED_LIBRARY_PROVIDER = "layer": it is "debian" or "recipe"'),
])
def test_a_provider_that_names_neither_is_an_input_error(tmp_path: Path, local_conf: str, message: str) -> None:
    with pytest.raises(InputError) as error:
        _edges(tmp_path, local_conf)
    assert str(error.value) == message.format(file=tmp_path / "meta-oe" / next(iter(RECIPES)))


def test_the_layers_zeromq_when_preferred_is_built_and_staged_for_pyzmq(tmp_path: Path) -> None:
    """The recipe choice, built on the runner board: pyzmq compiles against the zmq.h the layer's
    zeromq staged; ``pyrecipe deps`` shows each choice (and Debian's package in the sysroot)."""
    layer = tmp_path / "layer"
    shutil.copytree(LAYER, layer)
    write_files(layer, RECIPES)
    build_dir = tmp_path / "build"
    common = ("--machine", "runnerboard", "--layer", layer, "--build-dir", build_dir)
    deps = pyrecipe_cli("deps", *common, "python3-pyzmq")
    assert deps.returncode == 0, deps.stderr
    assert "build: zeromq -> debian libzmq3-dev" in deps.stdout, deps.stdout
    assert "Debian packages in the target sysroot: libzmq3-dev" in deps.stdout, deps.stdout
    recipe = layer / next(iter(RECIPES))
    assert (f'zeromq from Debian, not the layers\' recipe {recipe} (PREFERRED_LIBRARY_PROVIDER = "debian"; '
            'PREFERRED_PROVIDER_zeromq = "zeromq" builds the recipe)') in deps.stdout.splitlines(), deps.stdout

    write_files(build_dir, {"conf/local.conf": 'PREFERRED_PROVIDER_zeromq = "zeromq"\n'})
    deps = pyrecipe_cli("deps", *common, "python3-pyzmq")
    assert deps.returncode == 0, deps.stderr
    assert "build: zeromq 4.3.5" in deps.stdout and "libzmq3-dev" not in deps.stdout and "from Debian" not in deps.stdout, deps.stdout
    built = pyrecipe_cli("build", *common, "-c", "compile", "python3-pyzmq")
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    [seen] = build_dir.rglob("python3-pyzmq/26.0/**/seen.txt")
    assert seen.read_text() == "the layer built zeromq\n"
