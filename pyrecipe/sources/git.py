"""bitbake's ``git://`` and ``gitsm://`` fetchers: a mirror in DL_DIR, then exactly SRCREV checked out.

The meanings are OpenEmbedded's (bitbake's ``fetch2/git.py`` and ``gitsm.py``); the code is ours:

* ``git://HOST/PATH;protocol=https;branch=main`` names the repository ``https://HOST/PATH``
  (``protocol`` is ``git`` by default, ``file`` when there is no host); ``branch=`` or
  ``nobranch=1`` is required, as bitbake requires it.
* The revision is ``SRCREV_<name>`` (``name=``, default ``default``) or ``SRCREV``, or a ``rev=``
  parameter. It must be a full commit hash: ``${AUTOREV}``, a missing SRCREV or a branch name
  are input errors, since a build must be reproducible.
* do_fetch keeps one bare repository per URL in ``DL_DIR/git2/<host.path>`` (bitbake's name). It
  is made under a temporary name and renamed into place, so an interrupted first fetch leaves
  nothing that looks finished; later fetches add to it and git itself never points a ref at
  objects it has not stored. When the mirror already holds SRCREV (on its branch) the network is
  not touched. ``BB_GIT_SHALLOW = "1"`` fetches only SRCREV (``BB_GIT_SHALLOW_DEPTH`` commits deep)
  and the branch's commits above it, where a server allows fetching a commit by hash.
* The commit must be on ``branch`` (unless ``nobranch=1``) and a ``tag=`` must name it.
* do_unpack clones the mirror into ``UNPACKDIR/<destsuffix>`` (default ``BB_GIT_DEFAULT_DESTSUFFIX``,
  bitbake's ``git``; the basename of ``subpath=``; nothing under ``subdir=``) and checks out SRCREV;
  ``subpath=`` checks out only that directory of the tree.
* ``nocheckout=1`` leaves the clone without a checkout, ``bareclone=1`` makes it a bare clone
  (the recipe checks out itself).
* ``gitsm://`` also fetches every submodule (recursively) at the commit the superproject records,
  each into its own mirror, and do_unpack checks them out from there (no network).
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import tempfile
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pyrecipe.errors import BuildError, InputError

GIT_SCHEMES = ("git", "gitsm")
#: bitbake's protocols, less rsync (git dropped it).
GIT_PROTOCOLS = ("git", "file", "http", "https", "ssh")
#: A full SHA-1 or SHA-256 commit name.
COMMIT_RE = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
#: What ``${AUTOREV}`` expands to (bitbake's ``bb.fetch2.get_autorev``).
AUTOREV_MARKER = "AUTOINC"
#: Submodules within submodules are followed this deep at most (a loop of repositories stops here).
MAX_SUBMODULE_DEPTH = 8
#: git never asks for a password, never reads the user's or the system's configuration (hooks,
#: url rewrites, credential helpers) and speaks English, so that its messages can be quoted.
_GIT_ENV = {
    "GIT_TERMINAL_PROMPT": "0", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
    "LC_ALL": "C", "GIT_ASKPASS": "true", "GIT_SSH_COMMAND": "ssh -oBatchMode=yes",
}
#: Settings that would run a program, pinned on the command line (which wins over every file):
#: the repositories git works in here are fetched from strangers, and git runs outside any sandbox.
#: ``ext::`` URLs run a command by design.
_NO_PROGRAMS = ("core.hooksPath=/dev/null", "core.fsmonitor=false", "protocol.ext.allow=never",
                "core.pager=cat", "log.showSignature=false", "gpg.program=false")
#: How many ``ref:`` indirections HEAD may take (git's own limit is 5).
_MAX_SYMREF_DEPTH = 5
#: A ref file, or a commit object's header, larger than this is not a ref or a commit we read.
_MAX_REF_BYTES = 1 << 20

Note = Callable[[str], None]


@dataclass(frozen=True)
class GitSource:
    """One git repository of SRC_URI (or a submodule of one) and how to check it out."""

    url: str  # as the recipe wrote it, without parameters
    scheme: str  # git or gitsm
    protocol: str
    host: str
    path: str
    branch: str | None = None
    nobranch: bool = False
    tag: str | None = None
    name: str = "default"
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def repo_url(self) -> str:
        """What git fetches from: ``https://host/path``, or the path itself for ``protocol=file``."""
        if self.protocol == "file":
            return self.path
        return f"{self.protocol}://{self.host}{self.path}"

    @property
    def mirror_name(self) -> str:
        """bitbake's name of the clone in ``DL_DIR/git2``: host and path with ``/`` as ``.``."""
        name = self.host.replace(":", ".") + re.sub(r"[/*]", ".", self.path).replace(" ", "_")
        name = name.replace("(", "_").replace(")", "_").lstrip(".")
        return name or "repository"

    @property
    def submodules(self) -> bool:
        return self.scheme == "gitsm"

    def mirror(self, dl_dir: Path) -> Path:
        return Path(dl_dir) / "git2" / self.mirror_name

    def destsuffix(self, default: str) -> str:
        """Where under the unpack directory the checkout goes (bitbake's rules)."""
        if "destsuffix" in self.params:
            return self.params["destsuffix"]
        if self.params.get("subdir"):
            return ""
        subpath = self.params.get("subpath")
        if subpath:
            return os.path.basename(subpath.rstrip("/"))
        return default or "git"


