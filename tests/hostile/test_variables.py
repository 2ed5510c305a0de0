"""Issue 25, class 2: recipe variables move the walls.

pyrecipe decides from variables where it writes, what it reads and what it binds into a task's
sandbox. A recipe, a ``.bbappend`` or a layer's class that set one (``DL_DIR = "/usr/include"``,
``WORKDIR = "${TOPDIR}/conf"``) made a host directory writable in its tasks, had pyrecipe write
there, or had ``[cleandirs]`` empty it; ``SRC_URI = "file:///..."`` shipped a host file in the
image, and ``LIC_FILES_CHKSUM`` read one, printed its md5 and archived it in shared state. Each test
plants one such recipe next to a canary and checks the canary is untouched and the error names
the variable and the file:line that set it.
"""

from __future__ import annotations

import gzip
import hashlib
import secrets
import subprocess
from pathlib import Path

import pytest

from reliability_support import (
    add_recipe,
    assert_clean_error,
    machine_dir,
    make_payload,
    pyrecipe_build,
    sha256,
    tree,
    workdir,
    write_local_conf,
)

#: A recipe body that builds without sources: what a hostile recipe adds its line to.
INSTALL = "do_install() {\n\tinstall -d ${D}${datadir}/mover\n\techo built > ${D}${datadir}/mover/built\n}\n"

#: (variable, value): each points at the canary directory ``{canary}`` the test watches, or at a
#: directory of the build that must stay as it is (the shared sysroot's headers, conf/).
MOVES = {
    "TOPDIR": '"{canary}"',
    "DL_DIR": '"{canary}"',
    "SSTATE_DIR": '"{canary}"',
    "SSTATE_MIRRORS": '"file://{canary}"',
    "CCACHE_DIR": '"{canary}"',
    "RECIPE_SYSROOT": '"{canary}"',
    "SDE_FILE": '"{canary}/keep.txt"',
    "PKGMANIFESTDIR": '"{canary}"',
    "SDK_TARGET_SYSROOT": '"{canary}"',
    "FILE": '"{canary}/mover.bb"',
    "WORKDIR-sysroot": '"${{RECIPE_SYSROOT}}/usr/include"',
    "WORKDIR-conf": '"${{TOPDIR}}/conf"',
}


def _canary(tmp_path: Path, build_dir: Path, move: str) -> Path:
    """The directory ``move`` aims at, made with a file in it (as it is on a host)."""
    if move == "WORKDIR-sysroot":
        canary = machine_dir(build_dir) / "sysroot" / "usr" / "include"
    elif move == "WORKDIR-conf":
        canary = build_dir / "conf"
    else:
        canary = tmp_path / "host"
    canary.mkdir(parents=True, exist_ok=True)
    (canary / "keep.txt").write_text("the host's own file\n")
    if move == "WORKDIR-conf":
        write_local_conf(build_dir, KEEP="yes")
    return canary


def _plant(layer: Path, source: str, line: str) -> tuple[Path, int]:
    """The recipe ``mover`` with ``line`` in it (or in its .bbappend, or in a layer class it
    inherits); the file and line number the error must name."""
    if source == "recipe":
        return add_recipe(layer, "mover", f'SUMMARY = "moves a wall"\n{line}\n{INSTALL}'), 2
    if source == "bbappend":
        add_recipe(layer, "mover", f'SUMMARY = "moves a wall"\n{INSTALL}')
        with (layer / "conf" / "layer.conf").open("a") as conf:
            conf.write('BBFILES += "${LAYERDIR}/recipes-*/*/*.bbappend"\n')
        append = layer / "recipes-reliability" / "mover" / "mover_%.bbappend"
        append.write_text(f"# the append\n{line}\n")
        return append, 2
    add_recipe(layer, "mover", f'SUMMARY = "moves a wall"\ninherit wallmover\n{INSTALL}')
    (layer / "classes").mkdir(exist_ok=True)
    cls = layer / "classes" / "wallmover.bbclass"
    cls.write_text(f"# a layer's class\nMOVER_CLASS = '1'\n{line}\n")
    return cls, 3


def _assert_refused(result: subprocess.CompletedProcess[str], variable: str, file: Path, line: int) -> None:
    assert_clean_error(result, 2)
    assert f"{file}:{line}:1: {variable} is set here, but {variable.partition(':')[0]} places a build area: only " \
           "configuration" in result.stderr, result.stderr
    assert "Build done" not in result.stdout


