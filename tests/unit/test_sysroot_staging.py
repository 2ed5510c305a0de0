"""Staging into the shared sysroot: one owner per file, and nothing untracked when cut short."""

from __future__ import annotations

import errno
import shutil
import threading
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


def test_another_provider_of_the_same_package_is_replaced_anything_else_is_refused(tmp_path: Path) -> None:
    sysroot = tmp_path / "sysroot"
    stage(image_with(tmp_path / "ours", {"usr/lib/site/six.py": b"pyrecipe's"}), sysroot, "six")
    notes: list[str] = []

    staged = stage(image_with(tmp_path / "layer", {"usr/lib/site/six.py": b"the layer's"}), sysroot, "python3-six",
                   say=notes.append)

    assert staged == ["usr/lib/site/six.py"] and (sysroot / "usr/lib/site/six.py").read_bytes() == b"the layer's"
    assert notes == [f"NOTE: recipe python3-six replaces recipe six in {sysroot}: both provide six"]
    assert not (sysroot / staging.MANIFEST_DIR / "six.files").exists()
    with pytest.raises(staging.BuildError, match=r"recipe other installs files the sysroot already has: "
                                                  r"usr/lib/site/six.py \(from recipe python3-six\)"):
        stage(image_with(tmp_path / "other", {"usr/lib/site/six.py": b"x"}), sysroot, "other")


def test_recipes_of_one_python_distribution_under_other_names_replace_each_other(tmp_path: Path) -> None:
    """pyrecipe's python-dateutil and an OE layer's python3-dateutil: different names, one
    distribution (the same NAME-VERSION.dist-info)."""
    sysroot = tmp_path / "sysroot"
    dist = "usr/lib/site/python_dateutil-2.9.0.post0.dist-info/METADATA"
    stage(image_with(tmp_path / "ours", {dist: b"a", "usr/lib/site/dateutil/__init__.py": b"a"}), sysroot, "python-dateutil")
    notes: list[str] = []

    stage(image_with(tmp_path / "layer", {dist: b"b", "usr/lib/site/dateutil/__init__.py": b"b"}), sysroot,
          "python3-dateutil", say=notes.append)

    assert (sysroot / "usr/lib/site/dateutil/__init__.py").read_bytes() == b"b"
    assert notes == [f"NOTE: recipe python3-dateutil replaces recipe python-dateutil in {sysroot}: both provide python-dateutil"]


def test_recipes_staging_side_by_side_do_not_trip_over_each_other(tmp_path: Path) -> None:
    """Two do_populate_sysroot run in threads of one build; one reads every manifest while the
    other rewrites its own (meta-python's sphinxcontrib-* failed with FileNotFoundError)."""
    sysroot = tmp_path / "sysroot"
    images = {}
    for name in ("sphinxcontrib-qthelp", "sphinxcontrib-serializinghtml"):
        image = images[name] = tmp_path / name
        for index in range(30):
            (image / f"usr/lib/site/sphinxcontrib/{name}/m{index}.py").parent.mkdir(parents=True, exist_ok=True)
            (image / f"usr/lib/site/sphinxcontrib/{name}/m{index}.py").write_text("x\n")
    errors: list[BaseException] = []

    def restage(name: str) -> None:
        try:
            for _ in range(40):
                stage(images[name], sysroot, name)
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=restage, args=(name,)) for name in images]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(list((sysroot / "usr/lib/site/sphinxcontrib").rglob("*.py"))) == 60
