"""A PEP 503 "simple" package index of the deployed wheels, which pip on a board installs from.

``DEPLOY_DIR_WHEELS`` holds the wheels (``do_deploy_wheel``); beside it, ``simple/`` gets a root
page listing each project and one page per project (``simple/<normalized-name>/index.html``)
linking its wheels as ``../../wheels/<file>#sha256=<hex>``, so that pip checks what it downloads.
A wheel's ``Requires-Python`` goes into ``data-requires-python`` (PEP 503), so pip on a board with
an older CPython passes over a release it cannot run without downloading it. Serve the folder
that holds both (``deploy/<distro>/<machine>``) with any static web server and point pip at
``http://host/simple``. The whole ``simple/`` tree is built beside the old one and renamed into
place: a board installing while the index is rewritten sees the old index or the new one.
"""

from __future__ import annotations

import email.parser
import html
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from pyrecipe.errors import InputError
from pyrecipe.fsutil import building_dir, file_sha256

PAGE = """<!DOCTYPE html>
<html>
  <head><meta name="pypi:repository-version" content="1.0"><title>{title}</title></head>
  <body>
    <h1>{title}</h1>
{links}
  </body>
</html>
"""


@dataclass(frozen=True)
class IndexedWheel:
    project: str  # PEP 503 normalized
    path: Path
    sha256: str
    requires_python: str | None


def requires_python(wheel: Path) -> str | None:
    """The ``Requires-Python`` of a wheel's METADATA (None: it has none)."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            names = [n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")]
            if not names:
                raise InputError(f"{wheel}: no .dist-info/METADATA")
            metadata = email.parser.BytesHeaderParser().parsebytes(archive.read(names[0]))
    except (zipfile.BadZipFile, OSError) as error:
        raise InputError(f"cannot read wheel {wheel}: {error}") from None
    value = metadata.get("Requires-Python")
    return str(value).strip() if value else None


def collect(wheels_dir: Path) -> list[IndexedWheel]:
    """Every wheel of ``wheels_dir`` with its project, digest and Requires-Python."""
    found = []
    for path in sorted(wheels_dir.glob("*.whl")):
        try:
            name, _, _, _ = parse_wheel_filename(path.name)
        except InvalidWheelFilename as error:
            raise InputError(f"{path}: not a wheel's name ({error}); remove it from {wheels_dir}") from None
        found.append(IndexedWheel(canonicalize_name(name), path, file_sha256(path), requires_python(path)))
    return found


def _anchor(wheel: IndexedWheel, wheels_href: str) -> str:
    href = html.escape(f"{wheels_href}/{wheel.path.name}#sha256={wheel.sha256}")
    extra = f' data-requires-python="{html.escape(wheel.requires_python)}"' if wheel.requires_python else ""
    return f'    <a href="{href}"{extra}>{html.escape(wheel.path.name)}</a><br>'


def write_index(wheels_dir: Path, index_dir: Path) -> dict[str, list[IndexedWheel]]:
    """Write the simple index of ``wheels_dir`` at ``index_dir``; returns the wheels by project."""
    if not wheels_dir.is_dir():
        raise InputError(f"no wheels to index: {wheels_dir} does not exist (build a recipe for this distro first)")
    wheels = collect(wheels_dir)
    if not wheels:
        raise InputError(f"no wheels to index in {wheels_dir} (build a recipe for this distro first)")
    projects: dict[str, list[IndexedWheel]] = {}
    for wheel in wheels:
        projects.setdefault(wheel.project, []).append(wheel)
    # Links relative to a project page (simple/<project>/), so the tree can be served anywhere.
    wheels_href = "../../" + os.path.relpath(wheels_dir, index_dir.parent)
    with building_dir(index_dir) as tmp:
        root_links = "\n".join(f'    <a href="{html.escape(p)}/">{html.escape(p)}</a><br>' for p in sorted(projects))
        (tmp / "index.html").write_text(PAGE.format(title="Simple index", links=root_links), encoding="utf-8")
        for project, members in sorted(projects.items()):
            (tmp / project).mkdir(mode=0o755)
            links = "\n".join(_anchor(wheel, wheels_href) for wheel in members)
            page = PAGE.format(title=f"Links for {html.escape(project)}", links=links)
            (tmp / project / "index.html").write_text(page, encoding="utf-8")
        for path in tmp.rglob("*"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return projects
