"""Assignments, quoting, continuation, comments, flags, export and unset, with bitbake's values."""

from __future__ import annotations

from pathlib import Path

import pytest

from parse_support import parse
from pyrecipe.parse import ParseError

# (recipe text, variable, the value bitbake gives)
CASES = [
    pytest.param('A = "x"', "A", "x", id="plain"),
    pytest.param('A = "x"\nA = "y"', "A", "y", id="last-wins"),
    pytest.param('A += "x"', "A", " x", id="append-space-on-unset-leading-space"),
    pytest.param('A =+ "x"', "A", "x ", id="prepend-space-on-unset-trailing-space"),
    pytest.param('A = "a"\nA += "b"', "A", "a b", id="append-space"),
    pytest.param('A = "a"\nA =+ "b"', "A", "b a", id="prepend-space"),
    pytest.param('A = "a"\nA .= "b"', "A", "ab", id="append-nospace"),
    pytest.param('A = "a"\nA =. "b"', "A", "ba", id="prepend-nospace"),
    pytest.param('A = "x"\nA =+ "y"\nA .= "z"\nA =. "w"', "A", "wy xz", id="operators-in-order"),
    pytest.param('A ?= "x"\nA ?= "y"', "A", "x", id="first-soft-wins"),
    pytest.param('A = "set"\nA ?= "y"', "A", "set", id="soft-after-hard"),
    pytest.param('A ?= "y"\nA = "set"', "A", "set", id="hard-after-soft"),
    pytest.param('A ??= "weak"', "A", "weak", id="weak-default"),
    pytest.param('A ??= "1"\nA ??= "2"', "A", "2", id="last-weak-default-wins"),
    pytest.param('A ??= "weak"\nA ?= "soft"', "A", "soft", id="soft-ignores-weak-default"),
    pytest.param('A ??= "weak"\nA = "hard"', "A", "hard", id="hard-beats-weak"),
    pytest.param('A = "hard"\nA ??= "weak"', "A", "hard", id="weak-after-hard"),
    pytest.param('A ??= "weak"\nA += "x"', "A", " x", id="append-ignores-weak-default"),
    pytest.param('A ??= "weak"\nA:append = " x"', "A", "weak x", id="append-override-applies-to-weak"),
    pytest.param('B = "1"\nA := "${B}"\nB = "2"', "A", "1", id="immediate-expansion"),
    pytest.param('B = "1"\nA = "${B}"\nB = "2"', "A", "2", id="lazy-expansion"),
    pytest.param('A := "${UNKNOWN}-x"', "A", "${UNKNOWN}-x", id="immediate-unknown-literal"),
    pytest.param('A = "a"\nA := "${A} b"', "A", "a b", id="immediate-self-reference"),
    pytest.param("A = 'single \"quoted\" value'", "A", 'single "quoted" value', id="single-quotes"),
    pytest.param('A = "it\'s"', "A", "it's", id="apostrophe-in-double"),
    pytest.param('A = ""', "A", "", id="empty"),
    pytest.param('A="no spaces"', "A", "no spaces", id="no-space-around-operator"),
    pytest.param('A.= "x"', "A", "x", id="dot-equals-name-boundary"),
    pytest.param('A = "a \\\n   b"', "A", "a    b", id="backslash-continuation-keeps-indent"),
    pytest.param('A = "a \\\n  b \\\n  c"', "A", "a   b   c", id="multi-continuation"),
    pytest.param('# A = "commented"\nA = "x" ', "A", "x", id="comment-line"),
    pytest.param('A = "a # not a comment"', "A", "a # not a comment", id="hash-inside-value"),
    pytest.param('A = "a\tb"', "A", "a\tb", id="tab-in-value-kept"),
    pytest.param('A\t=\t"x"', "A", "x", id="tabs-around-operator"),
    pytest.param('A = "a\tb\tc"\nA:remove = "b"', "A", "a\t\tc", id="remove-keeps-tab-separators"),
    pytest.param('A = "x"\nunset A', "A", None, id="unset"),
    pytest.param('A = "x"\nunset A\nA += "y"', "A", " y", id="unset-then-append"),
    pytest.param('export A = "x"', "A", "x", id="export-assign"),
    pytest.param('export:append = "v"\nexport= "w"', "export", "wv", id="export-as-variable-name"),
    pytest.param('include = "v"', "include", "v", id="include-as-variable-name"),
    pytest.param('A:${PN} = "y"\nOVERRIDES = "foo"\nA = "x"', "A", "y", id="override-key-with-expansion"),
    pytest.param('A-B.c/d~e+f = "odd"', "A-B.c/d~e+f", "odd", id="variable-name-characters"),
]


