"""Debian crate closures when the suite's closure is not installable (apt-cache depends output)."""

from __future__ import annotations

from pyrecipe.toolchain.rust_crates import parse_depends_closure

# Shaped as `apt-cache depends --recurse` prints it (sid, a zip waiting for typed-path 0.12).
DEPENDS_OUTPUT = """\
librust-pyo3-dev
  Depends: <librust-chrono-tz-0.10-dev>
    librust-chrono-tz-dev
  Depends: librust-hashbrown-dev
  Depends: <librust-uuid-1+default-dev>
    librust-uuid-dev
librust-chrono-tz-dev
  Depends: <librust-zip-9+deflate-dev>
    librust-zip-dev
librust-hashbrown-dev
librust-uuid-dev
  Depends: <mime-support>
<librust-chrono-tz-0.10-dev>
librust-zip-dev
  Depends: <librust-typed-path-0.12+default-dev>
  |Depends: <librust-zstd-0.13+default-dev>
    librust-zstd-dev
librust-zstd-dev
<librust-typed-path-0.12+default-dev>
"""


def test_reached_packages_and_unprovided_virtual_dependencies() -> None:
    reached, unmet = parse_depends_closure(DEPENDS_OUTPUT)
    assert reached == [
        "librust-chrono-tz-dev", "librust-hashbrown-dev", "librust-pyo3-dev", "librust-uuid-dev",
        "librust-zip-dev", "librust-zstd-dev",
    ]
    # A virtual dependency is unmet only when no provider line follows it, also as the last line
    # before the next package and at the end of the output.
    assert unmet == ["librust-typed-path-0.12+default-dev", "mime-support"]


def test_a_closure_without_virtual_dependencies_has_nothing_unmet() -> None:
    assert parse_depends_closure("librust-cfg-if-dev\n") == (["librust-cfg-if-dev"], [])
    assert parse_depends_closure("") == ([], [])
