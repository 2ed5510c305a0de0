"""include/require/include_all, inherit/inherit_defer, functions, tasks, handlers, variants, names."""

from __future__ import annotations

from pathlib import Path

import pytest

from parse_support import parse, parse_variants, write_files
from pyrecipe.errors import InputError
from pyrecipe.parse import ParseError

MYCLASS = """\
myc_do_compile() {
\techo from-class
}
python myc_do_install() {
    bb.note("installing")
}
EXPORT_FUNCTIONS do_compile do_install
"""


# ------------------------------------------------------------------ file names
@pytest.mark.parametrize(
    "name, expected",
    [
        ("foo.bb", ("foo", "1.0", "r0", "foo-1.0", "foo", "foo-1.0")),
        ("foo_2.1.bb", ("foo", "2.1", "r0", "foo-2.1", "foo", "foo-2.1")),
        ("python3-foo-bar_1.2_r3.bb", ("python3-foo-bar", "1.2", "r3", "python3-foo-bar-1.2", "python3-foo-bar", "python3-foo-bar-1.2")),
        ("foo-native_1.0.bb", ("foo-native", "1.0", "r0", "foo-native-1.0", "foo", "foo-1.0")),
        ("foo_git.bb", ("foo", "git", "r0", "foo-git", "foo", "foo-git")),
    ],
)
def test_pn_pv_pr_from_file_name(tmp_path: Path, name: str, expected: tuple[str, ...]) -> None:
    d = parse(tmp_path, "", name=name)
    assert tuple(d.getVar(v) for v in ("PN", "PV", "PR", "P", "BPN", "BP")) == expected
    assert d.getVar("FILE") == str(tmp_path / name)
    assert d.getVar("FILE_DIRNAME") == str(tmp_path)


def test_pv_set_in_recipe_wins_over_file_name(tmp_path: Path) -> None:
    d = parse(tmp_path, 'PV = "3.0+git"\n', name="foo_git.bb")
    assert (d.getVar("PV"), d.getVar("P"), d.getVar("BP")) == ("3.0+git", "foo-3.0+git", "foo-3.0+git")


def test_too_many_underscores_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="too many underscores"):
        parse(tmp_path, "", name="a_b_c_d.bb").getVar("PN")


# ------------------------------------------------------------------ include / require
def test_include_missing_file_is_ignored(tmp_path: Path) -> None:
    assert parse(tmp_path, 'include nope.inc\nA = "ok"\n').getVar("A") == "ok"


def test_include_takes_zero_or_more_names(tmp_path: Path) -> None:
    files = {"a.inc": 'A = "a"\n', "b.inc": 'B = "b"\n'}
    d = parse(tmp_path, "include ${@''}\ninclude a.inc nope.inc b.inc\n", files=files)
    assert (d.getVar("A"), d.getVar("B")) == ("a", "b")


def test_require_missing_file_is_an_error_naming_file_and_line(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as caught:
        parse(tmp_path, 'A = "ok"\nrequire nope.inc\n')
    assert caught.value.line == 2
    assert "nope.inc" in str(caught.value)
    assert str(tmp_path / "foo_1.0.bb") in str(caught.value)


def test_include_and_require_read_relative_to_the_recipe_then_bbpath(tmp_path: Path) -> None:
    files = {"foo.inc": 'A = "from ${BPN}.inc"\nB = "inc"\n', "layer/conf/common.inc": 'C = "bbpath"\n'}
    d = parse(tmp_path, 'require ${BPN}.inc\ninclude conf/common.inc\nB += "recipe"\n', files=files, bbpath=[tmp_path / "layer"])
    assert (d.getVar("A"), d.getVar("B"), d.getVar("C")) == ("from foo.inc", "inc recipe", "bbpath")


def test_included_file_sees_and_sets_the_recipes_variables_in_order(tmp_path: Path) -> None:
    files = {"part.inc": 'X += "inc:${FILE}"\n'}
    d = parse(tmp_path, 'X = "before"\ninclude part.inc\nX += "after"\n', files=files)
    # FILE is the included file while it is read, the recipe again afterwards (expanded lazily).
    assert d.getVar("X") == f"before inc:{tmp_path / 'foo_1.0.bb'} after"
    assert d.getVar("FILE") == str(tmp_path / "foo_1.0.bb")


def test_require_several_files(tmp_path: Path) -> None:
    files = {"a.inc": 'A = "a"\n', "b.inc": 'B = "b"\n'}
    d = parse(tmp_path, "require a.inc b.inc\n", files=files)
    assert (d.getVar("A"), d.getVar("B")) == ("a", "b")


def test_include_all_reads_every_match_on_bbpath_in_order(tmp_path: Path) -> None:
    files = {"l1/conf/all.conf": 'ALL += "l1"\n', "l2/conf/all.conf": 'ALL += "l2"\n'}
    write_files(tmp_path, files)
    d = parse(tmp_path / "r", "include_all conf/all.conf\n", bbpath=[tmp_path / "l1", tmp_path / "none", tmp_path / "l2"])
    assert d.getVar("ALL") == " l1 l2"


def test_include_of_itself_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="itself"):
        parse(tmp_path, "include foo_1.0.bb\n")


