"""Downloading sources into the shared download directory (DL_DIR), checksums first.

A recipe's sources are named by bitbake ``SRC_URI`` entries and pinned by ``sha256sum``: a
file is used only after its hash matched, so a tampered mirror or a re-released tarball stops
the build instead of silently changing what is built. Downloads are written under a temporary
name in DL_DIR and renamed into place only when complete and verified, so an interrupted
download is never mistaken for a finished one; a file already present with the right hash is
reused without touching the network.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import shutil
import tempfile
import time
import urllib.error
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pyrecipe.errors import BuildError, InputError, PyrecipeError
from pyrecipe.fsutil import CHUNK_SIZE, FILE_MODE, file_sha256

log = logging.getLogger(__name__)

#: Schemes downloaded as files over the network.
NETWORK_SCHEMES = ("https", "http")
#: bitbake's crates.io fetcher: ``crate://crates.io/NAME/VERSION``, a file download.
CRATE_SCHEME = "crate"
#: bitbake's git fetchers (:mod:`pyrecipe.sources.git`).
GIT_SCHEMES = ("git", "gitsm")
#: Every scheme pyrecipe fetches; anything else in a URL with ``://`` is refused, named.
SUPPORTED_SCHEMES = (*NETWORK_SCHEMES, "file", *GIT_SCHEMES, CRATE_SCHEME)
#: Where crates.io serves a crate's file (its CDN, as bitbake's crate fetcher uses).
CRATES_IO_DOWNLOAD = "https://static.crates.io/crates/{name}/{name}-{version}.crate"
#: Seconds without progress before a download is abandoned.
NETWORK_TIMEOUT = 60
#: Seconds a whole download may take (FETCH_DEADLINE): a server that sends a byte every few
#: seconds never trips NETWORK_TIMEOUT, which is per read.
DOWNLOAD_DEADLINE = 3600.0
#: Bytes a download whose server does not say its length may bring (FETCH_MAX_SIZE): an endless
#: body would otherwise fill DL_DIR until the deadline. With a Content-Length, that is the bound.
DOWNLOAD_MAX_SIZE = 2 << 30
USER_AGENT = "pyrecipe-fetch/0.1"
#: Suffix of a downloaded file whose hash did not match; kept for inspection, never used.
QUARANTINE_SUFFIX = ".sha256-mismatch"
_SHA256_RE = re.compile(r"[0-9a-f]{64}")


class SourceMissing(InputError):
    """A ``file://`` source that is not there: a mirror that lacks the file is passed over."""


#: The files of SRC_URI do_patch applies (unless ``apply=no``), as in bitbake.
PATCH_SUFFIXES = (".patch", ".diff")


def local_file_names(src_uri: str) -> list[str]:
    """The names of a SRC_URI's ``file://`` entries, as written (patches, scripts beside a recipe)."""
    return [uri.split(";")[0][len("file://"):] for uri in src_uri.split() if uri.startswith("file://")]


@dataclass(frozen=True)
class SrcUriEntry:
    """One entry of a bitbake ``SRC_URI``: the URL and the parameters after its ``;``."""

    url: str
    params: Mapping[str, str] = field(default_factory=dict)
    sha256: str | None = None

    @property
    def name(self) -> str | None:
        """``;name=``: the key under which the entry's checksum flags are stored."""
        return self.params.get("name")

    @property
    def filename(self) -> str:
        """The file name in DL_DIR: ``;downloadfilename=`` or the last part of the URL's path."""
        return self.params.get("downloadfilename") or url_basename(self.url)

    @property
    def subdir(self) -> str | None:
        """``;subdir=``: where under WORKDIR the entry is unpacked."""
        return self.params.get("subdir")

    @property
    def unpack(self) -> bool:
        """False for ``;unpack=0`` (bitbake also accepts ``no`` and ``false``)."""
        return self.params.get("unpack", "1").lower() not in ("0", "no", "false")

    @property
    def scheme(self) -> str:
        """``https``, ``git``, ``crate`` ...; empty for a plain path."""
        return self.url.partition("://")[0] if "://" in self.url else ""

    @property
    def is_remote(self) -> bool:
        """Downloaded files (https, http, crate): they must carry a checksum; local files need none."""
        return self.scheme in (*NETWORK_SCHEMES, CRATE_SCHEME)

    @property
    def is_git(self) -> bool:
        """A git repository (``git://``, ``gitsm://``): pinned by SRCREV, not by a checksum."""
        return self.scheme in GIT_SCHEMES

    @property
    def is_crate(self) -> bool:
        return self.scheme == CRATE_SCHEME

    @property
    def download_url(self) -> str:
        """What is downloaded: the URL itself, or for a crate its registry's download address."""
        return crate_download_url(self.url, self.params) if self.is_crate else self.url

    @property
    def checksum_flag(self) -> str:
        """The ``SRC_URI`` flag holding this entry's checksum: ``sha256sum`` or ``<name>.sha256sum``."""
        return f"{self.name}.sha256sum" if self.name else "sha256sum"

    def checksum_assignment(self, sha256: str) -> str:
        """The line a user pastes into the recipe to pin ``sha256``."""
        return f'SRC_URI[{self.checksum_flag}] = "{sha256}"'


