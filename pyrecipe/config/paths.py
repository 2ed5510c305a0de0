"""Where pyrecipe's own layer (recipes, classes, toolchains) and its code live.

Two layouts, told apart by where ``toolchains/bitbake.conf`` is found:

- a checkout (an editable install): the layer sits at the top of the checkout, beside the
  package, as bitbake's meta layer sits beside bitbake;
- an installed wheel (``pip install .``, ``pipx``, ``uv tool``): the build copied the layer into
  the package as ``pyrecipe/layer/`` (package data, see setup.py), since site-packages has no
  place for a top-level ``recipes/``.

The checkout is looked for only when the package has no layer of its own, so an installed
pyrecipe never reads (nor writes) a checkout that happens to lie beside site-packages.
"""

from __future__ import annotations

import os
from pathlib import Path

from pyrecipe.errors import BuildError, InputError

#: The ``pyrecipe`` package directory.
PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: The directory that, first on ``sys.path``, makes ``import pyrecipe`` import this very code: the
#: checkout, or the site-packages the wheel went into. A subprocess that must run pyrecipe's own
#: code (the PEP 517 frontend, ``${PYRECIPE_CODEDIR}``) puts it first on its path.
CODEDIR = PACKAGE_DIR.parent
#: Where the layer is in an installed wheel.
SHIPPED_LAYER_DIR = PACKAGE_DIR / "layer"


def _find_topdir() -> Path:
    if (SHIPPED_LAYER_DIR / "toolchains" / "bitbake.conf").is_file():
        return SHIPPED_LAYER_DIR
    return CODEDIR


#: The root of pyrecipe's own layer (``${PYRECIPE_TOPDIR}``): recipes/, classes/, toolchains/.
TOPDIR = _find_topdir()
#: Where nothing of a build may go: the site-packages of an installed pyrecipe, the package of a
#: checkout (whose build/ is the README's default build directory).
PROTECTED_DIR = CODEDIR if TOPDIR == SHIPPED_LAYER_DIR else PACKAGE_DIR
CLASSES_DIR = TOPDIR / "classes"
RECIPES_DIR = TOPDIR / "recipes"
TOOLCHAINS_DIR = TOPDIR / "toolchains"


def check_layer() -> None:
    """BuildError when pyrecipe's own layer is missing: a wheel built without it (by a build
    that skipped setup.py's copy) cannot configure anything."""
    if not (TOOLCHAINS_DIR / "bitbake.conf").is_file():
        raise BuildError(
            f"pyrecipe's own layer is missing: neither {SHIPPED_LAYER_DIR} nor a checkout at {CODEDIR} has "
            "toolchains/bitbake.conf; reinstall pyrecipe from a wheel built by its setup.py (pip install .)"
        )


#: Directories of the system a build directory may not be (the build writes conf/, cache/, downloads/
#: and work directories into it, and ``pyrecipe init`` writes conf/local.conf): the root, the
#: system's own trees, and the shared scratch directories where other users could plant conf files.
SYSTEM_DIRS = frozenset(map(Path, (
    "/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32", "/lib64", "/media", "/mnt", "/opt", "/proc",
    "/root", "/run", "/sbin", "/srv", "/sys", "/tmp", "/usr", "/usr/bin", "/usr/lib", "/usr/local", "/usr/sbin",
    "/usr/share", "/var", "/var/lib", "/var/tmp",
)))
#: Trees that are the kernel's or the system's as a whole: nothing below them is a build directory.
SYSTEM_TREES = tuple(map(Path, ("/proc", "/sys", "/dev", "/etc", "/boot", "/usr", "/run")))


def check_not_system_dir(directory: Path, what: str = "the build directory") -> None:
    """InputError when ``directory`` (``what`` it is for) is the root, a directory of the system
    (:data:`SYSTEM_DIRS`), lies in one of its trees (:data:`SYSTEM_TREES`: ``/usr/src/b`` too), or is
    the user's home directory itself: ``--build-dir /`` or ``--build-dir ~`` would spread a build
    over directories the user never meant to give it. A directory below home is the usual place."""
    resolved = Path(os.path.realpath(directory))
    home = os.environ.get("HOME")
    if (resolved in SYSTEM_DIRS or any(tree in resolved.parents for tree in SYSTEM_TREES)
            or (home and home != "/" and resolved == Path(os.path.realpath(home)))):
        raise InputError(
            f"{what} {directory} is {'' if str(directory) == str(resolved) else f'{resolved}, '}a directory of the system "
            "or your home directory itself: name a directory of its own inside one, such as ~/build"
        )


def check_not_in_package(directory: Path, what: str = "the build directory") -> None:
    """InputError when ``directory`` (``what`` it is for) lies in pyrecipe's own installation
    (:data:`PROTECTED_DIR`): what pyrecipe writes belongs to the user's build directory and layers."""
    resolved = Path(os.path.realpath(directory))
    if resolved == PROTECTED_DIR or PROTECTED_DIR in resolved.parents:
        raise InputError(
            f"{what} {directory} lies inside {PROTECTED_DIR}, where pyrecipe itself is installed: "
            "make a build directory of your own with `pyrecipe init DIR` and work there"
        )
