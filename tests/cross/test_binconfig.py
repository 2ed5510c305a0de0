"""A build that asks a library's ``*-config`` script for its flags finds the sysroot's, as
pycurl's asks ``curl-config``: OE's ``binconfig`` staging, from the Debian -dev package."""

from __future__ import annotations

from pathlib import Path

from cross_support import layer_recipe_test_lines, machine_dir

LAYER = Path(__file__).parents[1] / "fixtures" / "binconfig_layer"


def test_curl_config_of_the_sysroot_is_on_the_builds_path(cross_build_dir: Path) -> None:
    lines = layer_recipe_test_lines(cross_build_dir, LAYER, "python3-curlflags", "1.0")
    printed = [line for line in lines if line.startswith("curl-config ")]
    assert printed and "-lcurl" in printed[0] and "libcurl " in printed[0], lines
    assert (machine_dir(cross_build_dir) / "toolchain" / "crossscripts" / "curl-config").is_file()
