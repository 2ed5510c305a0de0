"""host-paths QA: an XML or HTML closing tag named like a host directory is not that directory.

The builder's home directory is among the host paths (root's /root no longer: the board has it
too); lxml's docstrings and doctests (in its .pyx/.py files and in the .rodata of its extension
modules) are full of ``<root>...</root>`` and were reported as leaks of /root.
"""

from __future__ import annotations

import pytest

from pyrecipe.qa.hostpaths import HostPathFinder
from pyrecipe.tasks.qa import builder_home

FINDER = HostPathFinder(["/root", "/work/main/build"], ["/usr"])


@pytest.mark.parametrize("binary", [False, True])
@pytest.mark.parametrize(("data", "found"), [
    (b'>>> root = XML("<root><test/></root>")', None),
    (b"<build></work/main/build>", None),
    (b"<a></root></a> cache=/root/.cache", "/root"),  # the tag is skipped, the path after it is not
    (b"HOME=/root>", "/root"),  # only '<' before and '>' after make a tag
    (b"</root/x>", "/root"),
])
def test_closing_tags_are_not_host_paths(data: bytes, found: str | None, binary: bool) -> None:
    match = FINDER.find(data, binary=binary)
    assert (match[1] if match else None) == found


def test_roots_home_is_no_host_path_another_home_is() -> None:
    """/root is root's home on the board too: building as root must not flag it."""
    assert builder_home("/root") is None
    assert builder_home("/home/alice") == "/home/alice"
