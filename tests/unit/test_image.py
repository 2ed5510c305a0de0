"""image: union of small staging trees, conflicts, manifest, reproducible tarball."""

from __future__ import annotations

import hashlib
import os
import tarfile
from pathlib import Path

import pytest

import cross_support
from pyrecipe.errors import BuildError
from pyrecipe.outputs.image import assemble_image, manifest_path
from pyrecipe.tasks.package_split import split_files

Staging = tuple[str, Path, list[str]]

SITE = str(cross_support.SITE)


def make_tree(root: Path, files: dict[str, bytes | str], modes: dict[str, int] | None = None) -> Path:
    """Files from bytes; a str value is a symlink target."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            os.symlink(content, path)
        else:
            path.write_bytes(content)
            os.chmod(path, (modes or {}).get(relative, 0o644))
    return root


def whole(recipe: str, tree: Path) -> Staging:
    """All of ``tree``, as a recipe whose one package takes everything (FILES = "/") ships it."""
    return recipe, tree, split_files(tree, [(recipe, ["/"])]).files[recipe]


@pytest.fixture
def stagings(tmp_path: Path) -> list[Staging]:
    alpha = make_tree(tmp_path / "work/alpha/1.0/image", {
        f"{SITE}/alpha/__init__.py": b"A = 1\n",
        "usr/bin/alpha": b"#!/usr/bin/python3\n",
        "usr/lib/libalpha.so.1": b"\x7fELF fake library bytes",
        "usr/lib/libalpha.so": "libalpha.so.1",
        "usr/share/common/LICENSE": b"same text\n",
    }, {"usr/bin/alpha": 0o755})
    beta = make_tree(tmp_path / "work/beta/2.0/image", {
        f"{SITE}/beta/__init__.py": b"B = 2\n",
        "usr/share/common/LICENSE": b"same text\n",
    })
    return [whole("alpha", alpha), whole("beta", beta)]


def test_union_links_files_and_keeps_modes_and_symlinks(stagings: list[Staging], tmp_path: Path) -> None:
    image = assemble_image(stagings, tmp_path / "image")
    alpha = stagings[0][1]
    assert image == tmp_path / "image"
    assert (image / SITE / "alpha/__init__.py").read_bytes() == b"A = 1\n"
    assert (image / SITE / "beta/__init__.py").read_bytes() == b"B = 2\n"
    assert (image / "usr/bin/alpha").stat().st_mode & 0o777 == 0o755
    assert (image / SITE / "alpha/__init__.py").stat().st_ino == (alpha / SITE / "alpha/__init__.py").stat().st_ino
    assert os.readlink(image / "usr/lib/libalpha.so") == "libalpha.so.1"
    assert (image.stat().st_mode & 0o777) == 0o755


def test_manifest_names_recipe_and_sha256_of_every_file(stagings: list[Staging], tmp_path: Path) -> None:
    image = assemble_image(stagings, tmp_path / "image")
    lines = manifest_path(image).read_text().splitlines()
    assert manifest_path(image) == tmp_path / "image-manifest.tsv"
    rows = {line.split("\t")[0]: line.split("\t")[1:] for line in lines[1:]}
    assert sorted(rows) == sorted(p.relative_to(image).as_posix() for p in image.rglob("*") if not p.is_dir() or p.is_symlink())
    assert rows[f"{SITE}/alpha/__init__.py"] == ["file", "0644", hashlib.sha256(b"A = 1\n").hexdigest(), "alpha"]
    assert rows["usr/bin/alpha"][:2] == ["file", "0755"]
    assert rows["usr/lib/libalpha.so"] == ["symlink", "0777", "libalpha.so.1", "alpha"]
    assert rows["usr/share/common/LICENSE"][3] == "alpha,beta"


@pytest.mark.parametrize("clash", ["content", "mode", "link-target", "file-vs-dir", "dir-vs-file"])
def test_conflicting_paths_name_both_recipes(stagings: list[Staging], tmp_path: Path, clash: str) -> None:
    previous = assemble_image(stagings, tmp_path / "image")
    path, files, modes = {
        "content": ("usr/share/common/LICENSE", {"usr/share/common/LICENSE": b"other text\n"}, None),
        "mode": ("usr/share/common/LICENSE", {"usr/share/common/LICENSE": b"same text\n"}, {"usr/share/common/LICENSE": 0o755}),
        "link-target": ("usr/lib/libalpha.so", {"usr/lib/libalpha.so": "libalpha.so.2"}, None),
        "file-vs-dir": ("usr/bin/alpha", {"usr/bin/alpha/inner": b"x"}, None),
        "dir-vs-file": ("usr/share/common", {"usr/share/common": b"x"}, None),
    }[clash]
    gamma = make_tree(tmp_path / "work/gamma/1/image", files, modes)
    with pytest.raises(BuildError) as error:
        assemble_image([*stagings, whole("gamma", gamma)], tmp_path / "image")
    assert f"{path} is installed by both alpha and gamma" in str(error.value)
    assert (previous / SITE / "beta/__init__.py").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["image", "image-manifest.tsv", "work"]


def test_reassembly_replaces_the_image(stagings: list[Staging], tmp_path: Path) -> None:
    assemble_image(stagings, tmp_path / "image")
    image = assemble_image(stagings[1:], tmp_path / "image")
    assert not (image / SITE / "alpha").exists()
    assert "alpha" not in manifest_path(image).read_text()


def test_missing_staging_tree_is_a_build_error(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="staging tree .*nothing of recipe ghost does not exist"):
        assemble_image([("ghost", tmp_path / "nothing", [])], tmp_path / "image")


def test_tarball_is_reproducible_and_faithful(stagings: list[Staging], tmp_path: Path) -> None:
    first = tmp_path / "first.tar.gz"
    assemble_image(stagings, tmp_path / "image", tar_path=first)
    for _, staging, _ in stagings:  # different mtimes, same content
        for path in staging.rglob("*"):
            if not path.is_symlink():
                os.utime(path, (1_000_000, 1_000_000))
    second = tmp_path / "second.tar.gz"
    assemble_image(stagings, tmp_path / "image", tar_path=second)
    assert first.read_bytes() == second.read_bytes()
    with tarfile.open(first) as tar:
        members = tar.getmembers()
        names = [m.name for m in members]
        assert names == sorted(names, key=lambda name: name.split("/"))
        assert all(m.mtime == 0 and m.uid == 0 and m.gid == 0 and m.uname == "root" for m in members)
        by_name = {m.name: m for m in members}
        assert by_name["usr/bin/alpha"].mode == 0o755
        assert by_name["usr/lib/libalpha.so"].issym() and by_name["usr/lib/libalpha.so"].linkname == "libalpha.so.1"
        assert tar.extractfile(f"{SITE}/beta/__init__.py").read() == b"B = 2\n"


def test_a_selection_installs_its_paths_and_the_directories_above_them(stagings: list[Staging], tmp_path: Path) -> None:
    """A recipe of which only a split package is installed brings that package's paths, no more."""
    alpha = stagings[0][1]
    image = assemble_image([("alpha", alpha, [f"{SITE}/alpha/__init__.py"])], tmp_path / "image")
    assert sorted(p.relative_to(image).as_posix() for p in image.rglob("*") if not p.is_dir()) == [f"{SITE}/alpha/__init__.py"]
    assert (image / "usr").stat().st_mode & 0o777 == 0o755
    with pytest.raises(BuildError, match="usr/bin/gone of recipe alpha is in a package list but not in its tree"):
        assemble_image([("alpha", alpha, ["usr/bin/gone"])], tmp_path / "image")
