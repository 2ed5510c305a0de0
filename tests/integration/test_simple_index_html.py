"""A private index that serves PEP 503's HTML pages only (a static directory of pages, as
``pyrecipe index`` writes and nginx serves, older devpi, Artifactory) is read as PyPI's JSON is."""

from __future__ import annotations

from pathlib import Path

from http_support import serve_directory
from pyrecipe.sources import pypi

DIGEST = "ab" * 32


def test_an_html_project_page_gives_each_files_name_url_hash_python_and_yanked(tmp_path: Path) -> None:
    """The resolver read only JSON: a build with ``--index-url`` of pyrecipe's own index stopped
    with "cannot read the PyPI simple index ...: Expecting value: line 1 column 1"."""
    page = tmp_path / "pages" / "demo-pkg"  # not under /simple/, which the test server calls JSON
    page.mkdir(parents=True)
    (page / "index.html").write_text(
        "<!DOCTYPE html><html><body><h1>Links for demo-pkg</h1>\n"
        f'<a href="../../wheels/demo_pkg-1.0-cp313-cp313-manylinux_2_17_aarch64.whl#sha256={DIGEST}" '
        'data-requires-python="&gt;=3.9">demo_pkg-1.0-cp313-cp313-manylinux_2_17_aarch64.whl</a><br>\n'
        '<a href="https://files.example.org/demo_pkg-0.9.tar.gz" data-yanked="broken">demo_pkg-0.9.tar.gz</a>\n'
        "</body></html>\n"
    )
    with serve_directory(tmp_path) as url:
        files = pypi.project_files("Demo_Pkg", index=f"{url}/pages")
    wheel, sdist = files
    assert wheel == pypi.IndexFile(
        filename="demo_pkg-1.0-cp313-cp313-manylinux_2_17_aarch64.whl",
        url=f"{url}/wheels/demo_pkg-1.0-cp313-cp313-manylinux_2_17_aarch64.whl",
        sha256=DIGEST, requires_python=">=3.9", yanked=False,
    )
    assert (sdist.filename, sdist.url, sdist.sha256, sdist.yanked) == (
        "demo_pkg-0.9.tar.gz", "https://files.example.org/demo_pkg-0.9.tar.gz", None, True)
