"""Sources are data (issue 25, classes 4 and 7): what an sdist or a repository holds never runs a
program outside the sandbox, and an archive or a download cannot grow without bound."""

from __future__ import annotations

import http.server
import io
import os
import shutil
import subprocess
import tarfile
import threading
from pathlib import Path

import pytest

from pyrecipe.errors import BuildError
from pyrecipe.sources import pypi
from reliability_support import add_recipe, assert_clean_error, pyrecipe_build, workdir, write_local_conf

#: The commit time the hostile repositories' commits carry.
COMMIT_TIME = 1_234_567_890


def run_git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull,
               GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@b", GIT_COMMITTER_NAME="a", GIT_COMMITTER_EMAIL="a@b",
               GIT_AUTHOR_DATE=f"@{COMMIT_TIME} +0000", GIT_COMMITTER_DATE=f"@{COMMIT_TIME} +0000")
    return subprocess.run(["git", *args], cwd=repo, env=env, input=stdin, capture_output=True, check=True).stdout.decode()


def signed_looking_commit(repo: Path) -> str:
    """A commit with a ``gpgsig`` header (git hands any such commit to ``gpg.program`` to check)."""
    tree = run_git(repo, "write-tree").strip()
    body = (f"tree {tree}\nauthor a <a@b> {COMMIT_TIME} +0000\ncommitter a <a@b> {COMMIT_TIME} +0000\n"
            "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQ==\n -----END PGP SIGNATURE-----\n\nrelease\n")
    return run_git(repo, "hash-object", "-t", "commit", "-w", "--stdin", stdin=body.encode()).strip()


def hostile_sdist(path: Path, marker: Path) -> Path:
    """An sdist holding a ``.git`` whose config names its own script for every program git may
    run after a checkout (gpg for a signed commit, fsmonitor, pager, external diff, hooks)."""
    source = path.parent / "evil-1.0"
    source.mkdir(parents=True)
    (source / "evil.sh").write_text(f"#!/bin/sh\necho ran >> {marker}\n")
    (source / "evil.sh").chmod(0o755)
    run_git(source, "init", "-q")
    run_git(source, "add", "evil.sh")
    run_git(source, "update-ref", "HEAD", signed_looking_commit(source))
    script = "./evil.sh"  # git runs programs from the top of the tree
    for key, value in (("log.showSignature", "true"), ("gpg.program", script), ("gpg.ssh.program", script),
                       ("core.fsmonitor", script), ("core.pager", script), ("diff.external", script),
                       ("core.hooksPath", ".")):
        run_git(source, "config", key, value)
    for hook in ("post-checkout", "pre-commit", "post-index-change"):
        shutil.copy2(source / "evil.sh", source / hook)
    with tarfile.open(path, "w:gz") as tar:
        # Owned by whoever builds, so that git would not refuse the tree as someone else's.
        tar.add(source, arcname="evil-1.0", filter=lambda m: _owned_by_me(m))
    return path


def _owned_by_me(member: tarfile.TarInfo) -> tarfile.TarInfo:
    member.uid, member.gid = os.getuid(), os.getgid()
    return member


def test_an_sdists_git_config_runs_no_program(layer: Path, tmp_path: Path) -> None:
    """Escape: after do_unpack pyrecipe ran `git log` in ${S}, honouring the sdist's own
    .git/config: its gpg.program ran outside the sandbox (as root, with the network)."""
    marker = tmp_path / "ran-outside"
    files = layer / "recipes-reliability" / "evil" / "files"
    files.mkdir(parents=True)
    hostile_sdist(files / "evil-1.0.tar.gz", marker)
    add_recipe(layer, "evil", 'SRC_URI = "file://evil-1.0.tar.gz"\nS = "${UNPACKDIR}/evil-1.0"\n'
                              'do_install() {\n\tinstall -d ${D}${datadir}\n}\n')
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "evil")

    assert result.returncode == 0, result.stdout + result.stderr
    assert not marker.exists(), marker.read_text()
    # The commit is still read, as data: its time is the recipe's SOURCE_DATE_EPOCH.
    sde = workdir(build_dir, "evil") / "source-date-epoch" / "__source_date_epoch.txt"
    assert sde.read_text().strip() == str(COMMIT_TIME)


