"""One regular expression with the meaning of a pyparsing grammar, for matching it fast.

pyparsing walks a grammar element by element, building exceptions and results as it goes: about
125 µs for a logical line of the statement grammar, where one ``pp.Regex`` takes 4 µs. The
grammar is the project's definition of the language, so rather than writing its statements a
second time as a regular expression, this module derives the expression from the grammar.

pyparsing's combinators are PEG operators: an alternative, once matched, is never revisited
when what follows it fails, a repetition takes all it can, and a token never gives characters
back. Python's ``re`` (3.11 and later) has the same operators: atomic groups ``(?>...)`` and
possessive quantifiers ``?+`` / ``*+``; whitespace skipped before a token becomes ``[ \\t]*+``.
So the derived expression matches exactly the lines the grammar accepts, with the same parts.

Each element that carries a results name becomes a capturing group, reported as a
:class:`Capture` with the name of the innermost named element around it (its ``owner``), so a
match can be read back as "which named alternative matched, with which named parts".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pyparsing as pp


@dataclass(frozen=True)
class Capture:
    """A capturing group of the derived expression: the results name it stands for, and the
    results name of the named element it sits in (None at the top)."""

    group: str
    name: str
    owner: str | None


class UnsupportedElement(TypeError):
    """The grammar uses a pyparsing element this translation does not know: extend the
    translation rather than approximate it (the expression must mean what the grammar means)."""


def grammar_regex(element: pp.ParserElement) -> tuple[str, list[Capture]]:
    """The regular expression (source) equivalent to ``element``, and its named captures.

    The expression matches where ``element.parse_string(text)`` succeeds (add ``pp.StringEnd()``
    for ``parse_all``); regex named groups inside a ``pp.Regex`` are reported as captures too, as
    pyparsing reports them as results names. Their names must be unique in the grammar.
    """
    captures: list[Capture] = []

    def visit(e: pp.ParserElement, owner: str | None) -> str:
        name = e.resultsName or None
        inner_owner = name or owner
        # Whitespace is skipped before a token, outside what it captures.
        whitespace = _whitespace(e) if isinstance(e, _TOKENS) else ""
        source = _translate(e, inner_owner, visit, captures)
        if name is None:
            return whitespace + source
        group = f"_g{len(captures)}"
        captures.append(Capture(group, name, owner))
        return f"{whitespace}(?P<{group}>{source})"

    element = element.copy()
    element.streamline()
    return visit(element, None), captures


_TOKENS = (pp.Regex, pp.Keyword, pp.Literal, pp.StringEnd)


def _whitespace(e: pp.ParserElement) -> str:
    if not e.skipWhitespace or not e.whiteChars:
        return ""
    return "[" + "".join(re.escape(c) for c in sorted(e.whiteChars)) + "]*+"


def _translate(
    e: pp.ParserElement, owner: str | None, visit: Callable[[pp.ParserElement, str | None], str], captures: list[Capture]
) -> str:
    """The expression for ``e`` without the whitespace skipped before it."""
    if isinstance(e, pp.Regex):
        if e.flags:
            raise UnsupportedElement(f"pp.Regex with flags ({e.pattern!r})")
        captures.extend(Capture(group, group, owner) for group in e.re.groupindex)
        return f"(?>{e.pattern})"
    if isinstance(e, pp.Keyword):
        if e.caseless:
            raise UnsupportedElement(f"caseless keyword {e.match!r}")
        ident = "[" + "".join(re.escape(c) for c in sorted(e.identChars)) + "]"
        return f"(?<!{ident}){re.escape(e.match)}(?!{ident})"
    if isinstance(e, pp.Literal) and type(e).__name__ in ("Literal", "_SingleCharLiteral"):
        return re.escape(e.match)
    if isinstance(e, pp.StringEnd):
        return r"\Z"
    if isinstance(e, pp.And):
        return "".join(visit(child, owner) for child in e.exprs)
    if isinstance(e, pp.MatchFirst):
        return "(?>" + "|".join(visit(child, owner) for child in e.exprs) + ")"
    if isinstance(e, pp.Opt):
        return f"(?:{visit(e.expr, owner)})?+"
    if isinstance(e, pp.ZeroOrMore) and e.not_ender is None:
        return f"(?:{visit(e.expr, owner)})*+"
    if isinstance(e, pp.NotAny):
        return f"(?!{visit(e.expr, owner)})"
    if isinstance(e, pp.Suppress):
        return visit(e.expr, owner)
    raise UnsupportedElement(f"no regular-expression form for {type(e).__name__} ({e})")
