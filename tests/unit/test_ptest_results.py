"""Reading a run-ptest's automake output: the counts, and when a suite passed."""

from __future__ import annotations

from collections import Counter

from pyrecipe.outputs.ptest import PtestOutcome, count_results

OUTPUT = """============================= test session starts ==============================
PASS: tests/test_a.py::test_one
PASS: tests/test_a.py::test_two
SKIP: tests/test_a.py::test_three
XFAIL: tests/test_a.py::test_four
PASSED isn't a result: neither is a line without the colon
FAIL tests/test_b.py
"""


def test_result_words_are_counted_at_the_start_of_a_line_only() -> None:
    assert count_results(OUTPUT.splitlines()) == Counter({"PASS": 2, "SKIP": 1, "XFAIL": 1})


def test_a_suite_passes_with_no_failing_result_one_pass_and_exit_0() -> None:
    assert PtestOutcome(Counter({"PASS": 2, "SKIP": 1, "XFAIL": 1}), 0).passed
    assert not PtestOutcome(Counter({"PASS": 2, "FAIL": 1}), 0).passed
    assert not PtestOutcome(Counter({"PASS": 2, "XPASS": 1}), 0).passed
    assert not PtestOutcome(Counter({"PASS": 2}), 1).passed  # run-ptest itself failed
    assert not PtestOutcome(Counter(), 0).passed  # nothing ran
    assert PtestOutcome(Counter({"PASS": 2, "XFAIL": 1}), 0).summary() == "PASS 2, FAIL 0, SKIP 0, XFAIL 1 (run-ptest exit 0)"
