"""Where pyrecipe's own layer (recipes, classes, toolchains) lives.

pyrecipe runs from its checkout (an editable install): the layer shipped with the tool sits
next to the package, as bitbake's meta layer sits next to bitbake.
"""

from __future__ import annotations

from pathlib import Path

TOPDIR = Path(__file__).resolve().parents[2]
CLASSES_DIR = TOPDIR / "classes"
RECIPES_DIR = TOPDIR / "recipes"
TOOLCHAINS_DIR = TOPDIR / "toolchains"
