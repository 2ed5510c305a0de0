"""Layers: BBFILES, .bbappend with %, PREFERRED_VERSION, PROVIDES, name lookup; the parse cache."""

from __future__ import annotations

from pathlib import Path

import pytest

import pyrecipe.parse.cache as cache_module
import pyrecipe.parse.reader as reader_module
from parse_support import META_TEST, write_files
from pyrecipe.config.configuration import Settings, check_layer_dir, load_configuration
from pyrecipe.config.layers import LayerIndex, append_matches
from pyrecipe.errors import InputError

TESTBOARD = (META_TEST / "conf" / "machine" / "testboard.conf").read_text()


def index_for(tmp_path: Path, *layers: Path, cache: bool = True) -> LayerIndex:
    """The index of ``layers`` for machine testboard (each temporary layer gets that machine)."""
    for layer in layers:
        if not (layer / "conf" / "machine" / "testboard.conf").exists():
            write_files(layer, {"conf/machine/testboard.conf": TESTBOARD})
    config = load_configuration(Settings(build_dir=tmp_path / "build", machine="testboard", layers=layers))
    return LayerIndex(config, tmp_path / "cache" if cache else None)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> LayerIndex:
    return index_for(tmp_path_factory.mktemp("layers"), META_TEST)


def test_bbfiles_globs_find_the_layers_recipes(index: LayerIndex) -> None:
    mine = sorted(p.name for p in index.recipes if META_TEST in p.parents)
    assert mine == [
        "hello_0.9.bb", "python3-example_1.2.3.bb", "python3-fastmath_2.0.1.bb",
        "python3-multi_1.0.bb", "python3-multi_1.5.bb", "python3-multi_2.0.bb",
    ]


def test_percent_bbappend_applies_to_its_recipe_only(index: LayerIndex) -> None:
    appends = {p.name: [a.name for a in index.appends_of[p]] for p in index.recipes if META_TEST in p.parents}
    assert appends["python3-example_1.2.3.bb"] == ["python3-example_%.bbappend"]
    assert all(not v for k, v in appends.items() if k != "python3-example_1.2.3.bb")
    info = index.find("python3-example")
    assert index.datastore(info).getVar("EXTRA_FROM_APPEND") == "yes"
    assert index.datastore(info).getVar("SRC_URI").split()[-1] == "file://0001-fix-build.patch"


@pytest.mark.parametrize(
    "append, recipe, expected",
    [
        ("foo_%.bbappend", "foo_1.0.bb", True),
        ("foo_1.%.bbappend", "foo_1.2.bb", True),
        ("foo_1.%.bbappend", "foo_2.0.bb", False),
        ("foo_1.0.bbappend", "foo_1.0.bb", True),
        ("foo_1.0.bbappend", "foo_1.0.1.bb", False),
        ("foo.bbappend", "foo.bb", True),
        ("foo_%.bbappend", "foobar_1.0.bb", False),
    ],
)
def test_append_matching(append: str, recipe: str, expected: bool) -> None:
    assert append_matches(Path(append), Path(recipe)) is expected


@pytest.mark.parametrize("name", ["python3-example", "example", "Example", "python3_example"])
def test_python3_prefix_and_pypi_spellings_name_the_same_recipe(index: LayerIndex, name: str) -> None:
    info = index.find(name)
    assert (info.pn, info.variant, info.file.name) == ("python3-example", "", "python3-example_1.2.3.bb")


@pytest.mark.parametrize("name", ["python3-example-native", "example-native"])
def test_native_names_find_the_native_variant(index: LayerIndex, name: str) -> None:
    info = index.find(name)
    assert (info.pn, info.variant) == ("python3-example-native", "native")
    assert index.datastore(info).getVar("CLASSOVERRIDE") == "class-native"


def test_preferred_version_chooses_among_versions(index: LayerIndex) -> None:
    # conf/layer.conf: PREFERRED_VERSION_python3-multi = "1.%"; without it 2.0 would win.
    assert index.find("python3-multi").pv == "1.5"
    assert index.find("multi").pv == "1.5"


