"""do_configure of meson-python recipes (``python_mesonpy.bbclass``): the recipe's cross file."""

from __future__ import annotations

from pathlib import Path

from pyrecipe.fsutil import atomic_write_text
from pyrecipe.parse import DataSmart
from pyrecipe.toolchain.render import meson_literal


def write_meson_recipe_cross_file(d: DataSmart) -> None:
    """do_configure of meson-python recipes: the recipe's cross file, read after the machine's.

    Its arguments are the machine's (the ``pyrecipe_compile_args``/``pyrecipe_link_args``
    constants of the machine's file) followed by the build's flags, TARGET_CFLAGS,
    TARGET_CXXFLAGS, TARGET_FFLAGS and TARGET_LDFLAGS: meson takes a cross build's flags from
    cross files only, and a later file's key replaces an earlier one's.
    """
    def words(var: str) -> str:
        return meson_literal((d.getVar(var) or "").split())

    atomic_write_text(
        Path(d.getVar("MESON_RECIPE_CROSS_FILE")),
        "# The recipe's additions to the machine's cross file, written by pyrecipe.\n[built-in options]\n"
        f"c_args = pyrecipe_compile_args + {words('TARGET_CFLAGS')}\n"
        f"cpp_args = pyrecipe_compile_args + {words('TARGET_CXXFLAGS')}\n"
        f"fortran_args = pyrecipe_compile_args + {words('TARGET_FFLAGS')}\n"
        f"c_link_args = pyrecipe_link_args + {words('TARGET_LDFLAGS')}\n"
        f"cpp_link_args = pyrecipe_link_args + {words('TARGET_LDFLAGS')}\n"
        f"fortran_link_args = pyrecipe_link_args + {words('TARGET_LDFLAGS')}\n",
    )