@pytest.mark.parametrize("text, var, expected", CASES)
def test_assignment_values(tmp_path: Path, text: str, var: str, expected: str | None) -> None:
    assert parse(tmp_path, text + "\n").getVar(var) == expected


@pytest.mark.parametrize(
    "text", ['A = "a"\nA_append = " x"\n', 'do_install_prepend() {\n\t:\n}\n', 'X = "_remove"\nA${X} = "x"\n']
)
def test_old_override_syntax_is_an_error_as_in_bitbake(tmp_path: Path, text: str) -> None:
    with pytest.raises(ParseError, match="old override syntax"):
        parse(tmp_path, text)


def test_flag_operators(tmp_path: Path) -> None:
    d = parse(tmp_path, 'A[f] = "1"\nA[f] += "2"\nA[f] .= "3"\nA[f] =+ "0"\nA[g] ?= "x"\nA[g] ?= "y"\nA[h] ??= "w1"\nA[h] ??= "w2"\n')
    assert d.getVarFlag("A", "f") == "0 1 23"
    assert d.getVarFlag("A", "g") == "x"
    assert d.getVarFlag("A", "h") == "w2"
    # Flags are not the value.
    assert d.getVar("A") is None


def test_weak_default_flags_as_bitbake_reports_them(tmp_path: Path) -> None:
    text = (
        'A[f] ??= "w"\nA[g] = "g"\nA[h] ??= "wh"\nA[h] = "h"\nB[ff] ??= "w"\nB[ff] = "s"\nunset B[ff]\n'
        'C[ff] ??= "w"\nunset C[ff]\n'
    )
    d = parse(tmp_path, text)
    # getVarFlags shows a weak default unless the flag is set; unset of a set flag drops both,
    # unset of a flag with only a weak default leaves it (bitbake's delVarFlag).
    assert d.getVarFlags("A") == {"f": "w", "g": "g", "h": "h"}
    assert d.getVarFlag("B", "ff") is None
    assert d.getVarFlag("C", "ff") == "w"


def test_in_datastore_means_has_a_value(tmp_path: Path) -> None:
    d = parse(tmp_path, 'A[doc] = "flag only"\nB = ""\nOVERRIDES = "o"\nC:o = "c"\nW ??= "w"\n')
    assert "A" not in d
    assert all(name in d for name in ("B", "C", "W"))


def test_flag_append_on_unset_flag_has_leading_space(tmp_path: Path) -> None:
    assert parse(tmp_path, 'do_compile[cleandirs] += "${B}"\nB = "/b"\n').getVarFlag("do_compile", "cleandirs") == " /b"


def test_flag_is_expanded_lazily(tmp_path: Path) -> None:
    d = parse(tmp_path, 'SRC_URI[sha256sum] = "${SUM}"\nSUM = "abc"\n')
    assert d.getVarFlag("SRC_URI", "sha256sum") == "abc"
    assert d.getVarFlag("SRC_URI", "sha256sum", False) == "${SUM}"


def test_unset_flag_keeps_value_and_other_flags(tmp_path: Path) -> None:
    d = parse(tmp_path, 'A = "1"\nA[ff] = "1"\nA[gg] = "2"\nunset A[ff]\n')
    assert d.getVar("A") == "1"
    assert d.getVarFlag("A", "ff") is None
    assert d.getVarFlag("A", "gg") == "2"


def test_export_statement_and_export_assignment_set_the_export_flag(tmp_path: Path) -> None:
    d = parse(tmp_path, 'export A = "1"\nexport B\nC = "3"\n')
    assert d.getVarFlag("A", "export")
    assert d.getVarFlag("B", "export")
    assert d.getVar("B") is None
    assert not d.getVarFlag("C", "export")


def test_immediate_expansion_runs_inline_python_at_that_point(tmp_path: Path) -> None:
    d = parse(tmp_path, 'B = "1"\nA := "${@d.getVar(\'B\') + \'!\'}"\nB = "2"\nC = "${@d.getVar(\'B\') + \'!\'}"\n')
    assert (d.getVar("A"), d.getVar("C")) == ("1!", "2!")
