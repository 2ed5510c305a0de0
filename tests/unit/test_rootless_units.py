"""No root needed (issue 25), in Python: an ordinary user's build root comes from mmdebstrap's
tarball unpacked as the user's files, the user's subordinate ids are checked first, and the
build machine's packages are named as a sudo line, or installed through sudo with ``--sudo``.

The real mmdebstrap runs in tests/cross/test_rootless.py; here a stand-in on PATH writes the
tarball mmdebstrap would (members owned by root, device nodes under ./dev).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyrecipe.cli import main
from pyrecipe.errors import BuildError, InputError
from pyrecipe.toolchain import buildroot, host_tools
from pyrecipe.toolchain.buildroot import BuildRoot, check_subordinate_ids, ensure_build_root

#: A stand-in for mmdebstrap --format=tar: a root's tarball on stdout, as mmdebstrap's in its
#: user namespace (everything root's, the device nodes of /dev); exit 1 when asked to fail.
FAKE_MMDEBSTRAP = f"""#!{sys.executable}
import io, os, sys, tarfile
if os.environ.get("FAKE_MMDEBSTRAP_FAIL"):
    sys.exit("E: cannot reach the mirror")
include = next(a for a in sys.argv if a.startswith("--include=")).split("=", 1)[1]
with tarfile.open(fileobj=sys.stdout.buffer, mode="w|") as tar:
    for name, kind in (("./etc", tarfile.DIRTYPE), ("./dev", tarfile.DIRTYPE), ("./dev/null", tarfile.CHRTYPE),
                       ("./etc/packages", tarfile.REGTYPE), ("./etc/shadow", tarfile.REGTYPE)):
        member = tarfile.TarInfo(name)
        member.type, member.uid, member.gid = kind, 0, 42 if name == "./etc/shadow" else 0
        member.mode = 0o640 if name == "./etc/shadow" else 0o755
        data = include.encode() if name == "./etc/packages" else b""
        member.size = len(data)
        tar.addfile(member, io.BytesIO(data))
