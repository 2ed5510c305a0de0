"""Keeping a dist-info RECORD true after installed files were changed.

A recipe may edit what it installed (``do_install:append``: a sed over a generated file), and
pyrecipe itself rewrites RPATHs into the build sysroot to their target paths; either way the
hashes in RECORD must describe the files that ship, or a verifier on the board sees tampering.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
from pathlib import Path

from installer.records import Hash, RecordEntry, parse_record_file


def _digest(path: Path) -> tuple[Hash, int]:
    data = path.read_bytes()
    value = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode().rstrip("=")
    return Hash("sha256", value), len(data)


def refresh_records(site_packages: Path) -> list[str]:
    """Rewrite the RECORD entries of files whose content changed; returns the paths updated."""
    updated: list[str] = []
    for record in sorted(site_packages.glob("*.dist-info/RECORD")):
        entries = list(parse_record_file(record.read_text(encoding="utf-8").splitlines()))
        rows = []
        changed = False
        for path, hash_text, size in entries:
            entry = RecordEntry.from_elements(path, hash_text, size)
            target = site_packages / path
            if entry.hash_ is not None and target.is_file():
                digest, length = _digest(target)
                if digest.value != entry.hash_.value or length != entry.size:
                    entry = RecordEntry(path, digest, length)
                    updated.append(path)
                    changed = True
            rows.append(entry.to_row())
        if changed:
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(rows)
            tmp = record.with_name(record.name + ".tmp")
            tmp.write_text(buffer.getvalue(), encoding="utf-8")
            os.replace(tmp, record)
    return updated
