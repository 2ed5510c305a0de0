"""``pyrecipe index``: the PEP 503 pages of a folder of wheels, written as a whole, and the command."""

from __future__ import annotations

import hashlib
import html.parser
import zipfile
from pathlib import Path

import pytest

from pyrecipe.errors import InputError
from pyrecipe.outputs.simple_index import write_index


def make_wheel(directory: Path, filename: str, requires_python: str | None = None) -> Path:
    name, version = filename.split("-")[:2]
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    if requires_python:
        metadata += f"Requires-Python: {requires_python}\n"
    path = directory / filename
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{name}-{version}.dist-info/METADATA", metadata)
    return path


class Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs))


def links(page: Path) -> list[dict[str, str | None]]:
    parser = Links()
    parser.feed(page.read_text())
    return parser.links


def test_simple_index_pages(tmp_path: Path) -> None:
    wheels = tmp_path / "deploy" / "d" / "wheels"
    wheels.mkdir(parents=True)
    first = make_wheel(wheels, "Markup_Safe-3.0-cp311-cp311-manylinux_2_17_aarch64.whl", ">=3.9")
    second = make_wheel(wheels, "markup.safe-3.0-cp311-cp311-linux_armv7l.whl")
    make_wheel(wheels, "six-1.17.0-py2.py3-none-any.whl")
    (wheels / "notes.txt").write_text("not a wheel")
    index = wheels.parent / "simple"

    projects = write_index(wheels, index)

    assert sorted(projects) == ["markup-safe", "six"]
    assert [a["href"] for a in links(index / "index.html")] == ["markup-safe/", "six/"]
    page = links(index / "markup-safe" / "index.html")
    digest = hashlib.sha256(first.read_bytes()).hexdigest()
    assert {"href": f"../../wheels/{first.name}#sha256={digest}", "data-requires-python": ">=3.9"} in page
    assert any(a["href"].startswith(f"../../wheels/{second.name}#sha256=") and "data-requires-python" not in a for a in page)
    assert (index / "markup-safe" / "index.html").stat().st_mode & 0o777 == 0o644

    # Written again without six: the tree is replaced as a whole.
    (wheels / "six-1.17.0-py2.py3-none-any.whl").unlink()
    write_index(wheels, index)
    assert not (index / "six").exists()
    assert [p.name for p in index.parent.iterdir() if p.name.startswith(".")] == []


def test_simple_index_refusals(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        write_index(tmp_path / "missing", tmp_path / "simple")
    (tmp_path / "wheels").mkdir()
    with pytest.raises(InputError, match="no wheels to index"):
        write_index(tmp_path / "wheels", tmp_path / "simple")
    (tmp_path / "wheels" / "broken.whl").write_bytes(b"")
    with pytest.raises(InputError, match="not a wheel's name"):
        write_index(tmp_path / "wheels", tmp_path / "simple")
    assert not (tmp_path / "simple").exists()


def test_index_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pyrecipe.cli import main

    build = tmp_path / "build"
    assert main(["index", "--build-dir", str(build), "--distro", "debian-bookworm"]) == 2
    assert "build a recipe for this distro first" in capsys.readouterr().err
    wheels = build / "deploy" / "debian-bookworm" / "beaglebone" / "wheels"
    wheels.mkdir(parents=True)
    make_wheel(wheels, "six-1.17.0-py2.py3-none-any.whl")
    assert main(["index", "--build-dir", str(build), "--distro", "debian-bookworm", "--machine", "beaglebone"]) == 0
    assert "six: six-1.17.0-py2.py3-none-any.whl" in capsys.readouterr().out
    assert (build / "deploy" / "debian-bookworm" / "beaglebone" / "simple" / "six" / "index.html").is_file()
    assert main(["index", "--build-dir", str(build), "--distro", "no-such-distro"]) == 2


def test_index_command_removes_leftovers_and_creates_no_build_dir(tmp_path: Path) -> None:
    from pyrecipe.cli import main

    assert main(["index", "--build-dir", str(tmp_path / "none"), "--distro", "debian-bookworm"]) == 2
    assert not (tmp_path / "none").exists()
    deploy = tmp_path / "build" / "deploy" / "debian-bookworm" / "raspberrypi4"
    (deploy / "wheels").mkdir(parents=True)
    make_wheel(deploy / "wheels", "six-1.17.0-py2.py3-none-any.whl")
    (deploy / ".simple.new-abc").mkdir()
    (deploy / "wheels" / ".six-1.17.0-py2.py3-none-any.whl.tmp-x").write_bytes(b"half")
    assert main(["index", "--build-dir", str(tmp_path / "build"), "--distro", "debian-bookworm"]) == 0
    assert sorted(p.name for p in deploy.iterdir()) == ["simple", "wheels"]
    assert [p.name for p in (deploy / "wheels").iterdir()] == ["six-1.17.0-py2.py3-none-any.whl"]
