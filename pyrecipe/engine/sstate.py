"""Shared state: a recipe's build outputs kept under the signature of the task that made them.

As Yocto's sstate: once a recipe's do_package has run, what it and the tasks before it produced
(``${D}``, ``${PKGD}``, the package lists, the wheel do_compile built, do_test's script, the license files
the image's manifest reads, the SOURCE_DATE_EPOCH do_unpack found) is stored as one archive
named by do_package's signature in ``SSTATE_DIR`` (default ``${TOPDIR}/sstate-cache``; any path,
an NFS mount too). Signatures do not depend on where a build directory is
(:mod:`pyrecipe.engine.sigpaths`), so another build directory, on this machine or another, that
computes the same signature finds the archive (in its own ``SSTATE_DIR``, then in each of
``SSTATE_MIRRORS``: ``file://`` and ``http(s)://`` URLs, or bitbake's ``file://.* URL/PATH``
pairs), checks it against its recorded sha256, unpacks it and stamps fetch ... do_package as
done: those tasks do not run. The tasks after it (the wheel's deploy, staging into the sysroot,
the test under qemu) run as usual. Each archive has a ``.sha256`` beside it and a ``.siginfo``
(JSON: recipe, task, signature) saying what it is.

Layout: ``<SSTATE_DIR>/<first two hex digits>/sstate:<recipe>:<ARCHIVE_VERSION>:<signature>.tar.gz``; an archive
is written under a temporary name and renamed, so a reader never sees half of one, and a
directory served read-only by any web server is a mirror. ``pyrecipe sstate push URL`` copies
new archives to a server that takes HTTP PUT (WebDAV: nginx's dav module, Apache's mod_dav), and
``pyrecipe sstate prune`` removes those no build has used for a while.
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

from pyrecipe.errors import InputError, PyrecipeError
from pyrecipe.fsutil import atomic_write_text, file_sha256
from pyrecipe.outputs.licenses import license_path
from pyrecipe.parse import DataSmart
from pyrecipe.sources.fetch import fetch, parse_src_uri

#: The task whose signature names a recipe's archive: everything up to it is restored.
PRODUCER_TASK = "do_package"
#: What an archive holds, as OE's SSTATE_VERSION: in its name, and a new one whenever the list of
#: outputs changes, so that an archive lacking what a later task reads is never restored.
#: 2: with the file PYTHON_TEST_SCRIPT names.
ARCHIVE_VERSION = "2"
#: How long a mirror may take to answer whether it has an archive.
_MIRROR_TIMEOUT = 20


@dataclass(frozen=True)
class Restored:
    """Where an archive came from (a path or a URL)."""

    source: str


def archive_name(pn: str, signature: str) -> str:
    """The archive's path relative to SSTATE_DIR or a mirror."""
    return f"{signature[:2]}/sstate:{pn}:{ARCHIVE_VERSION}:{signature}.tar.gz"


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
        # What do_package and the tasks before it leave for later tasks, inside WORKDIR: the
        # trees, the test script do_test runs (unpacked from SRC_URI), and the license files of
        # the sources that the image's license manifest reads.
        outputs = [d.getVar(name) for name in ("D", "PKGD", "PKGMANIFESTDIR", "PEP517_WHEEL_PATH", "SDE_DIR",
                                               "PYTHON_TEST_SCRIPT")]
        outputs += [str(path) for path in _license_files(d)]
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
                os.utime(path)  # used now: `pyrecipe sstate prune` keeps what builds use
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


def _license_files(d: DataSmart) -> list[Path]:
    """The ``LIC_FILES_CHKSUM`` files (the image's license manifest reads them after a restore);
    an entry out of the recipe's sources is left out: the image step refuses it, naming the recipe."""
    files = []
    for entry in parse_src_uri(d.getVar("LIC_FILES_CHKSUM") or ""):
        try:
            files.append(license_path(entry.url, d, f"recipe {d.getVar('PN')}"))
        except InputError:
            continue
    return files