@pytest.mark.parametrize("source", ["recipe", "bbappend", "class"])
@pytest.mark.parametrize("move", list(MOVES))
def test_a_layer_file_cannot_move_a_wall(layer: Path, tmp_path: Path, move: str, source: str) -> None:
    """A recipe, a .bbappend or a layer's class sets a variable that places a build area: it
    pointed DL_DIR, SSTATE_DIR, CCACHE_DIR, the sysroot ... at a host directory (bound writable,
    or written by pyrecipe itself), and WORKDIR into the shared sysroot's headers or conf/ (whose
    files ``[cleandirs]`` then removed). Refused at parse time, exit 2, naming the file:line."""
    build_dir = tmp_path / "build"
    canary = _canary(tmp_path, build_dir, move)
    before = tree(canary)
    variable = move.partition("-")[0]
    file, line = _plant(layer, source, f"{variable} = {MOVES[move].format(canary=canary)}")

    result = pyrecipe_build(layer, build_dir, "mover")

    _assert_refused(result, variable, file, line)
    assert tree(canary) == before, "the build changed a directory a recipe pointed a build area at"


@pytest.mark.parametrize(("text", "variable", "line"), [
    ('DL_DIR:append = "/../../{canary}"', "DL_DIR:append", 2),
    ('DL_DIR:pn-mover = "{canary}"', "DL_DIR:pn-mover", 2),
    ('SSTATE_DIR ??= "{canary}"', "SSTATE_DIR", 2),
    ("unset CCACHE_DIR", "CCACHE_DIR", 2),
    ('python () {{\n    d.setVar("DL_DIR", "{canary}")\n}}', "DL_DIR", 2),
    ('python __anonymous () {{\n    d.delVar("SSTATE_DIR")\n}}', "SSTATE_DIR", 2),
    ('MOVED := "${{@d.setVar(\'CCACHE_DIR\', \'{canary}\') or \'\'}}"', "CCACHE_DIR", 2),
], ids=["append", "override", "weak-default", "unset", "anonymous-python", "python-delvar", "inline-python"])
def test_every_way_of_setting_is_refused(layer: Path, tmp_path: Path, text: str, variable: str, line: int) -> None:
    """The same walls moved by an append, an override, a weak default, ``unset``, and from recipe
    Python (anonymous functions, ``${@...}``), which call ``d.setVar`` where no statement shows:
    the error names the recipe line of the Python that did it."""
    build_dir = tmp_path / "build"
    canary = _canary(tmp_path, build_dir, "DL_DIR")
    before = tree(canary)
    recipe = add_recipe(layer, "mover", f'SUMMARY = "moves a wall"\n{text.format(canary=canary)}\n{INSTALL}')

    result = pyrecipe_build(layer, build_dir, "mover")

    _assert_refused(result, variable, recipe, line)
    assert tree(canary) == before


def test_configuration_places_build_areas_and_a_layer_conf_does_not(layer: Path, tmp_path: Path, http_dir) -> None:
    """DL_DIR set by a layer's layer.conf (a stranger's file, like its recipes: OpenEmbedded
    lets it add to BBPATH and BBFILES) is refused, naming the line; the same line in the user's
    local.conf is configuration, and the download lands there."""
    served, url = http_dir
    archive = make_payload(served, "payload\n")
    build_dir = tmp_path / "build"
    downloads = tmp_path / "elsewhere"
    write_local_conf(build_dir, RELIABILITY_SERVER=url, RELIABILITY_PAYLOAD_SHA256=sha256(archive))
    conf = layer / "conf" / "layer.conf"
    pristine = conf.read_text()
    conf.write_text(pristine + f'DL_DIR = "{downloads}"\n')
    line = len(pristine.splitlines()) + 1

    refused = pyrecipe_build(layer, build_dir, "payload")

    assert_clean_error(refused, 2)
    assert f"{conf}:{line}:1: DL_DIR is set here, but DL_DIR places a build area" in refused.stderr, refused.stderr
    assert not downloads.exists()

    conf.write_text(pristine)
    with (build_dir / "conf" / "local.conf").open("a") as local:
        local.write(f'DL_DIR = "{downloads}"\n')
    built = pyrecipe_build(layer, build_dir, "payload")

    assert built.returncode == 0, built.stdout + built.stderr
    assert (downloads / archive.name).read_bytes() == archive.read_bytes()
    assert not (build_dir / "downloads" / archive.name).exists()


def test_a_version_that_climbs_does_not_move_workdir(layer: Path, tmp_path: Path) -> None:
    """WORKDIR is configuration's, but it is made of PN and PV, which a recipe sets:
    ``PV = "1.0/../../../../../conf"`` put WORKDIR on conf/, and ``[cleandirs]`` emptied it."""
    build_dir = tmp_path / "build"
    canary = _canary(tmp_path, build_dir, "WORKDIR-conf")
    before = tree(canary)
    add_recipe(layer, "mover", 'PV = "1.0/../../../../../conf"\nS = "${UNPACKDIR}"\ndo_install[cleandirs] = "${WORKDIR}"\n' + INSTALL)

    result = pyrecipe_build(layer, build_dir, "mover")

    assert_clean_error(result, 1)
    assert "is not a plain path: PN='mover' or PV='1.0/../../../../../conf' holds '..'" in result.stderr, result.stderr
    assert tree(canary) == before


