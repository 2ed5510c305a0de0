"""The user's cache of provisioning results: a second build directory copies the sysroot and the
native venv that the first one made, without apt or pip, and the copies work in their new place."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pyrecipe.toolchain import load_machine, native
from pyrecipe.toolchain.debian_apt import PrivateApt
from pyrecipe.toolchain.native import EXTRAS_STAMP_NAME, ensure_native_venv
from pyrecipe.toolchain.provision_cache import ProvisionCache
from pyrecipe.toolchain.sysroot import MANIFEST_NAME, DebianSysroot

PY = "%d.%d" % sys.version_info[:2]


def test_a_sysroot_is_copied_from_the_cache_without_apt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    machine = dataclasses.replace(load_machine("raspberrypi4"), provision_cache_dir=tmp_path / "cache")
    fetched: list[list[str]] = []

    def fetch(self: PrivateApt, packages: list[str]) -> list[Path]:
        fetched.append(list(packages))
        return []

    monkeypatch.setattr(PrivateApt, "fetch", fetch)
    monkeypatch.setattr("pyrecipe.toolchain.sysroot._unpack", lambda debs, dest: (dest / "usr" / "include").mkdir(parents=True))
    first = DebianSysroot(machine, tmp_path / "one")
    first.ensure(["libyaml-dev"])
    (first.path / "usr" / "include" / "staged-by-a-recipe.h").touch()  # staging changes the build directory's copy only
    second = DebianSysroot(machine, tmp_path / "two")
    notes: list[str] = []
    assert second.ensure(["libyaml-dev"], notes.append) == second.path
    assert len(fetched) == 1 and notes[0].startswith("NOTE: copying the cached arm64 sysroot")
    assert (second.path / "usr" / "include").is_dir() and not (second.path / "usr" / "include" / "staged-by-a-recipe.h").exists()
    assert "libyaml-dev" in json.loads((second.path / MANIFEST_NAME).read_text())["requested"]
    [entry] = (machine.provision_cache_dir / "sysroot").iterdir()
    assert (entry / MANIFEST_NAME).stat().st_ino == (second.path / MANIFEST_NAME).stat().st_ino  # linked, not copied
    # a request the cached sysroots do not cover goes to apt
    DebianSysroot(machine, tmp_path / "three").ensure(["libxml2-dev"])
    assert len(fetched) == 2 and "libxml2-dev" in fetched[1]


def test_a_venv_copied_from_the_cache_runs_from_its_new_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[Path] = []

    def make_venv(venv: Path, steps: list[list[str]]) -> None:
        """A venv with one console script, as pip writes them: its interpreter by absolute path."""
        made.append(venv)
        (venv / "bin").mkdir(parents=True)
        (venv / "bin" / "python").symlink_to(sys.executable)
        (venv / "pyvenv.cfg").write_text(f"home = {Path(sys.executable).parent}\ncommand = {sys.executable} -m venv {venv}\n")
        script = venv / "bin" / "tool"
        script.write_text(f"#!{venv}/bin/python\nimport sys\nprint(sys.argv[0])\n")
        script.chmod(0o755)

    monkeypatch.setattr(native, "_run_steps", make_venv)
    cache = ProvisionCache(tmp_path / "cache")
    first = ensure_native_venv(tmp_path / "one" / "venv", PY, cache=cache)
    (first / EXTRAS_STAMP_NAME).write_text("tools from PyPI, this build directory's own")
    notes: list[str] = []
    second = ensure_native_venv(tmp_path / "somewhere" / "longer" / "venv", PY, notes.append, cache=cache)
    assert made == [first] and notes == [f"NOTE: copying the cached native tools venv {next((cache.directory / 'venv').iterdir())}"]
    assert not (second / EXTRAS_STAMP_NAME).exists()
    tool = second / "bin" / "tool"
    assert tool.read_text().startswith(f"#!{second}/bin/python\n") and os.access(tool, os.X_OK)
    assert subprocess.run([str(tool)], capture_output=True, text=True, check=True).stdout.strip() == str(tool)
    assert str(second) in (second / "pyvenv.cfg").read_text() and str(first) not in (second / "pyvenv.cfg").read_text()
    # the copy's files are hard links to the cache's, but the ones rewritten are new files: the cache keeps its own
    [entry] = (cache.directory / "venv").iterdir()
    assert (entry / "bin" / "tool").read_text().startswith(f"#!{first}/bin/python\n")
    assert (entry / native.STAMP_NAME).stat().st_ino == (second / native.STAMP_NAME).stat().st_ino
    assert ensure_native_venv(second, PY, notes.append, cache=cache) == second and len(notes) == 1  # stamped: nothing to do


def test_prune_removes_entries_unused_for_days_and_killed_provisionings(tmp_path: Path) -> None:
    """``pyrecipe sstate prune --provisioning --keep-days N``: entries go by their last use (a
    build that found one marked it), temporary names of a killed provisioning by age."""
    from parse_support import pyrecipe_cli

    cache_dir = tmp_path / "cache"
    now = time.time()

    def entry(kind: str, name: str, days_old: float) -> Path:
        path = cache_dir / kind / name
        (path / "usr").mkdir(parents=True)
        (path / "usr" / "file").write_text("x")
        os.utime(path, (now - days_old * 86400, now - days_old * 86400))
        return path

    old_root, used_root = entry("buildroot", "trixie-a-1", 40), entry("buildroot", "trixie-a-2", 40)
    recent_sysroot, killed, running = entry("sysroot", "trixie-arm64-b", 3), entry("venv", ".x.new-abc", 1), entry("venv", ".y.new-def", 0.1)
    cache = ProvisionCache(cache_dir)
    assert cache.smallest_holding("buildroot", "trixie-a", [], lambda path: {"dpkg"} if path == used_root else set()) == used_root
    os.utime(used_root, (now - 86400, now - 86400))  # marked used (here: a day before "now")
    assert cache.prune(30, now) == [old_root, killed]
    assert used_root.exists() and recent_sysroot.exists() and running.exists()

    build = tmp_path / "build"
    (build / "conf").mkdir(parents=True)
    (build / "conf" / "local.conf").write_text(f'PROVISION_CACHE_DIR = "{cache_dir}"\n')
    result = pyrecipe_cli("sstate", "prune", "--provisioning", "--keep-days", "0", "--build-dir", build)
    assert result.returncode == 0, result.stderr
    assert "Removed 2 entries from the provisioning cache" in result.stdout  # all but a running provisioning's
    assert [path for path in cache_dir.rglob("*") if path.parent.parent == cache_dir] == [running]
    usage = pyrecipe_cli("sstate", "prune", "--provisioning", "--max-size", "1G", "--build-dir", build)
    assert usage.returncode == 2 and "give --keep-days N" in usage.stderr