"""


@pytest.fixture
def as_user(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """pyrecipe sees an ordinary user (uid 1000) with subordinate ids and the stand-in mmdebstrap."""
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(buildroot, "ensure_host_packages", lambda packages, note: [])
    monkeypatch.setattr(buildroot, "check_subordinate_ids", lambda: None)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "mmdebstrap").write_text(FAKE_MMDEBSTRAP)
    (bin_dir / "mmdebstrap").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    yield tmp_path


def test_a_user_s_root_is_mmdebstrap_s_tarball_unpacked_without_its_devices(as_user: Path) -> None:
    """mmdebstrap written as a directory by a user leaves a tree of subordinate ids the user cannot
    remove; its tarball, unpacked by tar as the user, gives the user's own files. tar, not being
    root, cannot make device nodes: ./dev's are left out (a task gets bwrap's /dev)."""
    command = buildroot.mmdebstrap_command("trixie", "http://deb.debian.org/debian", ["python3.13"], Path("/x"))
    assert command[:3] == ["bash", "-o", "pipefail"]
    assert "mmdebstrap --mode=unshare --format=tar" in command[-1] and "tar -x -C /x --no-same-owner" in command[-1]
    path = as_user / "buildroot"
    root = ensure_build_root(path, "trixie", "http://deb.debian.org/debian", ["python3.13", "gcc-aarch64-linux-gnu"])
    assert root.packages() == {"python3.13", "gcc-aarch64-linux-gnu"}
    assert (path / "etc" / "packages").read_text() == "gcc-aarch64-linux-gnu,python3.13"
    assert (path / "dev").is_dir() and not list((path / "dev").iterdir())
    assert {p.lstat().st_uid for p in [path, *path.rglob("*")]} == {os.getuid()}  # --no-same-owner (as root too)
    assert sorted(p.name for p in as_user.iterdir()) == ["bin", "buildroot"]  # no half-made root left


def test_a_user_s_failed_mmdebstrap_fails_the_pipeline(as_user: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """tar's success must not hide mmdebstrap's failure (bash's pipefail): no half-made root."""
    monkeypatch.setenv("FAKE_MMDEBSTRAP_FAIL", "1")
    with pytest.raises(BuildError, match="cannot reach the mirror"):
        ensure_build_root(as_user / "buildroot", "trixie", "http://deb.debian.org/debian", ["python3.13"])
    assert BuildRoot(as_user / "buildroot").packages() == set()
    assert sorted(p.name for p in as_user.iterdir()) == ["bin"]


def test_a_user_without_subordinate_ids_is_told_the_command_that_adds_them(tmp_path: Path) -> None:
    subuid, subgid = tmp_path / "subuid", tmp_path / "subgid"
    subuid.write_text("someone-else:100000:65536\n")
    subgid.write_text("")
    with pytest.raises(InputError, match=r"sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 "):
        check_subordinate_ids((subuid, subgid))
    subuid.write_text(f"someone-else:100000:65536\n{os.getuid()}:165536:65536\n")
    subgid.write_text(f"{os.getuid()}:165536:65536\n")
    check_subordinate_ids((subuid, subgid))  # by number, as by name


@pytest.fixture
def apt_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """A user (uid 1000) on a machine with sudo, missing the package ``no-such-package``; the
    apt-get commands pyrecipe runs are recorded, not run."""
    calls: list[list[str]] = []
    real_run = subprocess.run

    def run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        if argv[0] == "dpkg-query":
            return real_run(argv, **kwargs)  # type: ignore[call-overload, no-any-return]
        calls.append(argv)
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(host_tools.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(host_tools.subprocess, "run", run)
    monkeypatch.setattr(host_tools, "_lists_are_stale", lambda: False)
    monkeypatch.setattr(host_tools, "_sudo", {"allowed": False})
    return calls


def test_a_user_is_given_the_sudo_line_and_told_of_sudo(apt_calls: list[list[str]]) -> None:
    with pytest.raises(InputError) as raised:
        host_tools.ensure_host_packages(["dpkg", "no-such-package"])
    assert "  sudo apt-get install -y --no-install-recommends no-such-package\n" in str(raised.value)
    assert "add --sudo" in str(raised.value) and raised.value.exit_code == 2
    assert apt_calls == []


def test_with_sudo_allowed_pyrecipe_runs_the_line_it_would_print(apt_calls: list[list[str]]) -> None:
    # --sudo on the command line allows it (read as the options are parsed; the command then fails later)
    assert main(["deps", "--sudo", "--build-dir", "/nonexistent/pyrecipe-build"]) == 2
    notes: list[str] = []
    assert host_tools.ensure_host_packages(["dpkg", "no-such-package"], notes.append) == ["no-such-package"]
    assert apt_calls == [["sudo", "apt-get", "install", "-y", "--no-install-recommends", "no-such-package"]]
    assert notes == ["NOTE: installing build-machine packages with sudo: no-such-package"]


def test_a_build_directory_under_an_empty_directory_of_the_root_gets_a_mount_point(tmp_path: Path) -> None:
    """bwrap makes a bound path's mount point inside the root's read-only /home and failed ("Can't
    mkdir parents for /home/USER/...: Read-only file system"): a user's build directory is in /home.
    A tmpfs over the root's empty /home takes the mount points; a directory the root fills is refused."""
    path = tmp_path / "cached-root"
    for name in ("home", "var/tmp", "usr/share/doc", "etc"):
        (path / name).mkdir(parents=True)
    (tmp_path / "buildroot").symlink_to(path)  # a build directory's root: a link into the provisioning cache
    root = BuildRoot(tmp_path / "buildroot")
    command = root.command(["true"], Path("/home/u/b"), writable=[Path("/home/u/b")], readonly=[Path("/home/u/src"), Path("/work/x"),
                                                                                                  Path("/etc"), Path("/tmp/t")])
    text = " ".join(command)
    assert text.count("--tmpfs /home") == 1 and text.index(f"--ro-bind {root.path}/home /home") < text.index("--tmpfs /home") < text.index("--ro-bind /home/u/src") < text.index("--bind /home/u/b")
    assert "--tmpfs /work" not in text and "--tmpfs /etc" not in text and "--tmpfs /tmp/" not in text
    assert "--tmpfs /var/tmp" in " ".join(root.command(["true"], Path("/"), writable=[Path("/var/tmp/b")]))
    with pytest.raises(InputError, match="usr/share is one of the root's own directories"):
        root.command(["true"], Path("/"), writable=[Path("/usr/share/b")])
