"""Staging into the shared sysroot: one owner per file, and nothing untracked when cut short."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pytest

import pyrecipe.tasks.sysroot as staging
from pyrecipe.tasks.sysroot import stage, unstage


def image_with(root: Path, files: dict[str, bytes]) -> Path:
    for relative, content in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(content)
    return root


def test_a_full_disk_mid_staging_leaves_only_tracked_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    image = image_with(tmp_path / "image", {"usr/include/a.h": b"a" * 1000, "usr/include/b.h": b"b" * 1000})
    sysroot = tmp_path / "sysroot"
    copies = []

    def copy_until_full(source: Path, target: Path) -> None:
        copies.append(target)
        if len(copies) == 2:  # the second file is cut short, as on a full disk
            Path(target).write_bytes(Path(source).read_bytes()[:10])
            raise OSError(errno.ENOSPC, "No space left on device")
        shutil.copyfile(source, target)

    monkeypatch.setattr(staging.shutil, "copy2", copy_until_full)
    with pytest.raises(OSError, match="No space left"):
        stage(image, sysroot, "pkg")

    assert (sysroot / "usr/include/a.h").read_bytes() == b"a" * 1000
    assert sorted(p.name for p in (sysroot / "usr/include").iterdir()) == ["a.h"], "a truncated file was left"
    unstage(sysroot, "pkg")  # the next run starts by this: the manifest named what might be there
    assert not (sysroot / "usr/include/a.h").exists()
