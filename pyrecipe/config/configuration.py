"""The configuration a build runs under: base configuration, layers, local.conf, machine, distro.

Order, as in OpenEmbedded: each layer's ``conf/layer.conf`` (with ``LAYERDIR`` set), then
``toolchains/bitbake.conf``, the build directory's ``conf/local.conf``, the machine's conf
file (the hardware), the distro's conf file (the software: Debian release, CPython X.Y); then the ``base`` class and any ``INHERIT`` classes are inherited into the configuration,
so every recipe starts from a copy of it.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from pyrecipe.config.paths import (
    CLASSES_DIR,
    CODEDIR,
    TOOLCHAINS_DIR,
    TOPDIR,
    check_layer,
    check_not_in_package,
    check_not_system_dir,
)
from pyrecipe.config.sdk import bind_sdk
from pyrecipe.errors import InputError
from pyrecipe.parse import DataSmart, core_datastore, load_config
from pyrecipe.parse.cache import open_store
from pyrecipe.parse.evaluate import FileParser
from pyrecipe.parse.store import CacheStore
from pyrecipe.parse.walls import Walls

DEFAULT_MACHINE = "raspberrypi4"
#: What a board flashed today runs: Debian 13 trixie (Raspberry Pi OS is based on it), CPython 3.13;
#: --distro debian-bookworm (CPython 3.11) is for Raspberry Pi OS Legacy.
DEFAULT_DISTRO = "debian-trixie"
#: A machine or distro name: a conf file's stem, as OpenEmbedded names them (``qemux86-64``,
#: ``raspberrypi4``, ``poky-tiny``); no path separator and no leading dot.
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")


@dataclass(frozen=True)
class Settings:
    """What the command line says about the build: where, for which machine, with which layers."""

    build_dir: Path = Path("build")
    machine: str | None = None
    distro: str | None = None
    layers: tuple[Path, ...] = ()
    extra_confs: tuple[Path, ...] = field(default=())


def conf_dirs(kind: str, layers: tuple[Path, ...]) -> list[Path]:
    """Where ``kind`` ("machine" or "distro") conf files live: pyrecipe's toolchains/<kind>, then
    each layer's conf/<kind>, as in OpenEmbedded."""
    return [TOOLCHAINS_DIR / kind, *(layer / "conf" / kind for layer in layers)]


def known_confs(kind: str, layers: tuple[Path, ...] = ()) -> list[str]:
    """The names of the ``kind`` conf files (machines or distros) pyrecipe and ``layers`` have."""
    names = {p.stem for directory in conf_dirs(kind, layers) if directory.is_dir() for p in directory.glob("*.conf")}
    return sorted(names)


def conf_file(kind: str, name: str, layers: tuple[Path, ...] = ()) -> Path:
    """The conf file of machine or distro ``name``, a layer's first; an unknown name is an error
    listing the known ones. A name is a conf file's stem, never a path: ``../../x`` or ``a/b``
    would reach a conf file outside the conf directories and provision wherever it leads."""
    if not NAME_RE.fullmatch(name):
        known = ", ".join(known_confs(kind, layers)) or "none"
        raise InputError(f"{kind} {name!r} is not a {kind} name (letters, digits, '-', '_', '.', no '/'); known {kind}s: {known}")
    for directory in reversed(conf_dirs(kind, layers)):
        candidate = directory / f"{name}.conf"
        if candidate.is_file():
            return candidate
    known = ", ".join(known_confs(kind, layers)) or "none"
    raise InputError(f"unknown {kind} {name!r}; known {kind}s: {known}")


def known_machines(layers: tuple[Path, ...] = ()) -> list[str]:
    return known_confs("machine", layers)


def machine_conf(name: str, layers: tuple[Path, ...] = ()) -> Path:
    return conf_file("machine", name, layers)


def distro_conf(name: str, layers: tuple[Path, ...] = ()) -> Path:
    return conf_file("distro", name, layers)


