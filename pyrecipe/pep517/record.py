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

from pyrecipe.fsutil import writing_file


def _digest(path: Path) -> tuple[Hash, int]:
    """The RECORD hash and size of ``path``, read in chunks: a task can install a file of any size."""
    with open(path, "rb") as stream:
        digest = hashlib.file_digest(stream, "sha256")
        length = stream.tell()
    value = base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")
    return Hash("sha256", value), length


def refresh_records(site_packages: Path, root: Path) -> list[str]:
    """Rewrite the RECORD entries of files whose content changed; returns the paths updated.

    ``root`` is the installed tree (``${D}``) that holds ``site_packages``. do_qa runs this in
    pyrecipe's process on a tree a task wrote: a RECORD that is a link, or whose dist-info is one,
    is left alone, an entry is hashed only when the file (links resolved) lies in ``root`` (RECORD
    names scripts as ``../../../bin/x``; ``../../../../etc/shadow`` is not hashed into what ships),
    and the new RECORD replaces the old one by a rename, through no link left at a temporary name.
    """
    updated: list[str] = []
    inside = os.path.realpath(root)
    for record in sorted(site_packages.glob("*.dist-info/RECORD")):
        if record.is_symlink() or record.parent.is_symlink() or not record.is_file():
            continue
        entries = list(parse_record_file(record.read_text(encoding="utf-8").splitlines()))
        rows = []
        changed = False
        for path, hash_text, size in entries:
            entry = RecordEntry.from_elements(path, hash_text, size)
            target = site_packages / path
            within = Path(os.path.realpath(target)).is_relative_to(inside)
            if entry.hash_ is not None and within and target.is_file():
                digest, length = _digest(target)
                if digest.value != entry.hash_.value or length != entry.size:
                    entry = RecordEntry(path, digest, length)
                    updated.append(path)
                    changed = True
            rows.append(entry.to_row())
        if changed:
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(rows)
            with writing_file(record) as tmp:
                tmp.write_text(buffer.getvalue(), encoding="utf-8")
    return updated