# ------------------------------------------------------------------ inherit
def test_inherit_reads_a_class_once(tmp_path: Path) -> None:
    files = {"classes/c1.bbclass": 'X .= "c1"\n', "classes/c2.bbclass": 'inherit c1\nX .= "c2"\n'}
    d = parse(tmp_path, 'inherit c1\ninherit c1 c2\ninherit c2\nX .= "r"\n', files=files)
    assert d.getVar("X") == "c1c2r"


def test_inherit_searches_classes_recipe_before_classes(tmp_path: Path) -> None:
    files = {"classes/k.bbclass": 'K = "classes"\n', "classes-recipe/k.bbclass": 'K = "classes-recipe"\n'}
    assert parse(tmp_path, "inherit k\n", files=files).getVar("K") == "classes-recipe"


def test_inherit_expands_its_argument(tmp_path: Path) -> None:
    files = {"classes/c1.bbclass": 'X = "c1"\n'}
    assert parse(tmp_path, 'WHICH = "c1"\ninherit ${WHICH}\n', files=files).getVar("X") == "c1"


def test_inherit_earlier_on_bbpath_wins(tmp_path: Path) -> None:
    files = {"a/classes/k.bbclass": 'K = "a"\n', "b/classes/k.bbclass": 'K = "b"\n'}
    write_files(tmp_path, files)
    assert parse(tmp_path / "r", "inherit k\n", bbpath=[tmp_path / "b", tmp_path / "a"]).getVar("K") == "b"


def test_inherit_unknown_class_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="nosuchclass"):
        parse(tmp_path, "\ninherit nosuchclass\n")


def test_inherit_defer_happens_after_the_recipe(tmp_path: Path) -> None:
    files = {"classes/late.bbclass": 'LATE ?= "class-default"\nSEEN = "${@d.getVar(\'SETTING\', False)}"\nORDER .= "late"\n'}
    d = parse(tmp_path, 'inherit_defer late\nLATE = "recipe"\nSETTING = "set-after"\nORDER .= "recipe,"\n', files=files)
    assert d.getVar("LATE") == "recipe"
    assert d.getVar("SEEN") == "set-after"
    assert d.getVar("ORDER") == "recipe,late"


def test_inherit_defer_name_from_a_variable_set_later(tmp_path: Path) -> None:
    files = {"classes/chosen.bbclass": 'CHOSEN = "yes"\n'}
    assert parse(tmp_path, "inherit_defer ${PICK}\nPICK = \"chosen\"\n", files=files).getVar("CHOSEN") == "yes"


# ------------------------------------------------------------------ functions
def test_shell_and_python_functions_with_flags(tmp_path: Path) -> None:
    text = (
        "do_install() {\n\tinstall -d ${D}\n}\n"
        "python do_check() {\n    bb.note('x')\n}\n"
        "fakeroot do_package() {\n\ttar c .\n}\n"
        "fakeroot python do_pyfake() {\n    pass\n}\n"
    )
    d = parse(tmp_path, text)
    assert d.getVar("do_install", False) == "\tinstall -d ${D}\n"
    assert d.getVarFlag("do_install", "func") and not d.getVarFlag("do_install", "python")
    assert d.getVar("do_check", False) == "    bb.note('x')\n"
    assert d.getVarFlag("do_check", "python")
    assert d.getVarFlag("do_package", "fakeroot") and not d.getVarFlag("do_package", "python")
    assert d.getVarFlag("do_pyfake", "fakeroot") and d.getVarFlag("do_pyfake", "python")


