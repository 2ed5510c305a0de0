"""End to end: cross-build real extension packages for a Raspberry Pi 4 and run them under qemu-user.

Uses the real cross compiler, the Debian arm64 sysroot and the target's own CPython, all
provisioned by pyrecipe itself (as root in CI). The recipes' do_test runs each module under
qemu-user during the build; the test then checks the image's ELF files and runs the image
again through ``pyrecipe run``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from cross_support import (
    SITE,
    SUFFIX,
    assert_aarch64_module,
    build_for_raspberrypi4,
    do_test_lines,
    native_dir,
    pyrecipe,
    run_on_board,
)
from pyrecipe.qa.elfchecks import optimisation_level
from pyrecipe.qa.inventory import gcc_producers
from pyrecipe.tasks.package import build_id, has_debug_info
from pyrecipe.toolchain import host_tools

LAYER = Path(__file__).parents[1] / "fixtures" / "cross_layer"


@pytest.fixture(scope="module")
def built_image(cross_build_dir: Path) -> Path:
    return build_for_raspberrypi4(
        cross_build_dir, "python3-hello-cext", "hello-meson", "python3-hello-srcpath", "--layer", str(LAYER),
    ) / "image"


@pytest.mark.parametrize("module", ["hello_cext", "hello_meson"])
def test_extension_is_aarch64_with_target_suffix(built_image: Path, module: str) -> None:
    [so] = (built_image / SITE).glob(f"{module}*.so")
    assert so.name == module + SUFFIX
    assert_aarch64_module(so)


def test_image_runs_on_the_emulated_board(built_image: Path, cross_build_dir: Path) -> None:
    code = (
        "import platform, hello_cext, hello_meson; "
        "print(platform.machine(), hello_cext.checksum(1000), hello_meson.dot([1, 2], [3, 4]), hello_meson.compiled_for())"
    )
    assert run_on_board(cross_build_dir, code).split() == ["aarch64", "332833500", "11.0", "aarch64"]


@pytest.mark.parametrize("program", ["/no/such/program", "nosuchprogram"])
def test_running_a_missing_program_says_so(cross_build_dir: Path, program: str) -> None:
    result = pyrecipe("run", "--machine", "raspberrypi4", "--", program, build_dir=cross_build_dir)
    assert result.returncode == 2, result.stderr
    assert f"pyrecipe: error: cannot run {program} for raspberrypi4: no such program" in result.stderr


def test_do_test_ran_under_qemu(built_image: Path) -> None:
    assert "aarch64 64 332833500" in do_test_lines(built_image.parent, "python3-hello-cext", "1.0")


def test_second_build_is_a_no_op(built_image: Path, cross_build_dir: Path) -> None:
    result = pyrecipe(
        "build", "python3-hello-cext", "hello-meson", "--machine", "raspberrypi4", "--layer", str(LAYER),
        build_dir=cross_build_dir,
    )
    assert result.returncode == 0, result.stderr
    assert "Build done: 0 tasks run" in result.stdout


def test_dry_run_after_a_build_has_nothing_to_run(built_image: Path, cross_build_dir: Path) -> None:
    """A dry run provisions nothing, yet plans with the toolchain the last build provisioned."""
    result = pyrecipe(
        "build", "python3-hello-cext", "hello-meson", "-n", "--machine", "raspberrypi4", "--layer", str(LAYER),
        build_dir=cross_build_dir,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "Dry run: 0 tasks would run; nothing was run", result.stdout


def test_forced_rebuild_compiles_through_ccache(built_image: Path, cross_build_dir: Path) -> None:
    """With ccache installed the C compilations of a forced rebuild are cache hits (setuptools'
    CC and meson's cross file both launch it)."""
    host_tools.ensure_host_packages(["ccache"])
    ccache = shutil.which("ccache")
    env = dict(os.environ, CCACHE_DIR=str(cross_build_dir / "cache" / "ccache"))
    args = ("build", "python3-hello-cext", "hello-meson", "-f", "--machine", "raspberrypi4", "--layer", str(LAYER))
    # The first forced build fills the cache if ccache came after the session's first build.
    for attempt in ("fill", "hit"):
        if attempt == "hit":
            subprocess.run([ccache, "--zero-stats"], env=env, check=True, capture_output=True)
        result = pyrecipe(*args, build_dir=cross_build_dir)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    printed = subprocess.run([ccache, "--print-stats"], env=env, check=True, capture_output=True, text=True).stdout
    stats = {key: int(value) for key, value in (line.split("\t") for line in printed.splitlines())}
    assert stats["direct_cache_hit"] + stats["preprocessed_cache_hit"] >= 2, stats
    assert stats["cache_miss"] == 0, stats


def test_build_policy_optimises_maps_paths_and_disables_assert(built_image: Path) -> None:
    """Nothing in python3-hello-srcpath's recipe asks for it: the flag policy alone gives -O2 -g,
    NDEBUG and __FILE__ mapped to /usr/src/debug (so the host-paths check passes), for setuptools
    and meson alike."""
    build = built_image.parent
    assert "srcpath /usr/src/debug/python3-hello-srcpath/1.0/include/srcpath.h True False" in do_test_lines(
        build, "python3-hello-srcpath", "1.0")
    compile_lines = [line for line in (build / "work" / "python3-hello-srcpath" / "1.0" / "temp" / "log.do_compile")
                     .read_text().splitlines() if "aarch64-linux-gnu-gcc" in line and " -c " in line]
    assert compile_lines and all(" -O2 " in line and " -g " in line and " -DNDEBUG" in line for line in compile_lines)
    meson_options = (build / "work" / "python3-hello-meson" / "1.0" / "build" / "meson-info" / "intro-buildoptions.json").read_text()
    options = {o["name"]: o["value"] for o in json.loads(meson_options)}
    assert (options["optimization"], options["debug"], options["b_ndebug"]) == ("2", True, "true")


@pytest.mark.parametrize("module", ["hello_cext", "hello_meson", "hello_srcpath"])
def test_package_is_stripped_and_debug_info_deployed_by_build_id(built_image: Path, module: str) -> None:
    """What ships (${PKGD}, which the image and the .debs take) is stripped; the debug file is found
    by build-id in deploy/debug and records an -O2 compile."""
    package = built_image.parent / "work" / f"python3-{module.replace('_', '-')}" / "1.0" / "package"
    [so] = (package / SITE).glob(f"{module}*.so")
    with open(so, "rb") as stream:
        elf = ELFFile(stream)
        assert elf.get_section_by_name(".debug_info") is None and elf.get_section_by_name(".gnu_debuglink") is not None
    identity = build_id(so)
    debug_file = built_image.parent / "deploy" / "debug" / ".build-id" / identity[:2] / f"{identity[2:]}.debug"
    with open(debug_file, "rb") as stream:
        elf = ELFFile(stream)
        assert has_debug_info(debug_file)
        producers = gcc_producers(elf)
    assert producers and all(optimisation_level(p) == "2" for p in producers), producers


@pytest.fixture(scope="module")
def codegen_built(cross_build_dir: Path) -> Path:
    """python3-hello-codegen's setup.py imports hello_tables, which python3-hello-tables-native built."""
    return build_for_raspberrypi4(cross_build_dir, "python3-hello-codegen", "--layer", str(LAYER))


def test_build_imports_what_a_native_recipe_built(codegen_built: Path, cross_build_dir: Path) -> None:
    # sum of the squares 0..9 from the table the native module generated at build time
    assert "codegen 285" in do_test_lines(codegen_built, "python3-hello-codegen", "1.0")
    assert (codegen_built / "sysroot-native" / SITE / "hello_tables.py").is_file()
    # Native results stay on the build machine: the board's image has only the extension.
    assert sorted(p.name for p in (codegen_built / "image" / SITE).iterdir()) == [
        "hello_codegen-1.0.dist-info", "hello_codegen" + SUFFIX,
    ]


def test_native_recipe_alone_tests_on_the_build_machine_and_keeps_the_image(codegen_built: Path, cross_build_dir: Path) -> None:
    before = sorted(p.name for p in (codegen_built / "image" / SITE).iterdir())
    result = pyrecipe("build", "python3-hello-tables-native", "--machine", "raspberrypi4", "--layer", str(LAYER),
                      build_dir=cross_build_dir)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "left as it is (no target recipe in this build)" in result.stdout
    assert sorted(p.name for p in (codegen_built / "image" / SITE).iterdir()) == before
    log = native_dir(cross_build_dir) / "work" / "python3-hello-tables-native" / "1.0" / "temp" / "log.do_test"
    assert "tables static const long SQUARES[] = {0, 1, 4, 9};" in log.read_text().splitlines()

