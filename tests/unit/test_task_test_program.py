"""What do_test runs: PYTHON_TEST_CODE as ``-c``, or the PYTHON_TEST_SCRIPT file beside the recipe."""

from __future__ import annotations

from pathlib import Path

import pytest

from parse_support import parse
from pyrecipe.errors import InputError
from pyrecipe.tasks.base import _test_program


def test_a_one_line_test_runs_with_dash_c(tmp_path: Path) -> None:
    assert _test_program(parse(tmp_path, 'PYTHON_TEST_CODE = "import x"\n')) == ["-c", "import x"]


def test_a_test_script_runs_as_a_file(tmp_path: Path) -> None:
    script = tmp_path / "test_x.py"
    script.write_text("import x\n")
    assert _test_program(parse(tmp_path, f'PYTHON_TEST_SCRIPT = "{script}"\n')) == [str(script)]


def test_no_test_is_none(tmp_path: Path) -> None:
    assert _test_program(parse(tmp_path, 'LICENSE = "MIT"\n')) is None


def test_both_or_a_missing_script_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="set PYTHON_TEST_CODE or PYTHON_TEST_SCRIPT, not both"):
        _test_program(parse(tmp_path, 'PYTHON_TEST_CODE = "pass"\nPYTHON_TEST_SCRIPT = "/x.py"\n'))
    with pytest.raises(InputError, match=r"PYTHON_TEST_SCRIPT /nonexistent/test_x.py does not exist \(list the file in SRC_URI"):
        _test_program(parse(tmp_path, 'PYTHON_TEST_SCRIPT = "/nonexistent/test_x.py"\n'))
