"""QA through ``pyrecipe build``: a wrong-architecture module never reaches the image.

The recipe of ``tests/fixtures/qa_fault_layer`` compiles a module with the build machine's gcc
and installs it under the Raspberry Pi 4's extension suffix, the silent failure of careless cross
builds. The build must stop at do_qa with the finding on the console; the same module with the
check waived by INSANE_SKIP builds, and the waiver is shown, not only logged.
"""

from __future__ import annotations

from pathlib import Path

from cross_support import MACHINE, SITE, SUFFIX, machine_dir, pyrecipe

LAYER = Path(__file__).parents[1] / "fixtures" / "qa_fault_layer"
MODULE = SITE / f"hostmod{SUFFIX}"
ARCH_FINDING = (
    f"[arch] {MODULE}: built for x64, EM_X86_64 64-bit little-endian, but the target is EM_AARCH64 "
    "64-bit little-endian"
)


def test_host_object_stops_the_build_at_do_qa(cross_build_dir: Path) -> None:
    result = pyrecipe("build", "hostarch", "--layer", str(LAYER), "--machine", MACHINE, build_dir=cross_build_dir)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    log = machine_dir(cross_build_dir) / "work" / "hostarch" / "1.0" / "temp" / "log.do_qa"
    assert "recipe hostarch: task do_qa failed" in result.stderr
    assert f"log: {log}" in result.stderr
    assert ARCH_FINDING in result.stderr
    assert not (machine_dir(cross_build_dir) / "image" / MODULE).exists()
    assert not list((machine_dir(cross_build_dir) / "work" / "hostarch" / "1.0" / "stamps").glob("do_populate_sysroot.*"))


def test_waived_check_builds_and_says_so(cross_build_dir: Path) -> None:
    result = pyrecipe("build", "hostarch-waived", "--layer", str(LAYER), "--machine", MACHINE, build_dir=cross_build_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = [line for line in result.stdout.splitlines() if line.startswith("WARNING: hostarch-waived: do_qa:")]
    assert len(warnings) == 1, result.stdout
    assert "INSANE_SKIP waived 1 finding(s)" in warnings[0] and ARCH_FINDING in warnings[0]
