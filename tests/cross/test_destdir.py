"""``pyrecipe build RECIPE --destdir DIR [--prefix P]``: a cross-built recipe installed into a packager's root."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from elftools.elf.elffile import ELFFile

from cross_support import DISTRO, SITE, SUFFIX, machine_dir

LAYER = Path(__file__).parents[1] / "fixtures" / "cross_layer"
SO_NAME = f"hello_cext{SUFFIX}"


def pyrecipe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyrecipe", *args], capture_output=True, text=True, timeout=3000)


def build_into(destdir: Path, build_dir: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return pyrecipe(
        "build", "python3-hello-cext", "--machine", "raspberrypi4", "--distro", DISTRO, "--layer", str(LAYER),
        "--build-dir", str(build_dir), "--destdir", str(destdir), *extra,
    )


def test_destdir_needs_exactly_one_recipe(tmp_path: Path) -> None:
    result = pyrecipe("build", "a", "b", "--destdir", str(tmp_path), "--build-dir", str(tmp_path))
    assert result.returncode == 2 and "exactly one RECIPE" in result.stderr and "Traceback" not in result.stderr


def test_destdir_needs_a_full_build(tmp_path: Path) -> None:
    for option in (["-c", "compile"], ["-n"]):
        result = pyrecipe("build", "a", *option, "--destdir", str(tmp_path / "root"), "--build-dir", str(tmp_path))
        assert result.returncode == 2 and "finished build" in result.stderr and "Traceback" not in result.stderr


def test_target_prefix_installs_the_built_tree_beside_existing_files(tmp_path: Path, cross_build_dir: Path) -> None:
    destdir = tmp_path / "root"
    (destdir / "etc").mkdir(parents=True)
    (destdir / "etc" / "keep-me").write_text("packager's file\n")
    result = build_into(destdir, cross_build_dir)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    so = destdir / SITE / SO_NAME
    with open(so, "rb") as handle:
        assert ELFFile(handle).header["e_machine"] == "EM_AARCH64"
    assert (destdir / "etc" / "keep-me").read_text() == "packager's file\n"
    image = machine_dir(cross_build_dir) / "work/python3-hello-cext/1.0/package"
    assert sorted(p.relative_to(image) for p in image.rglob("*") if p.is_file()) == sorted(
        p.relative_to(destdir) for p in destdir.rglob("*") if p.is_file() and p.parts[-2:] != ("etc", "keep-me")
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "staging tree left behind"


def test_other_prefix_reinstalls_the_wheel_with_that_layout(tmp_path: Path, cross_build_dir: Path) -> None:
    destdir = tmp_path / "root"
    result = build_into(destdir, cross_build_dir, "--prefix", "/opt/hello")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "prefix /opt/hello" in result.stdout
    site = destdir / "opt/hello/lib" / SITE.relative_to("usr/lib")
    assert (site / SO_NAME).is_file()
    record = next(site.glob("hello_cext-*.dist-info")) / "RECORD"
    assert SO_NAME in record.read_text()
    assert not (destdir / "usr").exists()


def test_relative_prefix_is_refused_before_building(tmp_path: Path) -> None:
    result = build_into(tmp_path / "root", tmp_path / "build", "--prefix", "opt")
    assert result.returncode == 2 and "must be an absolute path" in result.stderr
    assert not (tmp_path / "build").exists()