def parse_src_uri(value: str, checksum_flags: Mapping[str, str] | None = None) -> list[SrcUriEntry]:
    """Split an expanded ``SRC_URI`` value into its entries.

    ``checksum_flags`` maps ``SRC_URI`` flag names to values as the datastore holds them
    (``{"sha256sum": ..., "foo.sha256sum": ...}``); a ``;sha256sum=`` parameter on the entry
    itself takes precedence, as in bitbake.
    """
    return [parse_src_uri_entry(word, checksum_flags) for word in value.split()]


def parse_src_uri_entry(entry: str, checksum_flags: Mapping[str, str] | None = None) -> SrcUriEntry:
    """Parse one ``URL;key=value;...`` entry (see :func:`parse_src_uri`)."""
    url, *raw_params = entry.split(";")
    if not url:
        raise InputError(f"SRC_URI entry {entry!r} has no URL")
    params: dict[str, str] = {}
    for raw in raw_params:
        key, sep, value = raw.partition("=")
        if not sep or not key:
            raise InputError(f"SRC_URI entry {entry!r}: parameter {raw!r} is not key=value")
        params[key] = value
    if url.startswith(f"{CRATE_SCHEME}://"):
        # As bitbake's crate fetcher: the file is NAME-VERSION.crate, its checksum SRC_URI[NAME-VERSION.sha256sum].
        crate, version = crate_name_version(url)
        params.setdefault("downloadfilename", f"{crate}-{version}.crate")
        params.setdefault("name", f"{crate}-{version}")
    name = params.get("downloadfilename")
    if name is not None and not _is_plain_file_name(name):
        raise InputError(f"SRC_URI entry {entry!r}: downloadfilename={name!r} must be a plain file name in DL_DIR")
    probe = SrcUriEntry(url, params)
    checksum = params.get(probe.checksum_flag) or (checksum_flags or {}).get(probe.checksum_flag)
    return SrcUriEntry(url, params, normalize_sha256(checksum, probe.url) if checksum else None)


def crate_name_version(url: str) -> tuple[str, str]:
    """``crate://HOST/NAME/VERSION`` -> (NAME, VERSION); InputError for another shape."""
    parts = url.split("://", 1)[1].split("/")
    if len(parts) < 3 or not all(parts[-2:]) or not _is_plain_file_name(f"{parts[-2]}-{parts[-1]}"):
        raise InputError(f"SRC_URI entry {url}: a crate URL is crate://HOST/NAME/VERSION")
    return parts[-2], parts[-1]


def crate_download_url(url: str, params: Mapping[str, str]) -> str:
    """Where a crate is downloaded from: crates.io's CDN, or ``PROTOCOL://HOST/NAME/VERSION/download``
    for another registry (bitbake's rule; ``;protocol=`` defaults to https)."""
    name, version = crate_name_version(url)
    host = "/".join(url.split("://", 1)[1].split("/")[:-2])
    if host == "crates.io":
        return CRATES_IO_DOWNLOAD.format(name=name, version=version)
    return f"{params.get('protocol', 'https')}://{host}/{name}/{version}/download"


def mirror_urls(url: str, filename: str, mirrors: str) -> list[str]:
    """The URLs that ``PREMIRRORS``/``MIRRORS`` offer for ``url``, in order.

    The value is bitbake's: pairs of a regular expression matched against the start of the URL
    and a replacement; a replacement ending in ``/`` gets the download's file name appended, and
    ``BASENAME`` in it stands for the file name. The download is checked against the recipe's
    checksum wherever it comes from.
    """
    words = mirrors.replace("\\n", " ").split()
    if len(words) % 2:
        raise InputError(f"mirror list {mirrors.strip()!r}: expected pairs of a pattern and a replacement")
    found = []
    for pattern, replacement in zip(words[::2], words[1::2]):
        try:
            matched = re.match(pattern, url)
        except re.error as error:
            raise InputError(f"mirror pattern {pattern!r} is not a regular expression: {error}") from None
        if matched:
            candidate = replacement.replace("BASENAME", filename)
            if candidate.endswith("/"):
                candidate += filename
            if candidate != url and candidate not in found:
                found.append(candidate)
    return found


