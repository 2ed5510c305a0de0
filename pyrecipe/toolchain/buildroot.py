"""A distro's build root: the target release's own build interpreter and cross compilers.

A cross build needs a build interpreter of the target's CPython X.Y and a cross compiler that
matches the target's C library and C++ runtime. A Debian bookworm build machine has neither for
trixie (CPython 3.13, GCC 14 with libstdc++ 14). Debian's own answer (sbuild's) is a root of the
target's release: ``mmdebstrap`` makes one from the archive, and the tasks that compile run in it
under ``bubblewrap``, with the root read-only, the build directory and pyrecipe's checkout bound
at their own paths (so every path a task sees is the one the datastore says), and no network.

One root per distro (``build/<distro>/buildroot``), shared by its machines: it holds the union of
the packages its machines asked for, recorded in a manifest; a machine that needs more makes it
be rebuilt with all of them, in a temporary directory renamed into place (never half made).

No root is needed to make one, as none is to enter it: an ordinary user's mmdebstrap runs in a
user namespace of its own (``--mode=unshare``: the user's subordinate ids, from /etc/subuid, play
root and the packages' users) and writes a tarball, which tar unpacks as files of the user; bwrap,
unprivileged, enters that tree through a user namespace too. (Written as a directory instead,
the tree would belong to the subordinate ids, which the user can neither change nor remove.)
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shlex
import signal
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pyrecipe.engine.isolation import NO_CAPABILITIES
from pyrecipe.engine.notes import Note, silent
from pyrecipe.errors import BuildError, InputError
from pyrecipe.fsutil import atomic_write_text, building_dir
from pyrecipe.toolchain.host_tools import ensure_host_packages
from pyrecipe.toolchain.provision_cache import BUILD_ROOTS, ProvisionCache, inputs_key, link_to

if TYPE_CHECKING:
    from pyrecipe.parse import DataSmart

#: ``BUILD_ROOT_PROVIDER`` of a distro whose tasks run on the build machine itself.
HOST_PROVIDER = "host"
#: ``BUILD_ROOT_PROVIDER`` of a distro whose tasks run in a root made by mmdebstrap.
MMDEBSTRAP_PROVIDER = "mmdebstrap"
#: The root's directory in the distro's build directory (BUILD_ROOT_DIR in debian-buildroot.inc).
BUILD_ROOT_NAME = "buildroot"
#: Written into the root last: the packages asked for (the root is complete when it exists).
MANIFEST_NAME = ".pyrecipe-buildroot.json"
#: Top-level directories of a root that a task gets fresh, not the root's.
OWN_MOUNTS = ("proc", "dev", "sys", "tmp", "root")
#: What the build machine needs to make and enter a root.
HOST_TOOLS = ("mmdebstrap", "bubblewrap")
#: What an ordinary user's mmdebstrap needs besides (newuidmap and newgidmap, for --mode=unshare).
USER_HOST_TOOLS = ("uidmap",)
#: The members of mmdebstrap's tarball that tar, not being root, cannot make (device nodes):
#: a task gets bwrap's own /dev.
DEVICE_MEMBERS = "./dev/*"


@dataclass(frozen=True)
class BuildRoot:
    """A root directory of the distro's release, and how to run a command inside it."""

    path: Path

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST_NAME

    def packages(self) -> set[str]:
        """The packages the root was made with; empty when it is missing or incomplete."""
        try:
            return set(json.loads(self.manifest_path.read_text())["packages"])
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            return set()

    def command(
        self, argv: Sequence[str], cwd: Path, writable: Iterable[Path], readonly: Iterable[Path] = (), network: bool = False
    ) -> list[str]:
        """``argv`` run in the root: ``writable`` and ``readonly`` bound at their own paths.

        The root's top-level directories are bound read-only onto an empty / (bubblewrap cannot
        make the mount points of those paths inside a read-only bind of the whole root), which is
        made read-only last. /proc, /dev, a fresh /tmp and a fresh /root (a tool's HOME) are the
        root's own; the build machine's resolv.conf comes in only with ``network``. The task has
        no capability (:data:`~pyrecipe.engine.isolation.NO_CAPABILITIES`): root's included.
        """
        command = ["bwrap", *NO_CAPABILITIES, "--tmpfs", "/"]
        for entry in sorted(self.path.iterdir()):
            if entry.name in OWN_MOUNTS:
                continue
            if entry.is_symlink():
                command += ["--symlink", os.readlink(entry), f"/{entry.name}"]
            elif entry.is_dir():
                command += ["--ro-bind", str(entry), f"/{entry.name}"]
        # A PID namespace of its own: stopping bwrap ends every process of the task with it.
        command += ["--unshare-pid", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/root", "--die-with-parent"]
        command += self._mount_point_parents([*readonly, *writable])
        for path in dict.fromkeys(Path(p).absolute() for p in readonly):
            command += ["--ro-bind", str(path), str(path)]
        for path in dict.fromkeys(Path(p).absolute() for p in writable):
            command += ["--bind", str(path), str(path)]
        if network:
            command += ["--ro-bind", "/etc/resolv.conf", "/etc/resolv.conf"]
        else:
            command.append("--unshare-net")
        return [*command, "--remount-ro", "/", "--chdir", str(cwd), "--", *argv]

    def _mount_point_parents(self, paths: Iterable[Path]) -> list[str]:
        """A tmpfs over the empty directory of the root (/home, /var/tmp, /srv) under which a bound
        path lies, where bwrap makes the path's mount point: the root's own is read-only (a build
        directory in /home/USER failed with "Can't mkdir parents ... Read-only file system").
        A path under a directory the root fills (/usr/share/x) cannot be bound: InputError."""
        parents = []
        for path in dict.fromkeys(Path(p).absolute() for p in paths):
            if len(path.parts) < 2 or path.parts[1] in OWN_MOUNTS:
                continue
            inside = self.path
            for part in path.parts[1:]:
                if not (inside / part).is_dir() or (inside / part).is_symlink():
                    break
                inside = inside / part
            else:
                continue  # the root has the mount point itself
            if inside == self.path:
                continue  # a top-level directory the root lacks: bwrap makes it in the tmpfs at /
            if any(inside.iterdir()):
                raise InputError(f"{path} cannot be seen in the build root {self.path}: {inside.relative_to(self.path)} is "
                                 "one of the root's own directories; use a build directory elsewhere (under /home, /srv, /var/tmp)")
            parents.append(f"/{inside.relative_to(self.path)}")
        return [arg for parent in dict.fromkeys(parents) for arg in ("--tmpfs", parent)]


def mmdebstrap_command(suite: str, mirror: str, packages: Iterable[str], dest: Path) -> list[str]:
    """The mmdebstrap call that makes a root of ``suite`` with ``packages`` (apt's variant: Essential,
    apt and what the packages need, no Recommends) for the build machine's architecture, at ``dest``.

    As root, mmdebstrap writes the directory itself; anyone else gets it as a tarball made in a
    user namespace (module docstring), unpacked by tar into ``dest`` as the user's files.
    """
    options = ["--variant=apt", "--quiet", f"--include={','.join(sorted(packages))}"]
    if os.geteuid() == 0:
        return ["mmdebstrap", *options, suite, str(dest), mirror]
    make = ["mmdebstrap", "--mode=unshare", "--format=tar", *options, suite, "-", mirror]
    unpack = ["tar", "-x", "-C", str(dest), "--no-same-owner", f"--exclude={DEVICE_MEMBERS}"]
    return ["bash", "-o", "pipefail", "-c", f"{shlex.join(make)} | {shlex.join(unpack)}"]


def check_subordinate_ids(files: Iterable[Path] = (Path("/etc/subuid"), Path("/etc/subgid"))) -> None:
    """InputError naming the command that adds them when the user running has no subordinate user or
    group ids: mmdebstrap's user namespace needs them (Debian's adduser and useradd give each new
    user 65536 of them; users made before /etc/subuid existed have none)."""
    try:
        user = pwd.getpwuid(os.getuid()).pw_name
    except KeyError:  # a uid without a name (a container's): the files may name it by number
        user = str(os.getuid())
    for path in files:
        try:
            lines = path.read_text().splitlines()
        except FileNotFoundError:
            lines = []
        if not any(line.split(":", 1)[0] in (user, str(os.getuid())) for line in lines):
            raise InputError(
                f"making a Debian build root without root needs subordinate ids for {user} ({path} has none): "
                f"add them with\n  sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 {user}\n"
                "(any range no other user has), or build as root"
            )


def link_static_qemu_names(root: Path) -> None:
    """``qemu-<arch>-static`` in the root's /usr/local/bin for each ``qemu-<arch>`` it has.

    Machines name bookworm's qemu-user-static binaries (QEMU_USER, the cross files' exe_wrapper);
    from trixie on, qemu-user's own binaries are the static ones and carry no suffix.
    """
    local_bin = root / "usr" / "local" / "bin"
    local_bin.mkdir(parents=True, exist_ok=True)
    for binary in (root / "usr" / "bin").glob("qemu-*"):
        static_name = local_bin / f"{binary.name}-static"
        if not binary.name.endswith("-static") and not (root / "usr" / "bin" / static_name.name).exists() and not static_name.is_symlink():
            static_name.symlink_to(f"/usr/bin/{binary.name}")


_MOUNTINFO_ESCAPE = re.compile(r"\\([0-7]{3})")


def unmount_below(path: Path) -> None:
    """Detach whatever is still mounted under ``path``.

    Why: mmdebstrap, run as root, mounts /proc, /sys and the device nodes of /dev into the root it
    makes; ended before it unmounts them, it leaves them there, and removing the half-made root
    would then reach into the build machine's own /dev and /sys.
    """
    prefix = f"{path}/"
    with open("/proc/self/mountinfo", encoding="utf-8") as mounts:
        points = [_MOUNTINFO_ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), line.split()[4]) for line in mounts]
    for point in sorted((p for p in points if p.startswith(prefix)), key=len, reverse=True):
        subprocess.run(["umount", "--lazy", point], capture_output=True, check=False)


