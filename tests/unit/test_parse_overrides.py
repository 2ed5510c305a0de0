"""Overrides, :append/:prepend/:remove, ${} expansion and inline Python, as bitbake resolves them."""

from __future__ import annotations

from pathlib import Path

import pytest

from parse_support import parse
from pyrecipe.parse import ExpansionError

CASES = [
    pytest.param('OVERRIDES = "a"\nA = "x"\nA:a = "y"', "A", "y", id="active-override"),
    pytest.param('OVERRIDES = "a"\nA = "x"\nA:b = "y"', "A", "x", id="inactive-override"),
    pytest.param('OVERRIDES = "a:b"\nA = "x"\nA:a = "ya"\nA:b = "yb"', "A", "yb", id="later-in-OVERRIDES-wins"),
    pytest.param('OVERRIDES = "b:a"\nA = "x"\nA:a = "ya"\nA:b = "yb"', "A", "ya", id="later-in-OVERRIDES-wins-reversed"),
    pytest.param('OVERRIDES = "a:b"\nA = "x"\nA:b = "yb"\nA:a = "ya"', "A", "yb", id="order-of-assignment-irrelevant"),
    pytest.param('OVERRIDES = "a:b"\nA = "x"\nA:a:b = "yab"\nA:b = "yb"', "A", "yab", id="multi-override-beats-single"),
    pytest.param('OVERRIDES = "a"\nA = "x"\nA:a:b = "yab"', "A", "x", id="multi-override-needs-all"),
    pytest.param('OVERRIDES = "a"\nA:a = "y"', "A", "y", id="override-without-base"),
    pytest.param('OVERRIDES = "a"\nA:a = "y"\nA = "x"', "A", "y", id="override-survives-later-base-assignment"),
    pytest.param('OVERRIDES = "${X}"\nX = "a"\nA = "x"\nA:a = "y"', "A", "y", id="OVERRIDES-expanded"),
    pytest.param('A = "x"\nA:append = " y"', "A", "x y", id="append"),
    pytest.param('A:append = " y"\nA = "x"', "A", "x y", id="append-before-assignment-survives"),
    pytest.param('A:append = "y"\nA = "x"', "A", "xy", id="append-adds-no-space"),
    pytest.param('A:prepend = "y "\nA = "x"', "A", "y x", id="prepend"),
    pytest.param('A = "x"\nA:append = " 1"\nA:append = " 2"\nA:prepend = "0 "', "A", "0 x 1 2", id="appends-in-order"),
    pytest.param('A:append = " y"', "A", " y", id="append-on-unset"),
    pytest.param('OVERRIDES = "a"\nA = "x"\nA:append:a = " y"\nA:append:b = " z"', "A", "x y", id="conditional-append"),
    pytest.param('OVERRIDES = "a"\nA = "x"\nA:a = "ya"\nA:append = " y"', "A", "ya y", id="append-after-override-selection"),
    pytest.param('OVERRIDES = "a"\nA = "x"\nA:a = "ya"\nA:a:append = " y"', "A", "ya y", id="append-to-override"),
    pytest.param('OVERRIDES = "b"\nA = "x"\nA:a = "ya"\nA:a:append = " y"', "A", "x", id="append-to-inactive-override"),
    pytest.param('A = "x"\nA:append = " y"\nA += "z"', "A", "x z y", id="plus-equals-before-append"),
    pytest.param('A = "a b c b"\nA:remove = "b"', "A", "a  c ", id="remove-keeps-whitespace"),
    pytest.param('A = " a  b c "\nA:remove = "b"', "A", " a   c ", id="remove-keeps-all-whitespace"),
    pytest.param('A = "a b c"\nA:remove = "a c"', "A", " b ", id="remove-several"),
    pytest.param('A = "a b"\nR = "b"\nA:remove = "${R}"', "A", "a ", id="remove-expanded"),
    pytest.param('A = "a bb b"\nA:remove = "b"', "A", "a bb ", id="remove-whole-words"),
    pytest.param('A = "a b"\nA:remove = "b"\nA:append = " b"', "A", "a  ", id="remove-after-append"),
    pytest.param('OVERRIDES = "a"\nA = "a b"\nA:remove:a = "a"\nA:remove:z = "b"', "A", " b", id="conditional-remove"),
    pytest.param('A = "${B}"\nB = "${C}"\nC = "c"', "A", "c", id="nested-expansion"),
    pytest.param('OVERRIDES = "a"\nA = "x"\nA:a ??= "weak"', "A", "weak", id="weak-default-override"),
    pytest.param('OVERRIDES = "a"\nA ??= "w"\nA:a ??= "wa"', "A", "wa", id="weak-default-override-of-weak"),
    pytest.param('OVERRIDES = "a"\nA:a = "x y"\nA:a:remove = "z"\nA:append = " z"', "A", "x y z",
                 id="unmatched-remove-of-override-not-carried"),
    pytest.param('OVERRIDES = "a"\nA:a = "x y"\nA:a:remove = "y"\nA:append = " y"', "A", "x  ",
                 id="matched-remove-of-override-carried"),
    pytest.param('A = "${FOO} x"', "A", "${FOO} x", id="unknown-reference-stays"),
    pytest.param('A = "${@\'lit\'} ${B}"\nB = "b"', "A", "lit b", id="inline-python"),
    pytest.param('B = "b"\nA = "${@d.getVar(\'B\') * 2}"', "A", "bb", id="inline-python-getVar"),
    pytest.param('A = "${@d.getVar(\'NOPE\')}"', "A", "None", id="inline-python-none"),
    pytest.param('B = "${C}"\nA = "${@d.getVar(\'B\', False)}"', "A", "${C}", id="getVar-unexpanded"),
    pytest.param('F = "x y"\nA = "${@bb.utils.contains(\'F\', \'x\', \'yes\', \'no\', d)}"', "A", "yes", id="contains"),
    pytest.param('F = "x y"\nA = "${@bb.utils.contains(\'F\', \'x z\', \'yes\', \'no\', d)}"', "A", "no", id="contains-all"),
    pytest.param('F = "x y"\nA = "${@bb.utils.contains_any(\'F\', \'q y\', \'yes\', \'no\', d)}"', "A", "yes", id="contains_any"),
    pytest.param('F = "c a b"\nA = "${@bb.utils.filter(\'F\', \'b c z\', d)}"', "A", "b c", id="filter"),
    pytest.param('F = "1"\nA = "${@oe.utils.conditional(\'F\', \'1\', \'on\', \'off\', d)}"', "A", "on", id="conditional"),
    pytest.param('A = "${@bb.utils.to_boolean(\'yes\')}-${@bb.utils.to_boolean(\'0\')}"', "A", "True-False", id="to_boolean"),
    pytest.param('A = "${@d.expand(\'${B}\')}"\nB = "b"', "A", "b", id="d.expand"),
    pytest.param('B[doc] = "text"\nA = "${@d.getVarFlag(\'B\', \'doc\')}"', "A", "text", id="getVarFlag"),
    pytest.param('B = "b"\nA = "${@B}"', "A", "b", id="bare-variable-name-in-python"),
    pytest.param('A = "${@{\'k\': \'v\'}[\'k\']}"', "A", "v", id="python-with-braces"),
    pytest.param('A = "${@\'${B}\'.upper()}"\nB = "b"', "A", "B", id="python-after-var-expansion"),
    pytest.param('len = "9"\nA = "${@len(\'abc\')}"', "A", "3", id="variable-does-not-hide-builtin"),
    pytest.param('A = "${@time.strftime(\'%Y\', time.gmtime(0))}"', "A", "1970", id="time-module"),
    pytest.param('do_x() {\n\techo\n}\nA = "${@do_x.strip()}"', "A", "echo", id="shell-function-by-name"),
    pytest.param('M = "t"\nA = "${@oe.utils.vartrue(\'M\', \'y\', \'n\', d)}"', "A", "y", id="vartrue-oe-boolean"),
    pytest.param('PARALLEL_MAKE = "-l 3 -j 6"\nA = "${@oe.utils.parallel_make(d, False)}"', "A", "6", id="parallel_make"),
    pytest.param('PARALLEL_MAKE = "-j12"\nA = "${@oe.utils.parallel_make_argument(d, \'-j%d\', limit=4)}"', "A", "-j4",
                 id="parallel_make_argument"),
    pytest.param('PARALLEL_MAKE = "-l 3"\nA = "x${@oe.utils.parallel_make(d)}"', "A", "x", id="parallel_make-none"),
    pytest.param('A = "${@bb.utils.explode_deps(\'a (>= 1) b a c(>2)\')}"', "A", "['a', 'b', 'a', 'c(>2)']",
                 id="explode_deps-as-bitbake"),
    pytest.param('A = "${@list(bb.utils.explode_dep_versions2(\'z (>=1.0) a, b (<< 2) z (< 3)\').items())}"', "A",
                 "[('a', []), ('b', ['<< 2']), ('z', ['>= 1.0', '< 3'])]", id="explode_dep_versions2-sorted"),
]


