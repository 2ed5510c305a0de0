"""The manylinux decision on given ELF needs, wheel names and tags, and do_deploy_wheel's signature.

The ELF reading itself is tested on compiled objects in tests/integration/test_wheel_tags.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pyrecipe.outputs.manylinux import ElfNeeds, newest_needed, platform_tag, policies
from pyrecipe.outputs.wheel import remove_superseded, retagged_name, site_packages_member, target_tag, wheel_tag


def needs(*versions: str, needed: tuple[str, ...] = ("libc.so.6",), name: str = "m.so", soname: str | None = None) -> ElfNeeds:
    return ElfNeeds(name, "EM_AARCH64", soname, needed, frozenset(versions))


@pytest.mark.parametrize("versions, expected", [
    ((), "manylinux_2_17_aarch64"),
    (("GLIBC_2.17",), "manylinux_2_17_aarch64"),
    (("GLIBC_2.18",), "manylinux_2_17_aarch64"),  # aarch64's manylinux2014 allows 2.18
    (("GLIBC_2.25",), "manylinux_2_26_aarch64"),  # no 2_25 policy: the next one
    (("GLIBC_2.34", "GLIBC_2.17"), "manylinux_2_34_aarch64"),
    (("GLIBC_2.17", "GLIBCXX_3.4.30"), "manylinux_2_35_aarch64"),  # libstdc++ decides
    (("GLIBC_2.17", "CXXABI_TM_1"), "manylinux_2_17_aarch64"),
    (("GLIBC_2.36", "GLIBC_ABI_DT_RELR"), "manylinux_2_36_aarch64"),
    (("GLIBC_2.17", "OPENSSL_3.0.0"), "manylinux_2_17_aarch64"),  # a family no policy judges
])
def test_oldest_policy_that_allows_every_version(versions: tuple[str, ...], expected: str) -> None:
    assert platform_tag("aarch64", [needs(*versions)]).tag == expected


def test_newer_than_every_policy_is_linux() -> None:
    verdict = platform_tag("aarch64", [needs("GLIBC_2.99")])
    assert verdict.tag == "linux_aarch64"
    assert "GLIBC_2.99" in verdict.reason and f"manylinux_2_{policies('aarch64')[-1]}" in verdict.reason


def test_libraries_outside_the_policy_make_it_linux_and_are_named() -> None:
    verdict = platform_tag("aarch64", [needs("GLIBC_2.17", needed=("libc.so.6", "libyaml-0.so.2"), name="_yaml.so")])
    assert verdict.tag == "linux_aarch64"
    assert "libyaml-0.so.2 (_yaml.so)" in verdict.reason


def test_libraries_the_wheel_carries_and_the_loader_are_fine() -> None:
    module = needs("GLIBC_2.17", needed=("libc.so.6", "libfoo.so.1", "ld-linux-aarch64.so.1"))
    library = needs("GLIBC_2.17", name="pkg.libs/libfoo-1a2b.so.1", soname="libfoo.so.1")
    assert platform_tag("aarch64", [module, library]).tag == "manylinux_2_17_aarch64"


def test_libmvec_only_from_2_24() -> None:
    assert platform_tag("aarch64", [needs("GLIBC_2.17", needed=("libc.so.6", "libmvec.so.1"))]).tag == "manylinux_2_24_aarch64"


def test_each_architecture_has_its_own_facts() -> None:
    assert platform_tag("armv7l", [needs("GLIBC_2.4")]).tag == "manylinux_2_17_armv7l"
    assert platform_tag("x86_64", [needs("GLIBC_2.2.5")]).tag == "manylinux_2_5_x86_64"
    assert platform_tag("x86_64", [needs("GLIBC_2.2.5", needed=("libc.so.6", "libexpat.so.1"))]).tag == "manylinux_2_12_x86_64"
    assert platform_tag("riscv64", [needs("GLIBC_2.27")]).tag == "linux_riscv64"


def test_newest_needed_names_each_family() -> None:
    assert newest_needed([needs("GLIBC_2.17", "GLIBC_2.28"), needs("GLIBCXX_3.4.9", "GLIBCXX_3.4.30", "OPENSSL_3.0.0")]) == (
        "GLIBC_2.28, GLIBCXX_3.4.30")


def test_tags_and_names() -> None:
    assert wheel_tag("msgpack-1.2.4-cp311-cp311-linux_aarch64.whl") == "cp311-cp311-linux_aarch64"
    assert retagged_name("pkg-1.0-1build-cp311-cp311-linux_aarch64.whl", "cp311-cp311-manylinux_2_17_aarch64") == (
        "pkg-1.0-1build-cp311-cp311-manylinux_2_17_aarch64.whl")
    # The target CPython's ABI, whatever interpreter the backend ran; abi3 and none are kept.
    assert target_tag("cp311-cp311-linux_aarch64", "3.13", "manylinux_2_34_aarch64") == "cp313-cp313-manylinux_2_34_aarch64"
    assert target_tag("cp39-abi3-linux_aarch64", "3.13", "linux_aarch64") == "cp39-abi3-linux_aarch64"
    assert target_tag("py3-none-linux_aarch64", "3.11", "manylinux_2_17_aarch64") == "py3-none-manylinux_2_17_aarch64"


def test_site_packages_member() -> None:
    assert site_packages_member("pkg/_ext.so") == "pkg/_ext.so"
    assert site_packages_member("pkg-1.0.data/platlib/other/_x.so") == "other/_x.so"
    assert site_packages_member("pkg-1.0.data/scripts/tool") is None
    assert site_packages_member("pkg-1.0.dist-info/METADATA") == "pkg-1.0.dist-info/METADATA"
    assert site_packages_member("pkg-1.0.dist-info/sboms/pkg.cyclonedx.json") == "pkg-1.0.dist-info/sboms/pkg.cyclonedx.json"
    assert site_packages_member("pkg-1.0.dist-info/RECORD") is None


def test_superseded_wheels_of_the_same_architecture_go(tmp_path: Path) -> None:
    # Only the names count: empty files stand for the wheels.
    old, other_arch, other_version, new = (tmp_path / name for name in (
        "demo-1.0-cp311-cp311-linux_aarch64.whl", "demo-1.0-cp311-cp311-linux_armv7l.whl",
        "demo-0.9-cp311-cp311-linux_aarch64.whl", "demo-1.0-cp311-cp311-manylinux_2_17_aarch64.whl"))
    for path in (old, other_arch, other_version, new):
        path.write_bytes(b"")
    assert remove_superseded(tmp_path, new, "aarch64") == [old]
    assert other_arch.exists() and other_version.exists() and new.exists()


def test_editing_the_policy_facts_reruns_do_deploy_wheel_and_what_follows(tmp_path: Path) -> None:
    """msgpack's real tasks: a change to the manylinux facts reruns do_deploy_wheel (which runs
    after do_package) and the tasks after it; do_package and what came before keep their signatures."""
    import shutil
    from functools import partial

    from pyrecipe.config.configuration import Settings, load_configuration
    from pyrecipe.config.paths import TOPDIR
    from pyrecipe.engine import codesig
    from pyrecipe.engine.task_runner import task_order, task_signatures
    from pyrecipe.parse import parse_recipe

    config = load_configuration(Settings(build_dir=tmp_path / "build", machine="raspberrypi4"))
    [recipe] = (TOPDIR / "recipes" / "msgpack").glob("msgpack_*.bb")
    d = parse_recipe(recipe, config)[""]
    order = task_order(d, "do_build")
    assert order.index("do_package") < order.index("do_deploy_wheel") < order.index("do_populate_sysroot")
    copy = tmp_path / "pyrecipe"
    shutil.copytree(codesig.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))

    def clear_caches() -> None:
        for cached in (codesig._parsed, codesig._module_digest, codesig._reference_digest):
            cached.cache_clear()

    def signatures() -> dict[str, str]:
        clear_caches()
        return task_signatures(d, order, "base", code=partial(codesig.code_digest, package_dir=copy))

    before = signatures()
    facts = copy / "outputs" / "manylinux.py"
    facts.write_text(facts.read_text().replace('17: ("2.18", "3.4.19"', '17: ("2.17", "3.4.19"'))
    after = signatures()
    clear_caches()
    assert [task for task in order if before[task] != after[task]] == order[order.index("do_deploy_wheel"):]
