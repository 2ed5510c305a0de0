"""Dependency lists as recipes write them: ``DEPENDS = "a b (>= 1.2) c"``."""

from __future__ import annotations

import re

_DEP_RE = re.compile(r"\s*([^\s()]+)\s*(?:\(([^)]*)\))?")


def explode_dep_versions(text: str) -> dict[str, list[str]]:
    """``{"a": [], "b": [">= 1.2"]}`` from ``"a b (>= 1.2)"``; order kept."""
    result: dict[str, list[str]] = {}
    for match in _DEP_RE.finditer(text or ""):
        name, constraint = match.group(1), match.group(2)
        entry = result.setdefault(name, [])
        if constraint and constraint.strip():
            entry.append(" ".join(constraint.split()))
    return result


def explode_deps(text: str) -> list[str]:
    """The names in a dependency list, constraints dropped, order kept."""
    return list(explode_dep_versions(text))
