"""HTTP for the download tests: answers no well-behaved server gives, and a served directory."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

TRICKLE_BYTES = 100
TRICKLE_PAUSE = 0.2


def send_trickle(handler: http.server.BaseHTTPRequestHandler) -> None:
    """A 200 answer whose body comes one byte every TRICKLE_PAUSE seconds: every read is quick,
    the whole takes TRICKLE_BYTES * TRICKLE_PAUSE seconds (bounded, so a test cannot hang on it)."""
    handler.send_response(200)
    handler.send_header("Content-Length", str(TRICKLE_BYTES))
    handler.end_headers()
    try:
        for _ in range(TRICKLE_BYTES):
            handler.wfile.write(b"x")
            handler.wfile.flush()
            time.sleep(TRICKLE_PAUSE)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up, as it should


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        """The pages under /simple/ are PEP 691 JSON (pypi_support.publish): said so, for
        clients that read the type (uv) and not only the body (pyrecipe)."""
        if "/simple/" in str(path):
            return "application/vnd.pypi.simple.v1+json"
        return super().guess_type(path)


@contextlib.contextmanager
def serve_directory(root: Path) -> Iterator[str]:
    """Serve ``root`` over HTTP on 127.0.0.1 while the block runs; yields ``http://127.0.0.1:PORT``."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def webdav_server(prefix: Path) -> Iterator[tuple[str, Path]]:
    """Debian's nginx on 127.0.0.1 with its WebDAV module taking PUT (as a shared-state or ccache
    server is set up): yields (its URL, the directory it serves and writes)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    root = prefix / "root"
    for folder in (root, prefix / "temp", prefix / "logs"):
        folder.mkdir(parents=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    user = "user root;\n" if os.geteuid() == 0 else ""
    (prefix / "nginx.conf").write_text(
        f"{user}daemon off;\npid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n client_body_temp_path {prefix}/temp/body;\n proxy_temp_path {prefix}/temp/proxy;\n"
        f" fastcgi_temp_path {prefix}/temp/fastcgi;\n uwsgi_temp_path {prefix}/temp/uwsgi;\n scgi_temp_path {prefix}/temp/scgi;\n"
        f" server {{\n  listen 127.0.0.1:{port};\n  root {root};\n"
        "  location / { dav_methods PUT DELETE; create_full_put_path on; dav_access user:rw group:r all:r; client_max_body_size 0; }\n"
        " }\n}\n")
    server = subprocess.Popen([nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "logs/error.log")])
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (prefix / "logs/error.log").read_text()
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", root
    finally:
        server.terminate()
        server.wait(10)
