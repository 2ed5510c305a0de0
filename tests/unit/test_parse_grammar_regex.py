"""The statement grammar's derived regular expression means what the pyparsing grammar means.

Lines are matched by one expression derived from :data:`STATEMENT` (fast); the grammar's
elements are walked only for error messages. Both must accept the same lines with the same
parts, whatever the line.
"""

from __future__ import annotations

import pyparsing as pp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parse_support import META_TEST
from pyrecipe.parse.grammar import STATEMENT, StatementSyntaxError, parse_statement
from pyrecipe.parse.pegregex import UnsupportedElement, grammar_regex

#: Pieces of statements, so that generated lines come near every rule and its edges.
PIECES = [
    "A", "export", "export ", "python", "python ", "fakeroot ", "def", "def ", "unset ", "inherit", "inherit ",
    "inherit_defer ", "include", "include ", "require ", "include_all ", "addtask ", "deltask ", "addhandler ",
    "EXPORT_FUNCTIONS ", "do_x", "VAR:append", ":remove", "${PN}", "[", "]", "[flag]", "[xy]", "[x]", "(", ")",
    "()", " {", "{", "}", ":", " = ", "=", " ?= ", "??=", ":=", "+=", "=+", ".=", "=.", '"', "'", '"v"', "'v'",
    " ", "\t", "#", "# c", "after ", "before ", "/", "~", ".", "-", "+", "@", "$", "\\", "é",
]

REAL_LINES = sorted(
    {
        line.rstrip()
        for path in META_TEST.rglob("*")
        if path.suffix in (".bb", ".bbappend", ".bbclass", ".inc", ".conf")
        for line in path.read_text().split("\n")
        if line.strip() and not line[0].isspace()
    }
)


def grammar_parts(line: str) -> dict[str, str] | None:
    """The named string parts the element-by-element grammar gives for ``line`` (None: refused)."""
    try:
        result = STATEMENT.parse_string(line, parse_all=True)
    except pp.ParseBaseException:
        return None
    return {key: value for key, value in result.as_dict().items() if isinstance(value, str)}


def regex_parts(line: str) -> dict[str, str] | None:
    try:
        fields = parse_statement(line).fields
    except StatementSyntaxError:
        return None
    return {key: value for key, value in fields.items() if value}


def check_same(line: str) -> None:
    expected = grammar_parts(line)
    if expected is not None:
        expected = {key: value for key, value in expected.items() if value}
    assert regex_parts(line) == expected, line


@pytest.mark.parametrize("line", REAL_LINES)
def test_fixture_lines_match_alike(line: str) -> None:
    check_same(line)


@settings(max_examples=3000, deadline=None, database=None)
@given(st.lists(st.sampled_from(PIECES) | st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=14).map("".join))
def test_generated_lines_match_alike(line: str) -> None:
    if "\n" not in line and "\r" not in line:
        check_same(line)


def test_error_column_is_where_the_grammar_stopped() -> None:
    with pytest.raises(StatementSyntaxError) as raised:
        parse_statement('A[flag = "x"')
    assert raised.value.column == 2


def test_an_element_without_a_regular_expression_form_is_refused() -> None:
    with pytest.raises(UnsupportedElement):
        grammar_regex(pp.OneOrMore(pp.Literal("a")))