def test_function_append_and_prepend(tmp_path: Path) -> None:
    text = "do_install() {\n\tone\n}\ndo_install:append() {\n\ttwo\n}\ndo_install:prepend() {\n\tzero\n}\n"
    assert parse(tmp_path, text).getVar("do_install", False) == "\tzero\n\tone\n\ttwo\n"


def test_function_body_keeps_braces_and_quotes(tmp_path: Path) -> None:
    text = 'do_x() {\n\tif [ -n "$A" ]; then\n\t\techo "${B}" \'}\'\n\tfi\n}\nB = "b"\n'
    assert parse(tmp_path, text).getVar("do_x") == '\tif [ -n "$A" ]; then\n\t\techo "b" \'}\'\n\tfi\n'


def test_anonymous_python_both_spellings_run_in_order_at_the_end(tmp_path: Path) -> None:
    text = (
        'python __anonymous() {\n    d.setVar("X", d.getVar("LATER"))\n}\n'
        'python () {\n    d.setVar("Y", d.getVar("X") + "2")\n}\n'
        'LATER = "set-after-the-function"\n'
    )
    d = parse(tmp_path, text)
    assert (d.getVar("X"), d.getVar("Y")) == ("set-after-the-function", "set-after-the-function2")


def test_def_text_is_kept_as_bitbake_keeps_it(tmp_path: Path) -> None:
    text = 'def f(d):\n    # doc\n    return "f"\n\n\nA = "${@f(d)}"\ndef g():\n    return "g"'
    d = parse(tmp_path, text)
    assert d.getVar("f", False) == 'def f(d):\n    # doc\n    return "f"\n\n'
    assert d.getVar("g", False) == 'def g():\n    return "g"'
    assert d.getVar("A") == "f"


def test_anonymous_python_can_call_def_helpers(tmp_path: Path) -> None:
    text = "def helper(d):\n    return d.getVar('PN').upper()\n\npython () {\n    d.setVar('UP', helper(d))\n}\n"
    assert parse(tmp_path, text).getVar("UP") == "FOO"


def test_error_in_anonymous_python_is_a_parse_error_with_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as caught:
        parse(tmp_path, 'A = "1"\npython () {\n    raise ValueError("bad recipe code")\n}\n')
    assert "bad recipe code" in str(caught.value)
    assert caught.value.file == str(tmp_path / "foo_1.0.bb")
    assert caught.value.line == 2


def test_skip_recipe_from_anonymous_python(tmp_path: Path) -> None:
    d = parse(tmp_path, 'python () {\n    raise bb.parse.SkipRecipe("not for this machine")\n}\n')
    assert d.getVar("__SKIPPED", False) == "not for this machine"


def test_export_functions_maps_to_the_class_function(tmp_path: Path) -> None:
    d = parse(tmp_path, "inherit myc\n", files={"classes/myc.bbclass": MYCLASS})
    # bitbake's text, its marker line included (bitbake -e shows it).
    assert d.getVar("do_compile", False) == "    # Export function set\n    myc_do_compile\n"
    assert not d.getVarFlag("do_compile", "python")
    assert "myc_do_install" in d.getVar("do_install", False)
    assert d.getVarFlag("do_install", "python")
    assert d.getVar("myc_do_compile", False) == "\techo from-class\n"


def test_recipe_function_replaces_exported_one(tmp_path: Path) -> None:
    text = "inherit myc\ndo_compile() {\n\techo from-recipe\n}\n"
    d = parse(tmp_path, text, files={"classes/myc.bbclass": MYCLASS})
    assert d.getVar("do_compile", False) == "\techo from-recipe\n"


def test_recipe_function_between_two_exporting_classes_stays(tmp_path: Path) -> None:
    other = "other_do_compile() {\n\techo other\n}\nEXPORT_FUNCTIONS do_compile\n"
    text = "inherit myc\ndo_compile() {\n\techo mine\n}\ninherit other\n"
    d = parse(tmp_path, text, files={"classes/myc.bbclass": MYCLASS, "classes/other.bbclass": other})
    assert d.getVar("do_compile", False) == "\techo mine\n"


def test_later_exporting_class_replaces_an_earlier_export(tmp_path: Path) -> None:
    other = "other_do_compile() {\n\techo other\n}\nEXPORT_FUNCTIONS do_compile\n"
    d = parse(tmp_path, "inherit myc other\n", files={"classes/myc.bbclass": MYCLASS, "classes/other.bbclass": other})
    assert d.getVar("do_compile", False) == "    # Export function set\n    other_do_compile\n"


