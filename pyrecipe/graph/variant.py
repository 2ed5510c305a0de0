"""Which machine a recipe builds for: the target (the board) or native (the build machine).

OpenEmbedded says it two ways, and pyrecipe reads both here only: a parsed recipe is native when
``native.bbclass`` set ``CLASSOVERRIDE = "class-native"`` (a ``foo-native`` recipe, or the native
variant of ``BBCLASSEXTEND``), and a dependency name is native when it ends in ``-native``.
"""

from __future__ import annotations

from pyrecipe.parse import DataSmart

NATIVE_SUFFIX = "-native"


def is_native(d: DataSmart) -> bool:
    """Whether the parsed recipe ``d`` builds for the build machine."""
    return d.getVar("CLASSOVERRIDE") == "class-native"


def is_native_name(name: str) -> bool:
    """Whether a recipe or dependency name names a build-machine recipe (``python3-foo-native``)."""
    return name.endswith(NATIVE_SUFFIX)


def target_name(name: str) -> str:
    """The name without its ``-native`` suffix (``python3-foo-native`` -> ``python3-foo``)."""
    return name.removesuffix(NATIVE_SUFFIX)
