"""The wheel carries pyrecipe's own layer as package data.

The layer (recipes/, classes/, toolchains/) lives at the top of the checkout, where an editable
install uses it in place; a wheel has no room there, so the build copies it into the package as
pyrecipe/layer/ (pyrecipe/config/paths.py finds it in either place). The sdist has the layer
through MANIFEST.in, so a wheel built from the sdist has it too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LAYER_DIRS = ("recipes", "classes", "toolchains")
SOURCE = Path(__file__).resolve().parent


class BuildPyWithLayer(build_py):
    """build_py, then the layer copied into the built package (not for an editable install,
    which reads the checkout's layer where it is)."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "pyrecipe" / "layer"
        for name in LAYER_DIRS:
            if not (SOURCE / name).is_dir():
                raise SystemExit(f"pyrecipe's layer directory {SOURCE / name} is missing: cannot build a wheel without it")
            shutil.rmtree(target / name, ignore_errors=True)
            shutil.copytree(SOURCE / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.py[co]"))


setup(cmdclass={"build_py": BuildPyWithLayer})
