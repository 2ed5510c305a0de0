"""Shared state from a mirror is authenticated, and its archives stay inside the tree they restore
(issue 25, class 6): a mirror is a stranger's server."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from http_support import webdav_server
from parse_support import pyrecipe_cli
from reliability_support import add_recipe, pyrecipe_build, sha256, workdir, write_local_conf

# With a link to an absolute path of the board, as update-alternatives and systemd make them.
RECIPE = ('do_install() {\n\tinstall -d ${D}${datadir}/stash\n\techo built > ${D}${datadir}/stash/data\n'
          '\tln -s ${datadir}/stash/data ${D}${datadir}/stash/alternative\n}\n')
DATA = "image/usr/share/stash/data"


@pytest.fixture
def gnupg(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A throwaway gpg home with one signing key: (its path, the key's fingerprint)."""
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    gpg = ["gpg", "--batch", "--homedir", str(home)]
    subprocess.run([*gpg, "--passphrase", "", "--quick-gen-key", "sstate <sstate@example>", "ed25519", "sign", "never"],
                   check=True, capture_output=True)
    listing = subprocess.run([*gpg, "--with-colons", "--list-secret-keys"], check=True, capture_output=True, text=True)
    fingerprint = next(line.split(":")[9] for line in listing.stdout.splitlines() if line.startswith("fpr:"))
    yield home, fingerprint
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], check=False, capture_output=True)


def first_build(layer: Path, tmp_path: Path, sstate: Path, **conf: str) -> Path:
    """Build the recipe ``stash`` into ``sstate`` and return its one archive."""
    add_recipe(layer, "stash", RECIPE)
    build_dir = tmp_path / "first"
    write_local_conf(build_dir, SSTATE_DIR=str(sstate), **conf)
    result = pyrecipe_build(layer, build_dir, "stash")
    assert result.returncode == 0, result.stdout + result.stderr
    [archive] = sstate.glob("*/sstate:stash:*.tar.gz")
    return archive


def rewrite(archive: Path, change: dict[str, tarfile.TarInfo | bytes]) -> None:
    """Replace members of ``archive`` (a TarInfo: that member as it is, bytes: a file with that
    content) and recompute its ``.sha256``, as a mirror's owner (or intruder) can."""
    raw = io.BytesIO()
    with tarfile.open(archive) as old, tarfile.open(fileobj=raw, mode="w") as new:
        for member in old:
            replacement = change.get(member.name)
            if isinstance(replacement, tarfile.TarInfo):
                new.addfile(replacement)
            elif replacement is not None:
                member.size = len(replacement)
                new.addfile(member, io.BytesIO(replacement))
            else:
                new.addfile(member, old.extractfile(member) if member.isfile() else None)
    archive.write_bytes(gzip.compress(raw.getvalue()))
    archive.with_name(archive.name + ".sha256").write_text(sha256(archive) + "\n")