def is_git_url(url: str) -> bool:
    return url.partition("://")[0] in GIT_SCHEMES and "://" in url


def parse_git_url(url: str, params: Mapping[str, str]) -> GitSource:
    """The repository of a ``git://``/``gitsm://`` SRC_URI entry; InputError for what bitbake refuses."""
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    path = slash + path
    protocol = params.get("protocol") or ("git" if host else "file")
    if protocol not in GIT_PROTOCOLS:
        raise InputError(f"SRC_URI entry {url}: protocol={protocol!r} is not a git protocol "
                         f"({', '.join(GIT_PROTOCOLS)})")
    if protocol == "git" and host == "github.com":
        protocol = "https"  # as bitbake: GitHub stopped serving git://
    if not path.strip("/"):
        raise InputError(f"SRC_URI entry {url}: no repository path")
    nobranch = params.get("nobranch", "0") == "1"
    branch = params.get("branch") or None
    if branch is None and not nobranch:
        raise InputError(f"SRC_URI entry {url}: set ;branch=NAME (the branch SRCREV is on) or ;nobranch=1, "
                         "as bitbake requires")
    return GitSource(url, scheme, protocol, host, path, branch, nobranch, params.get("tag") or None,
                     params.get("name") or "default", dict(params))


def source_from_plain_url(url: str, scheme: str = "git") -> GitSource:
    """A submodule's repository from the URL in ``.gitmodules`` (``https://...``, ``/path``, ``file://...``)."""
    if url.startswith("-") or "::" in url.partition("://")[0]:
        # git would read "-..." as an option (--upload-pack=COMMAND) and "ext::..." runs a command.
        raise InputError(f"submodule URL {url!r} is not a repository URL")
    if "://" not in url:
        return GitSource(url, scheme, "file", "", os.path.normpath(url), nobranch=True)
    parts = urllib.parse.urlsplit(url)
    protocol = parts.scheme
    if protocol not in GIT_PROTOCOLS:
        raise InputError(f"submodule URL {url}: {protocol}:// is not a git protocol ({', '.join(GIT_PROTOCOLS)})")
    host = parts.netloc
    return GitSource(url, scheme, protocol, host, parts.path, nobranch=True)


# --------------------------------------------------------------------------- revisions

def srcrev_names(source: GitSource) -> list[str]:
    """The variables bitbake reads the revision from, in its order (``:pn-`` overrides apply as usual)."""
    return [f"SRCREV_{source.name}", "SRCREV"]


def raw_srcrev(source: GitSource, getvar: Callable[[str], str | None]) -> str | None:
    """The revision as written (``rev=``, SRCREV_<name>, SRCREV), or None; unchecked."""
    return source.params.get("rev") or _srcrev_variable(source, getvar)


def _srcrev_variable(source: GitSource, getvar: Callable[[str], str | None]) -> str | None:
    for name in srcrev_names(source):
        value = (getvar(name) or "").strip()
        if value and value != "INVALID":
            return value
    return None