def run_whole_group(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """``command`` in a process group of its own, ended whole when pyrecipe is interrupted.

    Why: mmdebstrap runs apt and dpkg as its children; killing mmdebstrap alone (what
    ``subprocess.run`` does on Ctrl-C or SIGTERM) leaves them installing into a root that the
    next run removes as a leftover while they still write.
    """
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = process.communicate()
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    return subprocess.CompletedProcess(list(command), process.returncode, stdout, stderr)


def ensure_build_root(
    path: Path, suite: str, mirror: str, packages: Iterable[str], note: Note = silent, cache: ProvisionCache | None = None,
) -> BuildRoot:
    """The root at ``path`` holding ``packages`` of Debian ``suite``; made (or remade with the
    packages it had as well) when some are missing. Installs mmdebstrap and bubblewrap first.

    With a ``cache``, ``path`` is a link to the cached root of the fewest packages that has them
    all, made there when none has: every build directory of the user shares one.
    """
    ensure_host_packages(HOST_TOOLS, note)
    root = BuildRoot(Path(path).absolute())
    have = root.packages()
    wanted = set(packages)
    if have and wanted <= have:
        if cache is not None and root.path.is_symlink():
            cache.mark_used(root.path.resolve())  # used where it is, by every build
        return root
    everything = sorted(wanted | have)
    adding = sorted(wanted - have)
    if cache is None:
        _make_root(root.path, suite, mirror, everything, adding, note)
        return root
    prefix = f"{suite}-{inputs_key(mirror)}"
    cached = cache.smallest_holding(BUILD_ROOTS, prefix, everything, lambda entry: BuildRoot(entry).packages())
    if cached is None:
        cached = cache.entry(BUILD_ROOTS, f"{prefix}-{inputs_key(everything)}")
        _make_root(cached, suite, mirror, everything, adding, note)
    elif not root.path.is_symlink() or root.path.resolve() != cached.resolve():
        note(f"NOTE: using the cached Debian {suite} build root {cached}")
    link_to(cached, root.path)
    return root


def _make_root(path: Path, suite: str, mirror: str, packages: list[str], adding: list[str], note: Note) -> None:
    """mmdebstrap's root of ``packages`` (``adding`` the ones a root there did not have) at
    ``path``, in a temporary directory renamed into place."""
    note(f"NOTE: {'remaking' if adding != packages else 'making'} the Debian {suite} build root {path} with mmdebstrap: "
         f"{' '.join(adding)}")
    if os.geteuid() != 0:
        ensure_host_packages(USER_HOST_TOOLS, note)  # only to make a root: a cached one is entered without
        check_subordinate_ids()
    with building_dir(path) as scratch:
        try:
            result = run_whole_group(mmdebstrap_command(suite, mirror, packages, scratch))
        finally:
            unmount_below(scratch)
        if result.returncode != 0:
            raise BuildError(f"mmdebstrap could not make the {suite} build root:\n{(result.stderr or result.stdout)[-3000:]}")
        link_static_qemu_names(scratch)
        atomic_write_text(scratch / MANIFEST_NAME, json.dumps({"suite": suite, "packages": packages}, indent=1))


def task_build_root(d: DataSmart) -> BuildRoot | None:
    """The build root a recipe's shell tasks run in (its distro's), or None: on the build machine."""
    if d.getVar("BUILD_ROOT_PROVIDER") != MMDEBSTRAP_PROVIDER:
        return None
    return BuildRoot(Path(d.getVar("BUILD_ROOT_DIR")))
