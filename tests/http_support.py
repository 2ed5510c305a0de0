"""HTTP answers for the download tests that no well-behaved server gives."""

from __future__ import annotations

import http.server
import time

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
