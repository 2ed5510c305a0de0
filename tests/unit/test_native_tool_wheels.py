"""A native build tool from PyPI takes a wheel the build machine can run, before an sdist."""

from __future__ import annotations

from packaging.tags import Tag

from pyrecipe.recipetool.pypi_resolve import Release, build_machine_tags
from pyrecipe.sources.pypi import IndexFile


def files(*names: str) -> tuple[IndexFile, ...]:
    return tuple(IndexFile(name, f"https://files.example/{name}", "0" * 64, None, False) for name in names)


def test_the_best_matching_wheel_else_none() -> None:
    release = Release("pycairo", "1.29.2", files(
        "pycairo-1.29.2.tar.gz",
        "pycairo-1.29.2-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "pycairo-1.29.2-cp313-cp313-manylinux_2_28_x86_64.whl",
        "pycairo-1.29.2-cp313-cp313-manylinux_2_28_aarch64.whl",
        "pycairo-1.29.2-cp312-cp312-manylinux_2_28_x86_64.whl",
    ))
    tags = [Tag("cp313", "cp313", f"manylinux_2_{m}_x86_64") for m in (36, 28, 17)]
    chosen = release.wheel_for(tags)
    assert chosen is not None and chosen.filename == "pycairo-1.29.2-cp313-cp313-manylinux_2_28_x86_64.whl"
    assert release.wheel_for([Tag("cp311", "cp311", "manylinux_2_17_x86_64")]) is None


def test_the_build_machines_tags_are_its_cpython_and_its_glibcs() -> None:
    tags = build_machine_tags("3.13")
    assert tags[0].interpreter == "cp313" and tags[0].platform.startswith("manylinux_2_")
    assert Tag("cp313", "abi3", tags[0].platform) in tags and Tag("py3", "none", "any") in tags
    assert not any(tag.platform.startswith("linux_") for tag in tags)  # a plain linux wheel names no glibc
