"""do_test under qemu-user gives ``ctypes.util.find_library`` the board's view, as python-mpv needs.

find_library runs ``/sbin/ldconfig -p``; under qemu-user that is the build machine's program
(qemu does not translate an exec's path), which lists x86-64 libraries and not the board's. The
fixture's module, like python-mpv's, finds its library that way when it is imported, and checks
that the listing it reads is the board's alone.
"""

from __future__ import annotations

from pathlib import Path

from cross_support import PYTHON_VERSION, layer_recipe_test_lines

LAYER = Path(__file__).parents[1] / "fixtures" / "ctypes_layer"


def test_a_ctypes_binding_finds_the_boards_library_in_do_test(cross_build_dir: Path) -> None:
    lines = layer_recipe_test_lines(cross_build_dir, LAYER, "python3-findlib", "1.0")
    found = [line for line in lines if line.startswith("found ")]
    assert found and found[0].startswith(f"found libpython{PYTHON_VERSION}.so"), lines
    assert "libs found in cache" in found[0]