def check_build_dir(build_dir: Path) -> None:
    """InputError when ``build_dir`` exists but is no directory (every command would fail on it
    later), is a directory of the system, or lies in pyrecipe's own package."""
    if build_dir.exists() and not build_dir.is_dir():
        raise InputError(f"the build directory {build_dir} is a file, not a directory; name another with --build-dir")
    check_no_white_space(build_dir, "the build directory", "name another with --build-dir")
    check_not_system_dir(build_dir)
    check_not_in_package(build_dir)


def check_no_white_space(path: Path, what: str, hint: str) -> None:
    """InputError when ``path`` (``what`` it is) has white space, as OpenEmbedded's sanity check
    refuses it: compiler flags (--sysroot=..., -ffile-prefix-map=...), PKG_CONFIG_LIBDIR, BBLAYERS,
    BBFILES and the classes' shell split on it, so part of the path would be lost silently."""
    if any(char.isspace() for char in str(path.absolute())):
        raise InputError(f"{what} {str(path.absolute())!r} has white space in its path, which builds cannot handle "
                         f"(OpenEmbedded refuses it too); {hint}")


def _local_conf(settings: Settings) -> Path | None:
    path = settings.build_dir / "conf" / "local.conf"
    return path if path.is_file() else None


def peek_build_conf(settings: Settings) -> DataSmart:
    """The build directory's conf/bblayers.conf and conf/local.conf read alone (see :func:`_peek`)."""
    return _peek(settings, _local_conf(settings), None)


def _peek(settings: Settings, local_conf: Path | None, store: CacheStore | None) -> DataSmart:
    """conf/bblayers.conf then local.conf, alone: they name the layers (BBLAYERS) and may name
    the machine (MACHINE) and the distro (DISTRO). bblayers.conf is read as a Yocto build
    directory has it, with ``${TOPDIR}`` the build directory, for BBLAYERS only."""
    scratch = core_datastore(store)
    scratch.setVar("TOPDIR", str(settings.build_dir.absolute()))
    bblayers_conf = settings.build_dir / "conf" / "bblayers.conf"
    for conf in (bblayers_conf if bblayers_conf.is_file() else None, local_conf):
        if conf is not None:
            FileParser(store=store).handle(conf, scratch)
    return scratch


def _statement_store(settings: Settings) -> CacheStore | None:
    """Where the configuration files' statements are cached: the parse cache at bitbake.conf's
    default PARSE_CACHE_DIR (where the variable points is only known once these files are read).
    Parsing them, and importing the grammar to do so, cost every command about 120 ms. None
    before the build directory exists: a command that only reads creates none."""
    return open_store(settings.build_dir / "cache" / "parse") if settings.build_dir.is_dir() else None


def _layer_dirs(settings: Settings, peeked: DataSmart) -> tuple[Path, ...]:
    # abspath, not Path.absolute: bblayers.conf says ${TOPDIR}/../meta-x, and the '..' must go.
    named = [*settings.layers, *(peeked.getVar("BBLAYERS") or "").split()]
    layers = [Path(os.path.abspath(p)) for p in named]
    for layer in layers:
        check_layer_dir(layer)
    return tuple(dict.fromkeys(layers))


def check_layer_dir(layer: Path) -> None:
    """InputError unless ``layer`` is a directory pyrecipe reads as a layer: with conf/layer.conf,
    or laid out as one without it (recipes*/<name>/*.bb, conf/machine, conf/distro, or classes/*.bbclass:
    a layer of classes, as the parse bench's stub classes are); a directory with none of these
    would add nothing, silently. White space is refused as in a build
    directory: BBLAYERS and BBFILES are lists split on it, so the layer would fall apart."""
    where = "(from --layer or BBLAYERS in conf/bblayers.conf or conf/local.conf)"
    check_no_white_space(layer, "the layer", f"move or link it to a path without {where}")
    if not layer.is_dir():
        raise InputError(f"layer {layer} does not exist {where}")
    if not ((layer / "conf" / "layer.conf").is_file() or any(layer.glob("recipes*/*/*.bb"))
            or any(layer.glob("recipes*/*/*.bbappend")) or any((layer / "conf" / kind).is_dir() for kind in ("machine", "distro"))
            or any(layer.glob("classes/*.bbclass"))):
        raise InputError(f"{layer} is not a layer {where}: it has no conf/layer.conf, no recipes*/<name>/*.bb, "
                         "no conf/machine or conf/distro and no classes/*.bbclass")