def second_build(layer: Path, tmp_path: Path, url: str, **conf: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    build_dir = tmp_path / "second"
    write_local_conf(build_dir, SSTATE_MIRRORS=url, **conf)
    return pyrecipe_build(layer, build_dir, "stash"), build_dir


def verifying(gnupg: tuple[Path, str]) -> dict[str, str]:
    return {"SSTATE_VERIFY_SIG": "1", "GPG_PATH": str(gnupg[0])}


def test_a_tampered_archive_with_a_recomputed_checksum_is_refused(layer: Path, tmp_path: Path,
                                                                    http_dir: tuple[Path, str],
                                                                    gnupg: tuple[Path, str]) -> None:
    """Escape: a mirror serving a modified archive with a recomputed .sha256 was restored."""
    served, url = http_dir
    archive = first_build(layer, tmp_path, served, SSTATE_SIG_KEY=gnupg[1], GPG_PATH=str(gnupg[0]))
    rewrite(archive, {DATA: b"planted by the mirror\n"})

    result, build_dir = second_build(layer, tmp_path, url, **verifying(gnupg))

    assert result.returncode == 0, result.stdout + result.stderr
    name = f"{archive.parent.name}/{archive.name}"
    assert f"WARNING: stash: shared state {url}/{name} of stash is not usable (its signature does not verify: " \
           in result.stdout + result.stderr, result.stdout + result.stderr
    assert (workdir(build_dir, "stash") / DATA).read_text() == "built\n"
    assert (workdir(build_dir, "stash") / "temp" / "log.do_install").exists()  # the task ran instead


def test_a_signed_archive_is_restored_under_verification(layer: Path, tmp_path: Path, http_dir: tuple[Path, str],
                                                         gnupg: tuple[Path, str]) -> None:
    """Signing: with SSTATE_SIG_KEY the build writes a detached .sig beside each archive, and a
    build verifying against the keyring (only this key: SSTATE_VALID_SIGS) restores it."""
    served, url = http_dir
    archive = first_build(layer, tmp_path, served, SSTATE_SIG_KEY=gnupg[1], GPG_PATH=str(gnupg[0]))
    assert archive.with_name(archive.name + ".sig").is_file()

    result, build_dir = second_build(layer, tmp_path, url, SSTATE_VALID_SIGS=gnupg[1], **verifying(gnupg))

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"NOTE: stash: do_fetch ... do_package restored from shared state {url}/" in result.stdout + result.stderr
    assert (workdir(build_dir, "stash") / DATA).read_text() == "built\n"
    assert not (workdir(build_dir, "stash") / "temp" / "log.do_install").exists()
    # A link to an absolute path inside ${D} means the board's path: restored as it was made.
    assert os.readlink(workdir(build_dir, "stash") / "image/usr/share/stash/alternative") == "/usr/share/stash/data"


def test_an_unsigned_archive_is_refused_under_verification(layer: Path, tmp_path: Path, http_dir: tuple[Path, str],
                                                           gnupg: tuple[Path, str]) -> None:
    """Escape: an archive without a signature (anyone can make one) was restored."""
    served, url = http_dir
    archive = first_build(layer, tmp_path, served)
    rewrite(archive, {DATA: b"planted by the mirror\n"})

    result, build_dir = second_build(layer, tmp_path, url, **verifying(gnupg))

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"of stash is not usable (no signature file {archive.name}.sig (SSTATE_VERIFY_SIG is 1)); building " \
           "instead" in result.stdout + result.stderr, result.stdout + result.stderr
    assert (workdir(build_dir, "stash") / DATA).read_text() == "built\n"


def test_a_signed_archive_served_under_another_signature_is_refused(layer: Path, tmp_path: Path,
                                                                     http_dir: tuple[Path, str],
                                                                     gnupg: tuple[Path, str]) -> None:
    """Escape: a signature covers an archive's bytes, not its name: a mirror serving an older
    signed archive of the recipe (the outputs before a fix) under the new signature's name had it
    restored, its signature good."""
    served, url = http_dir
    signing = {"SSTATE_SIG_KEY": gnupg[1], "GPG_PATH": str(gnupg[0])}
    old = first_build(layer, tmp_path, served, **signing)
    add_recipe(layer, "stash", RECIPE.replace("echo built", "echo fixed"))
    again = pyrecipe_build(layer, tmp_path / "first", "stash")
    assert again.returncode == 0, again.stdout + again.stderr
    [new] = [archive for archive in served.glob("*/sstate:stash:*.tar.gz") if archive != old]
    for suffix in ("", ".sig", ".sha256"):
        shutil.copyfile(f"{old}{suffix}", f"{new}{suffix}")

    result, build_dir = second_build(layer, tmp_path, url, **verifying(gnupg))

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{new.name} of stash is not usable (it holds the outputs of {{'recipe': 'stash', 'task': 'do_package', " \
           f"'signature': '{old.name.split(':')[-1].removesuffix('.tar.gz')}'}}, not of stash " \
           f"{new.name.split(':')[-1].removesuffix('.tar.gz')}); building instead" in result.stdout + result.stderr, \
        result.stdout + result.stderr
    assert (workdir(build_dir, "stash") / DATA).read_text() == "fixed\n"


SDE = "source-date-epoch/__source_date_epoch.txt"


@pytest.mark.parametrize("kind", ["absolute-symlink", "escaping-symlink", "hard-link"])
def test_an_archive_member_pointing_outside_is_refused(layer: Path, tmp_path: Path, http_dir: tuple[Path, str],
                                                       kind: str) -> None:
    """Escape: a member of a mirror's archive linking out of the work directory (a symbolic link
    to an absolute host path, or up through '..' from ${D}, a hard link to a host file) was
    restored, and later writes through it landed on the host. (Inside ${D} an absolute link is the
    board's path, as a build makes them: read from ${D}, it cannot leave it.)"""
    served, url = http_dir
    archive = first_build(layer, tmp_path, served)
    host = tmp_path / "host-file"
    host.write_text("host\n")
    member = SDE if kind == "absolute-symlink" else DATA
    link = tarfile.TarInfo(member)
    if kind == "hard-link":
        link.type, link.linkname = tarfile.LNKTYPE, str(host)
    else:
        link.type = tarfile.SYMTYPE
        link.linkname = str(host) if kind == "absolute-symlink" else "../" * 40 + str(host).lstrip("/")
    rewrite(archive, {member: link})

    result, build_dir = second_build(layer, tmp_path, url)

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{archive.name}: refusing to unpack member '{member}'" in result.stdout + result.stderr, \
        result.stdout + result.stderr
    restored = workdir(build_dir, "stash") / member
    assert not restored.is_symlink() and restored.read_text() != "host\n"
    assert (workdir(build_dir, "stash") / DATA).read_text() == "built\n"
    assert os.stat(host).st_nlink == 1 and host.read_text() == "host\n"


def test_push_uploads_the_signature(layer: Path, tmp_path: Path, gnupg: tuple[Path, str]) -> None:
    """Signing: `pyrecipe sstate push` publishes each archive's .sig with it (before its .sha256),
    so that the builds reading the server can verify what they restore."""
    archive = first_build(layer, tmp_path, tmp_path / "first" / "sstate-cache", SSTATE_SIG_KEY=gnupg[1],
                          GPG_PATH=str(gnupg[0]))
    with webdav_server(tmp_path / "dav") as (url, root):
        result = pyrecipe_cli("sstate", "push", url, "--build-dir", str(tmp_path / "first"))
        assert result.returncode == 0, result.stdout + result.stderr
        pushed = root / archive.parent.name / archive.name
        assert pushed.with_name(pushed.name + ".sig").read_bytes() == archive.with_name(archive.name + ".sig").read_bytes()
