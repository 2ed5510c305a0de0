"""What licenses an image is under: ``LICENSE`` and ``LIC_FILES_CHKSUM`` of each recipe in it.

``LIC_FILES_CHKSUM`` names the files in the unpacked sources (``${S}``) that carry the license
text, each pinned by an md5 (``file://LICENSE.txt;md5=...``, optionally ``;beginline=N;endline=M``
for a license kept in part of a file). Checking them at the end of a build catches a new upstream
release that changed its license: the md5 no longer matches and the build says which file, as
Yocto's license check does. The manifest beside the image lists one line per license file, so a
distributor can see at a glance what ships and why.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyrecipe.engine.confine import is_inside
from pyrecipe.errors import BuildError, InputError
from pyrecipe.parse import DataSmart
from pyrecipe.sources.fetch import parse_src_uri

if TYPE_CHECKING:
    from pyrecipe.graph.build_graph import Node

MANIFEST_HEADER = "# recipe\tversion\tLICENSE\tlicense file\tmd5\n"


@dataclass(frozen=True)
class LicenseFile:
    """One ``LIC_FILES_CHKSUM`` entry, checked against the unpacked sources."""

    path: str  # as the recipe names it: relative to ${S}, or absolute
    md5: str
    sha256: str  # of the file as found (whole file), for the SBOM


@dataclass(frozen=True)
class RecipeLicense:
    recipe: str
    version: str
    license: str  # the recipe's LICENSE, bitbake syntax ("MIT & (BSD-3-Clause | Apache-2.0)")
    files: tuple[LicenseFile, ...]


def recipe_license(node: Node) -> RecipeLicense:
    """The license facts of one recipe; every ``LIC_FILES_CHKSUM`` file is checked against its md5."""
    d = node.d
    where = f"recipe {node.key} ({node.info.file})"
    license_ = " ".join((d.getVar("LICENSE") or "").split())
    if not license_:
        raise InputError(f"{where}: LICENSE is empty; set it to the SPDX identifiers of the license (or CLOSED)")
    files = tuple(_checked_file(entry.url, entry.params, d, where) for entry in parse_src_uri(d.getVar("LIC_FILES_CHKSUM") or ""))
    return RecipeLicense(node.key, d.getVar("PV") or "", license_, files)


def license_path(url: str, d: DataSmart, where: str) -> Path:
    """The file a ``LIC_FILES_CHKSUM`` entry names: relative to ``${S}`` (``../LICENSE`` of a
    subdirectory's project included), or absolute. Its real path must lie in the recipe's work
    directory (the unpacked sources), a layer or ``COMMON_LICENSE_DIR``: else InputError, before
    anything of the file is read, so that no file of the build machine has its md5 printed or is
    archived in shared state (``file://../../../etc/shadow``, or a symlink a task left in ``${S}``)."""
    if not url.startswith("file://"):
        raise InputError(f"{where}: LIC_FILES_CHKSUM entry {url} must be a file:// path into the sources")
    path = Path(os.path.normpath(Path(d.getVar("S"), url.removeprefix("file://"))))
    real = os.path.realpath(path)
    roots = [d.getVar("WORKDIR"), d.getVar("COMMON_LICENSE_DIR"), *(d.getVar("BBLAYERS") or "").split()]
    if not any(root and is_inside(real, os.path.realpath(root)) for root in roots):
        raise InputError(f"{where}: LIC_FILES_CHKSUM entry {url} is outside the recipe's sources, the layers and "
                         "COMMON_LICENSE_DIR; a license file is read only there")
    return path


def _checked_file(url: str, params: Mapping[str, str], d: DataSmart, where: str) -> LicenseFile:
    path = license_path(url, d, where)
    expected = params.get("md5")
    if not expected:
        raise InputError(f"{where}: LIC_FILES_CHKSUM entry {url} has no ;md5= checksum")
    relative = url.removeprefix("file://")
    if not path.is_file():
        raise BuildError(f"{where}: license file {path} (LIC_FILES_CHKSUM) does not exist; "
                         "fix the path in LIC_FILES_CHKSUM or rebuild the recipe's sources")
    data = path.read_bytes()
    checked = _line_range(data, params.get("beginline"), params.get("endline"), url, where)
    actual = hashlib.md5(checked, usedforsecurity=False).hexdigest()
    if actual != expected.lower():
        raise BuildError(f"{where}: license file {path} has md5 {actual}, LIC_FILES_CHKSUM says {expected}; "
                         "the license text changed: read it, update LICENSE if needed, then the md5")
    return LicenseFile(relative, actual, hashlib.sha256(data).hexdigest())


def _line_range(data: bytes, begin: str | None, end: str | None, url: str, where: str) -> bytes:
    """Lines ``begin``..``end`` (1-based, inclusive) of ``data``; all of it without either."""
    if begin is None and end is None:
        return data
    try:
        first = int(begin or 1)
        last = int(end) if end is not None else None
    except ValueError:
        raise InputError(f"{where}: LIC_FILES_CHKSUM entry {url}: beginline/endline must be line numbers") from None
    lines = data.splitlines(keepends=True)
    return b"".join(lines[first - 1:last])


def license_manifest(licenses: list[RecipeLicense]) -> str:
    """The text of ``license-manifest``: one tab-separated line per license file (or per recipe without one)."""
    lines = [MANIFEST_HEADER]
    for item in licenses:
        for file in item.files or (LicenseFile("-", "-", "-"),):
            lines.append(f"{item.recipe}\t{item.version}\t{item.license}\t{file.path}\t{file.md5}\n")
    return "".join(lines)