def resolve_srcrev(source: GitSource, getvar: Callable[[str], str | None]) -> str:
    """The commit to build: a full hash; InputError for AUTOREV, a missing SRCREV or a name."""
    value = _srcrev_variable(source, getvar)
    param = source.params.get("rev")
    if param and value and param != value:
        raise InputError(f"SRC_URI entry {source.url}: rev={param} and SRCREV {value} disagree; set one of them")
    revision = param or value
    where = " or ".join(srcrev_names(source))
    if revision is None:
        hint = f" (tag={source.tag} alone is not pinned: a tag can move)" if source.tag else ""
        raise InputError(f"no SRCREV for {source.url}{hint}: set {where} to the full commit hash to build")
    if revision.startswith(AUTOREV_MARKER):
        raise InputError(f"{where} for {source.url} is ${{AUTOREV}}: pyrecipe builds only pinned revisions, "
                         "so that a build can be repeated; set it to the full commit hash to build")
    if not COMMIT_RE.fullmatch(revision):
        raise InputError(f"{where} for {source.url} is {revision!r}, not a full commit hash (40 or 64 hexadecimal "
                         "digits): a branch or tag name moves, a hash does not")
    return revision


# --------------------------------------------------------------------------- running git

def git(args: list[str], cwd: Path | None = None, *, check: bool = True, what: str | None = None,
        error: type[Exception] = BuildError, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``git args`` without prompts or user configuration; ``error`` with git's message when it fails."""
    pinned = [word for setting in _NO_PROGRAMS for word in ("-c", setting)]
    result = subprocess.run(
        ["git", *pinned, "-c", "gc.autoDetach=false", "-c", "advice.detachedHead=false", "-c", "init.defaultBranch=master",
         *args],
        cwd=cwd, capture_output=True, text=True, env={**os.environ, **_GIT_ENV, **(env or {})}, check=False,
    )
    if check and result.returncode != 0:
        message = (result.stderr.strip() or result.stdout.strip()).splitlines()[-3:]
        raise error(f"{what or 'git ' + ' '.join(args[:2])} failed: {' / '.join(message) or f'exit {result.returncode}'}")
    return result


def _has_commit(repo: Path, revision: str) -> bool:
    return git(["cat-file", "-e", f"{revision}^{{commit}}"], repo, check=False).returncode == 0


def _ref_commit(repo: Path, ref: str) -> str | None:
    result = git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], repo, check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def _is_on_branch(repo: Path, revision: str, branch: str) -> bool:
    tip = _ref_commit(repo, f"refs/heads/{branch}")
    if tip is None:
        return False
    return git(["merge-base", "--is-ancestor", revision, tip], repo, check=False).returncode == 0


def _satisfied(repo: Path, source: GitSource, revision: str) -> bool:
    """Whether the mirror already holds what the build needs (so the network is not touched)."""
    if not _has_commit(repo, revision):
        return False
    if not source.nobranch and not _is_on_branch(repo, revision, source.branch or ""):
        return False
    return source.tag is None or _ref_commit(repo, f"refs/tags/{source.tag}") is not None


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One fetch of a repository at a time (several recipes, or builds, may share a DL_DIR)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _is_bare_repository(path: Path) -> bool:
    result = git(["rev-parse", "--is-bare-repository"], path, check=False)
    return result.returncode == 0 and result.stdout.strip() == "true" and (path / "objects").is_dir()


def _download(repo: Path, source: GitSource, revision: str, shallow_depth: int, note: Note) -> None:
    """Bring ``revision`` (and its branch and tag) from upstream into the bare repository ``repo``."""
    url = source.repo_url
    what = f"fetching {source.url}"
    refs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]
    if source.nobranch:
        refs = ["+refs/*:refs/*"]
    if shallow_depth > 0:
        shallow = git(["fetch", "--no-tags", f"--depth={shallow_depth}", "--", url, revision], repo, check=False)
        if shallow.returncode == 0:
            git(["update-ref", f"refs/pyrecipe/{revision}", revision], repo)
            wanted = []
            if not source.nobranch:
                wanted.append(f"+refs/heads/{source.branch}:refs/heads/{source.branch}")
            if source.tag:
                wanted.append(f"+refs/tags/{source.tag}:refs/tags/{source.tag}")
            if wanted:
                # No --depth: the branch's commits down to the one already here, enough to check it.
                git(["fetch", "--no-tags", "--", url, *wanted], repo, what=what)
            note(f"NOTE: shallow fetch ({shallow_depth} deep) of {revision} from {source.url}")
            return
        note(f"NOTE: {source.url} does not serve a commit by hash; fetching the whole repository")
    git(["fetch", "--force", "--no-tags", "--", url, *refs], repo, what=what)


