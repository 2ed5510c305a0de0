"""do_test and ``pyrecipe run`` under qemu-user give ``ctypes.util.find_library`` the board's view,
as python-mpv needs.

find_library runs ``/sbin/ldconfig -p``; under qemu-user that is the build machine's program
(qemu does not translate an exec's path), which lists x86-64 libraries and not the board's. The
fixture's module, like python-mpv's, finds its library that way when it is imported, and checks
that the listing it reads is the board's alone.
"""

from __future__ import annotations

from pathlib import Path

from cross_support import PYTHON_VERSION, layer_recipe_test_lines, run_on_board

LAYER = Path(__file__).parents[1] / "fixtures" / "ctypes_layer"


def test_a_ctypes_binding_finds_the_boards_library_in_do_test(cross_build_dir: Path) -> None:
    lines = layer_recipe_test_lines(cross_build_dir, LAYER, "python3-findlib", "1.0")
    found = [line for line in lines if line.startswith("found ")]
    assert found and found[0].startswith(f"found libpython{PYTHON_VERSION}.so"), lines
    assert "libs found in cache" in found[0]


def test_pyrecipe_run_finds_the_boards_library(cross_build_dir: Path) -> None:
    # The build machine's ldconfig lists no libpython3.13 (bookworm has 3.11) and no AArch64 library.
    code = ("import ctypes, ctypes.util, subprocess; name = ctypes.util.find_library('python%s'); ctypes.CDLL(name); "
            "print(name); print(subprocess.run(['/sbin/ldconfig', '-p'], capture_output=True, text=True).stdout.splitlines()[1])")
    name, first_entry = run_on_board(cross_build_dir, code % PYTHON_VERSION).splitlines()
    assert name.startswith(f"libpython{PYTHON_VERSION}.so"), name
    assert "(libc6,AArch64)" in first_entry, first_entry
