"""A distro's build root: when it is made or remade, atomically, and how tasks enter it.

mmdebstrap is replaced here by a stand-in that writes a marker file (the real one runs in the
cross test of a trixie build); bubblewrap's command line is checked as it is built.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from pyrecipe.errors import BuildError
from pyrecipe.toolchain import buildroot
from pyrecipe.toolchain.buildroot import MANIFEST_NAME, BuildRoot, ensure_build_root
from pyrecipe.toolchain.provision_cache import ProvisionCache


class FakeMmdebstrap:
    """Records each mmdebstrap call and makes a root holding the packages named, or fails."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list[str]] = []
        self.fail = fail

    def __call__(self, argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        self.calls.append(argv)
        if self.fail:
            return subprocess.CompletedProcess(argv, 1, "", "E: cannot reach the mirror")
        dest = Path(argv[-2])
        (dest / "etc").mkdir(parents=True)
        (dest / "etc" / "packages").write_text(argv[3].removeprefix("--include="))
        return subprocess.CompletedProcess(argv, 0, "", "")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeMmdebstrap:
    monkeypatch.setattr(buildroot, "ensure_host_packages", lambda packages, note: [])
    runner = FakeMmdebstrap()
    monkeypatch.setattr(buildroot, "run_whole_group", runner)
    return runner


def test_root_is_made_once_and_remade_with_the_union_when_a_machine_needs_more(fake: FakeMmdebstrap, tmp_path: Path) -> None:
    path = tmp_path / "debian-trixie" / "buildroot"
    notes: list[str] = []
    root = ensure_build_root(path, "trixie", "http://deb.debian.org/debian", ["python3.13", "gcc-aarch64-linux-gnu"], notes.append)
    assert fake.calls[0][:2] == ["mmdebstrap", "--variant=apt"] and fake.calls[0][-3:-2] == ["trixie"]
    assert root.packages() == {"python3.13", "gcc-aarch64-linux-gnu"}
    assert notes[0].startswith(f"NOTE: making the Debian trixie build root {path} with mmdebstrap")
    ensure_build_root(path, "trixie", "http://deb.debian.org/debian", ["python3.13"])
    assert len(fake.calls) == 1  # nothing new asked for: nothing done
    ensure_build_root(path, "trixie", "http://deb.debian.org/debian", ["gcc-arm-linux-gnueabihf"])
    assert (path / "etc" / "packages").read_text() == "gcc-aarch64-linux-gnu,gcc-arm-linux-gnueabihf,python3.13"
    assert not [p for p in path.parent.iterdir() if p.name != "buildroot"], "temporary directories left behind"


def test_a_failed_remake_keeps_the_old_root(fake: FakeMmdebstrap, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "buildroot"
    ensure_build_root(path, "trixie", "http://deb.debian.org/debian", ["python3.13"])
    monkeypatch.setattr(buildroot, "run_whole_group", FakeMmdebstrap(fail=True))
    with pytest.raises(BuildError, match="cannot reach the mirror"):
        ensure_build_root(path, "trixie", "http://deb.debian.org/debian", ["ccache"])
    assert json.loads((path / MANIFEST_NAME).read_text())["packages"] == ["python3.13"]
    assert [p.name for p in tmp_path.iterdir()] == ["buildroot"]


def test_a_root_without_its_manifest_is_incomplete() -> None:
    assert BuildRoot(Path("/nonexistent")).packages() == set()


def test_tasks_see_the_root_read_only_their_directories_at_their_own_paths_and_no_network(tmp_path: Path) -> None:
    path = tmp_path / "buildroot"
    for name in ("usr/bin", "etc", "proc", "tmp"):
        (path / name).mkdir(parents=True)
    (path / "bin").symlink_to("usr/bin")
    (path / "usr/bin/qemu-aarch64").touch()
    buildroot.link_static_qemu_names(path)
    assert (path / "usr/local/bin/qemu-aarch64-static").readlink() == Path("/usr/bin/qemu-aarch64")
    root = BuildRoot(path)
    command = root.command(["bash", "run.do_compile"], Path("/b/w"), writable=[Path("/b")], readonly=[Path("/src/pyrecipe")])
    text = " ".join(command)
    # No capability, root's included (a task could remount a read-only bind writable).
    assert command[:7] == ["bwrap", "--unshare-user", "--disable-userns", "--cap-drop", "ALL", "--tmpfs", "/"]
    assert f"--ro-bind {path}/usr /usr" in text and f"--ro-bind {path}/etc /etc" in text and "--symlink usr/bin /bin" in text
    assert f"{path}/proc" not in text and f"{path}/tmp" not in text  # the task's own
    assert "--bind /b /b" in text and "--ro-bind /src/pyrecipe /src/pyrecipe" in text
    assert "--unshare-net" in command and "/etc/resolv.conf" not in text
    assert command[-7:] == ["--remount-ro", "/", "--chdir", "/b/w", "--", "bash", "run.do_compile"]
    fetching = root.command(["bash", "run.do_fetch"], Path("/b/w"), writable=[Path("/b")], network=True)
    assert "--unshare-net" not in fetching and "--ro-bind /etc/resolv.conf /etc/resolv.conf" in " ".join(fetching)


def test_build_directories_share_the_cached_root_of_the_fewest_packages(fake: FakeMmdebstrap, tmp_path: Path) -> None:
    cache = ProvisionCache(tmp_path / "cache")
    mirror = "http://deb.debian.org/debian"
    first, second = tmp_path / "one" / "buildroot", tmp_path / "two" / "deeper" / "buildroot"
    ensure_build_root(first, "trixie", mirror, ["python3.13", "gcc-aarch64-linux-gnu"], cache=cache)
    notes: list[str] = []
    root = ensure_build_root(second, "trixie", mirror, ["python3.13"], notes.append, cache=cache)
    assert len(fake.calls) == 1 and first.resolve() == second.resolve() and root.packages() == {"python3.13", "gcc-aarch64-linux-gnu"}
    assert notes == [f"NOTE: using the cached Debian trixie build root {first.resolve()}"]
    # one build directory needs more: a new cached root with the union; the other keeps its own
    ensure_build_root(second, "trixie", mirror, ["ccache"], cache=cache)
    assert len(fake.calls) == 2 and first.resolve() != second.resolve()
    assert BuildRoot(second).packages() == {"python3.13", "gcc-aarch64-linux-gnu", "ccache"} and "ccache" not in BuildRoot(first).packages()
    # another suite or archive never takes a root of this one
    ensure_build_root(tmp_path / "three" / "buildroot", "forky", mirror, ["python3.13"], cache=cache)
    ensure_build_root(tmp_path / "four" / "buildroot", "trixie", "http://mirror.example/debian", ["python3.13"], cache=cache)
    assert len(fake.calls) == 4
    assert not [p for p in (cache.directory / "buildroot").iterdir() if p.name.startswith(".")], "temporary directories left behind"


def test_an_old_build_directorys_own_root_gives_way_to_a_cached_one(fake: FakeMmdebstrap, tmp_path: Path) -> None:
    path = tmp_path / "buildroot"
    ensure_build_root(path, "trixie", "http://deb.debian.org/debian", ["python3.13"])
    assert path.is_dir() and not path.is_symlink()
    ensure_build_root(path, "trixie", "http://deb.debian.org/debian", ["ccache"], cache=ProvisionCache(tmp_path / "cache"))
    assert path.is_symlink() and BuildRoot(path).packages() == {"python3.13", "ccache"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["buildroot", "cache"]


def test_mounts_left_in_a_half_made_root_are_detached_before_it_is_removed(tmp_path: Path) -> None:
    scratch = tmp_path / ".buildroot.new-x y"  # a space: mountinfo writes it as \040
    (scratch / "proc").mkdir(parents=True)
    (scratch / "dev" / "null").parent.mkdir()
    (scratch / "dev" / "null").touch()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(scratch / "proc")], check=True)
    subprocess.run(["mount", "--bind", "/dev/null", str(scratch / "dev" / "null")], check=True)
    buildroot.unmount_below(scratch)
    assert not os.path.ismount(scratch / "proc") and not os.path.ismount(scratch / "dev" / "null")
    assert Path("/dev/null").exists()