# ---------------------------------------------------------------- host files as sources or licenses


def _secret(tmp_path: Path) -> bytes:
    """A file of the build machine, outside every layer and the build directory."""
    text = f"host secret {secrets.token_hex(16)}\n".encode()
    (tmp_path / "secret.txt").write_bytes(text)
    return text


def _leaks(build_dir: Path, needle: bytes) -> list[str]:
    """Files of the build (logs, image, packages, shared-state archives unpacked) that hold ``needle``."""
    found = []
    for path in build_dir.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        if needle in data:
            found.append(str(path))
    return found


@pytest.mark.parametrize("url", ["file://{secret}", "file://../../../secret.txt"], ids=["absolute", "climbing"])
def test_a_host_file_is_not_a_source(layer: Path, tmp_path: Path, url: str) -> None:
    """``SRC_URI = "file:///path"`` (bitbake allows it) or ``file://../../..`` copied a file of
    the build machine into the work directory and so into the image. Refused before any task
    runs (exit 2), naming the recipe and the URL."""
    secret = _secret(tmp_path)
    url = url.format(secret=tmp_path / "secret.txt")
    recipe = add_recipe(layer, "mover", f'SRC_URI = "{url}"\nS = "${{UNPACKDIR}}"\n'
                        "do_install() {\n\tinstall -d ${D}${datadir}/mover\n\tcp -r ${UNPACKDIR}/. ${D}${datadir}/mover/\n}\n")
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "mover")

    assert_clean_error(result, 2)
    assert f"recipe mover ({recipe}): SRC_URI entry {url}: a file:// path must be relative to FILESPATH" in result.stderr, \
        result.stderr
    assert secret not in (result.stdout + result.stderr).encode()
    assert _leaks(build_dir, secret) == []


@pytest.mark.parametrize("how", ["symlink", "filesextrapaths"])
def test_a_file_found_out_of_the_layers_is_not_a_source(layer: Path, tmp_path: Path, how: str) -> None:
    """A ``file://`` name that FILESPATH finds out of the layers reads a host file as the layer's:
    a symlink in the layer's files/ or a ``FILESEXTRAPATHS`` naming a host directory (``FILE``,
    which FILESPATH is made of, is configuration's: see MOVES). Judged by the file's real path:
    do_fetch fails."""
    secret = _secret(tmp_path)
    settings = {"symlink": "", "filesextrapaths": f'FILESEXTRAPATHS:prepend := "{tmp_path}:"\n'}[how]
    name = "innocent.txt" if how == "symlink" else "secret.txt"
    recipe = add_recipe(layer, "mover", f'{settings}SRC_URI = "file://{name}"\nS = "${{UNPACKDIR}}"\n'
                        "do_install() {\n\tinstall -d ${D}${datadir}/mover\n\tcp -r ${UNPACKDIR}/. ${D}${datadir}/mover/\n}\n")
    (recipe.parent / "files").mkdir()
    (recipe.parent / "files" / "innocent.txt").symlink_to(tmp_path / "secret.txt")
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "mover")

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"SRC_URI entry file://{name}: " in result.stderr and "is not in a layer" in result.stderr, result.stderr
    assert _leaks(build_dir, secret) == []


@pytest.mark.parametrize("right_md5", [True, False], ids=["md5-matches", "md5-differs"])
@pytest.mark.parametrize("form", ["climbing", "absolute"])
def test_a_host_file_is_not_a_license(layer: Path, tmp_path: Path, form: str, right_md5: bool) -> None:
    """``LIC_FILES_CHKSUM = "file://../../../etc/..."`` read a host file: with the right md5 it
    was archived in shared state (which ``sstate push`` publishes), with a wrong one its md5 was
    printed. Refused (exit 2) before the file is read; nothing of it in output, logs or archives."""
    secret = _secret(tmp_path)
    target = tmp_path / "secret.txt"
    url = f"file://{target}" if form == "absolute" else "file://" + "../" * 30 + str(target).lstrip("/")
    md5 = hashlib.md5(secret).hexdigest() if right_md5 else "0" * 32
    add_recipe(layer, "mover", f'LICENSE = "MIT"\nLIC_FILES_CHKSUM = "{url};md5={md5}"\n{INSTALL}')
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "mover")

    assert_clean_error(result, 2)
    assert f"LIC_FILES_CHKSUM entry {url} is outside the recipe's sources, the layers and COMMON_LICENSE_DIR" \
        in result.stderr, result.stderr
    output = result.stdout + result.stderr
    assert hashlib.md5(secret).hexdigest() not in output and secret.decode() not in output
    assert _leaks(build_dir, secret) == []
    assert list((build_dir / "sstate-cache").rglob("*.tar.gz")), "the recipe's shared state was stored without the file"
    assert workdir(build_dir, "mover").is_dir()
