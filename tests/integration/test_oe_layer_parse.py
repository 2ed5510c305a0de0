"""An OpenEmbedded layer taken as it is: a recipe that does not parse is skipped with a warning
(not the end of every command), BBMASK, LAYERDEPENDS and LAYERSERIES_COMPAT. Offline, parsing only."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from parse_support import META_TEST, pyrecipe_cli, write_files
from pyrecipe.config.configuration import Settings, load_configuration
from pyrecipe.config.layers import LayerIndex
from pyrecipe.errors import InputError
from pyrecipe.graph.build_graph import GraphBuilder

TESTBOARD = (META_TEST / "conf" / "machine" / "testboard.conf").read_text()
RUNNER_LAYER = Path(__file__).parents[1] / "fixtures" / "runner_layer"

LAYER_CONF = """\
BBPATH .= ":${LAYERDIR}"
BBFILES += "${LAYERDIR}/recipes-*/*/*.bb ${LAYERDIR}/recipes-*/*/*.bbappend"
BBFILE_COLLECTIONS += "broken-test"
BBFILE_PATTERN_broken-test := "^${LAYERDIR}/"
BBFILE_PRIORITY_broken-test = "6"
"""

RECIPES = {
    "recipes-devtools/python/python3-good_1.0.bb": 'LICENSE = "MIT"\nRDEPENDS:${PN} = "python3-json"\n',
    "recipes-devtools/python/python3-noclass_1.0.bb": 'LICENSE = "MIT"\ninherit pypi no-such-class\n',
    "recipes-devtools/python/python3-syntax_1.0.bb": 'LICENSE = "MIT"\nB = unquoted\n',
    "recipes-devtools/python/python3-fatal_1.0.bb": 'LICENSE = "MIT"\npython () {\n    bb.fatal("needs a libfoo")\n}\n',
    "recipes-devtools/python/python3-user_1.0.bb": 'LICENSE = "MIT"\nRDEPENDS:${PN} = "python3-noclass"\n',
}


def make_layer(root: Path, conf: str = LAYER_CONF, recipes: dict[str, str] = RECIPES) -> Path:
    layer = root / "meta-broken"
    write_files(layer, {"conf/layer.conf": conf, "conf/machine/testboard.conf": TESTBOARD, **recipes})
    return layer


def index_of(tmp_path: Path, *layers: Path, local_conf: str = "") -> LayerIndex:
    build = tmp_path / "build"
    if local_conf:
        write_files(build, {"conf/local.conf": local_conf})
    config = load_configuration(Settings(build_dir=build, machine="testboard", layers=layers))
    return LayerIndex(config, tmp_path / "cache")


def test_a_recipe_that_does_not_parse_is_skipped_with_one_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    layer = make_layer(tmp_path)
    with caplog.at_level(logging.WARNING):
        index = index_of(tmp_path, layer)
        assert index.find("good").pn == "python3-good"
    warnings = [r.getMessage() for r in caplog.records if "cannot be parsed" in r.getMessage()]
    assert len(warnings) == 3
    recipes = layer / "recipes-devtools" / "python"
    assert any(w.startswith(f"WARNING: {recipes}/python3-noclass_1.0.bb:2:1: could not inherit class no-such-class")
               for w in warnings)
    assert any(w.startswith(f"WARNING: {recipes}/python3-syntax_1.0.bb:2:5: unparsed line") for w in warnings)
    assert any(f"{recipes}/python3-fatal_1.0.bb:2:1: bb.fatal in __anon" in w and "needs a libfoo" in w for w in warnings)
    assert all(w.endswith("(recipe skipped, it cannot be parsed)") for w in warnings)
    assert sorted(info.pn for info in index.unparsed) == ["python3-fatal", "python3-noclass", "python3-syntax"]


def test_asking_for_an_unparsed_recipe_gives_the_reason(tmp_path: Path) -> None:
    index = index_of(tmp_path, make_layer(tmp_path))
    with pytest.raises(InputError) as raised:
        index.find("python3-syntax")
    message = str(raised.value)
    assert "python3-syntax_1.0.bb" in message and "cannot be parsed" in message
    assert "python3-syntax_1.0.bb:2:5: unparsed line" in message and "B = unquoted" in message  # the line and its caret
    with pytest.raises(InputError, match="could not inherit class no-such-class"):
        index.find("python3-noclass-native")
    # A dependency on it names the recipe that needs it and the reason.
    with pytest.raises(InputError) as raised:
        GraphBuilder(index, []).build(["python3-user"])
    assert "RDEPENDS:python3-user names python3-noclass" in str(raised.value)
    assert "could not inherit class no-such-class" in str(raised.value)


def test_workers_skip_the_same_recipes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyrecipe.parse.cache as cache_module

    many = dict(RECIPES)
    many.update({f"recipes-x/r{i}/r{i}_1.{i}.bb": f'N = "{i}"\n' for i in range(8)})
    layer = make_layer(tmp_path, recipes=many)
    serial = [(i.pn, i.skipped) for i in index_of(tmp_path, layer).infos]
    shutil.rmtree(tmp_path / "cache")
    monkeypatch.setattr(cache_module, "PARALLEL_FROM", 2)
    monkeypatch.setattr(cache_module.os, "cpu_count", lambda: 3)
    assert [(i.pn, i.skipped) for i in index_of(tmp_path, layer).infos] == serial


def test_build_of_an_unparsed_recipe_is_an_input_error(tmp_path: Path) -> None:
    layer = tmp_path / "layer"
    shutil.copytree(RUNNER_LAYER / "conf", layer / "conf")
    write_files(layer, {
        "recipes-demo/ok/ok_1.0.bb": 'LICENSE = "MIT"\n',
        "recipes-demo/bad/bad_1.0.bb": 'LICENSE = "MIT"\ninherit ptest-but-misspelt\n',
    })
    common = ("--machine", "runnerboard", "--layer", layer, "--build-dir", tmp_path / "build")
    result = pyrecipe_cli("deps", *common, "ok")
    assert result.returncode == 0, result.stderr
    assert "bad_1.0.bb:2:1: could not inherit class ptest-but-misspelt" in result.stderr and "recipe skipped" in result.stderr
    result = pyrecipe_cli("build", *common, "bad")
    assert result.returncode == 2
    assert "could not inherit class ptest-but-misspelt" in result.stderr
    assert "bad_1.0.bb:2:1" in result.stderr and "Traceback" not in result.stderr


def test_bbmask_leaves_files_out(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    layer = make_layer(tmp_path)
    local = 'BBMASK = "meta-broken/recipes-devtools/python/python3-(noclass|syntax) python3-fatal_ |python3-user ([bad"\n'
    with caplog.at_level(logging.WARNING):
        index = index_of(tmp_path, layer, local_conf=local)
        names = sorted(path.name for path in index.recipes if layer in path.parents)
        assert names == ["python3-good_1.0.bb"]
        assert not index.unparsed
    assert any("BBMASK" in r.getMessage() and "([bad" in r.getMessage() for r in caplog.records)


def test_layerdepends_on_oe_core_and_meta_oe_are_satisfied(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    conf = LAYER_CONF + (
        'LAYERDEPENDS_broken-test = "core (>= 12) openembedded-layer networking-layer"\n'
        'LAYERSERIES_COMPAT_broken-test = "whinlatter wrynose"\n'
    )
    with caplog.at_level(logging.WARNING):
        index_of(tmp_path, make_layer(tmp_path, conf=conf, recipes={}))
    warnings = [r.getMessage() for r in caplog.records]
    assert [w for w in warnings if "depends on" in w] == [
        "WARNING: layer broken-test depends on layer networking-layer, which is not configured "
        "(LAYERDEPENDS_broken-test; add it with --layer or BBLAYERS)"
    ]
    assert not [w for w in warnings if "release series" in w]


def test_layerdepends_version_and_series_mismatches_warn(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    other = tmp_path / "meta-other"
    write_files(other, {"conf/layer.conf": (
        'BBFILE_COLLECTIONS += "other"\nBBFILE_PATTERN_other := "^${LAYERDIR}/"\nLAYERVERSION_other = "2"\n'
    )})
    conf = LAYER_CONF + 'LAYERDEPENDS_broken-test = "other (>= 3)"\nLAYERSERIES_COMPAT_broken-test = "dunfell"\n'
    with caplog.at_level(logging.WARNING):
        index_of(tmp_path, make_layer(tmp_path, conf=conf, recipes={}), other)
    warnings = [r.getMessage() for r in caplog.records]
    assert "WARNING: layer broken-test depends on version >= 3 of layer other, which has LAYERVERSION_other = '2'" in warnings
    assert any(w.startswith("WARNING: layer broken-test is compatible with the release series dunfell, pyrecipe with ")
               for w in warnings)


def test_oe_layer_bench_counts_parsed_resolved_and_reasons(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    recipes = dict(RECIPES)
    recipes["recipes-devtools/python/python3-lost_1.0.bb"] = 'LICENSE = "MIT"\nRDEPENDS:${PN} = "python3-nowhere"\n'
    recipes["recipes-devtools/python/python3-featured_1.0.bb"] = (
        'LICENSE = "MIT"\ninherit features_check\nREQUIRED_DISTRO_FEATURES = "no-such-feature"\n'
    )
    layer = make_layer(tmp_path, recipes=recipes)
    root = Path(__file__).resolve().parents[2]
    # Offline: names no layer provides are not looked up on PyPI (where "nowhere" may well exist).
    (tmp_path / "build" / "conf").mkdir(parents=True)
    (tmp_path / "build" / "conf" / "local.conf").write_text('PYPI_RESOLVE = "0"\n')
    result = subprocess.run(
        [sys.executable, str(root / "bench" / "oe_layer.py"), "--layer", str(layer), "--machine", "testboard",
         "--build-dir", str(tmp_path / "build"), "--json", str(tmp_path / "out.json")],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "recipes: 7",
        "parsed: 4 (of which skipped with a reason: 1); not parsed: 3",
        "resolved: 1 of 3 parsed and not skipped",
    ]
    assert "     1 could not inherit class no-such-class: no classes/no-such-class.bbclass" in lines
    assert "     1 missing required distro feature 'no-such-feature' (not in DISTRO_FEATURES)" in lines
    assert "     1 python3-nowhere (RDEPENDS: no recipe)" in lines
    assert "     1 python3-noclass (a dependency does not parse)" in lines
    records = {r["pn"]: r for r in map(json.loads, (tmp_path / "out.json").read_text().splitlines())}
    assert records["python3-good"]["resolved"] is True and records["python3-syntax"]["parsed"] is False


def test_pyrecipes_own_recipe_that_does_not_parse_stops_with_the_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pyrecipe.config.layers as layers_module
    from pyrecipe.parse import ParseError

    layer = make_layer(tmp_path)
    # As if the layer were pyrecipe's own recipes/: a broken recipe there is a broken tool.
    monkeypatch.setattr(layers_module, "RECIPES_DIR", layer / "recipes-devtools")
    with pytest.raises(ParseError) as raised:
        index_of(tmp_path, layer).infos
    assert str(raised.value).startswith(f"{layer}/recipes-devtools/python/python3-fatal_1.0.bb:2:1: bb.fatal")
