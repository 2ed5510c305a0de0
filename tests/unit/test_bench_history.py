"""The bench remembers (bench/history.py): figures recorded with their run, commit and machines,
and what moved beyond its noise since the previous run and against README.md's table."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import Result
from bench.history import (
    RELATIVE_NOISE,
    Movement,
    append,
    compare,
    current_commit,
    figure_value,
    load,
    noise,
    readme_figures,
    records_of,
)
from pyrecipe.config.paths import TOPDIR

NOOP = "no-op rebuild: pyrecipe build slowpoke (runnerboard) wall"
PARSE = "parse: warm"


def run(path: Path, name: str, *results: Result, host: str = "builder (x86_64)") -> None:
    append(path, records_of(results, commit="abc123", machine="runnerboard", run=name, host=host))


@pytest.mark.parametrize(("figure", "value"), [
    ("0.42 s", 0.42),
    ("12,345 recipes/s", 12345.0),
    ("1.03x", 1.03),
    ("median 0.45 s CPU (range 0.37–0.52)", 0.45),
    ("1.000", 1.0),
    ("none", None),
])
def test_the_headline_number_of_a_figure(figure: str, value: float | None) -> None:
    assert figure_value(figure) == value


def test_records_keep_run_commit_machines_and_measurements(tmp_path: Path) -> None:
    history = tmp_path / "build" / "bench-history.jsonl"
    run(history, "r1", Result(NOOP, "0.80 s", "median of 3", (0.8, 0.7, 0.9)))
    run(history, "r2", Result(NOOP, "0.20 s", "median of 3", (0.2, 0.21, 0.19)), Result(PARSE, "2,000 recipes/s", ""))
    records = load(history)
    assert [(r.run, r.benchmark, r.value, r.runs) for r in records] == [
        ("r1", NOOP, 0.8, (0.8, 0.7, 0.9)), ("r2", NOOP, 0.2, (0.2, 0.21, 0.19)), ("r2", PARSE, 2000.0, ())]
    assert {(r.commit, r.machine, r.host) for r in records} == {("abc123", "runnerboard", "builder (x86_64)")}
    assert not list(history.parent.glob(".*tmp*"))


def test_an_interrupted_write_leaves_the_history_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    history = tmp_path / "bench-history.jsonl"
    run(history, "r1", Result(NOOP, "0.80 s", ""))
    before = history.read_bytes()

    write_text = Path.write_text

    def interrupted(self: Path, text: str, *args: object, **kwargs: object) -> int:
        write_text(self, text[: len(text) // 2])
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "write_text", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(history, "r2", Result(NOOP, "0.20 s", ""))
    assert history.read_bytes() == before


def test_noise_is_the_larger_of_the_spread_and_the_relative_rule() -> None:
    assert noise(1.0) == pytest.approx(RELATIVE_NOISE)
    assert noise(1.0, (0.9, 1.4), (1.0, 1.1)) == pytest.approx(0.5)
    assert noise(1.0, (), (1.0, 1.05)) == pytest.approx(RELATIVE_NOISE)
    assert Movement("x", 1.2, 1.0, 0.1).moved and not Movement("x", 1.05, 1.0, 0.1).moved
    assert Movement("x", 0.5, 1.0, 0.1).change == "-50%"


def test_compare_against_the_previous_run_on_the_same_build_machine(tmp_path: Path) -> None:
    history = tmp_path / "bench-history.jsonl"
    run(history, "r1", Result(NOOP, "1.30 s", "", (1.3, 1.35, 1.27)), Result(PARSE, "2,000 recipes/s", ""))
    run(history, "r2", Result(NOOP, "0.50 s", "", (0.5,)), host="another (aarch64)")
    run(history, "r3", Result(NOOP, "0.19 s", "", (0.19, 0.2, 0.18)), Result(PARSE, "2,100 recipes/s", ""),
        Result("new figure", "3 s", ""))
    last, previous, _ = compare(load(history), {})
    assert [record.benchmark for record in last] == [NOOP, PARSE, "new figure"]
    assert [(m.benchmark, m.now, m.then, m.moved) for m in previous] == [
        (NOOP, 0.19, 1.3, True),  # not r2's: another build machine
        (PARSE, 2100.0, 2000.0, False),  # 5%: within the relative rule
    ]


def test_a_move_within_the_measured_spread_is_noise(tmp_path: Path) -> None:
    history = tmp_path / "bench-history.jsonl"
    run(history, "r1", Result(NOOP, "1.00 s", "", (1.0, 0.8, 1.5)))
    run(history, "r2", Result(NOOP, "1.40 s", "", (1.4, 1.3, 1.45)))
    _, [movement], _ = compare(load(history), {})
    assert movement.noise == pytest.approx(0.7) and not movement.moved


def test_compare_against_the_readme_table(tmp_path: Path) -> None:
    readme = f"text\n\n| figure | stated |\n|---|---|\n| `{NOOP}` | 0.19 s |\n| `{PARSE}` | 1,000 recipes/s |\n"
    stated = readme_figures(readme)
    assert stated == {NOOP: 0.19, PARSE: 1000.0}
    history = tmp_path / "bench-history.jsonl"
    run(history, "r1", Result(NOOP, "0.20 s", "", (0.2, 0.21)), Result(PARSE, "2,000 recipes/s", ""))
    _, previous, against_readme = compare(load(history), stated)
    assert previous == []
    assert [(m.benchmark, m.moved, m.change) for m in against_readme] == [(NOOP, False, "+5%"), (PARSE, True, "+100%")]


def test_the_readme_states_figures_that_the_bench_names() -> None:
    """The table is what `bench compare` reads: its rows must parse."""
    stated = readme_figures((TOPDIR / "README.md").read_text(encoding="utf-8"))
    assert NOOP in stated and "pyrecipe env slowpoke (runnerboard) wall" in stated


def test_no_history_compares_nothing(tmp_path: Path) -> None:
    assert compare(load(tmp_path / "none.jsonl"), {}) == ([], [], [])


def test_the_commit_says_when_the_work_tree_differs(tmp_path: Path) -> None:
    assert current_commit(tmp_path) == "unknown"
    assert current_commit(TOPDIR) not in ("", "unknown")