def test_export_functions_does_not_replace_a_recipe_function_defined_first(tmp_path: Path) -> None:
    text = "do_compile() {\n\techo mine\n}\ninherit myc\n"
    d = parse(tmp_path, text, files={"classes/myc.bbclass": MYCLASS})
    assert d.getVar("do_compile", False) == "\techo mine\n"


# ------------------------------------------------------------------ tasks and handlers
def test_addtask_after_before_records_deps(tmp_path: Path) -> None:
    text = (
        "addtask fetch\n"
        "addtask compile after do_fetch before do_build\n"
        "addtask build\n"
        "addtask install after do_compile do_fetch before do_build # a comment\n"
    )
    d = parse(tmp_path, text)
    assert d.getVar("__BBTASKS", False) == ["do_fetch", "do_compile", "do_build", "do_install"]
    assert d.getVarFlag("do_compile", "deps") == ["do_fetch"]
    assert d.getVarFlag("do_install", "deps") == ["do_compile", "do_fetch"]
    assert d.getVarFlag("do_build", "deps") == ["do_install", "do_compile"]
    assert all(d.getVarFlag(t, "task") for t in d.getVar("__BBTASKS", False))


def test_addtask_without_do_prefix_and_several_tasks(tmp_path: Path) -> None:
    d = parse(tmp_path, "addtask a b after do_x\n")
    assert d.getVar("__BBTASKS", False) == ["do_a", "do_b"]
    assert d.getVarFlag("do_b", "deps") == ["do_x"]


def test_deltask_removes_the_task_and_dependencies_on_it(tmp_path: Path) -> None:
    text = "addtask fetch\naddtask compile after do_fetch\naddtask install after do_compile do_fetch\ndeltask do_fetch\n"
    d = parse(tmp_path, text)
    assert d.getVar("__BBTASKS", False) == ["do_compile", "do_install"]
    assert d.getVarFlag("do_compile", "deps") == []
    assert d.getVarFlag("do_install", "deps") == ["do_compile"]
    assert not d.getVarFlag("do_fetch", "task")


def test_task_name_with_override_keyword_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="keyword"):
        parse(tmp_path, "addtask do_remove_files\n")


def test_addhandler_with_eventmask_runs_on_the_named_events(tmp_path: Path) -> None:
    text = (
        "python h() {\n    e.data.setVar('SEEN', (e.data.getVar('SEEN') or '') + ' ' + e.name)\n}\n"
        "addhandler h\n"
        'h[eventmask] = "bb.event.RecipePreFinalise bb.event.RecipeParsed"\n'
        "python all_events() {\n    e.data.setVar('ALL', (e.data.getVar('ALL') or '') + '.')\n}\n"
        "addhandler all_events\n"
    )
    d = parse(tmp_path, text)
    assert d.getVar("SEEN") == " RecipePreFinalise RecipeParsed"
    # Every event but RecipePreDeferredInherits: bitbake registers a recipe's handlers after it.
    assert d.getVar("ALL") == "...."
    assert d.getVar("__BBHANDLERS", False) == ["h", "all_events"]


def test_configuration_handler_sees_recipe_pre_deferred_inherits(tmp_path: Path) -> None:
    from pyrecipe.parse import load_config, parse_recipe

    handler = "addhandler h\nh[eventmask] = 'bb.event.RecipePreDeferredInherits'\npython h() {\n    e.data.setVar('H', 'seen')\n}\n"
    write_files(tmp_path, {"conf/site.conf": handler, "foo_1.0.bb": 'A = "a"\n', "bar_1.0.bb": handler})
    config = load_config([tmp_path / "conf/site.conf"])
    assert parse_recipe(tmp_path / "foo_1.0.bb", config)[""].getVar("H") == "seen"
    assert parse_recipe(tmp_path / "bar_1.0.bb")[""].getVar("H") is None


def test_inherit_of_a_relative_bbclass_path_looks_along_bbpath(tmp_path: Path) -> None:
    files = {"classes/c1.bbclass": 'C1 = "yes"\n', "other/c2.bbclass": 'C2 = "yes"\n'}
    d = parse(tmp_path, "inherit classes/c1.bbclass other/c2.bbclass\n", files=files)
    assert (d.getVar("C1"), d.getVar("C2")) == ("yes", "yes")


