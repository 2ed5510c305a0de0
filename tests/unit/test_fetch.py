"""fetch: real HTTP from a local server, file:// and paths, checksums, partial downloads, PyPI."""

from __future__ import annotations

import hashlib
import http.server
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from http_support import send_trickle
from pyrecipe.errors import BuildError, InputError
from pyrecipe.fsutil import file_sha256
from pyrecipe.sources.fetch import QUARANTINE_SUFFIX, fetch, parse_src_uri, parse_src_uri_entry

PAYLOAD = b"pyrecipe test archive\n" * 5000
PAYLOAD_SHA256 = hashlib.sha256(PAYLOAD).hexdigest()

# six 1.16.0 sdist as listed by PyPI's simple index (the link's #sha256= fragment).
SIX_URL = (
    "https://files.pythonhosted.org/packages/71/39/"
    "171f1c67cd00715f190ba0b100d606d440a28c93c7714febeca8b79af85e/six-1.16.0.tar.gz"
)
SIX_SHA256 = "1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926"


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves PAYLOAD at /pkg.tar.gz, a redirect to it, a 404 and a response cut short."""

    requests: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self.requests.append(self.path)
        if self.path == "/pkg.tar.gz":
            self._send(200, PAYLOAD, len(PAYLOAD))
        elif self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/pkg.tar.gz")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/trickle.tar.gz":
            send_trickle(self)
        elif self.path == "/bad-length.tar.gz":
            self._send(200, PAYLOAD, "abc")
        elif self.path == "/truncated.tar.gz":
            self._send(200, PAYLOAD[:1000], len(PAYLOAD))
            self.close_connection = True
        else:
            self._send(404, b"not here", 8)

    def _send(self, code: int, body: bytes, length: int | str) -> None:
        self.send_response(code)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    _Handler.requests = []
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_http_download_is_verified_and_placed(server: str, tmp_path: Path) -> None:
    path = fetch(f"{server}/pkg.tar.gz", tmp_path / "dl", PAYLOAD_SHA256)
    assert path == tmp_path / "dl" / "pkg.tar.gz"
    assert path.read_bytes() == PAYLOAD
    assert [p.name for p in (tmp_path / "dl").iterdir()] == ["pkg.tar.gz"]
    assert path.stat().st_mode & 0o777 == 0o644  # readable by the other users of a shared DL_DIR


def test_existing_verified_file_is_reused_without_network(server: str, tmp_path: Path) -> None:
    fetch(f"{server}/pkg.tar.gz", tmp_path, PAYLOAD_SHA256)
    fetch(f"{server}/pkg.tar.gz", tmp_path, PAYLOAD_SHA256)
    assert _Handler.requests == ["/pkg.tar.gz"]


def test_redirect_is_followed_and_downloadfilename_used(server: str, tmp_path: Path) -> None:
    path = fetch(f"{server}/redirect", tmp_path, PAYLOAD_SHA256, filename="renamed.tar.gz")
    assert path.name == "renamed.tar.gz" and path.read_bytes() == PAYLOAD
    assert _Handler.requests == ["/redirect", "/pkg.tar.gz"]


def test_http_error_names_the_url(server: str, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"download of http://127\.0\.0\.1:\d+/missing\.tar\.gz failed: HTTP 404"):
        fetch(f"{server}/missing.tar.gz", tmp_path, PAYLOAD_SHA256)
    assert list(tmp_path.iterdir()) == []


def test_unreachable_host_is_a_build_error(tmp_path: Path) -> None:
    # Port 9 (discard) on loopback: nothing listens there, the connection is refused at once.
    with pytest.raises(BuildError, match=r"download of http://127\.0\.0\.1:9/x\.tar\.gz failed"):
        fetch("http://127.0.0.1:9/x.tar.gz", tmp_path, PAYLOAD_SHA256)


def test_cut_short_download_is_not_kept(server: str, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="cut short: got 1000 of"):
        fetch(f"{server}/truncated.tar.gz", tmp_path, PAYLOAD_SHA256)
    assert list(tmp_path.iterdir()) == []


def test_leftover_partial_download_is_never_used(server: str, tmp_path: Path) -> None:
    # What a killed earlier run leaves behind: a temp file holding the first bytes.
    leftover = tmp_path / ".pkg.tar.gz.part-abc123"
    leftover.write_bytes(PAYLOAD[:100])
    path = fetch(f"{server}/pkg.tar.gz", tmp_path, PAYLOAD_SHA256)
    assert path.read_bytes() == PAYLOAD
    assert _Handler.requests == ["/pkg.tar.gz"]


def test_tampered_download_is_refused_and_quarantined(server: str, tmp_path: Path) -> None:
    wrong = "0" * 64
    with pytest.raises(InputError) as error:
        fetch(f"{server}/pkg.tar.gz", tmp_path, wrong)
    message = str(error.value)
    assert "pkg.tar.gz" in message and wrong in message and PAYLOAD_SHA256 in message
    assert not (tmp_path / "pkg.tar.gz").exists()
    (bad,) = tmp_path.iterdir()
    assert bad.name.endswith(QUARANTINE_SUFFIX) and bad.read_bytes() == PAYLOAD


def test_tampered_file_in_dl_dir_is_replaced(server: str, tmp_path: Path) -> None:
    (tmp_path / "pkg.tar.gz").write_bytes(b"evil")
    path = fetch(f"{server}/pkg.tar.gz", tmp_path, PAYLOAD_SHA256)
    assert path.read_bytes() == PAYLOAD
    assert sorted(p.name.endswith(QUARANTINE_SUFFIX) for p in tmp_path.iterdir()) == [False, True]


def test_missing_checksum_is_an_input_error(server: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no sha256 checksum for .*pkg.tar.gz"):
        fetch(f"{server}/pkg.tar.gz", tmp_path, None)
    assert _Handler.requests == []


def test_missing_checksum_allowed_reports_it(server: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="pyrecipe.sources.fetch"):
        path = fetch(f"{server}/pkg.tar.gz", tmp_path, None, allow_missing_checksum=True)
    assert file_sha256(path) == PAYLOAD_SHA256
    assert f'SRC_URI[sha256sum] = "{PAYLOAD_SHA256}"' in caplog.text


def test_file_url_and_plain_path_are_copied(tmp_path: Path) -> None:
    source = tmp_path / "src" / "local file.tar.gz"
    source.parent.mkdir()
    source.write_bytes(PAYLOAD)
    from_url = fetch(source.as_uri(), tmp_path / "a", PAYLOAD_SHA256)
    from_path = fetch(str(source), tmp_path / "b", PAYLOAD_SHA256)
    assert from_url.name == from_path.name == "local file.tar.gz"
    assert from_url.read_bytes() == from_path.read_bytes() == PAYLOAD


def test_local_file_mismatch_and_absence(tmp_path: Path) -> None:
    source = tmp_path / "x.tar.gz"
    source.write_bytes(b"changed")
    with pytest.raises(InputError, match="checksum mismatch for x.tar.gz"):
        fetch(str(source), tmp_path / "dl", PAYLOAD_SHA256)
    with pytest.raises(InputError, match="does not exist"):
        fetch(str(tmp_path / "absent.tar.gz"), tmp_path / "dl", PAYLOAD_SHA256)


def test_bad_checksum_text_and_scheme(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a sha256"):
        fetch("https://example.invalid/a.tar.gz", tmp_path, "abc")
    with pytest.raises(InputError, match="unsupported URL scheme 'git' for a file download"):
        fetch("git://example.invalid/a.tar.gz", tmp_path, PAYLOAD_SHA256)
    with pytest.raises(InputError, match="unsupported URL scheme 'svn' in SRC_URI entry svn://"):
        fetch("svn://example.invalid/repo", tmp_path, PAYLOAD_SHA256)
    # a download site no configuration names: said as such, not "not found in FILESPATH"
    with pytest.raises(InputError, match=r"SRC_URI entry \$\{NOSUCH_MIRROR\}/x.tar.gz names \$\{NOSUCH_MIRROR\}, which no configuration sets"):
        fetch("${NOSUCH_MIRROR}/x.tar.gz", tmp_path, PAYLOAD_SHA256)


def test_parse_src_uri_parameters_and_flags() -> None:
    entries = parse_src_uri(
        "https://host/dl/foo-1.0.tar.gz;name=foo;subdir=extra "
        "file://fix.patch "
        "https://host/get?id=3;downloadfilename=bar.zip;unpack=0;sha256sum=" + "A" * 64,
        {"foo.sha256sum": PAYLOAD_SHA256, "sha256sum": "b" * 64},
    )
    foo, patch, bar = entries
    assert (foo.url, foo.name, foo.subdir, foo.filename, foo.sha256) == (
        "https://host/dl/foo-1.0.tar.gz", "foo", "extra", "foo-1.0.tar.gz", PAYLOAD_SHA256)
    assert foo.unpack and foo.is_remote and foo.checksum_flag == "foo.sha256sum"
    assert not patch.is_remote and patch.filename == "fix.patch"
    assert (bar.filename, bar.unpack, bar.sha256) == ("bar.zip", False, "a" * 64)
    assert bar.checksum_assignment("c" * 64) == f'SRC_URI[sha256sum] = "{"c" * 64}"'


def test_parse_src_uri_rejects_malformed_parameters() -> None:
    with pytest.raises(InputError, match="'subdir' is not key=value"):
        parse_src_uri_entry("https://host/a.tar.gz;subdir")


def test_real_pypi_sdist(tmp_path: Path) -> None:
    """One real download from PyPI's file host (reachable here and in CI)."""
    path = fetch(SIX_URL, tmp_path, SIX_SHA256)
    assert path.name == "six-1.16.0.tar.gz"
    assert file_sha256(path) == SIX_SHA256


