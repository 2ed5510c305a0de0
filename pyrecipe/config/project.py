"""The user's build directory: where it is when no ``--build-dir`` names it, and ``pyrecipe init``.

A build directory is an OpenEmbedded build directory (bitbake's ``TOPDIR``): ``conf/local.conf``
and ``conf/bblayers.conf`` say what to build with, and everything pyrecipe writes lands in it:
``downloads/``, ``cache/``, ``<distro>/<machine>/`` (work directories, image, deploy) and
``workspace/``, the layer ``pyrecipe create`` writes recipes into. Nothing is written into
pyrecipe's own layer, whether that is a checkout's or the package's in site-packages.

Without ``--build-dir``, a command works in the nearest of the current directory and its parents
that has ``conf/local.conf`` or ``conf/bblayers.conf`` (as bitbake finds its build directory by
walking up to ``conf/bblayers.conf``), else in ``./build``, pyrecipe's default before build
directories were made with ``pyrecipe init``, and ``init``'s own default.
"""

from __future__ import annotations

import os
from pathlib import Path

from pyrecipe.config.configuration import Settings, check_build_dir, peek_build_conf
from pyrecipe.config.paths import check_not_in_package
from pyrecipe.errors import InputError
from pyrecipe.fsutil import atomic_write_text

#: The build directory when none is found (``./build``), and ``pyrecipe init``'s default.
DEFAULT_BUILD_DIR = Path("build")
#: The layer of recipes written by ``pyrecipe create``, in the build directory (as devtool's workspace).
WORKSPACE_NAME = "workspace"
CONF_FILES = ("local.conf", "bblayers.conf")

LOCAL_CONF = """\
# conf/local.conf: the settings of this build directory (written by `pyrecipe init`; edit freely).
# Read after pyrecipe's toolchains/bitbake.conf and before the machine's and the distro's conf,
# as an OpenEmbedded local.conf. The command line wins: --machine and --distro override these.

# MACHINE: the board to build for (`pyrecipe machines` lists them). Default: {machine}.
#MACHINE ?= "{machine}"

# DISTRO: what the board runs, a Debian release and its CPython X.Y (`pyrecipe distros`).
# Default: {distro}.
#DISTRO ?= "{distro}"

# DL_DIR: where sources, crates and Debian packages are downloaded. Point several build
# directories at one to fetch each file once.
#DL_DIR ?= "${{TOPDIR}}/downloads"

# PACKAGE_FORMAT = "deb" also writes a .deb of each recipe into deploy/.
#PACKAGE_FORMAT = "deb"
"""

BBLAYERS_CONF = """\
# conf/bblayers.conf: the layers of recipes this build directory reads besides pyrecipe's own,
# which is always read. ${{TOPDIR}} is this directory. A layer is a directory with
# recipes*/<name>/<name>_<version>.bb and, optionally, conf/layer.conf, conf/machine/*.conf and
# conf/distro/*.conf; --layer DIR adds one for a single command.
#
# BBLAYERS: the layers, separated by spaces. {workspace}/ is where `pyrecipe create` writes.
BBLAYERS ?= " \\
  ${{TOPDIR}}/{workspace} \\
"
"""

#: The conf/layer.conf of a layer pyrecipe makes (the workspace, ``create --layer-dir``).
LAYER_CONF = 'BBPATH .= ":${LAYERDIR}"\nBBFILES += "${LAYERDIR}/recipes*/*/*.bb"\n'


def ensure_layer(layer_dir: Path) -> bool:
    """A layer directory without conf/layer.conf gets a minimal one, so `--layer` can read it;
    whether it was written."""
    conf = layer_dir / "conf" / "layer.conf"
    if conf.is_file():
        return False
    atomic_write_text(conf, LAYER_CONF, mode=0o644)
    return True


def is_build_dir(directory: Path) -> bool:
    return any((directory / "conf" / name).is_file() for name in CONF_FILES)


def find_build_dir(start: Path | None = None) -> Path:
    """The build directory of a command run in ``start`` (the current directory) without
    ``--build-dir``: the nearest of it and its parents that has conf/local.conf or
    conf/bblayers.conf, else ``./build``."""
    try:
        here = (start or Path.cwd()).absolute()
    except FileNotFoundError:
        raise InputError("the current directory no longer exists: change to a directory, or name one with --build-dir") from None
    for directory in (here, *here.parents):
        if is_build_dir(directory):
            return directory
    return DEFAULT_BUILD_DIR if start is None else here / DEFAULT_BUILD_DIR


def init_build_dir(build_dir: Path, machine: str, distro: str) -> list[Path]:
    """Make ``build_dir`` a build directory: conf/local.conf and conf/bblayers.conf (commented, as
    oe-init-build-env writes them) and the workspace layer. Files that exist are kept, as
    oe-init-build-env keeps them. Returns the files written."""
    check_build_dir(build_dir)
    try:
        return _write_build_dir(build_dir, machine, distro)
    except (FileNotFoundError, NotADirectoryError, PermissionError) as error:
        # /proc/self/x, a path through a file, a directory the user may not write: the user's
        # input, not pyrecipe's fault (a full disk stays the machine's error).
        raise InputError(f"cannot make the build directory {build_dir}: {error.strerror}: {error.filename}") from None


def _write_build_dir(build_dir: Path, machine: str, distro: str) -> list[Path]:
    written = []
    conf = build_dir / "conf"
    for name, text in (
        ("local.conf", LOCAL_CONF.format(machine=machine, distro=distro)),
        ("bblayers.conf", BBLAYERS_CONF.format(workspace=WORKSPACE_NAME)),
    ):
        if not (conf / name).exists():
            atomic_write_text(conf / name, text, mode=0o644)
            written.append(conf / name)
    if ensure_layer(build_dir / WORKSPACE_NAME):
        written.append(build_dir / WORKSPACE_NAME / "conf" / "layer.conf")
    (build_dir / WORKSPACE_NAME / "recipes").mkdir(parents=True, exist_ok=True)
    return written


def workspace_layer(build_dir: Path) -> tuple[Path, bool]:
    """The build directory's workspace layer, made if missing, and whether this call added it
    to conf/bblayers.conf (as devtool adds its workspace): recipes written there are built
    without a --layer option."""
    check_not_in_package(build_dir)
    workspace = build_dir / WORKSPACE_NAME
    ensure_layer(workspace)
    bblayers = build_dir / "conf" / "bblayers.conf"
    if not bblayers.is_file():
        atomic_write_text(bblayers, BBLAYERS_CONF.format(workspace=WORKSPACE_NAME), mode=0o644)
        return workspace, True
    if Path(os.path.abspath(workspace)) in _named_layers(build_dir):
        return workspace, False
    with bblayers.open("a") as conf:
        conf.write(f'\n# Added by `pyrecipe create`: the layer it writes recipes into.\nBBLAYERS += "${{TOPDIR}}/{WORKSPACE_NAME}"\n')
    return workspace, True


def _named_layers(build_dir: Path) -> set[Path]:
    """The layers conf/bblayers.conf and conf/local.conf name (BBLAYERS), as absolute paths."""
    peeked = peek_build_conf(Settings(build_dir=build_dir))
    return {Path(os.path.abspath(p)) for p in (peeked.getVar("BBLAYERS") or "").split()}