@pytest.mark.parametrize("text, var, expected", CASES)
def test_values(tmp_path: Path, text: str, var: str, expected: str | None) -> None:
    assert parse(tmp_path, text + "\n").getVar(var) == expected


def test_variable_existing_only_through_an_active_override_is_listed(tmp_path: Path) -> None:
    # bitbake -e shows ONLY="x" (and V:a, which V:a:b overrides): keys() lists them.
    text = 'OVERRIDES = "a:b"\nONLY:a = "x"\nV:a:b = "ab"\nNOT:c = "c"\n'
    d = parse(tmp_path, text)
    keys = set(d.keys())
    assert {"ONLY", "V:a", "V:a:b", "NOT:c"} <= keys
    assert "NOT" not in keys
    assert d.getVar("ONLY") == "x" and d.getVar("V:a") == "ab"


def test_overrides_without_a_stable_state_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(ExpansionError, match="stable state"):
        parse(tmp_path, 'OVERRIDES = "${O}"\nO = "x"\nO:x = "y"\nO:y = "x"\nA = "a"\n')


def test_overrides_reaching_a_stable_state_in_five_rounds(tmp_path: Path) -> None:
    chain = 'O:a = "a:b"\nO:b = "a:b:c"\nO:c = "a:b:c:d"\nO:d = "a:b:c:d:e"\n'
    d = parse(tmp_path, f'OVERRIDES = "${{O}}"\nO = "a"\n{chain}A = "plain"\nA:e = "e"\n')
    assert (d.getVar("OVERRIDES"), d.getVar("A")) == ("a:b:c:d:e", "e")