def test_whole_download_has_a_deadline_a_trickling_server_cannot_defeat(server: str, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(BuildError, match=rf"download of {server}/trickle.tar.gz failed: not finished after 1 s "
                                         r"\(FETCH_DEADLINE\), \d+ bytes received"):
        fetch(f"{server}/trickle.tar.gz", tmp_path, PAYLOAD_SHA256, deadline=1)
    assert time.monotonic() - started < 5
    assert list(tmp_path.iterdir()) == [], "the partial download was left behind"


def test_invalid_content_length_is_a_clear_error(server: str, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=f"download of {server}/bad-length.tar.gz failed: the server sent an invalid "
                                         "Content-Length 'abc'"):
        fetch(f"{server}/bad-length.tar.gz", tmp_path, PAYLOAD_SHA256)
    assert list(tmp_path.iterdir()) == []


def test_credentials_in_a_url_are_masked_in_errors_and_logs(
    server: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with_password = server.replace("http://", "http://builder:s3cret@")
    with pytest.raises(BuildError) as error:
        fetch(f"{with_password}/missing.tar.gz", tmp_path, PAYLOAD_SHA256)
    assert "builder:***@127.0.0.1" in str(error.value) and "s3cret" not in str(error.value)
    (tmp_path / "pkg.tar.gz").write_bytes(PAYLOAD)  # already downloaded: fetch only says it is unpinned
    with caplog.at_level(logging.WARNING):
        fetch(f"{with_password}/pkg.tar.gz", tmp_path, None, allow_missing_checksum=True)
    assert "builder:***@" in caplog.text and "s3cret" not in caplog.text
