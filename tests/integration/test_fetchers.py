"""bitbake's git://, gitsm:// and crate:// fetchers, and the error for the schemes pyrecipe lacks.

Offline and real: the repositories are real git repositories made in the test's directory (with
commits, branches, tags and submodules), fetched with ``protocol=file``; the crate is a real
``.crate`` made from a tiny Rust crate, served from a local premirror (crates.io is not reachable
from the test machines) and, when a cargo is installed, vendored and built by cargo offline.
The builds run through ``pyrecipe build`` on the fixture layer's build-machine board.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from http_support import serve_directory
from pyrecipe.config.configuration import DEFAULT_DISTRO
from pyrecipe.config.paths import TOPDIR
from pyrecipe.errors import BuildError, InputError
from pyrecipe.sources.fetch import check_scheme, crate_download_url, mirror_urls, parse_src_uri_entry
from pyrecipe.sources.git import (
    checkout_git,
    fetch_git,
    fetch_submodules,
    parse_git_url,
    resolve_srcrev,
)

LAYER = Path(__file__).parents[1] / "fixtures" / "fetchers_layer"
MACHINE = "runnerboard"


# ---------------------------------------------------------------- helpers

def run_git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", "-c", "protocol.file.allow=always", *args], cwd=repo, env=env, check=True,
                          capture_output=True, text=True).stdout.strip()


def commit(repo: Path, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    run_git(repo, "add", "-A")
    run_git(repo, "commit", "-q", "-m", message)
    return run_git(repo, "rev-parse", "HEAD")


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True)
    run_git(path, "init", "-q", "-b", "main")
    return path


class Upstream:
    """A repository with main (three commits, tag v2 on the second) and a side branch."""

    def __init__(self, root: Path) -> None:
        self.path = new_repo(root / "upstream")
        self.first = commit(self.path, {"version.txt": "1\n", "sub/dir/file.txt": "in a subpath\n"}, "one")
        self.second = commit(self.path, {"version.txt": "2\n"}, "two")
        run_git(self.path, "tag", "v2")
        self.third = commit(self.path, {"version.txt": "3\n"}, "three")
        run_git(self.path, "checkout", "-q", "-b", "side", self.first)
        self.side = commit(self.path, {"version.txt": "side\n"}, "side")
        run_git(self.path, "checkout", "-q", "main")

    def entry(self, extra: str = ";branch=main") -> tuple[str, dict[str, str]]:
        parsed = parse_src_uri_entry(f"git://{self.path};protocol=file{extra}")
        return parsed.url, dict(parsed.params)


def notes() -> tuple[list[str], object]:
    seen: list[str] = []
    return seen, seen.append


def build(build_dir: Path, *args: str, **conf: str) -> subprocess.CompletedProcess[str]:
    local = build_dir / "conf" / "local.conf"
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_text("".join(f'{name} = "{value}"\n' for name, value in conf.items()))
    command = [sys.executable, "-m", "pyrecipe", "build", *args, "--layer", str(LAYER), "--machine", MACHINE,
               "--build-dir", str(build_dir)]
    return subprocess.run(command, capture_output=True, text=True, cwd=TOPDIR, timeout=300,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})


def image(build_dir: Path) -> Path:
    return build_dir / DEFAULT_DISTRO / MACHINE / "image" / "usr" / "share"


def assert_clean_error(result: subprocess.CompletedProcess[str], code: int) -> None:
    assert result.returncode == code, result.stdout + result.stderr
    assert not re.search(r"^Traceback|internal error", result.stderr, re.MULTILINE), result.stderr


# ---------------------------------------------------------------- URL and SRCREV rules

def test_git_url_protocols_branch_and_names() -> None:
    source = parse_git_url("git://github.com/ijl/orjson", {"protocol": "https", "branch": "master"})
    assert source.repo_url == "https://github.com/ijl/orjson"
    assert source.mirror_name == "github.com.ijl.orjson"  # bitbake's DL_DIR/git2 name
    assert parse_git_url("git://example.org/x.git", {"branch": "b"}).repo_url == "git://example.org/x.git"
    assert parse_git_url("git:///srv/x", {"nobranch": "1"}).repo_url == "/srv/x"  # no host: file
    with pytest.raises(InputError, match="branch=NAME .* or ;nobranch=1"):
        parse_git_url("git://example.org/x.git", {})
    with pytest.raises(InputError, match="protocol='svn' is not a git protocol"):
        parse_git_url("git://example.org/x.git", {"protocol": "svn", "branch": "b"})
    assert parse_git_url("git://h/p", {"branch": "b"}).destsuffix("git") == "git"
    assert parse_git_url("git://h/p", {"branch": "b", "subpath": "a/b/"}).destsuffix("x") == "b"
    assert parse_git_url("git://h/p", {"branch": "b", "subdir": "s"}).destsuffix("x") == ""
    assert parse_git_url("git://h/p", {"branch": "b", "destsuffix": "d"}).destsuffix("x") == "d"


def test_srcrev_must_be_a_pinned_full_hash() -> None:
    plain = parse_git_url("git://h/p", {"branch": "main"})
    named = parse_git_url("git://h/p", {"branch": "main", "name": "lib"})
    rev = "a" * 40
    assert resolve_srcrev(plain, {"SRCREV": rev}.get) == rev
    assert resolve_srcrev(named, {"SRCREV_lib": rev, "SRCREV": "INVALID"}.get) == rev
    with pytest.raises(InputError, match=r"no SRCREV for git://h/p: set SRCREV_default or SRCREV"):
        resolve_srcrev(plain, {"SRCREV": "INVALID"}.get)
    with pytest.raises(InputError, match=r"is \$\{AUTOREV\}: pyrecipe builds only pinned revisions"):
        resolve_srcrev(plain, {"SRCREV": "AUTOINC"}.get)
    with pytest.raises(InputError, match="'main', not a full commit hash"):
        resolve_srcrev(plain, {"SRCREV": "main"}.get)
    with pytest.raises(InputError, match="tag=v1 alone is not pinned"):
        resolve_srcrev(parse_git_url("git://h/p", {"branch": "main", "tag": "v1"}), {}.get)
    with pytest.raises(InputError, match="disagree"):
        resolve_srcrev(parse_git_url("git://h/p", {"branch": "main", "rev": "b" * 40}), {"SRCREV": rev}.get)
    assert resolve_srcrev(parse_git_url("git://h/p", {"branch": "main", "rev": rev}), {}.get) == rev


def test_unsupported_schemes_are_named() -> None:
    for url in ("svn://svn.example.org/repo", "hg://hg.example.org/r", "npm://registry.npmjs.org;package=x"):
        with pytest.raises(InputError, match=rf"unsupported URL scheme '{url.split(':')[0]}' in SRC_URI entry"):
            check_scheme(url)
    for url in ("git://h/p", "gitsm://h/p", "crate://crates.io/a/1", "https://h/f", "file://x"):
        check_scheme(url)


def test_crate_url_names_file_checksum_and_download() -> None:
    entry = parse_src_uri_entry("crate://crates.io/cfg-if/1.0.4", {"cfg-if-1.0.4.sha256sum": "A" * 64})
    assert entry.filename == "cfg-if-1.0.4.crate" and entry.name == "cfg-if-1.0.4"
    assert entry.sha256 == "a" * 64 and entry.is_remote and entry.is_crate
    assert entry.download_url == "https://static.crates.io/crates/cfg-if/cfg-if-1.0.4.crate"
    assert crate_download_url("crate://my.registry/api/foo/2.0", {}) == "https://my.registry/api/foo/2.0/download"
    with pytest.raises(InputError, match="crate://HOST/NAME/VERSION"):
        parse_src_uri_entry("crate://crates.io/onlyname")
    assert mirror_urls("crate://crates.io/cfg-if/1.0.4", "cfg-if-1.0.4.crate",
                       "https://.*/.* http://elsewhere/ \\n crate://.*/.* file:///srv/crates/ \\n") == [
        "file:///srv/crates/cfg-if-1.0.4.crate"]


# ---------------------------------------------------------------- git: mirror and checkout

def test_fetch_and_checkout_exactly_srcrev(tmp_path: Path) -> None:
    up = Upstream(tmp_path)
    url, params = up.entry()
    source = parse_git_url(url, params)
    dl_dir = tmp_path / "downloads"
    seen, note = notes()
    mirror = fetch_git(source, up.second, dl_dir, note)
    assert mirror == dl_dir / "git2" / source.mirror_name
    assert run_git(mirror, "rev-parse", "--is-bare-repository") == "true"
    dest = tmp_path / "work" / "git"
    checkout_git(source, up.second, dl_dir, dest, note)
    assert (dest / "version.txt").read_text() == "2\n"  # not the branch's tip
    assert run_git(dest, "rev-parse", "HEAD") == up.second
    assert run_git(dest, "rev-parse", "--abbrev-ref", "HEAD") == "main"
    assert run_git(dest, "remote", "get-url", "origin") == str(up.path)
    assert run_git(dest, "status", "--porcelain") == ""

    # Fetched once: the mirror serves without the upstream (no network for a pinned commit).
    shutil.rmtree(up.path)
    seen.clear()
    fetch_git(source, up.second, dl_dir, note)
    assert any("already in" in line for line in seen), seen


def test_a_new_commit_is_fetched_into_the_existing_mirror(tmp_path: Path) -> None:
    up = Upstream(tmp_path)
    source = parse_git_url(*up.entry())
    dl_dir = tmp_path / "downloads"
    fetch_git(source, up.first, dl_dir, print)
    newer = commit(up.path, {"version.txt": "4\n"}, "four")
    fetch_git(source, newer, dl_dir, print)
    dest = tmp_path / "co"
    checkout_git(source, newer, dl_dir, dest, print)
    assert (dest / "version.txt").read_text() == "4\n"


def test_srcrev_off_the_branch_missing_or_mistagged_is_an_input_error(tmp_path: Path) -> None:
    up = Upstream(tmp_path)
    dl_dir = tmp_path / "downloads"
    with pytest.raises(InputError, match=f"SRCREV {up.side} is not on branch 'main' of git://"):
        fetch_git(parse_git_url(*up.entry()), up.side, dl_dir, print)
    # nobranch=1: any commit of the repository.
    fetch_git(parse_git_url(*up.entry(";nobranch=1")), up.side, dl_dir, print)
    with pytest.raises(InputError, match="there is no branch 'gone'"):
        fetch_git(parse_git_url(*up.entry(";branch=gone")), up.first, dl_dir, print)
    with pytest.raises(InputError, match="is not a commit of"):
        fetch_git(parse_git_url(*up.entry()), "0" * 40, dl_dir, print)
    fetch_git(parse_git_url(*up.entry(";branch=main;tag=v2")), up.second, dl_dir, print)
    with pytest.raises(InputError, match=f"tag 'v2' is commit {up.second}, not SRCREV {up.third}"):
        fetch_git(parse_git_url(*up.entry(";branch=main;tag=v2")), up.third, dl_dir, print)


def test_interrupted_first_fetch_is_never_taken_for_a_mirror(tmp_path: Path) -> None:
    up = Upstream(tmp_path)
    source = parse_git_url(*up.entry())
    dl_dir = tmp_path / "downloads"
    git2 = dl_dir / "git2"
    # What a killed first fetch leaves: a temporary directory, and no mirror under the real name.
    leftover = git2 / f".{source.mirror_name}.part-abc123"
    leftover.mkdir(parents=True)
    (leftover / "HEAD").write_text("garbage")
    # And a directory under the real name that is no repository at all.
    (git2 / source.mirror_name).mkdir()
    seen, note = notes()
    mirror = fetch_git(source, up.third, dl_dir, note)
    assert not leftover.exists()
    assert any("is not a git repository" in line for line in seen)
    assert run_git(mirror, "cat-file", "-t", up.third) == "commit"
    assert sorted(path.name for path in git2.iterdir()) == [source.mirror_name, source.mirror_name + ".lock"]


def test_nocheckout_leaves_the_clone_without_files(tmp_path: Path) -> None:
    up = Upstream(tmp_path)
    source = parse_git_url(*up.entry(";branch=main;nocheckout=1"))
    fetch_git(source, up.second, tmp_path / "downloads", print)
    dest = tmp_path / "co"
    checkout_git(source, up.second, tmp_path / "downloads", dest, print)
    assert [p.name for p in dest.iterdir()] == [".git"]
    assert run_git(dest, "cat-file", "-t", up.second) == "commit"
    bare = parse_git_url(*up.entry(";branch=main;bareclone=1"))
    checkout_git(bare, up.second, tmp_path / "downloads", tmp_path / "bare", print)
    assert run_git(tmp_path / "bare", "rev-parse", "--is-bare-repository") == "true"


def test_subpath_checks_out_one_directory(tmp_path: Path) -> None:
    up = Upstream(tmp_path)
    source = parse_git_url(*up.entry(";branch=main;subpath=sub/dir"))
    dl_dir = tmp_path / "downloads"
    fetch_git(source, up.second, dl_dir, print)
    dest = tmp_path / "unpack" / source.destsuffix("git")
    checkout_git(source, up.second, dl_dir, dest, print)
    assert dest.name == "dir"
    assert sorted(p.name for p in dest.iterdir() if p.name != ".git") == ["file.txt"]


def test_shallow_fetch_takes_only_the_commit_and_still_checks_the_branch(tmp_path: Path) -> None:
    up = Upstream(tmp_path)
    source = parse_git_url(*up.entry())
    dl_dir = tmp_path / "downloads"
    mirror = fetch_git(source, up.second, dl_dir, print, shallow_depth=1)
    assert (mirror / "shallow").is_file()
    assert run_git(mirror, "cat-file", "-e", up.second) == ""
    assert subprocess.run(["git", "cat-file", "-e", up.first], cwd=mirror).returncode != 0  # history not fetched
    dest = tmp_path / "co"
    checkout_git(source, up.second, dl_dir, dest, print)
    assert (dest / "version.txt").read_text() == "2\n"
    with pytest.raises(InputError, match="is not on branch 'main'"):
        fetch_git(source, up.side, tmp_path / "other-downloads", print, shallow_depth=1)


@pytest.fixture
def http_root(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A directory served over HTTP on localhost (git's "dumb" HTTP protocol needs no more)."""
    root = tmp_path / "served"
    root.mkdir()
    with serve_directory(root) as url:
        yield root, url.removeprefix("http://")


