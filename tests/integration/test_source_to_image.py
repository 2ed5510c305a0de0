"""The building blocks in a row on a real sdist from PyPI: fetch, unpack, build, install, image."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pyrecipe.outputs.image import assemble_image, manifest_path
from pyrecipe.pep517.hooks import build_wheel
from pyrecipe.pep517.install import install_wheel
from pyrecipe.sources.fetch import fetch, parse_src_uri_entry
from pyrecipe.sources.unpack import unpack
from pyrecipe.tasks.package_split import split_files

RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"

SIX_SRC_URI = (
    "https://files.pythonhosted.org/packages/71/39/171f1c67cd00715f190ba0b100d606d440a28c93c7714febeca8b79af85e/"
    "six-1.16.0.tar.gz;name=six"
)
SIX_FLAGS = {"six.sha256sum": "1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926"}


def test_six_sdist_from_pypi_to_image(tmp_path: Path) -> None:
    entry = parse_src_uri_entry(SIX_SRC_URI, SIX_FLAGS)
    archive = fetch(entry.url, tmp_path / "downloads", entry.sha256, filename=entry.filename)
    workdir = tmp_path / "work/six/1.16.0"
    source = unpack(archive, workdir / "src")
    assert source == workdir / "src/six-1.16.0"
    wheel = build_wheel(source, workdir / "dist", python=Path(sys.executable), env=dict(os.environ), log=None)
    assert wheel.name == "six-1.16.0-py2.py3-none-any.whl"
    install_wheel(wheel, workdir / "image", python_version=RUNNING)
    shipped = split_files(workdir / "image", [("python3-six", ["/"])]).files["python3-six"]
    image = assemble_image([("python3-six", workdir / "image", shipped)], tmp_path / "image", tar_path=tmp_path / "image.tar.gz")
    site = image / f"usr/lib/python{RUNNING}/site-packages"
    run = subprocess.run([sys.executable, "-c", "import six; print(six.__version__, six.__file__)"],
                         capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(site)})
    assert run.stdout == f"1.16.0 {site / 'six.py'}\n"
    assert f"usr/lib/python{RUNNING}/site-packages/six.py\tfile\t0644\t" in manifest_path(image).read_text()
    assert (tmp_path / "image.tar.gz").stat().st_size > 0