def test_highest_version_without_preference(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "layer/conf/layer.conf": 'BBPATH .= ":${LAYERDIR}"\nBBFILES += "${LAYERDIR}/recipes/*.bb"\n',
        "layer/recipes/python3-pick_1.9.bb": "",
        "layer/recipes/python3-pick_1.10.bb": "",
        "layer/recipes/python3-pick_1.10~rc1.bb": "",
    })
    # bitbake's version order: 1.10 > 1.9 numerically, and "~" sorts before the release.
    assert index_for(tmp_path, tmp_path / "layer").find("pick").pv == "1.10"


def test_preferred_version_matching_nothing_is_an_input_error(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "layer/conf/layer.conf": 'BBFILES += "${LAYERDIR}/*.bb"\nPREFERRED_VERSION_pick = "3.%"\n',
        "layer/pick_1.0.bb": "",
    })
    with pytest.raises(InputError, match="PREFERRED_VERSION_pick"):
        index_for(tmp_path, tmp_path / "layer").find("pick")


def test_provides_finds_the_providing_recipe(index: LayerIndex) -> None:
    assert index.find("fastmath-api").pn == "python3-fastmath"
    assert index.find("virtual/greeter").pn == "hello"


def test_each_class_inherited_once(index: LayerIndex) -> None:
    assert index.datastore(index.find("hello")).getVar("COUNTER_READS") == "x"


def test_unknown_name_is_an_input_error_with_suggestion(index: LayerIndex) -> None:
    with pytest.raises(InputError, match="python3-exampel.*did you mean python3-example"):
        index.find("python3-exampel")


# ------------------------------------------------------------------ the parse cache
CACHE_LAYER = {
    "layer/conf/layer.conf": 'BBPATH .= ":${LAYERDIR}"\nBBFILES += "${LAYERDIR}/recipes/*/*.bb"\n',
    "layer/classes/mycls.bbclass": 'FROM_CLASS = "v1"\n',
    "layer/recipes/a/a_1.0.bb": 'require common.inc\n',
    "layer/recipes/a/common.inc": 'FROM_INC = "v1"\n',
    "layer/recipes/b/b_1.0.bb": 'B = "plain"\n',
    "layer/recipes/c/c_1.0.bb": "inherit mycls\n",
}