def fetch_git(source: GitSource, revision: str, dl_dir: Path, note: Note, shallow_depth: int = 0) -> Path:
    """Make ``DL_DIR/git2/<name>`` a bare repository holding ``revision`` and return it.

    Checks that ``revision`` is on the branch (unless ``nobranch``) and that ``tag`` names it.
    """
    mirror = source.mirror(dl_dir)
    with _locked(mirror.with_name(mirror.name + ".lock")):
        for leftover in mirror.parent.glob(f".{mirror.name}.part-*"):
            shutil.rmtree(leftover, ignore_errors=True)  # an interrupted first fetch (we hold the lock)
        if mirror.exists() and not _is_bare_repository(mirror):
            note(f"NOTE: {mirror} is not a git repository; fetching it again")
            shutil.rmtree(mirror)
        if mirror.exists() and _satisfied(mirror, source, revision):
            note(f"NOTE: {source.url} {revision}: already in {mirror}")
        elif mirror.exists():
            _download(mirror, source, revision, shallow_depth if _is_shallow(mirror) else 0, note)
        else:
            tmp = Path(tempfile.mkdtemp(dir=mirror.parent, prefix=f".{mirror.name}.part-"))
            try:
                git(["init", "--quiet", "--bare", str(tmp)])
                _download(tmp, source, revision, shallow_depth, note)
                os.chmod(tmp, 0o755)
                os.rename(tmp, mirror)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        _check_revision(mirror, source, revision)
    return mirror


def _is_shallow(repo: Path) -> bool:
    return (repo / "shallow").is_file()


def _check_revision(repo: Path, source: GitSource, revision: str) -> None:
    if not _has_commit(repo, revision):
        raise InputError(f"SRCREV {revision} is not a commit of {source.url} (not found upstream); "
                         "check the recipe's SRCREV")
    if not source.nobranch:
        if _ref_commit(repo, f"refs/heads/{source.branch}") is None:
            raise InputError(f"{source.url}: there is no branch {source.branch!r} (;branch= in SRC_URI)")
        if not _is_on_branch(repo, revision, source.branch or ""):
            raise InputError(f"SRCREV {revision} is not on branch {source.branch!r} of {source.url}; fix ;branch= or "
                             "SRCREV, or set ;nobranch=1 if the commit is meant to be on no branch")
    if source.tag is not None:
        tagged = _ref_commit(repo, f"refs/tags/{source.tag}")
        if tagged is None:
            raise InputError(f"{source.url}: there is no tag {source.tag!r} (;tag= in SRC_URI)")
        if tagged != _ref_commit(repo, revision):
            raise InputError(f"{source.url}: tag {source.tag!r} is commit {tagged}, not SRCREV {revision}")


# --------------------------------------------------------------------------- submodules

@dataclass(frozen=True)
class Submodule:
    name: str
    path: str
    source: GitSource
    commit: str


def _resolve_submodule_url(url: str, parent: GitSource) -> str:
    """A ``.gitmodules`` URL; ``../x`` is relative to the superproject's URL, as git reads it."""
    if not url.startswith(("./", "../")):
        return url
    base = parent.repo_url.rstrip("/")
    for part in url.split("/"):
        if part == "..":
            base = base.rsplit("/", 1)[0]
        elif part not in (".", ""):
            base = f"{base}/{part}"
    return base


