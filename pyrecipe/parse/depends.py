"""Dependency lists as recipes write them (``DEPENDS = "a b (>= 1.2) c"``), with bitbake's meaning.

One reading for everything: the build graph, ``pyrecipe deps``, the .deb fields and recipe Python
(``bb.utils.explode_deps``) all take the names from here, so that a list means the same to each.
"""

from __future__ import annotations


class VersionStringException(ValueError):
    """``bb.utils.VersionStringException``: a dependency's version constraint has no operator."""


#: The comparison operators bitbake accepts in ``(op version)``, two-character ones first.
_DEP_OPERATORS = ("<=", "=<", "<<", "==", "!=", ">=", "=>", ">>", "<", ">", "=")


def explode_deps(s: str) -> list[str]:
    """``bb.utils.explode_deps``: the names of a dependency list, in order, repeats kept; a
    ``(...)`` constraint is dropped, and a word is a name unless it is inside one (``a(>=1)``,
    written without a space, is a name)."""
    names, in_constraint = [], False
    for word in s.split():
        if word.startswith("("):
            in_constraint = True
        if not in_constraint:
            names.append(word)
        elif word.endswith(")"):
            in_constraint = False
    return names


def explode_dep_versions2(s: str, *, sort: bool = True) -> dict[str, list[str]]:
    """``bb.utils.explode_dep_versions2``: ``{name: ["op version", ...]}`` (commas ignored, an
    operator written against its version or its parenthesis alike), sorted by name as bitbake
    sorts it unless ``sort=False``. Unlike bitbake's, a malformed list (a constraint naming no
    package, a version of several words) is not given a meaning of its own."""
    result: dict[str, list[str]] = {}
    words = s.replace(",", "").split()
    name, index = None, 0
    while index < len(words):
        word = words[index]
        index += 1
        if not word.startswith("("):
            name = word
            result.setdefault(name, [])
            continue
        constraint = [word[1:]]
        while not constraint[-1].endswith(")") and index < len(words):
            constraint.append(words[index])
            index += 1
        text = " ".join(constraint).strip().removesuffix(")").strip()
        operator = next((op for op in _DEP_OPERATORS if text.startswith(op)), None)
        if operator is None:
            raise VersionStringException(f'Invalid version specification in "({text}" - invalid or missing operator')
        version = " ".join(text[len(operator):].split())
        if version and name is not None:
            result[name].append(f"{operator} {version}")
    return dict(sorted(result.items())) if sort else result