def test_bb_defer_bbclasses_turns_inherit_into_inherit_defer(tmp_path: Path) -> None:
    text = 'BB_DEFER_BBCLASSES = "late"\ninherit late\nA = "recipe"\n'
    d = parse(tmp_path, text, files={"classes/late.bbclass": 'A = "class"\n'})
    assert d.getVar("A") == "class"


def test_depends_normalised_at_the_end_as_bitbake_does(tmp_path: Path) -> None:
    text = (
        'DEPENDS = "  a   b "\nDEPENDS += "virtual/x"\nBB_RECIPE_VIRTUAL_PROVIDERS = "virtual/x"\n'
        'PREFERRED_PROVIDER_virtual/x = "realx"\naddtask t\ndo_t[depends] = "virtual/x:do_populate_sysroot  c:do_x"\n'
    )
    d = parse(tmp_path, text)
    assert d.getVar("DEPENDS") == "a b realx"
    assert d.getVarFlag("do_t", "depends") == "realx:do_populate_sysroot c:do_x"
    assert parse(tmp_path, 'DEPENDS:append = " x"\n').getVar("DEPENDS") == "x"
    # A recipe that never sets DEPENDS (a --bare parse) ends with an empty one, as in bitbake,
    # and so does each task's [depends].
    d = parse(tmp_path, "addtask t\n")
    assert (d.getVar("DEPENDS"), d.getVarFlag("do_t", "depends")) == ("", "")


def test_depends_on_a_virtual_provider_without_preferred_provider_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="PREFERRED_PROVIDER_virtual/x"):
        parse(tmp_path, 'DEPENDS = "virtual/x"\nBB_RECIPE_VIRTUAL_PROVIDERS = "virtual/x"\n')


# ------------------------------------------------------------------ BBCLASSEXTEND
def test_bbclassextend_native_bare_uses_the_builtin_fallback(tmp_path: Path) -> None:
    text = (
        'BBCLASSEXTEND = "native"\nOVERRIDES = "${CLASSOVERRIDE}"\nCLASSOVERRIDE ?= "class-target"\n'
        'A = "t"\nA:class-native = "n"\nRDEPENDS:${PN}:append:class-target = " tgt"\n'
    )
    variants = parse_variants(tmp_path, text, name="python3-foo_1.0.bb")
    assert sorted(variants) == ["", "native"]
    target, native = variants[""], variants["native"]
    assert (target.getVar("PN"), target.getVar("CLASSOVERRIDE"), target.getVar("A")) == ("python3-foo", "class-target", "t")
    assert (native.getVar("PN"), native.getVar("CLASSOVERRIDE"), native.getVar("A")) == ("python3-foo-native", "class-native", "n")
    assert (native.getVar("BPN"), native.getVar("BP")) == ("python3-foo", "python3-foo-1.0")
    assert target.getVar("RDEPENDS:python3-foo") == " tgt"
    assert native.getVar("RDEPENDS:python3-foo-native") is None


def test_bbclassextend_uses_the_class_on_bbpath(tmp_path: Path) -> None:
    files = {"classes/native.bbclass": 'CLASSOVERRIDE = "class-native"\nNATIVE_CLASS_READ = "${PN}"\n'}
    variants = parse_variants(tmp_path, 'BBCLASSEXTEND = "native"\n', files=files)
    assert variants["native"].getVar("NATIVE_CLASS_READ") == "foo-native"
    assert variants[""].getVar("NATIVE_CLASS_READ") is None


def test_bbclassextend_variant_with_argument(tmp_path: Path) -> None:
    files = {"classes/mcextend.bbclass": 'MC = "${BBEXTENDVARIANT}"\n'}
    variants = parse_variants(tmp_path, 'BBCLASSEXTEND = "mcextend:foo"\n', files=files)
    assert variants["mcextend:foo"].getVar("MC") == "foo"
    assert variants[""].getVar("MC") is None


@pytest.mark.parametrize("statement", ["require ..", "include ..", "include_all ..", "inherit /"])
def test_including_a_directory_is_a_parse_error_at_the_statement(tmp_path: Path, statement: str) -> None:
    with pytest.raises(ParseError, match="cannot read .*Is a directory") as caught:
        parse(tmp_path / "r", f'A = "1"\n{statement}\n')
    assert (caught.value.file, caught.value.line) == (str(tmp_path / "r" / "foo_1.0.bb"), 2)


def test_exit_in_anonymous_python_is_a_parse_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError, match="SystemExit") as caught:
        parse(tmp_path, 'python () {\n    raise SystemExit(1)\n}\n')
    assert caught.value.line == 1
