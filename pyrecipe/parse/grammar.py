"""The grammar of the recipe language, with pyparsing.

A file is read as logical lines (see :mod:`pyrecipe.parse.reader`); each logical line that is
not part of a function body is one statement, parsed here. The token shapes follow bitbake's
own: variable names may hold ``${}``, ``/``, ``~``, ``:`` (overrides); a value is everything
between the first quote and the matching quote at the end of the line.

:data:`STATEMENT` is the grammar. A line is matched by one ``pp.Regex`` derived from it (see
:mod:`pyrecipe.parse.pegregex`): about 13 µs a line where walking the elements takes 125 µs.
Only a line that does not match is walked element by element, for the column where the best
attempt stopped, which the error message shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyparsing as pp

from pyrecipe.parse.pegregex import grammar_regex

pp.ParserElement.set_default_whitespace_chars(" \t")

_NAME_CHARS = r"a-zA-Z0-9\-_+.${}/~"
_OPERATORS = (":=", "??=", "?=", "+=", "=+", "=.", ".=", "=")
# Non-greedy, like bitbake: in ``A.= "x"`` the name is ``A`` and the operator ``.=``.
_VAR = pp.Regex(
    rf"[{_NAME_CHARS}:]+?(?=\[|\s*(?:" + "|".join(map(re.escape, _OPERATORS)) + "))"
)("var")
_FLAG = pp.Regex(r"[a-zA-Z0-9\-_+.][a-zA-Z0-9\-_+.@/]*")("flag")
_OPERATOR = pp.one_of(" ".join(_OPERATORS))("op")
# A value: from an opening quote to the same quote closing the line. Like bitbake, refuse the
# ambiguous 'a'b' shape (three quotes of one kind).
_VALUE = pp.Regex(r"""(?!'[^']*'[^']*'$)(?!"[^"]*"[^"]*"$)(?P<quote>['"])(?P<value>.*)(?P=quote)$""")

_assignment_body = _VAR + pp.Opt(pp.Suppress("[") + _FLAG + pp.Suppress("]")) + _OPERATOR + _VALUE + pp.StringEnd()
# ``export`` is also a valid variable name (``export:append = ...``, ``export= ...``), but like
# bitbake, ``export`` followed by a space is always the keyword: ``export = "x"`` names no variable.
_EXPORT = pp.Regex(r"export(?=\s)")("export")
_assignment = pp.Opt(_EXPORT) + _assignment_body
_rest = pp.Regex(r".+")("args")
_word = pp.Regex(rf"[{_NAME_CHARS}]+")("var")
_export = _EXPORT + _word + pp.StringEnd()
# bitbake's unset takes a flag of two characters or more, without '/' (``unset A[x]`` is not a statement).
_UNSET_FLAG = pp.Regex(r"[a-zA-Z0-9\-_+.][a-zA-Z0-9\-_+.@]+")("flag")
_unset = pp.Keyword("unset") + _word + pp.Opt(pp.Suppress("[") + _UNSET_FLAG + pp.Suppress("]")) + pp.StringEnd()
# Directives bitbake recognises before assignments (``inherit = "x"`` is an inherit) ...
_early_directive = pp.one_of(
    "inherit_defer inherit deltask addhandler EXPORT_FUNCTIONS", as_keyword=True
)("name") + _rest
# ... and those it recognises only when the line is not an assignment (``include = "x"`` is one).
_late_directive = pp.one_of("include_all include require", as_keyword=True)("name") + _rest
_addtask = pp.Keyword("addtask")("name") + pp.Regex(r"[^#\n]+")("args") + pp.Opt(pp.Regex(r"#.*"))
_func_start = (
    pp.ZeroOrMore(pp.Keyword("python")("python") | pp.Keyword("fakeroot")("fakeroot"))
    + pp.Opt(pp.Regex(r"[\w.\-+{}$:]+")("func"))
    + pp.Suppress("(")
    + pp.Suppress(")")
    + pp.Suppress("{")
    + pp.StringEnd()
)
_python_anonymous = pp.Keyword("python")("python") + pp.Suppress("(") + pp.Suppress(")") + pp.Suppress("{") + pp.StringEnd()
_def_start = pp.Keyword("def") + pp.Regex(r"\w+")("func") + pp.Regex(r".*:.*")

STATEMENT = (
    _python_anonymous("funcstart")
    | _func_start("funcstart")
    | _def_start("defstart")
    | _addtask("addtask")
    | _early_directive("directive")
    | _assignment("assign")
    | _late_directive("directive")
    | _export("export_only")
    | _unset("unset")
)
# pyparsing expands tabs to spaces before parsing unless told not to; a value keeps its tabs
# (``sed 's/\t/ /'`` written with a real tab, a Makefile fragment), as bitbake keeps them.
STATEMENT.parse_with_tabs()

_FAST_SOURCE, _CAPTURES = grammar_regex(STATEMENT + pp.StringEnd())
#: The whole grammar as one expression, matched in one step (``as_match``: the ``re.Match``).
FAST_STATEMENT = pp.Regex(_FAST_SOURCE, as_match=True).parse_with_tabs()
#: For each group that stands for a statement kind, the groups of that kind's named parts.
_KIND_PARTS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    kind.group: (kind.name, [(part.group, part.name) for part in _CAPTURES if part.owner == kind.name])
    for kind in _CAPTURES
    if kind.owner is None
}


@dataclass(frozen=True)
class Parsed:
    """One parsed logical line: which rule matched and its named parts."""

    kind: str
    fields: dict[str, str]


class StatementSyntaxError(Exception):
    """No rule matched; ``column`` (1-based) is where the best attempt stopped."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.column = column


def parse_statement(line: str) -> Parsed:
    """Parse one logical line into a :class:`Parsed`, or raise :class:`StatementSyntaxError`."""
    try:
        match = FAST_STATEMENT.parse_string(line)[0]
    except pp.ParseException:
        raise _syntax_error(line) from None
    # The group of the statement kind that matched closes last: it encloses its parts.
    kind, parts = _KIND_PARTS[match.lastgroup]
    fields = {name: value for group, name in parts if (value := match.group(group)) is not None}
    if kind == "funcstart":
        fields["python"] = "python" if "python" in fields else ""
        fields["fakeroot"] = "fakeroot" if "fakeroot" in fields else ""
    return Parsed(kind, fields)


def _syntax_error(line: str) -> StatementSyntaxError:
    """The error for a line the grammar refuses, at the column where the best attempt stopped."""
    try:
        STATEMENT.parse_string(line, parse_all=True)
    except pp.ParseBaseException as exc:
        return StatementSyntaxError(_describe(line, exc), exc.loc + 1)
    raise AssertionError(f"the grammar accepts {line!r} but its regular expression does not")


def _describe(line: str, exc: pp.ParseBaseException) -> str:
    stripped = line.strip()
    if "=" in stripped and not stripped.rstrip().endswith(("'", '"')):
        return "unparsed line: a value must be quoted and the line must end with the closing quote"
    return f"unparsed line: {stripped!r}"
