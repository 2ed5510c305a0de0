"""The pytest plugin: ``pytest --automake`` prints one automake-style line per test.

A test's line comes once its teardown is reported, with the worst of its phases: FAIL when its
setup, call or teardown failed, else SKIP when it was skipped (an expected failure too), else PASS.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("terminal reporting").addoption(
        "--automake", action="store_true", default=False,
        help="print a PASS:, FAIL: or SKIP: line per test (automake's test-driver form)",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("automake"):
        config.pluginmanager.register(AutomakeReporter(config), "automake-reporter")


class AutomakeReporter:
    """Writes each test's result through pytest's terminal writer (not captured with the test)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.status: dict[str, str] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        now = self.status.get(report.nodeid, "PASS")
        if report.failed:
            now = "FAIL"
        elif report.skipped and now != "FAIL":
            now = "SKIP"
        self.status[report.nodeid] = now
        if report.when == "teardown":
            terminal = self.config.pluginmanager.get_plugin("terminalreporter")
            terminal.ensure_newline()
            terminal.write_line(f"{now}: {report.nodeid}", flush=True)
