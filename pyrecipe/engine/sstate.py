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
(JSON: recipe, task, signature) saying what it is, and with ``SSTATE_SIG_KEY`` a gpg signature
``.sig`` that ``SSTATE_VERIFY_SIG`` requires before a restore (:mod:`pyrecipe.engine.sstatesign`).
An archive is unpacked as a source archive is (:func:`pyrecipe.sources.unpack.unpack`: no member
outside the tree, no link out of it, the recipe's UNPACK_MAX_* limits) beside the outputs, and
only the outputs are moved into place.

Layout: ``<SSTATE_DIR>/<first two hex digits>/sstate:<recipe>:<ARCHIVE_VERSION>:<signature>.tar.gz``; an archive
is written under a temporary name and renamed, so a reader never sees half of one, and a
directory served read-only by any web server is a mirror. ``pyrecipe sstate push URL`` copies
new archives to a server that takes HTTP PUT (WebDAV: nginx's dav module, Apache's mod_dav), and
``pyrecipe sstate prune`` removes those no build has used for a while.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.engine.sstatesign import Signer, signature_path
from pyrecipe.errors import InputError, PyrecipeError
from pyrecipe.fsutil import atomic_write_text, file_sha256, writing_file
from pyrecipe.outputs.licenses import license_path
from pyrecipe.parse import DataSmart
from pyrecipe.sources.fetch import fetch, parse_src_uri
from pyrecipe.sources.unpack import UnpackLimits, check_tar_member, unpack

#: The task whose signature names a recipe's archive: everything up to it is restored.
PRODUCER_TASK = "do_package"
#: What an archive holds, as OE's SSTATE_VERSION: in its name, and a new one whenever the list of
#: outputs changes, so that an archive lacking what a later task reads is never restored.
#: 2: with the file PYTHON_TEST_SCRIPT names. 3: with SIGINFO_MEMBER.
ARCHIVE_VERSION = "3"
#: The member that says whose outputs an archive holds (the ``.siginfo``'s JSON): a signature
#: covers the archive's bytes, not its name, so a signed archive of another recipe or of an older
#: signature, served under this one's name, would verify; with this inside it is refused.
SIGINFO_MEMBER = ".sstate-siginfo.json"
#: How long a mirror may take to answer whether it has an archive.
_MIRROR_TIMEOUT = 20
#: The most a mirror's ``.sha256`` or ``.sig`` may hold (a checksum line; a signature is a few hundred bytes).
_SIDECAR_MAX_BYTES = 64 << 10
#: Where in WORKDIR an archive is unpacked before its outputs are moved into place.
_RESTORE_AREA = ".sstate-restore"


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
        # ${D} and ${PKGD} are the board's root: their links may point to absolute paths in them.
        trees = [Path(d.getVar(name)) for name in ("D", "PKGD") if d.getVar(name)]
        self.roots = tuple(str(tree.relative_to(self.workdir)) for tree in trees if tree.is_relative_to(self.workdir))
        self.signer = Signer.from_variables(d.getVar)
        self.limits = UnpackLimits.from_variables(d.getVar, self.pn)

    def store(self, signature: str) -> None:
        """Archive the outputs under ``signature`` unless SSTATE_DIR has them already."""
        target = self.directory / archive_name(self.pn, signature)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
        os.close(fd)
        siginfo = (json.dumps(self._siginfo(signature), indent=1) + "\n").encode()

        def checked(member: tarfile.TarInfo) -> tarfile.TarInfo:
            check_tar_member(target, member, self.roots)  # a tree a restore would refuse is not archived
            return _reset_owner(member)

        try:
            with tarfile.open(temp, "w:gz") as archive:
                for output in self.outputs:
                    if output.exists():
                        archive.add(output, arcname=str(output.relative_to(self.workdir)), filter=checked)
                member = tarfile.TarInfo(SIGINFO_MEMBER)
                member.size, member.mode = len(siginfo), 0o644
                archive.addfile(_reset_owner(member), io.BytesIO(siginfo))
            if self.signer.key:
                with writing_file(signature_path(target)) as partial:
                    self.signer.sign(Path(temp), partial)
            sha256 = file_sha256(temp)
            atomic_write_text(target.with_name(target.name + ".sha256"), sha256 + "\n")
            atomic_write_text(target.with_name(target.name + ".siginfo"), siginfo.decode())
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
                if self.signer.verify:
                    problem = self.signer.problem(path, signature_path(path))
                    if problem:
                        raise PyrecipeError(problem)
                self._unpack(path, signature)
                os.utime(path)  # used now: `pyrecipe sstate prune` keeps what builds use
                return Restored(source)
            except (OSError, tarfile.TarError, PyrecipeError) as error:
                warn(f"shared state {source} of {self.pn} is not usable ({error}); building instead")
                # A damaged or unsigned copy in SSTATE_DIR (ours, or one just downloaded) goes: it would fail again.
                for damaged in (local, *Archive(local).sidecars):
                    damaged.unlink(missing_ok=True)
        return None

    def _download(self, url: str, local: Path) -> Path | None:
        """The mirror's archive, checked against its ``.sha256``, into SSTATE_DIR; None when the
        mirror does not have it."""
        sha256 = _small_download(url + ".sha256")
        if sha256 is None:
            return None
        local.parent.mkdir(parents=True, exist_ok=True)
        fetch(url, local.parent, sha256.decode(errors="replace").strip(), filename=local.name)
        if self.signer.verify:
            signature = _small_download(url + ".sig")
            if signature is not None:  # none: the archive is refused as unsigned
                with writing_file(signature_path(local)) as partial:
                    partial.write_bytes(signature)
        atomic_write_text(local.with_name(local.name + ".sha256"), sha256.decode(errors="replace").strip() + "\n")
        return local

    def _siginfo(self, signature: str) -> dict[str, str]:
        return {"recipe": self.pn, "task": PRODUCER_TASK, "signature": signature}

    def _unpack(self, path: Path, signature: str) -> None:
        """The archive's outputs in place of WORKDIR's: unpacked (and checked) beside them first,
        so that a refused archive changes nothing, and nothing but the outputs is taken from it."""
        area = self.workdir / _RESTORE_AREA
        self.workdir.mkdir(parents=True, exist_ok=True)
        try:
            unpack(path, area, self.limits, self.roots)
            said = area / SIGINFO_MEMBER
            try:
                found = json.loads(said.read_text()) if said.is_file() and not said.is_symlink() else None
            except (OSError, ValueError):
                found = None
            if found != self._siginfo(signature):
                raise PyrecipeError(f"it holds the outputs of {found or 'nothing it names'}, not of {self.pn} {signature}")
            for output in self.outputs:
                if output.is_dir() and not output.is_symlink():
                    shutil.rmtree(output)
                elif output.exists() or output.is_symlink():
                    output.unlink()
                restored = area / output.relative_to(self.workdir)
                if restored.exists() or restored.is_symlink():
                    output.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(restored, output)
        finally:
            shutil.rmtree(area, ignore_errors=True)


def _small_download(url: str) -> bytes | None:
    """The body of a mirror's small file (a checksum, a signature), or None when the mirror does not
    serve it; one larger than _SIDECAR_MAX_BYTES is none of those and counts as not served."""
    import urllib.request  # with http.client and email: tens of ms a no-op build does not need

    try:
        with urllib.request.urlopen(url, timeout=_MIRROR_TIMEOUT) as answer:
            body: bytes = answer.read(_SIDECAR_MAX_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return body if len(body) <= _SIDECAR_MAX_BYTES else None


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
        """The files beside it, the ``.sha256`` last (it says the archive is complete)."""
        return [self.path.with_name(self.path.name + suffix) for suffix in (".siginfo", ".sig", ".sha256")]


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
    it serves its ``.sha256``): the archive, its ``.siginfo`` and its ``.sig`` first, the ``.sha256``
    last, so a reader never finds a checksum without its archive. Returns (pushed, already there)."""
    import urllib.request  # with http.client and email: tens of ms a no-op build does not need

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
        for path in (archive.path, *[sidecar for sidecar in archive.sidecars if sidecar.exists()]):
            _put(f"{root}/{archive.name[: -len(archive.path.name)]}{path.name}", path, timeout)
        pushed.append(archive.name)
    return pushed, present


def _put(url: str, path: Path, timeout: float) -> None:
    import urllib.request  # with http.client and email: tens of ms a no-op build does not need

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