def test_protocol_http_fetches_the_whole_repository_when_a_commit_cannot_be_asked_for(
    tmp_path: Path, http_root: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    up = Upstream(tmp_path)
    served, host = http_root
    bare = served / "project.git"
    run_git(tmp_path, "clone", "-q", "--bare", str(up.path), str(bare))
    run_git(bare, "update-server-info")
    source = parse_git_url(f"git://{host}/project.git", {"protocol": "http", "branch": "main"})
    assert source.repo_url == f"http://{host}/project.git"
    dl_dir = tmp_path / "downloads"
    seen, note = notes()
    # Dumb HTTP serves no commit by hash: a shallow fetch falls back to the whole repository.
    fetch_git(source, up.second, dl_dir, note, shallow_depth=1)
    assert any("fetching the whole repository" in line for line in seen), seen
    dest = tmp_path / "co"
    checkout_git(source, up.second, dl_dir, dest, note)
    assert (dest / "version.txt").read_text() == "2\n"
    assert run_git(dest, "remote", "get-url", "origin") == f"http://{host}/project.git"


def make_superproject(root: Path) -> tuple[Path, str]:
    """super (main) with submodule lib (relative URL ../lib), which has submodule inner."""
    inner = new_repo(root / "inner")
    commit(inner, {"inner.txt": "inner old\n"}, "inner one")
    inner_pinned = commit(inner, {"inner.txt": "inner\n"}, "inner two")
    commit(inner, {"inner.txt": "inner later\n"}, "inner three")  # not the recorded commit
    lib = new_repo(root / "lib")
    commit(lib, {"lib.txt": "lib\n"}, "lib one")
    run_git(lib, "submodule", "add", "-q", str(inner), "inner")
    run_git(lib / "inner", "checkout", "-q", inner_pinned)
    run_git(lib, "add", "inner")
    commit(lib, {}, "lib with inner")
    sup = new_repo(root / "super")
    commit(sup, {"top.txt": "top\n"}, "top")
    run_git(sup, "submodule", "add", "-q", "../lib", "lib")
    return sup, commit(sup, {}, "with lib")


def test_gitsm_fetches_and_checks_out_submodules_recursively(tmp_path: Path) -> None:
    sup, rev = make_superproject(tmp_path)
    source = parse_git_url(f"gitsm://{sup}", {"protocol": "file", "branch": "main"})
    dl_dir = tmp_path / "downloads"
    seen, note = notes()
    mirror = fetch_git(source, rev, dl_dir, note)
    fetch_submodules(mirror, rev, source, dl_dir, note)
    assert sorted(p.name for p in (dl_dir / "git2").iterdir() if not p.name.endswith(".lock")) == sorted(
        parse_git_url(f"git://{tmp_path / name}", {"nobranch": "1"}).mirror_name for name in ("inner", "lib", "super"))
    for name in ("inner", "lib", "super"):
        shutil.rmtree(tmp_path / name)  # unpacking is offline: from the mirrors alone
    dest = tmp_path / "co"
    checkout_git(source, rev, dl_dir, dest, note)
    assert (dest / "top.txt").read_text() == "top\n"
    assert (dest / "lib" / "lib.txt").read_text() == "lib\n"
    assert (dest / "lib" / "inner" / "inner.txt").read_text() == "inner\n"
    status = run_git(dest, "submodule", "status", "--recursive")
    assert not re.search(r"^[-+U]", status, re.MULTILINE), status


# ---------------------------------------------------------------- through pyrecipe build

def test_build_a_git_recipe_and_srcpv(tmp_path: Path) -> None:
    up = Upstream(tmp_path)
    build_dir = tmp_path / "build"
    result = build(build_dir, "gitsrc", FETCHERS_GIT_REPO=str(up.path), FETCHERS_GIT_SRCREV=up.second)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (image(build_dir) / "gitsrc" / "version.txt").read_text() == "2\n"
    assert (image(build_dir) / "gitsrc" / "pv.txt").read_text() == f"1.0+git{up.second[:10]}\n"
    assert (build_dir / "downloads" / "git2").is_dir()


@pytest.mark.parametrize("srcrev, message", [
    ("${AUTOREV}", r"is \$\{AUTOREV\}: pyrecipe builds only pinned revisions"),
    ("INVALID", "no SRCREV for git://"),
    ("main", "not a full commit hash"),
])
def test_an_unpinned_git_recipe_is_an_input_error(tmp_path: Path, srcrev: str, message: str) -> None:
    up = Upstream(tmp_path)
    result = build(tmp_path / "build", "gitsrc", FETCHERS_GIT_REPO=str(up.path), FETCHERS_GIT_SRCREV=srcrev)
    assert_clean_error(result, 2)
    assert re.search(message, result.stderr), result.stderr
    assert not (tmp_path / "build" / "downloads" / "git2").exists()


def test_a_commit_off_the_branch_stops_the_build(tmp_path: Path) -> None:
    up = Upstream(tmp_path)
    result = build(tmp_path / "build", "gitsrc", FETCHERS_GIT_REPO=str(up.path), FETCHERS_GIT_SRCREV=up.side)
    assert_clean_error(result, 1)  # found by do_fetch, like a checksum mismatch
    assert "task do_fetch failed" in result.stderr
    assert f"SRCREV {up.side} is not on branch 'main'" in result.stderr


def test_build_a_gitsm_recipe(tmp_path: Path) -> None:
    sup, rev = make_superproject(tmp_path)
    build_dir = tmp_path / "build"
    result = build(build_dir, "gitsm", FETCHERS_SUPER_REPO=str(sup), FETCHERS_SUPER_SRCREV=rev)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (image(build_dir) / "gitsm" / "all.txt").read_text() == "top\nlib\ninner\n"


def test_unsupported_scheme_names_it(tmp_path: Path) -> None:
    result = build(tmp_path / "build", "unsupported")
    assert_clean_error(result, 2)
    assert "unsupported URL scheme 'svn' in SRC_URI entry svn://svn.example.org/repo" in result.stderr
    assert "FILESPATH" not in result.stderr


def test_with_keep_going_an_unfetchable_recipe_fails_alone(tmp_path: Path) -> None:
    """bitbake -k: the recipe that cannot be fetched fails at its do_fetch; the others build."""
    up = Upstream(tmp_path)
    build_dir = tmp_path / "build"
    result = build(build_dir, "-k", "unsupported", "gitsrc", FETCHERS_GIT_REPO=str(up.path), FETCHERS_GIT_SRCREV=up.second)
    assert_clean_error(result, 1)
    assert "recipe unsupported: task do_fetch failed: " in result.stderr and "unsupported URL scheme 'svn'" in result.stderr
    assert "recipe gitsrc: task do_build: Succeeded" in result.stdout + result.stderr


# ---------------------------------------------------------------- crates

def make_crate(root: Path, name: str = "tinydep", version: str = "0.1.0") -> Path:
    """A real .crate: a gzipped tar of NAME-VERSION/ with Cargo.toml and src/lib.rs (what cargo package makes)."""
    files = {
        "Cargo.toml": f'[package]\nname = "{name}"\nversion = "{version}"\nedition = "2021"\n\n[lib]\npath = "src/lib.rs"\n',
        "src/lib.rs": "pub fn answer() -> u32 {\n    42\n}\n",
    }
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for relative, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{name}-{version}/{relative}")
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    root.mkdir(parents=True, exist_ok=True)
    crate = root / f"{name}-{version}.crate"
    crate.write_bytes(gzip.compress(buffer.getvalue(), mtime=0))
    return crate


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_crate_from_a_premirror_is_verified_and_unpacked_for_cargo(tmp_path: Path) -> None:
    crate = make_crate(tmp_path / "mirror")
    build_dir = tmp_path / "build"
    premirrors = f"crate://.*/.* file://{crate.parent}/"
    result = build(build_dir, "crates", PREMIRRORS=premirrors, FETCHERS_TINYDEP_SHA256=sha256(crate))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (build_dir / "downloads" / "tinydep-0.1.0.crate").read_bytes() == crate.read_bytes()
    vendored = image(build_dir) / "crates" / "tinydep-0.1.0"
    assert json.loads((vendored / ".cargo-checksum.json").read_text()) == {"files": {}, "package": sha256(crate)}
    assert (vendored / "src" / "lib.rs").is_file()


def test_crate_checksum_mismatch_names_file_expected_and_actual(tmp_path: Path) -> None:
    crate = make_crate(tmp_path / "mirror")
    wrong = "1" * 64
    result = build(tmp_path / "build", "crates", PREMIRRORS=f"crate://.*/.* file://{crate.parent}/",
                   FETCHERS_TINYDEP_SHA256=wrong)
    assert_clean_error(result, 1)
    assert "checksum mismatch for tinydep-0.1.0.crate" in result.stderr
    assert f"expected sha256 {wrong}, got {sha256(crate)}" in result.stderr


def test_crate_without_a_reachable_source_is_a_build_failure(tmp_path: Path) -> None:
    crate = make_crate(tmp_path / "mirror")
    # An empty premirror is passed over; then crates.io itself, unreachable here (or refusing).
    result = build(tmp_path / "build", "crates", PREMIRRORS=f"crate://.*/.* file://{tmp_path / 'empty'}/",
                   FETCHERS_TINYDEP_SHA256=sha256(crate), FETCH_DEADLINE="20")
    assert_clean_error(result, 1)
    assert "static.crates.io/crates/tinydep/tinydep-0.1.0.crate" in result.stderr


@pytest.mark.skipif(shutil.which("cargo") is None, reason="no cargo on this machine")
def test_vendored_crates_build_offline_with_cargo(tmp_path: Path) -> None:
    from pyrecipe.engine.context import BuildContext, TaskContext, running_task
    from pyrecipe.parse import DataSmart
    from pyrecipe.sources.unpack import UnpackLimits
    from pyrecipe.tasks import cargo as cargo_steps
    from pyrecipe.tasks.base import CRATE_UNPACK_SUBDIR, _unpack_crate

    crate = make_crate(tmp_path / "mirror")
    # What do_unpack leaves, then cargo_common's do_configure on it.
    _unpack_crate(crate, tmp_path / "src" / CRATE_UNPACK_SUBDIR, UnpackLimits())
    cargo_home, vendor = tmp_path / "cargo_home", tmp_path / "cargo-vendor"
    d = DataSmart()
    for name, value in {"PN": "app", "UNPACKDIR": str(tmp_path / "src"), "CARGO_VENDORING_DIRECTORY": str(vendor),
                        "CARGO_HOME": str(cargo_home), "CARGO_DEBIAN_CRATES": "", "CARGO_LOCK_REGENERATE": "0"}.items():
        d.setVar(name, value)
    with open(tmp_path / "log.do_configure", "w") as log:
        with running_task(TaskContext("app", "do_configure", log, BuildContext(None))):
            cargo_steps.configure(d)
    assert "1 crates (1 from crate:// entries) vendored" in (tmp_path / "log.do_configure").read_text()
    assert (vendor / "tinydep-0.1.0" / ".cargo-checksum.json").is_file()
    assert 'replace-with = "bitbake"' in (cargo_home / "config.toml").read_text()
    app = tmp_path / "app"
    (app / "src").mkdir(parents=True)
    (app / "Cargo.toml").write_text('[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n\n'
                                    '[dependencies]\ntinydep = "0.1.0"\n')
    (app / "src" / "main.rs").write_text('fn main() { println!("{}", tinydep::answer()); }\n')
    # The lock as upstream ships it: crates.io's source, the .crate's checksum.
    (app / "Cargo.lock").write_text(
        "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\n \"tinydep\",\n]\n\n"
        "[[package]]\nname = \"tinydep\"\nversion = \"0.1.0\"\n"
        "source = \"registry+https://github.com/rust-lang/crates.io-index\"\n"
        f"checksum = \"{sha256(crate)}\"\n")
    env = {**os.environ, "CARGO_HOME": str(cargo_home), "CARGO_TARGET_DIR": str(tmp_path / "target")}
    result = subprocess.run(["cargo", "run", "--offline", "--locked", "--quiet"], cwd=app, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "42"
    # A crate whose bytes differ from the lock's checksum is refused by cargo.
    (app / "Cargo.lock").write_text((app / "Cargo.lock").read_text().replace(sha256(crate), "2" * 64))
    result = subprocess.run(["cargo", "build", "--offline", "--locked"], cwd=app, env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode != 0 and "checksum" in result.stderr


def test_checkout_needs_the_fetch(tmp_path: Path) -> None:
    up = Upstream(tmp_path)
    source = parse_git_url(*up.entry())
    with pytest.raises(BuildError, match="was not fetched"):
        checkout_git(source, up.first, tmp_path / "downloads", tmp_path / "co", print)