@pytest.fixture
def parse_counter(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the recipes the cache really parsed (not answered from the cache)."""
    parsed: list[str] = []
    real = cache_module.parse_variants

    def counting(parser, path, base, appends=()):
        parsed.append(Path(path).name)
        return real(parser, path, base, appends)

    monkeypatch.setattr(cache_module, "parse_variants", counting)
    return parsed


def scan(tmp_path: Path, *layers: Path) -> LayerIndex:
    index = index_for(tmp_path, *layers)
    assert index.infos
    return index


def test_second_scan_of_an_unchanged_layer_is_answered_by_the_cache(tmp_path: Path, parse_counter: list[str]) -> None:
    write_files(tmp_path, CACHE_LAYER)
    scan(tmp_path, tmp_path / "layer")
    first = [n for n in parse_counter if n in ("a_1.0.bb", "b_1.0.bb", "c_1.0.bb")]
    assert sorted(first) == ["a_1.0.bb", "b_1.0.bb", "c_1.0.bb"]
    parse_counter.clear()
    index = scan(tmp_path, tmp_path / "layer")
    assert parse_counter == []
    assert index.datastore(index.find("a")).getVar("FROM_INC") == "v1"
    assert parse_counter == []


def test_changing_an_include_invalidates_exactly_its_readers(tmp_path: Path, parse_counter: list[str]) -> None:
    write_files(tmp_path, CACHE_LAYER)
    scan(tmp_path, tmp_path / "layer")
    parse_counter.clear()
    (tmp_path / "layer/recipes/a/common.inc").write_text('FROM_INC = "version two"\n')
    index = scan(tmp_path, tmp_path / "layer")
    assert parse_counter == ["a_1.0.bb"]
    assert index.datastore(index.find("a")).getVar("FROM_INC") == "version two"


def test_changing_a_class_invalidates_exactly_its_inheritors(tmp_path: Path, parse_counter: list[str]) -> None:
    write_files(tmp_path, CACHE_LAYER)
    scan(tmp_path, tmp_path / "layer")
    parse_counter.clear()
    (tmp_path / "layer/classes/mycls.bbclass").write_text('FROM_CLASS = "version two"\n')
    index = scan(tmp_path, tmp_path / "layer")
    assert parse_counter == ["c_1.0.bb"]
    assert index.datastore(index.find("c")).getVar("FROM_CLASS") == "version two"


def test_touching_without_changing_content_keeps_the_cache(tmp_path: Path, parse_counter: list[str]) -> None:
    write_files(tmp_path, CACHE_LAYER)
    scan(tmp_path, tmp_path / "layer")
    parse_counter.clear()
    inc = tmp_path / "layer/recipes/a/common.inc"
    inc.write_text(inc.read_text())
    scan(tmp_path, tmp_path / "layer")
    assert parse_counter == []


def test_class_appearing_earlier_on_bbpath_invalidates(tmp_path: Path, parse_counter: list[str]) -> None:
    write_files(tmp_path, CACHE_LAYER)
    write_files(tmp_path, {"early/conf/layer.conf": 'BBPATH .= ":${LAYERDIR}"\n'})
    layers = (tmp_path / "early", tmp_path / "layer")
    scan(tmp_path, *layers)
    parse_counter.clear()
    write_files(tmp_path, {"early/classes/mycls.bbclass": 'FROM_CLASS = "earlier on BBPATH"\n'})
    index = scan(tmp_path, *layers)
    assert parse_counter == ["c_1.0.bb"]
    assert index.datastore(index.find("c")).getVar("FROM_CLASS") == "earlier on BBPATH"


def test_a_damaged_cache_file_is_rebuilt_not_trusted(tmp_path: Path, parse_counter: list[str]) -> None:
    write_files(tmp_path, CACHE_LAYER)
    scan(tmp_path, tmp_path / "layer")
    for path in (tmp_path / "cache").iterdir():
        path.write_bytes(b"not a database" * 100)
    parse_counter.clear()
    index = scan(tmp_path, tmp_path / "layer")
    assert "a_1.0.bb" in parse_counter
    assert index.datastore(index.find("a")).getVar("FROM_INC") == "v1"
    parse_counter.clear()
    scan(tmp_path, tmp_path / "layer")
    assert parse_counter == []


def test_a_cache_that_cannot_be_opened_means_parsing_without_one(tmp_path: Path) -> None:
    write_files(tmp_path, CACHE_LAYER)
    (tmp_path / "cache").write_text("a file where the cache directory should be")
    index = scan(tmp_path, tmp_path / "layer")
    assert index.datastore(index.find("a")).getVar("FROM_INC") == "v1"


def test_a_file_reached_through_several_paths_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Statements are cached by content: the same .inc required by two recipes from two
    directories (a link, a copy) is parsed once, and each recipe sees its own path in it."""
    write_files(tmp_path, {
        **CACHE_LAYER,
        "layer/recipes/shared/shared.inc": 'SHARED = "yes"\nWHERE = "${@d.getVar(\'FILE\')}"\n',
        "layer/recipes/d/d_1.0.bb": "require shared.inc\n",
        "layer/recipes/e/e_1.0.bb": "require shared.inc\n",
    })
    (tmp_path / "layer/recipes/d/shared.inc").symlink_to(tmp_path / "layer/recipes/shared/shared.inc")
    (tmp_path / "layer/recipes/e/shared.inc").write_text((tmp_path / "layer/recipes/shared/shared.inc").read_text())
    parsed: list[str] = []
    real = reader_module.parse_text
    monkeypatch.setattr(reader_module, "parse_text", lambda text, name: parsed.append(name) or real(text, name))
    monkeypatch.setattr(reader_module, "_by_content", {})
    monkeypatch.setattr(reader_module, "_by_path", {})
    index = scan(tmp_path, tmp_path / "layer")
    assert [Path(name).name for name in parsed].count("shared.inc") == 1
    for name in ("d", "e"):
        d = index.datastore(index.find(name))
        assert d.getVar("SHARED") == "yes"
        assert d.origins["SHARED"] == (str(tmp_path / f"layer/recipes/{name}/shared.inc"), 1)


def test_workers_give_the_serial_result_and_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(tmp_path, {f"layer/recipes/r{i}/r{i}_1.{i}.bb": f'N = "{i}"\nPROVIDES = "p{i}"\n' for i in range(12)})
    write_files(tmp_path, {"layer/conf/layer.conf": CACHE_LAYER["layer/conf/layer.conf"]})
    serial = [(i.pn, i.pv, i.provides) for i in index_for(tmp_path, tmp_path / "layer", cache=False).infos]
    monkeypatch.setattr(cache_module, "PARALLEL_FROM", 2)
    monkeypatch.setattr(cache_module.os, "cpu_count", lambda: 3)
    parallel = [(i.pn, i.pv, i.provides) for i in index_for(tmp_path, tmp_path / "layer").infos]
    assert parallel == serial
    write_files(tmp_path, {
        "layer/recipes/r3/r3_1.3.bb": 'A = "fine"\nB = unquoted\n', "layer/recipes/r7/r7_1.7.bb": "require nowhere.inc\n",
    })
    # A recipe that does not parse is skipped with its error, the same in workers as one after the other.
    unparsed = [(i.pn, i.skipped) for i in index_for(tmp_path, tmp_path / "layer").unparsed]
    assert [pn for pn, _ in unparsed] == ["r3", "r7"]
    assert (unparsed[0][1] or "").startswith(f"it cannot be parsed: {tmp_path}/layer/recipes/r3/r3_1.3.bb:2:5: unparsed line")
    monkeypatch.setattr(cache_module, "PARALLEL_FROM", 64)
    assert [(i.pn, i.skipped) for i in index_for(tmp_path, tmp_path / "layer", cache=False).unparsed] == unparsed


def test_yocto_bblayers_conf_names_the_layers(tmp_path: Path) -> None:
    """A build directory laid out as Yocto's: conf/bblayers.conf, paths relative to ${TOPDIR}."""
    layer = tmp_path / "meta-mine"
    write_files(layer, {
        "conf/layer.conf": 'BBPATH .= ":${LAYERDIR}"\nBBFILES += "${LAYERDIR}/recipes-*/*/*.bb"\n',
        "conf/machine/testboard.conf": TESTBOARD,
        "recipes-mine/mine/python3-mine_0.1.bb": 'LICENSE = "MIT"\n',
    })
    build_dir = tmp_path / "build"
    write_files(build_dir, {"conf/bblayers.conf": (
        'POKY_BBLAYERS_CONF_VERSION = "2"\nBBPATH = "${TOPDIR}"\nBBFILES ?= ""\n'
        'BBLAYERS ?= " \\\n  ${TOPDIR}/../meta-mine \\\n  "\n'
    )})
    config = load_configuration(Settings(build_dir=build_dir, machine="testboard"))
    assert config.getVar("BBLAYERS") == str(layer)
    info = LayerIndex(config, None).find("mine")
    assert (info.pn, info.file.name) == ("python3-mine", "python3-mine_0.1.bb")


def test_missing_layer_in_bblayers_conf_is_an_input_error(tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    write_files(build_dir, {"conf/bblayers.conf": 'BBLAYERS = "${TOPDIR}/../meta-gone"\n'})
    with pytest.raises(InputError, match="meta-gone does not exist"):
        load_configuration(Settings(build_dir=build_dir, machine="testboard"))


def _layer_with_priority(root: Path, name: str, priority: int, version: str) -> Path:
    layer = root / name
    write_files(layer, {
        "conf/layer.conf": (
            'BBPATH .= ":${LAYERDIR}"\nBBFILES += "${LAYERDIR}/recipes-*/*/*.bb"\n'
            f'BBFILE_COLLECTIONS += "{name}"\nBBFILE_PATTERN_{name} := "^${{LAYERDIR}}/"\n'
            f'BBFILE_PRIORITY_{name} = "{priority}"\n'
        ),
        f"recipes-x/clash/python3-clash_{version}.bb": 'LICENSE = "MIT"\n',
    })
    return layer


def test_higher_layer_priority_wins_over_a_higher_version(tmp_path: Path) -> None:
    low = _layer_with_priority(tmp_path, "meta-low", 4, "9.0")
    high = _layer_with_priority(tmp_path, "meta-high", 8, "1.0")
    index = index_for(tmp_path, low, high)
    info = index.find("python3-clash")
    assert (info.pv, high in info.file.parents) == ("1.0", True)
    assert index.priority(info.file) == 8
    # pyrecipe's own recipes are a collection of priority 5, as OpenEmbedded-Core's
    assert index.priority(index.find("numpy").file) == 5


def test_same_priority_falls_back_to_the_highest_version(tmp_path: Path) -> None:
    one = _layer_with_priority(tmp_path, "meta-one", 6, "1.0")
    two = _layer_with_priority(tmp_path, "meta-two", 6, "2.0")
    assert index_for(tmp_path, one, two).find("python3-clash").pv == "2.0"


def test_dangling_bbappend_is_an_error_unless_warn_only(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    layer = tmp_path / "meta-dangling"
    write_files(layer, {"conf/layer.conf": 'BBFILES += "${LAYERDIR}/recipes-*/*/*.bbappend"\n',
                        "recipes-x/ghost/ghost_1.0.bbappend": 'EXTRA = "lost"\n'})
    append = layer / "recipes-x/ghost/ghost_1.0.bbappend"
    with pytest.raises(InputError, match=f"no recipe for the .bbappend file\\(s\\) {append}; remove them, or set "
                                         'BB_DANGLINGAPPENDS_WARNONLY = "1"'):
        index_for(tmp_path, layer)
    write_files(tmp_path / "build", {"conf/local.conf": 'BB_DANGLINGAPPENDS_WARNONLY = "1"\n'})
    index_for(tmp_path, layer)
    assert f"WARNING: no recipe for the .bbappend file(s) {append}" in caplog.text


def test_an_oe_core_python3_append_applies_to_pyrecipes_own_recipe_of_the_project(tmp_path: Path) -> None:
    """pyrecipe's own layer stands in for OE-core but names its recipes as PyPI does (idna_3.20.bb,
    python-dateutil_2.9.0.post0.bb): a layer's python3-idna_%.bbappend and python3-dateutil_%.bbappend
    apply to them, as to OE-core's python3-idna_3.10.bb; a python3- append that applies to no
    recipe waits for one generated from PyPI instead of being dangling; python3-dbus_%.bbappend
    never applies to a dbus recipe (a C library of the same stem)."""
    layer = tmp_path / "meta-appends"
    write_files(layer, {"conf/layer.conf": 'BBFILES += "${LAYERDIR}/recipes-*/*/*.bb ${LAYERDIR}/recipes-*/*/*.bbappend"\n',
                        "recipes-x/idna/python3-idna_%.bbappend": 'FROM_APPEND = "idna"\n',
                        "recipes-x/dateutil/python3-dateutil_2.%.bbappend": 'FROM_APPEND = "dateutil"\n',
                        "recipes-x/requests/python3-requests_%.bbappend": 'FROM_APPEND = "requests"\n',
                        "recipes-x/dbus/dbus_1.0.bb": 'LICENSE = "MIT"\n',
                        "recipes-x/dbus/python3-dbus_%.bbappend": 'FROM_APPEND = "python3-dbus"\n'},)
    index = index_for(tmp_path, layer)
    assert index.datastore(index.find("idna")).getVar("FROM_APPEND") == "idna"
    assert index.datastore(index.find("python-dateutil")).getVar("FROM_APPEND") == "dateutil"
    assert index.datastore(index.find("dbus")).getVar("FROM_APPEND") is None
    generated = tmp_path / "generated" / "requests" / "requests_2.32.3.bb"
    write_files(generated.parent, {generated.name: 'LICENSE = "MIT"\n'})
    [info] = [info for info in index.add_recipe(generated) if info.variant == ""]
    assert index.datastore(info).getVar("FROM_APPEND") == "requests"


def test_users_recipe_shadowed_by_pyrecipes_own_is_warned(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    layer = tmp_path / "meta-mine"  # no layer.conf: no collection, BBFILE_PRIORITY 0
    write_files(layer, {"recipes-mine/markupsafe/markupsafe_3.0.3.bb": 'LICENSE = "MIT"\n'})
    index = index_for(tmp_path, layer)
    chosen = index.find("markupsafe")
    assert layer not in chosen.file.parents  # bitbake's rule: the higher BBFILE_PRIORITY (pyrecipe's 5) wins
    assert (f"WARNING: recipe markupsafe: {layer / 'recipes-mine/markupsafe/markupsafe_3.0.3.bb'} (version 3.0.3-r0) "
            f"is not used, {chosen.file} is: its layer's BBFILE_PRIORITY 0 is below 5") in caplog.text


def test_same_recipe_and_version_in_two_layers_is_warned(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    one = _layer_with_priority(tmp_path, "meta-one", 6, "1.0")
    two = _layer_with_priority(tmp_path, "meta-two", 6, "1.0")
    index = index_for(tmp_path, one, two)
    chosen = index.find("python3-clash")
    assert index.find("python3-clash") == chosen
    assert one in chosen.file.parents
    assert (f"{two / 'recipes-x/clash/python3-clash_1.0.bb'} (version 1.0-r0) is not used, {chosen.file} is: both have "
            "version 1.0-r0 and BBFILE_PRIORITY 6; the first in BBFILES is used") in caplog.text
    assert caplog.text.count("is not used") == 1


def test_bbclassextend_naming_no_class_is_an_error(tmp_path: Path) -> None:
    layer = tmp_path / "meta-typo"
    write_files(layer, {"recipes-x/ext/ext_1.0.bb": 'LICENSE = "MIT"\nBBCLASSEXTEND = "native nosuchvariant"\n'})
    with pytest.raises(InputError, match=r"ext_1.0.bb:2:1: BBCLASSEXTEND names nosuchvariant, but there is no "
                                         r"classes/nosuchvariant.bbclass on BBPATH"):
        index_for(tmp_path, layer).find("ext")


def test_nativesdk_variant_parses_under_its_oe_name_and_says_why_it_is_not_built(tmp_path: Path) -> None:
    layer = tmp_path / "meta-sdk"
    write_files(layer, {"recipes-x/ext/python3-ext_1.0.bb":
                        'LICENSE = "MIT"\nDEPENDS = "python3-cffi python3-setuptools-scm-native"\n'
                        'BBCLASSEXTEND = "native nativesdk"\n'})
    index = index_for(tmp_path, layer)
    sdk = next(info for info in index.infos if info.variant == "nativesdk")
    assert sdk.pn == "nativesdk-python3-ext"
    assert index.datastore(sdk).getVar("DEPENDS") == "nativesdk-python3-cffi python3-setuptools-scm-native"
    assert index.find("python3-ext").variant == ""
    with pytest.raises(InputError, match=r"'nativesdk-python3-ext' is provided only by .*python3-ext_1.0.bb "
                                         r"\(variant nativesdk\), which was skipped: a nativesdk variant runs on an SDK host"):
        index.find("nativesdk-python3-ext")


def test_a_directory_of_classes_alone_is_a_layer(tmp_path: Path) -> None:
    """A layer of classes (the parse bench's stub classes for what meta-python inherits) adds its
    classes to the search path: it is no empty directory, which is refused."""
    (tmp_path / "classes").mkdir()
    with pytest.raises(InputError, match="is not a layer"):
        check_layer_dir(tmp_path)
    (tmp_path / "classes" / "ptest.bbclass").write_text("")
    check_layer_dir(tmp_path)