def _bind_layerdir(d: DataSmart, layer: str) -> None:
    """Replace ``${LAYERDIR}`` by this layer's path in what its layer.conf set (as bitbake does)."""
    for name in list(d.keys()):
        value = d.getVar(name, False, parsing=True)
        if isinstance(value, str) and "${LAYERDIR}" in value:
            d.setVar(name, value.replace("${LAYERDIR}", layer), parsing=True)


def load_configuration(settings: Settings) -> DataSmart:
    """The configuration datastore for ``settings``, ready to parse recipes on."""
    check_layer()
    check_build_dir(settings.build_dir)
    local_conf = _local_conf(settings)
    store = _statement_store(settings)
    peeked = _peek(settings, local_conf, store)
    layers = _layer_dirs(settings, peeked)
    machine = settings.machine or peeked.getVar("MACHINE") or os.environ.get("MACHINE") or DEFAULT_MACHINE
    distro = settings.distro or peeked.getVar("DISTRO") or os.environ.get("DISTRO") or DEFAULT_DISTRO
    base = core_datastore(store)
    base.setVar("PYRECIPE_TOPDIR", str(TOPDIR))
    base.setVar("PYRECIPE_CODEDIR", str(CODEDIR))
    # The interpreter running pyrecipe (the PEP 517 classes run pyrecipe.pep517.frontend with it). Set
    # here, not by one command: every command parses recipes into the same cache.
    base.setVar("PYRECIPE_HOST_PYTHON", sys.executable)
    base.setVar("TOPDIR", str(settings.build_dir.absolute()))
    base.setVar("BBLAYERS", " ".join(map(str, layers)))
    base.setVar("BBPATH", str(TOPDIR))
    base.setVar("MACHINE", machine)
    base.setVar("DISTRO", distro)
    layer_parser = FileParser(store=store)
    # A layer's layer.conf is a stranger's file: it may add to BBPATH and BBFILES, as in
    # OpenEmbedded, but not place build areas (pyrecipe.parse.walls).
    base.walls = Walls.of([], [])
    for layer in layers:
        base.setVar("LAYERDIR", str(layer))
        layer_conf = layer / "conf" / "layer.conf"
        if layer_conf.is_file():
            layer_parser.handle(layer_conf, base)
            base.delVar("FILE")
            _bind_layerdir(base, str(layer))
        else:
            base.setVar("BBPATH", f"{base.getVar('BBPATH', False)}:{layer}")
            base.setVar(
                "BBFILES",
                f"{base.getVar('BBFILES', False) or ''} {layer}/recipes*/*/*.bb {layer}/recipes*/*/*.bbappend",
            )
        base.delVar("LAYERDIR")
    base.walls = None
    files = [TOOLCHAINS_DIR / "bitbake.conf"]
    if local_conf is not None:
        files.append(local_conf)
    files.append(machine_conf(machine, layers))
    files.append(distro_conf(distro, layers))
    files.extend(settings.extra_confs)
    config = load_config(files, inherit=["base"], base=base, store=store, trusted_dirs=[str(CLASSES_DIR)])
    if store is not None:
        store.write_statements()
    # local.conf may say MACHINE = "..." / DISTRO = "..." outright; the conf files read are the
    # ones chosen above (the command line's first), so the variables must name those.
    config.setVar("MACHINE", machine)
    config.setVar("DISTRO", distro)
    bind_sdk(config)
    read = dict(config.getVar("__config_files", False) or [])
    read.update(layer_parser.files_read)
    config.setVar("__config_files", sorted(read.items()))
    return config