def _is_plain_file_name(name: str) -> bool:
    """A name for a file directly in DL_DIR: no directory part, nothing that climbs out."""
    return bool(name) and name not in (".", "..") and "/" not in name


def url_basename(url: str) -> str:
    """The last component of the URL's path, percent-decoded (``six-1.16.0.tar.gz``)."""
    return urllib.parse.unquote(_url_path(url).rstrip("/").rpartition("/")[2])


def _url_path(url: str) -> str:
    """The path part of a URL; ``file://`` URLs are all path (bitbake's ``file://fix.patch``)."""
    if url.startswith("file://"):
        return url.removeprefix("file://")
    return urllib.parse.urlsplit(url).path if "://" in url else url


def normalize_sha256(value: str, where: str) -> str:
    """Lower-case and validate a sha256 written in a recipe."""
    checksum = value.strip().lower()
    if not _SHA256_RE.fullmatch(checksum):
        raise InputError(f"{where}: {value!r} is not a sha256 checksum (64 hexadecimal digits)")
    return checksum



def mask_credentials(text: str, url: str) -> str:
    """``text`` with the password of ``url`` (``https://user:password@host/...``) shown as ``***``,
    for every message and log line that names the URL: logs are shared, passwords are not."""
    password = urllib.parse.urlsplit(url).password
    return text.replace(f"{password}@", "***@") if password else text


def mask_urls(text: str) -> str:
    """``text`` with the password of every URL in it shown as ``***``: for what names URLs the
    user gave (an index's ``https://user:token@host/simple``) rather than one URL. A user with no
    password (``https://token@host/``) is the secret itself, as pip takes it, and is masked whole."""
    return re.sub(r"://([^/\s:@]*)(:[^/\s@]*)?@", lambda m: f"://{m[1]}:***@" if m[2] else "://***@", text)


def fetch(
    url: str,
    dl_dir: Path,
    sha256: str | None,
    *,
    allow_missing_checksum: bool = False,
    filename: str | None = None,
    deadline: float = DOWNLOAD_DEADLINE,
    max_size: int = DOWNLOAD_MAX_SIZE,
) -> Path:
    """Make ``dl_dir/<filename>`` hold the verified content of ``url`` and return its path.

    ``url`` is ``https://``/``http://`` (redirects followed), ``file://`` or a local path; a
    download not finished within ``deadline`` seconds fails, and so does one that brings more than
    its Content-Length or, without one, more than ``max_size`` bytes. Without ``sha256`` this is an
    InputError unless ``allow_missing_checksum``; then the computed checksum is logged as a
    ``SRC_URI[sha256sum] = "..."`` line (and :func:`file_sha256` gives it to a caller that
    wants to print it). Errors never show a password of the URL.
    """
    try:
        return _fetch(url, dl_dir, sha256, allow_missing_checksum, filename, deadline, max_size)
    except PyrecipeError as error:
        masked = mask_credentials(str(error), url)
        if masked == str(error):
            raise
        raise type(error)(masked) from None


def _fetch(
    url: str, dl_dir: Path, sha256: str | None, allow_missing_checksum: bool, filename: str | None, deadline: float,
    max_size: int,
) -> Path:
    name = filename or url_basename(url)
    if not _is_plain_file_name(name):
        raise InputError(f"cannot name a download file for {url!r}; set ;downloadfilename=")
    expected = normalize_sha256(sha256, url) if sha256 else None
    if expected is None and not allow_missing_checksum:
        raise InputError(
            f"no sha256 checksum for {url}: add SRC_URI[sha256sum] to the recipe "
            "(run with the missing-checksum option once to have it computed)"
        )
    dl_dir.mkdir(parents=True, exist_ok=True)
    dest = dl_dir / name
    remote = urllib.parse.urlsplit(url).scheme in NETWORK_SCHEMES

    if remote and dest.is_file():
        actual = file_sha256(dest)
        if expected is None or actual == expected:
            _report_unpinned(url, dest, expected, actual)
            return dest
        log.warning("%s: existing file has sha256 %s, expected %s; fetching again", dest, actual, expected)
        _quarantine(dest, actual)

    tmp, actual = _download_to_temp(url, dl_dir, name, deadline, max_size) if remote else _copy_to_temp(url, dl_dir, name)
    if expected is not None and actual != expected:
        bad = _quarantine(tmp, actual)
        raise InputError(
            f"checksum mismatch for {name} from {url}: expected sha256 {expected}, got {actual} "
            f"(file kept as {bad}); if the new file is right, update the recipe's sha256sum"
        )
    os.chmod(tmp, FILE_MODE)  # mkstemp made it 0600: DL_DIR is shared by users and build machines
    os.replace(tmp, dest)
    _report_unpinned(url, dest, expected, actual)
    return dest