def test_bb_utils_which_executable_skips_directories(tmp_path: Path) -> None:
    from pyrecipe.parse.pyapi import which

    (tmp_path / "one" / "tool").mkdir(parents=True)
    (tmp_path / "two").mkdir()
    (tmp_path / "two" / "tool").write_text("#!/bin/sh\n")
    (tmp_path / "two" / "tool").chmod(0o755)
    path = f"{tmp_path / 'one'}:{tmp_path / 'two'}"
    assert which(path, "tool", executable=True) == str(tmp_path / "two" / "tool")
    assert which(path, "tool") == str(tmp_path / "one" / "tool")


def test_rdepends_pn_append_class_target(tmp_path: Path) -> None:
    text = (
        'OVERRIDES = "${CLASSOVERRIDE}"\nCLASSOVERRIDE = "class-target"\n'
        'RDEPENDS:${PN} = "python3-core"\n'
        'RDEPENDS:${PN}:append:class-target = " python3-ctypes"\n'
        'RDEPENDS:${PN}:append:class-native = " only-native"\n'
    )
    d = parse(tmp_path, text, name="python3-x_1.0.bb")
    assert d.getVar("RDEPENDS:python3-x") == "python3-core python3-ctypes"
    assert d.getVar("RDEPENDS:${PN}") is None


