"""Wheels for fleets: a board installs what pyrecipe built from ``pyrecipe index``, with pip run by its own CPython.

The test builds two C extensions (msgpack, markupsafe) and a pure recipe from PyPI's wheel (six)
for the Raspberry Pi 4, writes the simple index of the machine's deployed wheels, serves it with
a real HTTP server on 127.0.0.1 and installs from it with pip run by the board's own CPython
under qemu-user (``--isolated``: no pip configuration of the build machine takes part,
``--only-binary``: nothing is built on the board), then imports the installed copies there. pip
itself is PyPI's pure wheel of the release that supports the target's CPython, run from the wheel
file as get-pip does (the board needs no pip installed).
"""

from __future__ import annotations

import functools
import http.server
import re
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from cross_support import DISTRO, MACHINE, PYTHON_VERSION, SITE, build_for_raspberrypi4, machine_dir, pyrecipe

CP = "cp" + PYTHON_VERSION.replace(".", "")
RECIPES = ("msgpack", "markupsafe", "six")


def pip_wheel(tmp_path: Path) -> Path:
    """pip's own wheel, the release that supports the target's CPython X.Y (pip is pure Python;
    the build machine's Debian pip, 23.0.1 on bookworm, does not run on CPython 3.12 and later)."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                    "--python-version", PYTHON_VERSION, "pip", "-d", str(tmp_path)],
                   check=True, capture_output=True, text=True)
    return next(tmp_path.glob("pip-*.whl"))


class Recording(http.server.SimpleHTTPRequestHandler):
    requests: list[str]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        self.requests.append(self.path)


@pytest.fixture
def served(cross_build_dir: Path) -> Iterator[tuple[str, list[str]]]:
    """``deploy/<distro>/<machine>`` served on 127.0.0.1 (its URL) and the paths it was asked for."""
    requests: list[str] = []
    handler = type("Handler", (Recording,), {"requests": requests})
    root = cross_build_dir / "deploy" / DISTRO / MACHINE
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def test_board_installs_from_the_index(cross_build_dir: Path, served: tuple[str, list[str]], tmp_path: Path) -> None:
    build_for_raspberrypi4(cross_build_dir, *RECIPES)
    # Other recipes of the session's build directory deploy a wheel of the same name (an OE layer's
    # python3-six, built from its sdist): the last one deployed is served. This test's six is ours.
    build_for_raspberrypi4(cross_build_dir, "six", "-c", "deploy_wheel", "-f")
    wheels_dir = cross_build_dir / "deploy" / DISTRO / MACHINE / "wheels"
    names = {path.name for path in wheels_dir.glob("*.whl")}
    # The C extensions need glibc and nothing else: manylinux, with the target CPython's ABI.
    for project in ("msgpack", "markupsafe"):
        tagged = [n for n in names if n.startswith(f"{project}-")]
        assert len(tagged) == 1 and re.fullmatch(rf"{project}-[\d.]+-{CP}-{CP}-manylinux_2_\d+_aarch64\.whl", tagged[0]), names
    # six is PyPI's own wheel, unchanged.
    six = next(n for n in names if n.startswith("six-"))
    assert six.endswith("-py2.py3-none-any.whl")
    assert (wheels_dir / six).read_bytes() == (cross_build_dir / "downloads" / six).read_bytes()
    # The deployed extension is the stripped one the image has, not do_compile's.
    msgpack_wheel = next(wheels_dir.glob("msgpack-*.whl"))
    with zipfile.ZipFile(msgpack_wheel) as archive:
        module = next(n for n in archive.namelist() if n.startswith("msgpack/_cmsgpack."))
        image = cross_build_dir / DISTRO / MACHINE / "image" / f"usr/lib/python{PYTHON_VERSION}/site-packages" / module
        assert archive.read(module) == image.read_bytes()

    result = pyrecipe("index", "--machine", MACHINE, build_dir=cross_build_dir)
    assert result.returncode == 0, result.stderr
    simple = cross_build_dir / "deploy" / DISTRO / MACHINE / "simple"
    page = (simple / "msgpack" / "index.html").read_text()
    assert f'href="../../wheels/{msgpack_wheel.name}#sha256=' in page

    url, requests = served
    target = tmp_path / "site"
    install = pyrecipe(
        "run", "--machine", MACHINE, "--", "python3", f"{pip_wheel(tmp_path)}/pip", "install", "--isolated",
        "--no-cache-dir", "--disable-pip-version-check", "--only-binary=:all:", "--index-url", f"{url}/simple",
        "--target", str(target), *RECIPES, build_dir=cross_build_dir, timeout=900,
    )
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    fetched = {Path(path).name for path in requests if path.startswith("/wheels/")}
    assert fetched == {n for n in names if n.split("-")[0] in ("msgpack", "markupsafe", "six")}, requests

    code = (
        f"import sys; sys.path.insert(0, {str(target)!r}); import msgpack, markupsafe, six, markupsafe._speedups; "
        "assert msgpack.Packer.__module__ == 'msgpack._cmsgpack', msgpack.Packer.__module__; "
        "assert msgpack.unpackb(msgpack.packb({'a': [1, 2.5]})) == {'a': [1, 2.5]}; "
        "print(msgpack.__file__, markupsafe.escape('<b>'), six.PY3, sys.implementation.cache_tag)"
    )
    run = pyrecipe("run", "--machine", MACHINE, "--", "python3", "-c", code, build_dir=cross_build_dir, timeout=600)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(str(target / "msgpack")), run.stdout
    assert "&lt;b&gt; True" in run.stdout


def test_a_first_build_takes_the_boards_wheels_the_user_allows(cross_build_dir: Path, served: tuple[str, list[str]],
                                                               tmp_path: Path) -> None:
    """``-r`` with ``--only-binary`` in a new build directory: the wheels are checked against the
    board's sysroot (ELF machine, symbol versions, NEEDED), which is provisioned for that before
    the graph. The first build of a new build directory refused every platform wheel with "the
    board's sysroot is not provisioned yet"."""
    build_for_raspberrypi4(cross_build_dir, "msgpack")
    assert pyrecipe("index", "--machine", MACHINE, build_dir=cross_build_dir).returncode == 0
    url, requests = served
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("msgpack\n")
    fresh = tmp_path / "fresh"
    result = pyrecipe("build", "-r", str(requirements), "--only-binary", "--index-url", f"{url}/simple",
                      "--machine", MACHINE, build_dir=fresh)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert re.search(r"^msgpack\s+[\d.]+\s+pypi wheel\s", result.stdout, re.MULTILINE), result.stdout[-3000:]
    assert any(Path(path).name.startswith("msgpack-") and path.endswith(".whl") for path in requests), requests
    # The wheel's extension, as the index served it, is what the image holds, and do_test imported it.
    image = machine_dir(fresh) / "image" / SITE / "msgpack"
    assert next(image.glob("_cmsgpack.*.so")).is_file()
    assert "msgpack: task do_test: Succeeded" in result.stdout