def _report_unpinned(url: str, dest: Path, expected: str | None, actual: str) -> None:
    if expected is None:
        log.warning("%s has no checksum; to pin it add: SRC_URI[sha256sum] = \"%s\"", mask_credentials(url, url), actual)


def _quarantine(path: Path, actual: str) -> Path:
    """Move a file with an unexpected hash out of the way, where nothing will use it."""
    final_name = path.name.removeprefix(".").split(".part-")[0]
    bad = path.with_name(f"{final_name}.{actual[:16]}{QUARANTINE_SUFFIX}")
    os.replace(path, bad)
    return bad


def _temp_file(dl_dir: Path, name: str) -> tuple[Path, BinaryIO]:
    """A new file in DL_DIR whose name can never be taken for a finished download."""
    fd, tmp = tempfile.mkstemp(dir=dl_dir, prefix=f".{name}.part-")
    return Path(tmp), os.fdopen(fd, "wb")


class TooLarge(Exception):
    """A download brought more bytes than it may."""


def _copy_stream(source: io.BufferedIOBase, out: BinaryIO, deadline: float | None = None,
                 max_size: int | None = None) -> tuple[int, str]:
    """Copy ``source`` into ``out`` hashing on the way; returns (bytes, sha256).

    Each read returns what has arrived (``read1``), so a trickling source is seen to pass
    ``deadline`` (seconds) within one read's timeout: TimeoutError then; TooLarge past ``max_size`` bytes.
    """
    digest = hashlib.sha256()
    size = 0
    until = None if deadline is None else time.monotonic() + deadline
    with out:
        for chunk in iter(lambda: source.read1(CHUNK_SIZE), b""):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
            if max_size is not None and size > max_size:
                raise TooLarge(size)
            if until is not None and time.monotonic() > until:
                raise TimeoutError(f"not finished after {deadline:g} s (FETCH_DEADLINE), {size} bytes received")
    return size, digest.hexdigest()


def _download_to_temp(url: str, dl_dir: Path, name: str, deadline: float, max_size: int) -> tuple[Path, str]:
    import http.client
    import urllib.request  # with http.client and email: tens of ms a no-op build does not need

    tmp, out = _temp_file(dl_dir, name)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=min(NETWORK_TIMEOUT, deadline)) as response:
            length = response.headers.get("Content-Length")
            if length is not None and not length.strip().isdigit():
                raise BuildError(f"download of {url} failed: the server sent an invalid Content-Length {length!r}")
            try:
                size, actual = _copy_stream(response, out, deadline, max_size if length is None else int(length))
            except TooLarge:
                raise BuildError(f"download of {url} stopped after {max_size} bytes: the server did not say how "
                                 "large it is and it went on past FETCH_MAX_SIZE (raise it in conf/local.conf if the "
                                 "file really is that large)") from None
        if length is not None and size != int(length):
            raise BuildError(f"download of {url} was cut short: got {size} of {length} bytes; try again")
        return tmp, actual
    except urllib.error.HTTPError as error:
        tmp.unlink(missing_ok=True)
        raise BuildError(f"download of {url} failed: HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        tmp.unlink(missing_ok=True)
        reason = getattr(error, "reason", error)
        raise BuildError(f"download of {url} failed: {reason}; check the URL and the network") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def check_scheme(url: str) -> None:
    """InputError for a URL pyrecipe cannot fetch (``svn://``, ``npm://``, ``ftp://`` ...), named as such,
    or one that still holds a variable reference (``${SOURCEFORGE_MIRROR}`` when nothing sets it)."""
    unset = re.findall(r"\$\{[^}]*\}", url)
    if unset:
        raise InputError(f"SRC_URI entry {url} names {', '.join(dict.fromkeys(unset))}, which no configuration sets")
    scheme = url.partition("://")[0] if "://" in url else ""
    if scheme and scheme not in SUPPORTED_SCHEMES:
        raise InputError(f"unsupported URL scheme {scheme!r} in SRC_URI entry {url}: pyrecipe fetches "
                         f"{', '.join(SUPPORTED_SCHEMES)}")


def _copy_to_temp(url: str, dl_dir: Path, name: str) -> tuple[Path, str]:
    check_scheme(url)
    scheme = url.partition("://")[0] if "://" in url else ""
    if scheme not in ("", "file"):
        raise InputError(f"unsupported URL scheme {scheme!r} for a file download ({url}): "
                         "git, gitsm and crate entries are fetched by their own fetchers")
    source = Path(urllib.parse.unquote(_url_path(url)))
    if not source.is_file():
        raise SourceMissing(f"source file {source} (from {url}) does not exist")
    tmp, out = _temp_file(dl_dir, name)
    try:
        with open(source, "rb") as stream:
            _, actual = _copy_stream(stream, out)
        shutil.copymode(source, tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp, actual
