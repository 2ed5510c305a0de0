"""The things reachable from some starting points through a neighbour function, the walk that
task signatures (functions naming functions) and code digests (modules importing modules) share."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

Node = TypeVar("Node", bound=Hashable)


def reachable(starts: Iterable[Node], neighbours: Callable[[Node], Iterable[Node]]) -> set[Node]:
    """Every node reachable from ``starts`` (included), each visited once; cycles are fine."""
    seen: set[Node] = set()
    pending = list(starts)
    while pending:
        node = pending.pop()
        if node not in seen:
            seen.add(node)
            pending.extend(neighbour for neighbour in neighbours(node) if neighbour not in seen)
    return seen
