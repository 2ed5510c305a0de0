"""Who may set the variables that place build areas (pyrecipe/parse/walls.py), on the datastore:
configuration files and the trusted classes may, a recipe may not, and the rule survives the
parse cache's pickling (so Python that runs at task time is held too)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from pyrecipe.errors import InputError
from pyrecipe.parse import DataSmart, ParseError, load_config, parse_recipe


def _config(tmp_path: Path) -> tuple[DataSmart, Path]:
    conf = tmp_path / "conf" / "site.conf"
    conf.parent.mkdir()
    conf.write_text('DL_DIR = "/build/downloads"\nWORKDIR = "/build/work/${PN}"\n')
    trusted = tmp_path / "trusted" / "classes"
    trusted.mkdir(parents=True)
    (trusted / "ours.bbclass").write_text('PKGMANIFESTDIR = "${WORKDIR}/package-lists"\n')
    layer = tmp_path / "layer" / "classes"
    layer.mkdir(parents=True)
    (layer / "theirs.bbclass").write_text('# a layer class\nDL_DIR:append = "/../../etc"\n')
    return load_config([conf], trusted_dirs=[str(trusted)]), tmp_path


def _recipe(tmp_path: Path, text: str) -> Path:
    recipe = tmp_path / "demo_1.0.bb"
    recipe.write_text(text)
    return recipe


def test_configuration_and_trusted_classes_set_them_and_a_recipe_reads_them(tmp_path: Path) -> None:
    config, root = _config(tmp_path)
    recipe = _recipe(tmp_path, 'inherit ours\nS = "${WORKDIR}/git"\n')

    d = parse_recipe(recipe, config, bbpath=[root / "trusted"])[""]

    assert d.getVar("PKGMANIFESTDIR") == "/build/work/demo/package-lists"
    assert d.getVar("S") == "/build/work/demo/git"
    # pyrecipe's own code (no recipe Python running) still sets them after parsing.
    d.setVar("DL_DIR", "/elsewhere")
    assert d.getVar("DL_DIR") == "/elsewhere"


@pytest.mark.parametrize(("text", "where", "variable"), [
    ('SUMMARY = "x"\nWORKDIR = "/build/conf"\n', "demo_1.0.bb:2", "WORKDIR"),
    ("inherit theirs\n", "theirs.bbclass:2", "DL_DIR:append"),
    ('python () {\n    d.setVar("DL_DIR", "/usr/include")\n}\n', "demo_1.0.bb:1", "DL_DIR"),
], ids=["recipe", "layer-class", "anonymous-python"])
def test_a_recipe_or_a_layer_class_may_not(tmp_path: Path, text: str, where: str, variable: str) -> None:
    config, root = _config(tmp_path)

    with pytest.raises(ParseError) as error:
        parse_recipe(_recipe(tmp_path, text), config, bbpath=[root / "trusted", root / "layer"])

    assert f"{where}:1: {variable} is set here, but {variable.partition(':')[0]} places a build area" in str(error.value)


def test_the_walls_survive_the_parse_cache(tmp_path: Path) -> None:
    config, _ = _config(tmp_path)
    d = pickle.loads(pickle.dumps(parse_recipe(_recipe(tmp_path, 'X = "${@d.getVar(\'PN\')}"\n'), config)[""]))

    # Expanding X later (a signature, a task) runs the recipe's ${@...}: refused all the same.
    with pytest.raises(InputError, match="demo_1.0.bb:1:1: DL_DIR is set here"):
        d.setVar("X", "${@d.setVar('DL_DIR', '/etc')}")
        d.getVar("X")