def submodules_at(repo: Path, revision: str, parent: GitSource) -> list[Submodule]:
    """The submodules the superproject's commit ``revision`` records (path, URL, commit)."""
    listing = git(["config", "--blob", f"{revision}:.gitmodules", "--list"], repo, check=False)
    if listing.returncode != 0:
        return []
    entries: dict[str, dict[str, str]] = {}
    for line in listing.stdout.splitlines():
        key, _, value = line.partition("=")
        match = re.fullmatch(r"submodule\.(.+)\.(path|url)", key)
        if match:
            entries.setdefault(match.group(1), {})[match.group(2)] = value
    found = []
    for name, entry in sorted(entries.items()):
        path, url = entry.get("path"), entry.get("url")
        if not path or not url:
            continue
        tree = git(["ls-tree", revision, "--", path], repo).stdout.split()
        if len(tree) < 3 or tree[0] != "160000":
            continue  # removed from the tree, or not a submodule any more
        if ".." in path.split("/") or path.startswith("/"):
            raise InputError(f"{parent.url}: submodule {name!r} has a path outside the tree: {path!r}")
        source = source_from_plain_url(_resolve_submodule_url(url, parent), parent.scheme)
        found.append(Submodule(name, path, source, tree[2]))
    return found


def fetch_submodules(repo: Path, revision: str, parent: GitSource, dl_dir: Path, note: Note,
                     depth: int = 0) -> None:
    """gitsm: each submodule's commit into its own mirror, recursively."""
    if depth > MAX_SUBMODULE_DEPTH:
        raise InputError(f"{parent.url}: submodules nested more than {MAX_SUBMODULE_DEPTH} deep")
    for sub in submodules_at(repo, revision, parent):
        mirror = fetch_git(sub.source, sub.commit, dl_dir, note)
        note(f"NOTE: submodule {sub.path} of {parent.url}: {sub.source.url} {sub.commit}")
        fetch_submodules(mirror, sub.commit, sub.source, dl_dir, note, depth + 1)


# --------------------------------------------------------------------------- checkout