def test_key_expansion_merges_into_existing_variable(tmp_path: Path) -> None:
    # bitbake renames RDEPENDS:${PN} onto RDEPENDS:foo at the end: the expanded key's value wins
    # over the literal one's, and pending appends of both are kept.
    d = parse(tmp_path, 'RDEPENDS:foo = "literal"\nRDEPENDS:${PN} = "expanded"\nRDEPENDS:foo:append = " a"\n')
    assert d.getVar("RDEPENDS:foo") == "expanded a"


def test_d_appendVar_from_inline_python_is_a_pending_append(tmp_path: Path) -> None:
    d = parse(tmp_path, 'A = "x"\npython () {\n    d.appendVar("A", " y")\n    d.prependVar("A", "w ")\n}\n')
    assert d.getVar("A") == "w x y"


def test_setVar_in_anonymous_python_drops_pending_appends(tmp_path: Path) -> None:
    text = 'A = "1"\nA:append = " 2"\nA:remove = "1"\npython () {\n    d.setVar("A", "z")\n}\n'
    assert parse(tmp_path, text).getVar("A") == "z"


def test_setVar_in_anonymous_python_drops_active_overrides(tmp_path: Path) -> None:
    text = 'OVERRIDES = "o"\nA = "1"\nA:o = "over"\npython () {\n    d.setVar("A", "z")\n}\n'
    assert parse(tmp_path, text).getVar("A") == "z"


def test_anonymous_python_sees_overrides_resolved(tmp_path: Path) -> None:
    text = 'OVERRIDES = "o"\nA = "1"\nA:o = "over"\nA:append = "+"\npython () {\n    d.setVar("B", d.getVar("A"))\n}\n'
    assert parse(tmp_path, text).getVar("B") == "over+"


def test_inline_python_error_names_variable_expression_and_file(tmp_path: Path) -> None:
    d = parse(tmp_path, 'GOOD = "1"\nBROKEN = "a ${@1 // 0} b"\n')
    with pytest.raises(ExpansionError) as caught:
        d.getVar("BROKEN")
    message = str(caught.value)
    assert "BROKEN" in message
    assert "${@1 // 0}" in message
    assert str(tmp_path / "foo_1.0.bb") in message
    assert "ZeroDivisionError" in message


def test_inline_python_error_through_a_reference_names_where_it_was_set(tmp_path: Path) -> None:
    files = {"classes/bad.bbclass": 'BAD = "${@undefined_helper(d)}"\n'}
    d = parse(tmp_path, 'inherit bad\nUSES = "x ${BAD}"\n', files=files)
    with pytest.raises(ExpansionError) as caught:
        d.getVar("USES")
    message = str(caught.value)
    assert "BAD" in message and "undefined_helper" in message
    assert "bad.bbclass" in message


def test_self_reference_is_an_error_not_a_hang(tmp_path: Path) -> None:
    d = parse(tmp_path, 'A = "${A} x"\n')
    with pytest.raises(ExpansionError, match="A"):
        d.getVar("A")


def test_reference_loop_is_an_error(tmp_path: Path) -> None:
    d = parse(tmp_path, 'A = "${B}"\nB = "${A}"\n')
    with pytest.raises(ExpansionError):
        d.getVar("A")


def test_def_helpers_callable_from_inline_python(tmp_path: Path) -> None:
    text = (
        "def helper(d, x):\n"
        "    return 'h-' + x + '-' + d.getVar('PN')\n"
        "\n"
        "def other(d):\n"
        "    # a comment inside the def\n"
        "    return helper(d, 'o')\n"
        "A = \"${@helper(d, 'q')} ${@other(d)}\"\n"
    )
    assert parse(tmp_path, text).getVar("A") == "h-q-foo h-o-foo"


def test_def_helper_from_a_class_is_callable_in_recipe(tmp_path: Path) -> None:
    files = {"classes/helpers.bbclass": "def twice(s):\n    return s + s\n"}
    assert parse(tmp_path, 'inherit helpers\nA = "${@twice(\'ab\')}"\n', files=files).getVar("A") == "abab"


def test_exit_in_inline_python_is_an_expansion_error(tmp_path: Path) -> None:
    d = parse(tmp_path, 'A = "${@exit(3)}"\n')
    with pytest.raises(ExpansionError, match="SystemExit"):
        d.getVar("A")
