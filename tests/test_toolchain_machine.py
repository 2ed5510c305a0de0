"""Machines: the conf files parse into complete Machine values; bad names and gaps are clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyrecipe.cli import main
from pyrecipe.config import known_machines
from pyrecipe.errors import InputError
from pyrecipe.toolchain import load_machine

SHIPPED = {"raspberrypi4", "raspberrypi5", "qemuarm64", "beaglebone", "x86-64"}


def test_every_shipped_machine_loads() -> None:
    assert set(known_machines()) >= SHIPPED
    for name in SHIPPED:
        machine = load_machine(name)
        assert machine.name == name
        assert machine.sysroot_provider == "debian"
        assert machine.debian_suite == "bookworm"
        assert "python3.11" in machine.sysroot_packages


@pytest.mark.parametrize(
    ("name", "triplet", "arch", "tune", "elf", "bits", "longdouble"),
    [
        ("raspberrypi4", "aarch64-linux-gnu", "arm64", "-mcpu=cortex-a72", "EM_AARCH64", 64, "IEEE_QUAD_LE"),
        ("raspberrypi5", "aarch64-linux-gnu", "arm64", "-mcpu=cortex-a76", "EM_AARCH64", 64, "IEEE_QUAD_LE"),
        ("qemuarm64", "aarch64-linux-gnu", "arm64", "-march=armv8-a", "EM_AARCH64", 64, "IEEE_QUAD_LE"),
        ("beaglebone", "arm-linux-gnueabihf", "armhf", "-mfloat-abi=hard", "EM_ARM", 32, "IEEE_DOUBLE_LE"),
        ("x86-64", "x86_64-linux-gnu", "amd64", "-march=x86-64", "EM_X86_64", 64, "INTEL_EXTENDED_16_BYTES_LE"),
    ],
)
def test_machine_values(name, triplet, arch, tune, elf, bits, longdouble) -> None:
    machine = load_machine(name)
    assert machine.target_sys == triplet
    assert machine.debian_arch == arch
    assert tune in machine.tune_ccargs.split()
    assert (machine.elf_machine, machine.elf_class, machine.longdouble_format) == (elf, bits, longdouble)
    assert machine.tool("gcc") == f"{triplet}-gcc"


def test_cross_machines_need_the_cross_packages_and_x86_64_the_native_ones() -> None:
    assert "gcc-arm-linux-gnueabihf" in load_machine("beaglebone").host_packages
    native = load_machine("x86-64").host_packages
    assert "gcc" in native and not any(p.startswith("gcc-") for p in native)


def test_unknown_machine_lists_the_known_ones() -> None:
    with pytest.raises(InputError) as caught:
        load_machine("no-such-board")
    assert "no-such-board" in str(caught.value)
    for name in SHIPPED:
        assert name in str(caught.value)


def test_extra_conf_overrides_and_a_missing_variable_is_an_input_error(tmp_path: Path) -> None:
    faster = tmp_path / "tune.conf"
    faster.write_text('TUNE_CCARGS = "-mcpu=cortex-a72+crypto"\n')
    assert load_machine("raspberrypi4", [faster]).tune_ccargs == "-mcpu=cortex-a72+crypto"
    broken = tmp_path / "broken.conf"
    broken.write_text('QEMU_USER = ""\n')
    with pytest.raises(InputError, match="QEMU_USER"):
        load_machine("raspberrypi4", [broken])


def test_pyrecipe_sysroot_env_switches_to_the_path_provider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYRECIPE_SYSROOT", str(tmp_path))
    machine = load_machine("raspberrypi4")
    assert (machine.sysroot_provider, machine.sysroot_path) == ("path", tmp_path)


def test_machines_command_prints_one_line_per_machine(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["machines"]) == 0
    lines = capsys.readouterr().out.splitlines()
    by_name = {line.split()[0]: line for line in lines}
    assert set(by_name) >= SHIPPED
    assert by_name["beaglebone"].split()[1:4] == ["arm", "arm-linux-gnueabihf", "cortex-a8"]


def test_unknown_machine_on_the_command_line_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sysroot", "--machine", "no-such-board"]) == 2
    assert "known machines" in capsys.readouterr().err
