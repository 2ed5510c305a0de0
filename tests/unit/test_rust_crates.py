"""Debian crate closures: apt-cache depends output when a suite's closure is not installable, and
packages taken from another suite (``librust-radium-dev/sid``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyrecipe.errors import InputError
from pyrecipe.toolchain.rust_crates import crate_apt, crate_package_suites, parse_depends_closure

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


def test_packages_from_another_suite_are_spelled_as_apt_does() -> None:
    packages = ["librust-jiter-dev", "librust-radium-dev/sid", "librust-uuid-dev/trixie", "librust-x-dev/experimental"]
    assert crate_package_suites(packages, "trixie") == ("experimental", "sid")
    assert crate_package_suites(["librust-pyo3-dev"], "sid") == ()
    with pytest.raises(InputError, match="python3-radium libfoo-dev/sid librust-a-dev/ librust-b-dev/sid/x"):
        crate_package_suites(
            ["librust-ok-dev", "python3-radium", "libfoo-dev/sid", "librust-a-dev/", "librust-b-dev/sid/x"], "trixie",
        )


def test_another_suite_is_read_but_pinned_away(tmp_path: Path) -> None:
    """Both suites in one sources list, the other pinned to -1: apt then installs the version of
    the suite a package is asked from (``name/sid``) and the recipe suite's for all the others."""
    plain = crate_apt(tmp_path, "trixie")
    mixed = crate_apt(tmp_path, "trixie", ("sid",))
    assert plain.root == tmp_path.absolute() / "debian-crates" / "trixie"
    assert mixed.root == tmp_path.absolute() / "debian-crates" / "trixie+sid"  # its own lists and closures
    for apt in (plain, mixed):
        apt._prepare()
        # Only the private files: neither the build machine's sources nor its pins.
        assert f"Dir::Etc::preferences={apt.preferences}" in apt._options()
        assert f"Dir::Etc::preferencesparts={apt.root / 'preferences.d'}" in apt._options()
    suites = [line.split()[-2] for line in mixed.sources_list.read_text().splitlines()]
    assert suites == ["trixie", "sid"]
    stanzas = [stanza.splitlines() for stanza in mixed.preferences.read_text().split("\n\n")]
    assert stanzas == [
        ["Package: *", "Pin: release n=sid", "Pin-Priority: -1"],
        ["Package: *", "Pin: release a=sid", "Pin-Priority: -1"],
    ]
    assert plain.preferences.read_text() == ""