def checkout_git(source: GitSource, revision: str, dl_dir: Path, dest: Path, note: Note, depth: int = 0) -> None:
    """do_unpack: ``dest`` becomes a clone of the mirror with ``revision`` checked out (no network)."""
    mirror = source.mirror(dl_dir)
    if not mirror.is_dir() or not _has_commit(mirror, revision):
        raise BuildError(f"{source.url} {revision} was not fetched into {mirror}: run do_fetch again")
    if dest.exists() and any(dest.iterdir()):
        raise InputError(f"{source.url}: the checkout directory {dest} is not empty (two SRC_URI entries unpack "
                         "there; give one a ;destsuffix=)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    bare = source.params.get("bareclone") == "1"
    git(["clone", "--quiet", "--mirror" if bare else "--no-checkout", str(mirror), str(dest)], what=f"cloning {mirror}")
    git(["remote", "set-url", "origin", source.repo_url], dest)
    if bare or source.params.get("nocheckout") == "1":
        return  # bitbake's bareclone=1 (a bare clone) and nocheckout=1: the recipe checks out itself
    subpath = source.params.get("subpath")
    if subpath:
        git(["read-tree", f"{revision}:{subpath}"], dest, error=InputError,
            what=f"{source.url}: subpath={subpath} at {revision}")
        git(["checkout-index", "--quiet", "--force", "--all"], dest)
        git(["update-ref", "--no-deref", "HEAD", revision], dest)
        if not source.nobranch:
            git(["update-ref", f"refs/heads/{source.branch}", revision], dest)
    elif not source.nobranch:
        git(["checkout", "--quiet", "-B", source.branch or "", revision], dest)
    else:
        git(["checkout", "--quiet", "--detach", revision], dest)
    head = _ref_commit(dest, "HEAD")
    if head != _ref_commit(dest, revision):
        raise BuildError(f"{source.url}: checked out {head}, not {revision}")
    if source.submodules and not subpath:
        _checkout_submodules(source, revision, dl_dir, dest, note, depth)


def _checkout_submodules(parent: GitSource, revision: str, dl_dir: Path, dest: Path, note: Note, depth: int) -> None:
    if depth > MAX_SUBMODULE_DEPTH:
        raise InputError(f"{parent.url}: submodules nested more than {MAX_SUBMODULE_DEPTH} deep")
    for sub in submodules_at(dest, revision, parent):
        mirror = sub.source.mirror(dl_dir)
        if not mirror.is_dir() or not _has_commit(mirror, sub.commit):
            raise BuildError(f"submodule {sub.path} ({sub.source.url} {sub.commit}) was not fetched: run do_fetch again")
        # git's own submodule machinery, pointed at the mirror: the usual .git/modules layout.
        git(["config", f"submodule.{sub.name}.url", str(mirror)], dest)
        git(["-c", "protocol.file.allow=always", "submodule", "update", "--quiet", "--init", "--", sub.path], dest,
            what=f"checking out submodule {sub.path}")
        git(["config", f"submodule.{sub.name}.url", sub.source.repo_url], dest)
        git(["remote", "set-url", "origin", sub.source.repo_url], dest / sub.path)
        note(f"NOTE: submodule {sub.path}: {sub.commit}")
        _checkout_submodules(sub.source, sub.commit, dl_dir, dest / sub.path, note, depth + 1)


# --------------------------------------------------------------------------- a stranger's repository

def head_commit_time(git_dir: Path) -> int | None:
    """The committer time of the commit HEAD names in ``git_dir`` (a ``.git`` that came with
    sources), or None when it names none that can be read.

    A repository's own configuration can name programs git runs (``core.fsmonitor``,
    ``gpg.program`` for a signed commit, ``core.pager``, hooks) and can include other files, and
    this runs outside any sandbox: so git never opens that repository as such. HEAD is resolved
    here, reading plain files inside ``git_dir`` only, and git reads the one commit object from its
    object directory on behalf of an empty repository of ours.
    """
    commit = _resolve_head(git_dir)
    objects = git_dir / "objects"
    if commit is None or objects.is_symlink() or not objects.is_dir():
        return None
    with tempfile.TemporaryDirectory(prefix="pyrecipe-git-") as empty:
        for folder in ("objects", "refs"):
            os.mkdir(os.path.join(empty, folder))
        Path(empty, "HEAD").write_text("ref: refs/heads/master\n")
        result = git(["cat-file", "commit", commit], check=False,
                     env={"GIT_DIR": empty, "GIT_OBJECT_DIRECTORY": str(objects), "GIT_CEILING_DIRECTORIES": "/"})
    if result.returncode != 0:
        return None
    header = result.stdout[:_MAX_REF_BYTES].partition("\n\n")[0]
    for line in header.splitlines():
        if line.startswith("committer "):
            words = line.rsplit(" ", 2)
            return int(words[1]) if len(words) == 3 and words[1].isdigit() else None
    return None


def _resolve_head(git_dir: Path) -> str | None:
    """The commit HEAD names, following ``ref:`` lines through loose refs and ``packed-refs``."""
    packed = _packed_refs(git_dir)
    ref = "HEAD"
    for _ in range(_MAX_SYMREF_DEPTH):
        content = _small_file(git_dir, ref)
        content = packed.get(ref) if content is None else content.strip()
        if content is None:
            return None
        if COMMIT_RE.fullmatch(content):
            return content
        if not content.startswith("ref: "):
            return None
        ref = content.removeprefix("ref: ").strip()
        if not ref.startswith("refs/") or any(part in ("", ".", "..") for part in ref.split("/")):
            return None
    return None


def _packed_refs(git_dir: Path) -> dict[str, str]:
    refs = {}
    for line in (_small_file(git_dir, "packed-refs") or "").splitlines():
        commit, _, name = line.partition(" ")
        if COMMIT_RE.fullmatch(commit) and name:
            refs[name.strip()] = commit
    return refs


def _small_file(git_dir: Path, name: str) -> str | None:
    """A plain file of ``git_dir`` (no symbolic link on the way out of it), or None."""
    path = git_dir / name
    try:
        if not os.path.realpath(path).startswith(os.path.realpath(git_dir) + os.sep) or path.is_symlink():
            return None
        if not path.is_file() or path.stat().st_size > _MAX_REF_BYTES:
            return None
        return path.read_text(errors="replace")
    except OSError:
        return None
