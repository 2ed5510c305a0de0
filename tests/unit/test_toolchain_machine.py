"""Machines and distros: the conf files parse into complete Machine values; bad names, pairs that
do not fit and gaps are clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyrecipe.cli import main
from pyrecipe.config.configuration import DEFAULT_DISTRO, Settings, known_confs, known_machines, load_configuration
from pyrecipe.errors import InputError
from pyrecipe.toolchain import load_machine

SHIPPED = {"raspberrypi4", "raspberrypi5", "qemuarm64", "beaglebone", "x86-64"}


def test_every_shipped_machine_loads() -> None:
    assert set(known_machines()) >= SHIPPED
    for name in SHIPPED:
        machine = load_machine(name)
        assert machine.name == name
        assert machine.sysroot_provider == "debian"
        # The default distro's software, as its conf says.
        default = load_configuration(Settings(build_dir=Path("/b"), machine=name))
        python = default.getVar("PYTHON_BASEVERSION")
        assert (machine.distro, machine.debian_suite, machine.python_version) == (DEFAULT_DISTRO, default.getVar("DEBIAN_SUITE"), python)
        assert f"python{python}" in machine.sysroot_packages and default.getVar("DEBIAN_LIBSTDCXX_DEV") in machine.sysroot_packages


@pytest.mark.parametrize(("distro", "suite", "python", "libstdcxx"), [
    ("debian-trixie", "trixie", "3.13", "libstdc++-14-dev"),
    ("debian-bookworm", "bookworm", "3.11", "libstdc++-12-dev"),
])
def test_the_distro_sets_the_software_the_machine_the_hardware(distro, suite, python, libstdcxx) -> None:
    machine = load_machine("raspberrypi4", distro=distro)
    assert (machine.distro, machine.debian_suite, machine.python_version) == (distro, suite, python)
    assert f"libpython{python}-dev" in machine.sysroot_packages and libstdcxx in machine.sysroot_packages
    assert machine.tune_ccargs == "-mcpu=cortex-a72" and machine.debian_arch == "arm64"
    assert machine.build_dir(Path("/b")) == Path("/b") / distro / "raspberrypi4"


def test_the_default_distro_is_trixie_and_both_are_listed() -> None:
    assert DEFAULT_DISTRO == "debian-trixie"
    assert {"debian-trixie", "debian-bookworm"} <= set(known_confs("distro"))


def test_configuration_takes_distro_from_local_conf_and_the_option_wins(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "local.conf").write_text('DISTRO = "debian-bookworm"\n')
    config = load_configuration(Settings(build_dir=tmp_path))
    assert (config.getVar("DISTRO"), config.getVar("PYTHON_BASEVERSION")) == ("debian-bookworm", "3.11")
    assert config.getVar("PYTHON_SITEPACKAGES_DIR") == "/usr/lib/python3.11/site-packages"
    assert config.getVar("IMAGE_ROOTFS") == f"{tmp_path}/debian-bookworm/raspberrypi4/image"
    assert config.getVar("NATIVE_VENV") == f"{tmp_path}/debian-bookworm/native/venv"
    assert config.getVar("DISTROOVERRIDES") == "debian:debian-bookworm"
    config = load_configuration(Settings(build_dir=tmp_path, distro="debian-trixie"))
    assert (config.getVar("DISTRO"), config.getVar("PYTHON_BASEVERSION")) == ("debian-trixie", "3.13")
    assert "debian-trixie" in config.getVar("OVERRIDES").split(":")


def test_distro_overrides_apply(tmp_path: Path) -> None:
    tweak = tmp_path / "tweak.conf"
    tweak.write_text('EXTRA_FLAG = "plain"\nEXTRA_FLAG:debian-bookworm = "old"\nEXTRA_FLAG:debian = "debian"\n')
    assert load_configuration(Settings(build_dir=tmp_path, distro="debian-bookworm", extra_confs=(tweak,))).getVar("EXTRA_FLAG") == "old"
    assert load_configuration(Settings(build_dir=tmp_path, distro="debian-trixie", extra_confs=(tweak,))).getVar("EXTRA_FLAG") == "debian"


def test_unknown_distro_lists_the_known_ones() -> None:
    with pytest.raises(InputError, match=r"unknown distro 'no-such-os'; known distros: .*debian-bookworm.*debian-trixie"):
        load_machine("raspberrypi4", distro="no-such-os")


def test_a_distro_without_the_machines_architecture_does_not_fit(tmp_path: Path) -> None:
    distro_dir = tmp_path / "conf" / "distro"
    distro_dir.mkdir(parents=True)
    (distro_dir / "armhf-only.conf").write_text(
        'require include/debian.inc\nDEBIAN_SUITE = "trixie"\nPYTHON_BASEVERSION = "3.13"\nDISTRO_DEBIAN_ARCHES = "armhf"\n'
    )
    (distro_dir / "include").symlink_to(Path(__file__).parents[2] / "toolchains" / "distro" / "include")
    assert load_machine("beaglebone", layers=(tmp_path,), distro="armhf-only").debian_arch == "armhf"
    with pytest.raises(InputError, match=r"distro 'armhf-only' does not fit machine 'raspberrypi4': .* arm64, .* armhf"):
        load_machine("raspberrypi4", layers=(tmp_path,), distro="armhf-only")


def test_distros_command_lists_each_with_its_python(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["distros"]) == 0
    by_name = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert by_name["debian-trixie"].split()[1:3] == ["python3.13", "trixie"] and "(default)" in by_name["debian-trixie"]
    assert by_name["debian-bookworm"].split()[1:3] == ["python3.11", "bookworm"] and "(default)" not in by_name["debian-bookworm"]


def test_unknown_distro_on_the_command_line_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sysroot", "--distro", "no-such-os"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "known distros: debian-bookworm, debian-trixie" in err


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
    assert "gcc-arm-linux-gnueabihf" in load_machine("beaglebone", distro="debian-bookworm").host_packages
    native = load_machine("x86-64", distro="debian-bookworm").host_packages
    assert "gcc" in native and not any(p.startswith("gcc-") for p in native)


def test_with_a_build_root_the_cross_compilers_go_into_it_and_qemu_onto_the_build_machine() -> None:
    trixie = load_machine("beaglebone", distro="debian-trixie")
    assert trixie.build_root_provider == "mmdebstrap"
    assert trixie.host_packages == ("qemu-user-static", "binutils-arm-linux-gnueabihf")
    assert {"gcc-arm-linux-gnueabihf", "python3.13", "python3.13-venv", "ccache"} <= set(trixie.build_root_packages)
    assert load_machine("beaglebone", distro="debian-bookworm").build_root_provider == "host"


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
