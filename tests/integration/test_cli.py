"""The command line lists every command without importing them, and runs the one it is given."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pyrecipe.cli import COMMANDS
from pyrecipe.config.paths import PACKAGE_DIR


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


def _pyrecipe(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyrecipe", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_init_then_commands_find_the_build_dir_from_the_project_and_below(tmp_path: Path) -> None:
    made = _pyrecipe("init", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "wrote build/conf/local.conf" in made.stdout and "then: pyrecipe build NAME" in made.stdout
    # From the project directory (./build), and from inside the build directory itself.
    for cwd in (tmp_path, tmp_path / "build" / "workspace"):
        shown = _pyrecipe("env", "idna", "--machine", "raspberrypi4", "--distro", "debian-bookworm", cwd=cwd)
        assert shown.returncode == 0, shown.stderr
        assert f'\nTOPDIR="{tmp_path / "build"}"\n' in shown.stdout
        assert f'\nBBLAYERS="{tmp_path / "build" / "workspace"}"\n' in shown.stdout
    again = _pyrecipe("init", "build", cwd=tmp_path)
    assert again.returncode == 0 and "is a build directory already" in again.stdout


def test_init_elsewhere_says_how_to_build_there(tmp_path: Path) -> None:
    made = _pyrecipe("init", "proj", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "cd proj && pyrecipe build NAME" in made.stdout and (tmp_path / "proj" / "conf" / "bblayers.conf").is_file()


def test_init_and_build_dirs_that_cannot_be_are_input_errors(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    failed = _pyrecipe("init", "afile", cwd=tmp_path)
    assert failed.returncode == 2 and "is a file" in failed.stderr and "Traceback" not in failed.stderr
    inside = _pyrecipe("deps", "idna", "--build-dir", str(PACKAGE_DIR / "build"), cwd=tmp_path)
    assert inside.returncode == 2 and "where pyrecipe itself is installed" in inside.stderr
    assert not (PACKAGE_DIR / "build").exists()
