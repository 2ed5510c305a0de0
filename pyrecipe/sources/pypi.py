"""Finding files on PyPI through its simple index (PEP 503/691), the only index API reachable
from every build machine we target (the JSON API and the ``/packages/source/`` redirector are
not always).
"""

from __future__ import annotations

import base64
import html.parser
import json
import re
import urllib.error
import urllib.parse
from dataclasses import dataclass

from pyrecipe.errors import BuildError

SIMPLE_INDEX = "https://pypi.org/simple"
#: The most a project's index page may hold (numpy's, every file of every release, is about 2 MB):
#: an endless answer would otherwise be read into memory whole.
INDEX_MAX_BYTES = 64 << 20
# /packages/source/ for sdists, /packages/<python tag>/ for wheels: the redirector's forms
# (content addresses have a two-character second segment and never match).
_SOURCE_URL_RE = re.compile(r"^https?://files\.pythonhosted\.org/packages/[^/]+/./(?P<project>[^/]+)/(?P<filename>[^/;]+)$")


class ProjectNotFound(BuildError):
    """The index answers that it has no such project (HTTP 404)."""


@dataclass(frozen=True)
class IndexFile:
    filename: str
    url: str
    sha256: str | None
    requires_python: str | None
    yanked: bool


def normalise_project(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


#: Index URL (without its user and password) -> the Authorization header they make: in this
#: process's memory only.
_CREDENTIALS: dict[str, str] = {}


def without_credentials(index: str) -> str:
    """``index`` without its user and password (a private index's ``https://user:token@host/simple``),
    which :func:`project_files` keeps in memory and sends for it. The configuration, the parse
    cache, task signatures, recipes and logs see the URL without them: all are kept on disk or shown."""
    parts = urllib.parse.urlsplit(index)
    if parts.username is None:
        return index
    bare = urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
    token = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
    _CREDENTIALS[bare] = "Basic " + base64.b64encode(token.encode()).decode()
    return bare


def project_files(project: str, index: str = SIMPLE_INDEX, timeout: float = 60) -> list[IndexFile]:
    """Every file of ``project`` on the index, oldest first, with the index's credentials
    (:func:`without_credentials`) sent as HTTP basic authentication."""
    import urllib.request  # with http.client and email: tens of ms a no-op build does not need

    index = without_credentials(index)
    # PEP 691's JSON first; PEP 503's HTML from indexes that serve only that (a directory of
    # pages: pyrecipe's own ``pyrecipe index``, a static mirror, older devpi or Artifactory).
    headers = {"Accept": "application/vnd.pypi.simple.v1+json, text/html;q=0.1"}
    if index in _CREDENTIALS:
        headers["Authorization"] = _CREDENTIALS[index]
    url = f"{index}/{normalise_project(project)}/"
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(INDEX_MAX_BYTES + 1)
            kind = response.headers.get_content_type()
        if len(body) > INDEX_MAX_BYTES:
            raise BuildError(f"the PyPI simple index {url} sent more than {INDEX_MAX_BYTES} bytes for {project!r}: "
                             "that is no index page")
        entries = _html_entries(body.decode()) if kind == "text/html" else json.loads(body).get("files", [])
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise ProjectNotFound(f"PyPI has no project {project!r} ({url}: HTTP 404)") from None
        raise BuildError(f"PyPI has no project {project!r} ({url}: HTTP {exc.code})") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise BuildError(f"cannot read the PyPI simple index {url}: {exc}") from None
    return [
        IndexFile(
            filename=entry["filename"], url=urllib.parse.urljoin(url, entry["url"]), sha256=entry.get("hashes", {}).get("sha256"),
            requires_python=entry.get("requires-python"), yanked=bool(entry.get("yanked")),
        )
        for entry in entries
    ]


class _AnchorReader(html.parser.HTMLParser):
    """The files of a PEP 503 project page, as PEP 691 entries: each anchor's text is the file
    name, its href the URL with ``#sha256=`` and its ``data-requires-python`` and ``data-yanked``."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            found = dict(attrs)
            href, _, fragment = (found.get("href") or "").partition("#")
            digest = dict(urllib.parse.parse_qsl(fragment))
            self._open = {"url": href, "filename": "", "hashes": {"sha256": digest["sha256"]} if "sha256" in digest else {},
                          "requires-python": found.get("data-requires-python"), "yanked": "data-yanked" in found}

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open["filename"] += data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            if not self._open["filename"]:
                self._open["filename"] = urllib.parse.unquote(self._open["url"].rsplit("/", 1)[-1])
            self.entries.append(self._open)
            self._open = None


def _html_entries(page: str) -> list[dict]:
    reader = _AnchorReader()
    reader.feed(page)
    reader.close()
    return reader.entries


def source_url_parts(url: str) -> tuple[str, str] | None:
    """(project, filename) of a redirector URL (``/packages/source/``, ``/packages/py3/``), else None."""
    match = _SOURCE_URL_RE.match(url)
    return (match.group("project"), match.group("filename")) if match else None


def resolve_file(project: str, filename: str) -> IndexFile:
    """The index entry of ``filename`` (the real, hashed download URL)."""
    for entry in project_files(project):
        if entry.filename == filename:
            return entry
    raise BuildError(f"PyPI project {project!r} has no file {filename!r}")
