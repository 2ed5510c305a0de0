"""Shared state: a recipe's build outputs kept under the signature of the task that made them.

As Yocto's sstate: once a recipe's do_package has run, what it and the tasks before it produced
(``${D}``, ``${PKGD}``, the package lists, the wheel do_compile built) is stored as one archive
named by do_package's signature in ``SSTATE_DIR`` (default ``${TOPDIR}/sstate-cache``; any path,
an NFS mount too). Signatures do not depend on where a build directory is
(:mod:`pyrecipe.engine.sigpaths`), so another build directory, on this machine or another, that
computes the same signature finds the archive (in its own ``SSTATE_DIR``, then in each of
``SSTATE_MIRRORS``: ``file://`` and ``http(s)://`` URLs, or bitbake's ``file://.* URL/PATH``
pairs), checks it against its recorded sha256, unpacks it and stamps fetch ... do_package as
done: those tasks do not run. The tasks after it (the wheel's deploy, staging into the sysroot,
the test under qemu) run as usual. Each archive has a ``.sha256`` beside it and a ``.siginfo``
(JSON: recipe, task, signature) saying what it is.

Layout: ``<SSTATE_DIR>/<first two hex digits>/sstate:<recipe>:<signature>.tar.gz``; an archive
is written under a temporary name and renamed, so a reader never sees half of one, and a
directory served read-only by any web server is a mirror.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.errors import PyrecipeError
from pyrecipe.fsutil import atomic_write_text, file_sha256
from pyrecipe.parse import DataSmart
from pyrecipe.sources.fetch import fetch

#: The task whose signature names a recipe's archive: everything up to it is restored.
PRODUCER_TASK = "do_package"
#: How long a mirror may take to answer whether it has an archive.
_MIRROR_TIMEOUT = 20


@dataclass(frozen=True)
class Restored:
    """Where an archive came from (a path or a URL)."""

    source: str


def archive_name(pn: str, signature: str) -> str:
    """The archive's path relative to SSTATE_DIR or a mirror."""
    return f"{signature[:2]}/sstate:{pn}:{signature}.tar.gz"


def mirror_urls(value: str) -> list[str]:
    """SSTATE_MIRRORS as URLs of mirror roots: plain URLs, or bitbake's ``file://.* URL/PATH``
    pairs (whose ``PATH`` placeholder is dropped: the archive's own path is added to the root)."""
    words = value.split()
    urls = []
    index = 0
    while index < len(words):
        word = words[index]
        if word.startswith("file://.*") and index + 1 < len(words):
            word = words[index + 1]
            index += 1
        urls.append(word.removesuffix("/PATH").rstrip("/"))
        index += 1
    return urls


class SharedState:
    """One recipe's archives: stored after its producer task, looked up before its tasks run."""

    def __init__(self, d: DataSmart) -> None:
        self.pn = d.getVar("PN")
        self.workdir = Path(d.getVar("WORKDIR"))
        self.directory = Path(d.getVar("SSTATE_DIR"))
        self.mirrors = mirror_urls(d.getVar("SSTATE_MIRRORS") or "")
        # What do_package and the tasks before it leave for later tasks, inside WORKDIR.
        outputs = [d.getVar(name) for name in ("D", "PKGD", "PKGMANIFESTDIR", "PEP517_WHEEL_PATH")]
        self.outputs = [Path(path) for path in outputs if path and Path(path).is_relative_to(self.workdir)]

    def store(self, signature: str) -> None:
        """Archive the outputs under ``signature`` unless SSTATE_DIR has them already."""
        target = self.directory / archive_name(self.pn, signature)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
        os.close(fd)
        try:
            with tarfile.open(temp, "w:gz") as archive:
                for output in self.outputs:
                    if output.exists():
                        archive.add(output, arcname=str(output.relative_to(self.workdir)), filter=_reset_owner)
            sha256 = file_sha256(temp)
            atomic_write_text(target.with_name(target.name + ".sha256"), sha256 + "\n")
            atomic_write_text(target.with_name(target.name + ".siginfo"),
                              json.dumps({"recipe": self.pn, "task": PRODUCER_TASK, "signature": signature}, indent=1) + "\n")
            os.replace(temp, target)
        finally:
            Path(temp).unlink(missing_ok=True)

    def restore(self, signature: str, warn: Callable[[str], None]) -> Restored | None:
        """Unpack the archive of ``signature`` into WORKDIR from SSTATE_DIR or a mirror; None when
        none has it (or the one found is damaged: said through ``warn``, then built again)."""
        name = archive_name(self.pn, signature)
        local = self.directory / name
        sources = [str(local)] if local.exists() else []
        sources += [f"{mirror}/{name}" for mirror in self.mirrors]
        for source in sources:
            try:
                path = local if source == str(local) else self._download(source, local)
                if path is None:
                    continue
                expected = (path.with_name(path.name + ".sha256")).read_text().strip()
                actual = file_sha256(path)
                if actual != expected:
                    raise PyrecipeError(f"sha256 {actual}, recorded {expected}")
                self._unpack(path)
                return Restored(source)
            except (OSError, tarfile.TarError, PyrecipeError) as error:
                warn(f"shared state {source} of {self.pn} is not usable ({error}); building instead")
                # A damaged copy in SSTATE_DIR (ours, or one just downloaded) goes: it would fail again.
                for damaged in (local, local.with_name(local.name + ".sha256")):
                    damaged.unlink(missing_ok=True)
        return None

    def _download(self, url: str, local: Path) -> Path | None:
        """The mirror's archive, checked against its ``.sha256``, into SSTATE_DIR; None when the
        mirror does not have it."""
        try:
            with urllib.request.urlopen(url + ".sha256", timeout=_MIRROR_TIMEOUT) as answer:
                sha256 = answer.read().decode().strip()
        except (urllib.error.URLError, OSError):
            return None
        local.parent.mkdir(parents=True, exist_ok=True)
        fetch(url, local.parent, sha256, filename=local.name)
        atomic_write_text(local.with_name(local.name + ".sha256"), sha256 + "\n")
        return local

    def _unpack(self, path: Path) -> None:
        for output in self.outputs:
            if output.is_dir() and not output.is_symlink():
                shutil.rmtree(output)
            elif output.exists():
                output.unlink()
        self.workdir.mkdir(parents=True, exist_ok=True)
        with tarfile.open(path, "r:gz") as archive:
            # "tar": members stay inside WORKDIR, no device files; modes and links as stored.
            archive.extractall(self.workdir, filter="tar")


def _reset_owner(member: tarfile.TarInfo) -> tarfile.TarInfo:
    """Archives do not record who built them: files belong to root, as in the image."""
    member.uid = member.gid = 0
    member.uname = member.gname = "root"
    return member
