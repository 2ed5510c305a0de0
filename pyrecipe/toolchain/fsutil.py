"""Writing files so that a reader never sees half of one, even after an interrupted run."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def atomic_write_text(path: Path, text: str, mode: int | None = None) -> bool:
    """Write ``text`` to ``path`` through a temporary file renamed into place.

    Returns whether the file changed: an unchanged file is not rewritten, so its mtime stays
    and a second provisioning run does no work.
    """
    path = Path(path)
    if path.is_file() and path.read_text() == text and (mode is None or path.stat().st_mode & 0o777 == mode):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def file_digest(*paths: Path, extra: str = "") -> str:
    """sha256 over the contents of ``paths`` and ``extra``: the key of a cached result."""
    digest = hashlib.sha256(extra.encode())
    for path in paths:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()
