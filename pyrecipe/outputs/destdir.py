"""``pyrecipe build RECIPE --destdir DIR [--prefix P]``: one recipe's result, installed into DIR.

The install-from-source workflow of distribution packagers (gpep517's ``install-from-source``):
the recipe is built as usual, then its files land in a directory the packager owns. With the
target's own prefix (/usr) that is the recipe's ${PKGD} (its ${D}, QA-checked, tested and
stripped); another prefix needs its wheel installed again with that layout (not stripped). DIR may already hold other files (a
packager installs several things into one root): ours are merged in, and they are first
assembled in a temporary tree beside DIR so a failure never leaves half a recipe in it.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from pyrecipe.engine.build import BuildRequest, pinned_native_tools, resolve
from pyrecipe.errors import BuildError, InputError
from pyrecipe.parse import DataSmart

#: The prefix the recipe's ${D} is installed with (bitbake.conf's ``prefix``).
TARGET_PREFIX = "/usr"


def check_prefix(prefix: str) -> None:
    """Refuse a prefix that is not absolute before anything is built."""
    if not prefix.startswith("/"):
        raise InputError(f"--prefix {prefix!r} must be an absolute path (e.g. /usr or /opt/app)")


def install_into_destdir(d: DataSmart, destdir: Path, prefix: str = TARGET_PREFIX) -> list[Path]:
    """Install the built recipe ``d`` into ``destdir`` with ``prefix``; return the files, relative to it."""
    check_prefix(prefix)
    image = Path(d.getVar("PKGD"))
    if not image.is_dir():
        raise BuildError(f"recipe {d.getVar('PN')} has no installed tree {image}; build it first")
    destdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=destdir.parent, prefix=f".{destdir.name}.staging-") as tmp:
        staging = Path(tmp) / "root"
        if prefix.rstrip("/") == (d.getVar("prefix") or TARGET_PREFIX).rstrip("/"):
            shutil.copytree(image, staging, symlinks=True)
        else:
            from pyrecipe.pep517.install import install_wheel  # installer: 20 ms that every build would pay

            install_wheel(
                _the_wheel(d), staging, python_version=d.getVar("PYTHON_BASEVERSION"),
                prefix=prefix.rstrip("/") or "/", interpreter=d.getVar("PYTHON_INTERPRETER") or "/usr/bin/python3",
            )
        files = sorted(p.relative_to(staging) for p in staging.rglob("*") if not p.is_dir())
        shutil.copytree(staging, destdir, symlinks=True, dirs_exist_ok=True)
    return files


def _the_wheel(d: DataSmart) -> Path:
    wheel_dir = Path(d.getVar("PEP517_WHEEL_PATH") or Path(d.getVar("WORKDIR")) / "dist")
    wheels = sorted(wheel_dir.glob("*.whl"))
    if len(wheels) != 1:
        raise BuildError(
            f"recipe {d.getVar('PN')}: --prefix other than /usr reinstalls its wheel, but {wheel_dir} holds "
            f"{len(wheels)} wheels (a recipe not built by a PEP 517 class cannot be relocated)"
        )
    return wheels[0]


def install_built_recipe(request: BuildRequest, destdir: Path, prefix: str = TARGET_PREFIX) -> list[Path]:
    """After ``request`` (one target) was built: install that recipe into ``destdir``."""
    _, graph, _ = resolve(request, pinned_native_tools())
    return install_into_destdir(graph.nodes[graph.targets[0]].d, destdir, prefix)
