"""The command line lists every command without importing them, and runs the one it is given."""

from __future__ import annotations

import subprocess
import sys

from pyrecipe.cli import COMMANDS


def test_help_lists_every_command_and_imports_none_of_them() -> None:
    probe = (
        "import sys, contextlib, io\n"
        "from pyrecipe.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    try: main(['--help'])\n"
        "    except SystemExit: pass\n"
        "print(out.getvalue())\n"
        "print(sorted(m for m in sys.modules if m.startswith('pyrecipe.commands.')))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    for name, summary in COMMANDS.items():
        assert name in result.stdout and summary.split()[0] in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_a_command_gets_its_own_arguments() -> None:
    result = subprocess.run([sys.executable, "-m", "pyrecipe", "env", "--help"], capture_output=True, text=True, check=True)
    assert "--bare" in result.stdout and "TARGET" in result.stdout