def _reset_owner(member: tarfile.TarInfo) -> tarfile.TarInfo:
    """Archives do not record who built them: files belong to root, as in the image."""
    member.uid = member.gid = 0
    member.uname = member.gname = "root"
    return member


@dataclass(frozen=True)
class Archive:
    """One archive of an SSTATE_DIR, with the files beside it."""

    path: Path

    @property
    def name(self) -> str:
        """Its path relative to the SSTATE_DIR (the same on a mirror)."""
        return f"{self.path.parent.name}/{self.path.name}"

    @property
    def sidecars(self) -> list[Path]:
        return [self.path.with_name(self.path.name + suffix) for suffix in (".siginfo", ".sha256")]


def archives(directory: Path) -> list[Archive]:
    """The complete archives of ``directory`` (with their ``.sha256``), oldest use first."""
    found = [Archive(path) for path in directory.glob("??/sstate:*.tar.gz") if path.with_name(path.name + ".sha256").is_file()]
    return sorted(found, key=lambda archive: archive.path.stat().st_mtime)


def prune(directory: Path, keep_days: float | None, max_bytes: int | None, now: float) -> list[Archive]:
    """Remove the archives no build used in ``keep_days`` days, then the least recently used until
    the rest take at most ``max_bytes``; also what an interrupted store left (``*.part`` an hour
    old, an archive without its ``.sha256``). Returns the archives removed."""
    removed = []
    kept = archives(directory)
    if keep_days is not None:
        removed += [archive for archive in kept if now - archive.path.stat().st_mtime > keep_days * 86400]
        kept = [archive for archive in kept if archive not in removed]
    if max_bytes is not None:
        sizes = {archive: archive.path.stat().st_size for archive in kept}
        total = sum(sizes.values())
        for archive in kept:
            if total <= max_bytes:
                break
            removed.append(archive)
            total -= sizes[archive]
    for archive in removed:
        for path in (archive.path, *archive.sidecars):
            path.unlink(missing_ok=True)
    for leftover in directory.glob("??/sstate:*.part"):
        if now - leftover.stat().st_mtime > 3600:
            leftover.unlink(missing_ok=True)
    for orphan in directory.glob("??/sstate:*.tar.gz"):
        if not orphan.with_name(orphan.name + ".sha256").exists():
            orphan.unlink(missing_ok=True)
    return removed


def push(directory: Path, url: str, timeout: float = 60) -> tuple[list[str], list[str]]:
    """PUT the archives of ``directory`` that the server at ``url`` lacks (it has an archive when
    it serves its ``.sha256``): the archive and its ``.siginfo`` first, the ``.sha256`` last, so a
    reader never finds a checksum without its archive. Returns (pushed, already there)."""
    pushed, present = [], []
    root = url.rstrip("/")
    for archive in archives(directory):
        checksum = f"{root}/{archive.name}.sha256"
        try:
            with urllib.request.urlopen(checksum, timeout=timeout):
                present.append(archive.name)
                continue
        except urllib.error.HTTPError as error:
            if error.code != 404:
                raise PyrecipeError(f"{checksum}: the server answered {error.code} {error.reason}") from None
        except urllib.error.URLError as error:
            raise PyrecipeError(f"cannot reach {root}: {error.reason}") from None
        for path in (archive.path, archive.sidecars[0], archive.sidecars[1]):
            _put(f"{root}/{archive.name[: -len(archive.path.name)]}{path.name}", path, timeout)
        pushed.append(archive.name)
    return pushed, present


def _put(url: str, path: Path, timeout: float) -> None:
    with path.open("rb") as stream:
        request = urllib.request.Request(url, data=stream, method="PUT",
                                         headers={"Content-Length": str(path.stat().st_size),
                                                  "Content-Type": "application/octet-stream"})
        try:
            with urllib.request.urlopen(request, timeout=timeout):
                pass
        except urllib.error.HTTPError as error:
            raise PyrecipeError(f"PUT {url}: the server answered {error.code} {error.reason} "
                                "(does it take PUT? nginx needs dav_methods PUT and create_full_put_path on)") from None
        except urllib.error.URLError as error:
            raise PyrecipeError(f"PUT {url}: {error.reason}") from None