def test_a_submodule_url_cannot_be_a_git_option(layer: Path, tmp_path: Path) -> None:
    """Escape: a gitsm:// repository whose .gitmodules names the URL "--upload-pack=COMMAND":
    pyrecipe passed it to `git fetch`, which read it as an option and ran COMMAND on the host."""
    marker = tmp_path / "ran-outside"
    repo = tmp_path / "super"
    repo.mkdir()
    run_git(repo, "init", "-q", "-b", "master")
    (repo / ".gitmodules").write_text(f'[submodule "x"]\n\tpath = x\n\turl = --upload-pack=touch {marker}\n')
    run_git(repo, "add", ".gitmodules")
    run_git(repo, "update-index", "--add", "--cacheinfo", f"160000,{'1' * 40},x")
    run_git(repo, "commit", "-q", "-m", "submodule")
    revision = run_git(repo, "rev-parse", "HEAD").strip()
    add_recipe(layer, "subby", f'SRC_URI = "gitsm://{repo};protocol=file;branch=master"\nSRCREV = "{revision}"\n')

    result = pyrecipe_build(layer, tmp_path / "build", "subby")

    assert not marker.exists()
    assert_clean_error(result, 1)
    assert f"submodule URL '--upload-pack=touch {marker}' is not a repository URL" in result.stderr, result.stderr


def make_tar(path: Path, members: list[tarfile.TarInfo]) -> Path:
    """A .tar.gz of empty members (files and directories as given)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as tar:
        for member in members:
            tar.addfile(member, io.BytesIO(b"") if member.isfile() else None)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw.getvalue())
    return path


def test_an_archive_of_too_many_members_is_refused(layer: Path, tmp_path: Path) -> None:
    """Limit: a 1.2 MB tarball of 200,000 empty files unpacked whole (no member limit)."""
    files = layer / "recipes-reliability" / "many" / "files"
    members = [tarfile.TarInfo(f"many-1.0/{number}") for number in range(200_000)]
    archive = make_tar(files / "many-1.0.tar.gz", members)
    add_recipe(layer, "many", 'SRC_URI = "file://many-1.0.tar.gz"\n')
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "many")

    assert_clean_error(result, 1)
    assert f"recipe many: task do_unpack failed: {archive}: refusing to unpack: it holds more than 100000 members " \
           "(UNPACK_MAX_MEMBERS; raise it in conf/local.conf, for one recipe as UNPACK_MAX_MEMBERS:pn-<recipe>" in result.stderr, result.stderr
    assert not (workdir(build_dir, "many") / "sources").exists()


def test_a_member_thousands_of_directories_deep_is_a_clear_error(layer: Path, tmp_path: Path) -> None:
    """Limit: a member 3,000 directories deep ended the build in a RecursionError."""
    files = layer / "recipes-reliability" / "deep" / "files"
    deep = tarfile.TarInfo("deep-1.0/" + "d/" * 3000 + "file")
    archive = make_tar(files / "deep-1.0.tar.gz", [deep])
    add_recipe(layer, "deep", 'SRC_URI = "file://deep-1.0.tar.gz"\n')

    result = pyrecipe_build(layer, tmp_path / "build", "deep")

    assert_clean_error(result, 1)
    assert f"recipe deep: task do_unpack failed: {archive}: refusing to unpack member 'deep-1.0/d/d/" in result.stderr
    assert "it lies 3002 directories deep (at most 256)" in result.stderr, result.stderr
    assert "RecursionError" not in result.stdout + result.stderr


class _EndlessHandler(http.server.BaseHTTPRequestHandler):
    """An answer without a length whose body never ends (until the client goes)."""

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        self.send_response(200)
        self.end_headers()
        try:
            while True:
                self.wfile.write(bytes(1 << 16))
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def test_an_endless_download_stops_at_the_cap(layer: Path, tmp_path: Path) -> None:
    """Limit: a server sending an endless body without a Content-Length filled DL_DIR until the
    one-hour deadline."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EndlessHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/endless-1.0.tar.gz"
    add_recipe(layer, "endless", f'SRC_URI = "{url}"\nSRC_URI[sha256sum] = "{"0" * 64}"\n')
    build_dir = tmp_path / "build"
    write_local_conf(build_dir, FETCH_MAX_SIZE="1M", FETCH_DEADLINE="5")
    try:
        result = pyrecipe_build(layer, build_dir, "endless")
    finally:
        server.shutdown()
        server.server_close()

    assert_clean_error(result, 1)
    assert f"recipe endless: task do_fetch failed: download of {url} stopped after 1048576 bytes: the server did " \
           "not say how large it is and it went on past FETCH_MAX_SIZE" in result.stderr, result.stderr
    downloads = [path for path in (build_dir / "downloads").rglob("*") if path.is_file()] \
        if (build_dir / "downloads").exists() else []
    assert sum(path.stat().st_size for path in downloads) < 2 << 20


def test_an_endless_index_page_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Limit: an index answering a project's page with an endless body was read into memory whole."""
    monkeypatch.setattr(pypi, "INDEX_MAX_BYTES", 1 << 20)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EndlessHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    index = f"http://127.0.0.1:{server.server_address[1]}/simple"
    try:
        with pytest.raises(BuildError, match=rf"the PyPI simple index {index}/endless/ sent more than 1048576 bytes"):
            pypi.project_files("endless", index=index)
    finally:
        server.shutdown()
        server.server_close()
