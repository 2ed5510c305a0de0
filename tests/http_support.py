"""HTTP for the download tests: answers no well-behaved server gives, and a served directory."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
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
