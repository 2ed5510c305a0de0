"""unpack: real archives built here, good ones and hostile ones, tar checked with and without
the standard library's ``data`` filter (our own checks must hold on their own)."""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

import pyrecipe.sources.unpack
from pyrecipe.errors import InputError
from pyrecipe.sources.unpack import UnpackLimits, unpack


@pytest.fixture(params=["data", None], ids=["data-filter", "own-checks-only"])
def tar_filter(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pyrecipe.sources.unpack, "TAR_EXTRACTION_FILTER", request.param)


def _tar_member(name: str, kind: bytes = tarfile.REGTYPE, data: bytes = b"", link: str = "", mode: int = 0o644) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode, info.size = kind, link, mode, len(data)
    return info, data


def make_tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    compression = {".gz": "gz", ".tgz": "gz", ".bz2": "bz2", ".xz": "xz"}.get(path.suffix, "")
    with tarfile.open(path, f"w:{compression}") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return path


def make_zip(path: Path, members: list[tuple[str, int, bytes]]) -> Path:
    """Members are (name, unix mode incl. file type, content)."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, mode, data in members:
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = mode << 16
            zf.writestr(info, data)
    return path


NORMAL_TAR = [
    _tar_member("foo-1.0", tarfile.DIRTYPE, mode=0o755),
    _tar_member("foo-1.0/setup.py", data=b"print('hi')\n"),
    _tar_member("foo-1.0/run.sh", data=b"#!/bin/sh\n", mode=0o755),
    _tar_member("foo-1.0/docs/link.py", tarfile.SYMTYPE, link="../setup.py"),
    _tar_member("foo-1.0/hard.py", tarfile.LNKTYPE, link="foo-1.0/setup.py"),
]


@pytest.mark.parametrize("suffix", [".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar"])
def test_tar_formats_unpack_to_single_top_dir(tmp_path: Path, suffix: str, tar_filter: None) -> None:
    archive = make_tar(tmp_path / f"foo-1.0{suffix}", NORMAL_TAR)
    src = unpack(archive, tmp_path / "work" / "src")
    assert src == tmp_path / "work" / "src" / "foo-1.0"
    assert (src / "setup.py").read_text() == "print('hi')\n"
    assert (src / "run.sh").stat().st_mode & 0o100
    assert (src / "docs" / "link.py").is_symlink() and (src / "docs" / "link.py").read_text() == "print('hi')\n"
    assert (src / "hard.py").stat().st_ino == (src / "setup.py").stat().st_ino
    assert [p.name for p in (tmp_path / "work").iterdir()] == ["src"]


@pytest.mark.parametrize("suffix", [".zip", ".whl"])
def test_zip_and_wheel_unpack(tmp_path: Path, suffix: str) -> None:
    archive = make_zip(tmp_path / f"foo-1.0{suffix}", [
        ("foo-1.0/", stat.S_IFDIR | 0o755, b""),
        ("foo-1.0/a.py", stat.S_IFREG | 0o644, b"a = 1\n"),
        ("foo-1.0/bin/tool", stat.S_IFREG | 0o755, b"#!/bin/sh\n"),
        ("foo-1.0/b.py", stat.S_IFLNK | 0o777, b"a.py"),
    ])
    src = unpack(archive, tmp_path / "src")
    assert src == tmp_path / "src" / "foo-1.0"
    assert (src / "a.py").read_text() == "a = 1\n"
    assert (src / "bin" / "tool").stat().st_mode & 0o100
    assert not (src / "a.py").stat().st_mode & 0o100
    assert (src / "b.py").is_symlink() and (src / "b.py").read_text() == "a = 1\n"
    # each file has its entry's time (1980-01-01, read as UTC), not the unpacking's: SOURCE_DATE_EPOCH comes from it
    assert (src / "a.py").stat().st_mtime == (src / "bin" / "tool").stat().st_mtime == 315_532_800


def test_several_top_level_entries_return_dest(tmp_path: Path) -> None:
    archive = make_tar(tmp_path / "flat.tar.gz", [_tar_member("a.txt", data=b"a"), _tar_member("b/c.txt", data=b"c")])
    assert unpack(archive, tmp_path / "src") == tmp_path / "src"


def test_unpack_replaces_previous_tree(tmp_path: Path) -> None:
    dest = tmp_path / "src"
    (dest / "stale").mkdir(parents=True)
    unpack(make_tar(tmp_path / "foo.tar.gz", NORMAL_TAR), dest)
    assert sorted(p.name for p in dest.iterdir()) == ["foo-1.0"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["foo.tar.gz", "src"]


HOSTILE_TAR = {
    "traversal": ([_tar_member("foo/../../evil.txt", data=b"x")], "foo/../../evil.txt", "'..'"),
    "absolute": ([_tar_member("/tmp/pyrecipe-evil.txt", data=b"x")], "/tmp/pyrecipe-evil.txt", "absolute path"),
    "symlink-up": ([_tar_member("foo/up", tarfile.SYMTYPE, link="../../etc")], "foo/up", "outside the tree"),
    "symlink-absolute": ([_tar_member("foo/abs", tarfile.SYMTYPE, link="/etc/passwd")], "foo/abs", "absolute"),
    "symlink-chain": (
        [_tar_member("p", tarfile.SYMTYPE, link="x/q/.."), _tar_member("x", tarfile.DIRTYPE, mode=0o755),
         _tar_member("x/q", tarfile.SYMTYPE, link="..")],
        "p", "outside the tree"),
    "write-through-symlink": (
        [_tar_member("foo/link", tarfile.SYMTYPE, link="../.."), _tar_member("foo/link/evil", data=b"x")],
        "foo/link", "outside the tree"),
    "hardlink-out": ([_tar_member("foo/h", tarfile.LNKTYPE, link="../etc/passwd")], "foo/h", "'..'"),
    "char-device": ([_tar_member("foo/null", tarfile.CHRTYPE)], "foo/null", "device"),
    "block-device": ([_tar_member("foo/sda", tarfile.BLKTYPE)], "foo/sda", "device"),
    "fifo": ([_tar_member("foo/pipe", tarfile.FIFOTYPE)], "foo/pipe", "FIFO"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_TAR))
def test_hostile_tar_is_refused_and_nothing_written(tmp_path: Path, case: str, tar_filter: None) -> None:
    members, member, why = HOSTILE_TAR[case]
    archive = make_tar(tmp_path / "bad.tar.gz", [_tar_member("foo", tarfile.DIRTYPE, mode=0o755), *members])
    dest = tmp_path / "deep" / "work" / "src"
    dest.mkdir(parents=True)
    (dest / "previous").write_text("kept")
    with pytest.raises(InputError) as error:
        unpack(archive, dest)
    message = str(error.value)
    assert str(archive) in message and repr(member) in message and why in message
    assert sorted(p.name for p in dest.parent.iterdir()) == ["src"]
    assert (dest / "previous").read_text() == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.tar.gz", "deep"]


HOSTILE_ZIP = {
    "traversal": ("foo/../../evil.txt", stat.S_IFREG | 0o644, b"x", "'..'"),
    "absolute": ("/tmp/pyrecipe-evil.txt", stat.S_IFREG | 0o644, b"x", "absolute path"),
    "symlink-up": ("foo/up", stat.S_IFLNK | 0o777, b"../../etc", "outside the tree"),
    "symlink-absolute": ("foo/abs", stat.S_IFLNK | 0o777, b"/etc/passwd", "absolute"),
    "char-device": ("foo/null", stat.S_IFCHR | 0o644, b"", "device"),
    "fifo": ("foo/pipe", stat.S_IFIFO | 0o644, b"", "FIFO"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_ZIP))
def test_hostile_zip_is_refused(tmp_path: Path, case: str) -> None:
    name, mode, data, why = HOSTILE_ZIP[case]
    archive = make_zip(tmp_path / "bad.zip", [("foo/ok.py", stat.S_IFREG | 0o644, b""), (name, mode, data)])
    with pytest.raises(InputError) as error:
        unpack(archive, tmp_path / "src")
    assert str(archive) in str(error.value) and repr(name) in str(error.value) and why in str(error.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.zip"]


def test_zip_symlink_chain_escaping_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "chain.zip", [
        ("p", stat.S_IFLNK | 0o777, b"x/q/.."), ("x/", stat.S_IFDIR | 0o755, b""), ("x/q", stat.S_IFLNK | 0o777, b".."),
    ])
    with pytest.raises(InputError, match="'p'.*resolves outside the tree"):
        unpack(archive, tmp_path / "src")


def test_corrupt_and_unknown_archives(tmp_path: Path) -> None:
    corrupt = tmp_path / "broken.tar.gz"
    corrupt.write_bytes(b"\x1f\x8b\x08 definitely not gzip")
    with pytest.raises(InputError, match="broken.tar.gz: cannot read the archive"):
        unpack(corrupt, tmp_path / "src")
    with pytest.raises(InputError, match="unknown archive type"):
        unpack(tmp_path / "notes.txt", tmp_path / "src")
    with pytest.raises(InputError, match="does not exist"):
        unpack(tmp_path / "absent.zip", tmp_path / "src")


ZEROS = 32 << 20  # 32 MiB of zeros: a few tens of KB compressed, over the ratio floor


def test_tar_bomb_is_refused_by_ratio_before_anything_is_written(tmp_path: Path, tar_filter: None) -> None:
    archive = make_tar(tmp_path / "bomb-1.0.tar.gz", [_tar_member("bomb-1.0/zeros", data=bytes(ZEROS))])
    assert archive.stat().st_size * 100 < ZEROS
    with pytest.raises(InputError, match=r"bomb-1.0.tar.gz: refusing to unpack: it expands to more than 100 times "
                                         rf"its size of {archive.stat().st_size} bytes \(UNPACK_MAX_RATIO\)"):
        unpack(archive, tmp_path / "src")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb-1.0.tar.gz"]


def test_zip_bomb_is_refused_by_ratio(tmp_path: Path) -> None:
    archive = tmp_path / "bomb-1.0.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb-1.0/zeros", bytes(ZEROS))
    with pytest.raises(InputError, match="refusing to unpack: it expands to more than 100 times"):
        unpack(archive, tmp_path / "src")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bomb-1.0.zip"]


def test_total_size_limit_counts_every_member(tmp_path: Path, tar_filter: None) -> None:
    members = [_tar_member(f"big-1.0/part{i}", data=bytes(400 << 10)) for i in range(3)]  # 1.2 MiB in all
    archive = make_tar(tmp_path / "big-1.0.tar", members)
    with pytest.raises(InputError, match=r"refusing to unpack: it expands to more than 1048576 bytes \(UNPACK_MAX_SIZE"):
        unpack(archive, tmp_path / "src", UnpackLimits(max_size=1 << 20))
    assert unpack(archive, tmp_path / "src", UnpackLimits(max_size=2 << 20)) == tmp_path / "src" / "big-1.0"


def test_member_limit_is_the_recipes_to_raise(tmp_path: Path, tar_filter: None) -> None:
    archive = make_tar(tmp_path / "many-1.0.tar", [_tar_member(f"many-1.0/f{i}") for i in range(5)])
    limits = UnpackLimits.from_variables({"UNPACK_MAX_MEMBERS": "4"}.get, "many")
    with pytest.raises(InputError, match=r"it holds more than 4 members \(UNPACK_MAX_MEMBERS"):
        unpack(archive, tmp_path / "src", limits)
    raised = UnpackLimits.from_variables({"UNPACK_MAX_MEMBERS": "5"}.get, "many")
    assert unpack(archive, tmp_path / "src", raised) == tmp_path / "src" / "many-1.0"
    with pytest.raises(InputError, match="UNPACK_MAX_MEMBERS='lots' a whole number"):
        UnpackLimits.from_variables({"UNPACK_MAX_MEMBERS": "lots"}.get, "many")
