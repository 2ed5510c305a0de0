"""What do_test runs: PYTHON_TEST_CODE as ``-c``, or the PYTHON_TEST_SCRIPT file beside the recipe, else
an import of the modules the recipe installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from parse_support import parse
from pyrecipe.errors import InputError
from pyrecipe.tasks.base import _test_program, top_level_modules


def test_a_one_line_test_runs_with_dash_c(tmp_path: Path) -> None:
    assert _test_program(parse(tmp_path, 'PYTHON_TEST_CODE = "import x"\n')) == (["-c", "import x"], "PYTHON_TEST_CODE")


def test_a_test_script_runs_as_a_file(tmp_path: Path) -> None:
    script = tmp_path / "test_x.py"
    script.write_text("import x\n")
    assert _test_program(parse(tmp_path, f'PYTHON_TEST_SCRIPT = "{script}"\n')) == ([str(script)], "PYTHON_TEST_SCRIPT test_x.py")


#: Where a bare parse puts the recipe's installed tree and its site-packages.
LAYOUT = 'D = "${TOPDIR}/image"\nPYTHON_SITEPACKAGES_DIR = "/usr/lib/python3.13/site-packages"\n'


def installed(tmp_path: Path, *names: str) -> Path:
    site = tmp_path / "image/usr/lib/python3.13/site-packages"
    for name in names:
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("")
    return site


def test_without_a_test_the_installed_modules_are_imported(tmp_path: Path) -> None:
    site = installed(tmp_path, "pkg/__init__.py", "single.py", "fast.cpython-313-aarch64-linux-gnu.so", "_private.py",
                     "tests/__init__.py", "pkg-1.0.dist-info/METADATA", "nspkg/mod.py", "nspkg/sub/__init__.py",
                     "nspkg/deeper/more/__init__.py", "extra.pth", "example/server.py")
    assert top_level_modules(site) == ["fast", "nspkg.mod", "nspkg.sub", "pkg", "single"]
    d = parse(tmp_path, f'TOPDIR = "{tmp_path}"\n' + LAYOUT)
    assert _test_program(d) == (["-c", "import fast, nspkg.mod, nspkg.sub, pkg, single"], "import fast, nspkg.mod, nspkg.sub, pkg, single")
    d.setVar("PYTHON_TEST_IMPORTS", "0")
    assert _test_program(d) is None


def test_no_test_and_no_module_is_none(tmp_path: Path) -> None:
    installed(tmp_path, "pkg-1.0.dist-info/METADATA")
    assert _test_program(parse(tmp_path, f'TOPDIR = "{tmp_path}"\n' + LAYOUT)) is None
    assert top_level_modules(tmp_path / "nothing") == []


def test_both_or_a_missing_script_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="set PYTHON_TEST_CODE or PYTHON_TEST_SCRIPT, not both"):
        _test_program(parse(tmp_path, 'PYTHON_TEST_CODE = "pass"\nPYTHON_TEST_SCRIPT = "/x.py"\n'))
    with pytest.raises(InputError, match=r"PYTHON_TEST_SCRIPT /nonexistent/test_x.py does not exist \(list the file in SRC_URI"):
        _test_program(parse(tmp_path, 'PYTHON_TEST_SCRIPT = "/nonexistent/test_x.py"\n'))
