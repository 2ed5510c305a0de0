"""pyrecipe's benchmarks: ``python -m bench`` from the repository root runs them all.

Benchmarks, not timed tests: they print figures to compare across changes and never fail on a
number. Each module has a ``run(options) -> list[Result]``; :mod:`bench.__main__` runs the
chosen ones and prints one table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """One line of the table: what was measured, the headline figure, and how it was obtained."""

    benchmark: str
    figure: str
    detail: str
    #: The repeated measurements behind the figure, when there are some: their spread is the
    #: figure's noise for ``python -m bench compare`` (:mod:`bench.history`).
    runs: tuple[float, ...] = ()
