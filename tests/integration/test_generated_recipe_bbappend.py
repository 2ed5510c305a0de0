"""A layer's ``.bbappend`` for an OpenEmbedded-core Python recipe (``python3-requests_%.bbappend``)
applies to the recipe pyrecipe generates for that project from PyPI, as it would to OE-core's
recipe in bitbake (issue 26, "real layers against PyPI names"). Before, the append matched no
recipe file of the layers and stopped every build as dangling, although the build would have
had a ``python3-requests`` recipe. An append for a version the generated recipe is not stays
dangling, as in bitbake. PyPI is our own (tests/pypi_support.py) on 127.0.0.1; the machine is the
runner test board (no cross toolchain)."""

from __future__ import annotations

import shutil
from pathlib import Path

from http_support import serve_directory
from parse_support import pyrecipe_cli, write_files
from pypi_support import publish, wheel

RUNNER_LAYER = Path(__file__).parents[1] / "fixtures" / "runner_layer"
REQUESTS = wheel("requests", "2.32.3")


def _append(text: str) -> str:
    return ("do_compile:append() {\n"
            f"\techo '{text}' > ${{WORKDIR}}/requests-append-note\n"
            "}\n"
            'RDEPENDS:${PN} += "liba"\n')


def _layer(tmp_path: Path, url: str, appends: dict[str, str]) -> Path:
    layer = tmp_path / "layer"
    shutil.copytree(RUNNER_LAYER, layer)
    with (layer / "conf" / "machine" / "runnerboard.conf").open("a") as conf:
        conf.write('SYSROOT_PROVIDER = "none"\n')
    with (layer / "conf" / "layer.conf").open("a") as conf:
        conf.write(f'PYPI_INDEX_URL = "{url}/simple"\n')
    write_files(layer, {f"recipes-python/requests/{name}": text for name, text in appends.items()})
    return layer


def _notes(build_dir: Path) -> list[str]:
    return [path.read_text() for path in build_dir.rglob("requests-append-note")]


def test_an_append_for_oe_cores_python3_requests_applies_to_the_recipe_generated_from_pypi(tmp_path: Path) -> None:
    """The append's do_compile:append and RDEPENDS reach the generated requests 2.32.3 (a wheel
    recipe), and changing the append changes the task's signature: do_compile runs again."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("requests==2.32.3\n")
    build_dir = tmp_path / "build"
    with serve_directory(tmp_path / "pypi") as url:
        publish(tmp_path / "pypi", url, "requests", [REQUESTS])
        layer = _layer(tmp_path, url, {"python3-requests_%.bbappend": _append("first")})
        args = ("build", "--machine", "runnerboard", "--layer", layer, "--build-dir", build_dir, "-c", "compile", "-r", requirements)
        result = pyrecipe_cli(*args)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert set(_notes(build_dir)) == {"first\n"}, result.stdout
        deps = pyrecipe_cli("deps", "--machine", "runnerboard", "--layer", layer, "--build-dir", build_dir, "requests")
        assert deps.returncode == 0, deps.stderr
        assert "liba" in deps.stdout, deps.stdout  # the append's RDEPENDS

        (layer / "recipes-python/requests/python3-requests_%.bbappend").write_text(_append("second"))
        again = pyrecipe_cli(*args)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert set(_notes(build_dir)) == {"second\n"}, again.stdout


def test_an_append_for_another_version_of_the_generated_recipe_is_dangling(tmp_path: Path) -> None:
    """``python3-requests_2.31.%.bbappend`` with PyPI's requests at 2.32.3: no recipe of that
    version, an error naming the append (bitbake's), a warning with BB_DANGLINGAPPENDS_WARNONLY;
    the ``%`` append beside it applies."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("requests\n")
    build_dir = tmp_path / "build"
    with serve_directory(tmp_path / "pypi") as url:
        publish(tmp_path / "pypi", url, "requests", [REQUESTS])
        layer = _layer(tmp_path, url, {"python3-requests_2.31.%.bbappend": 'EXTRA_OLD = "1"\n',
                                       "python3-requests_2.%.bbappend": _append("any 2.x")})
        args = ("build", "--machine", "runnerboard", "--layer", layer, "--build-dir", build_dir, "-c", "compile", "-r", requirements)
        refused = pyrecipe_cli(*args)
        assert refused.returncode == 2, refused.stdout[-3000:] + refused.stderr[-3000:]
        assert "Traceback" not in refused.stderr
        assert (f"no recipe for the .bbappend file(s) {layer / 'recipes-python/requests/python3-requests_2.31.%.bbappend'} "
                "(they name the recipe generated from PyPI as requests_2.32.3.bb, of another version)") in refused.stderr
        write_files(build_dir, {"conf/local.conf": 'BB_DANGLINGAPPENDS_WARNONLY = "1"\n'})
        warned = pyrecipe_cli(*args)
    assert warned.returncode == 0, warned.stdout[-3000:] + warned.stderr[-3000:]
    assert "WARNING: no recipe for the .bbappend file(s)" in warned.stderr + warned.stdout
    assert set(_notes(build_dir)) == {"any 2.x\n"}
