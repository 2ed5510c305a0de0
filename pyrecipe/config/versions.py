"""Version comparison for recipe versions (PE:PV-PR), with the Debian ordering bitbake uses.

Recipe versions are not PEP 440 (``1.0+git``, ``2.3.5-r0``), so the comparison is dpkg's: runs
of non-digits compare lexically with ``~`` before everything, runs of digits numerically.
"""

from __future__ import annotations

import re

_PIECES_RE = re.compile(r"(\d+|\D+)")


def _char_order(char: str) -> int:
    if char == "~":
        return -1
    if char.isalpha():
        return ord(char)
    return ord(char) + 256


_NON_DIGITS = re.compile(r"\D*")
_DIGITS = re.compile(r"\d*")


def _leading(pattern: re.Pattern[str], text: str) -> str:
    """The run of ``text``'s start that ``pattern`` (which matches the empty string too) takes."""
    match = pattern.match(text)
    return match.group() if match else ""


def _compare_part(a: str, b: str) -> int:
    while a or b:
        a_text = _leading(_NON_DIGITS, a)
        b_text = _leading(_NON_DIGITS, b)
        for i in range(max(len(a_text), len(b_text))):
            ca = _char_order(a_text[i]) if i < len(a_text) else 0
            cb = _char_order(b_text[i]) if i < len(b_text) else 0
            if ca != cb:
                return -1 if ca < cb else 1
        a, b = a[len(a_text):], b[len(b_text):]
        a_num = _leading(_DIGITS, a)
        b_num = _leading(_DIGITS, b)
        if int(a_num or 0) != int(b_num or 0):
            return -1 if int(a_num or 0) < int(b_num or 0) else 1
        a, b = a[len(a_num):], b[len(b_num):]
    return 0


def compare_versions(a: str, b: str) -> int:
    """-1, 0 or 1 as ``a`` is older than, equal to or newer than ``b`` (``[epoch:]version[-revision]``)."""
    def split(v: str) -> tuple[int, str, str]:
        epoch, _, rest = v.rpartition(":") if ":" in v else ("0", "", v)
        version, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "")
        return int(epoch or 0), version, revision

    ea, va, ra = split(a)
    eb, vb, rb = split(b)
    if ea != eb:
        return -1 if ea < eb else 1
    return _compare_part(va, vb) or _compare_part(ra, rb)
