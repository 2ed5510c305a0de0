"""The sdk distro: what it reads from a Yocto SDK or a Buildroot output directory, and the clear
errors (exit 2) for one without a Python or of another architecture."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from pyrecipe.cli import main
from pyrecipe.config.sdk import find_sdk
from pyrecipe.errors import InputError
from pyrecipe.toolchain import load_machine


def yocto_sdk(root: Path, target_python: Path | None, version: str = "3.13") -> Path:
    """A directory laid out like a Yocto SDK: environment-setup-*, the target and nativesdk sysroots."""
    target = root / "sysroots" / "cortexa72-poky-linux"
    native = root / "sysroots" / "x86_64-pokysdk-linux"
    (target / "usr" / "lib" / f"python{version}").mkdir(parents=True)
    (target / "usr" / "bin").mkdir(parents=True)
    if target_python is not None:
        shutil.copy(target_python, target / "usr" / "bin" / f"python{version}")
    (native / "usr" / "bin").mkdir(parents=True)
    (native / "usr" / "bin" / "python3").symlink_to(sys.executable)
    (root / "environment-setup-cortexa72-poky-linux").write_text(
        f'export SDKTARGETSYSROOT={target}\nexport OECORE_NATIVE_SYSROOT="{native}"\nexport OECORE_TARGET_SYSROOT="{target}"\n'
    )
    return root


def test_yocto_and_buildroot_layouts_are_found(tmp_path: Path) -> None:
    sdk = find_sdk(yocto_sdk(tmp_path / "poky", None))
    assert sdk.target_sysroot == tmp_path / "poky/sysroots/cortexa72-poky-linux"
    assert sdk.build_python == tmp_path / "poky/sysroots/x86_64-pokysdk-linux/usr/bin/python3"
    (tmp_path / "br/staging").mkdir(parents=True)
    (tmp_path / "br/host/bin").mkdir(parents=True)
    sdk = find_sdk(tmp_path / "br")
    assert (sdk.target_sysroot, sdk.build_python) == (tmp_path / "br/staging", tmp_path / "br/host/bin/python3")


def test_an_sdk_without_a_python_is_an_input_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = yocto_sdk(tmp_path / "poky", None)
    shutil.rmtree(root / "sysroots/cortexa72-poky-linux/usr/lib/python3.13")
    monkeypatch.setenv("PYRECIPE_SDK", str(root))
    with pytest.raises(InputError, match=r"must hold one CPython \(usr/lib/python3.X\), found none"):
        load_machine("raspberrypi4", distro="sdk")


def test_an_sdk_of_another_architecture_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    # The build machine's own interpreter as the SDK's "target" CPython: an x86-64 ELF file.
    root = yocto_sdk(tmp_path / "poky", Path(os.path.realpath(sys.executable)))
    monkeypatch.setenv("PYRECIPE_SDK", str(root))
    assert main(["sysroot", "--machine", "raspberrypi4", "--distro", "sdk", "--build-dir", str(tmp_path / "build")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is for another architecture: its CPython is EM_X86_64, machine 'raspberrypi4' is EM_AARCH64" in err
    assert not (tmp_path / "build").exists()


def test_an_sdks_python_version_is_the_distros(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = yocto_sdk(tmp_path / "poky", Path(os.path.realpath(sys.executable)), version="3.12")
    monkeypatch.setenv("PYRECIPE_SDK", str(root))
    machine = load_machine("x86-64", distro="sdk")
    assert (machine.python_version, machine.sysroot_provider) == ("3.12", "sdk")
    assert machine.sysroot_path == root / "sysroots/cortexa72-poky-linux"


def test_an_sdk_whose_python_is_not_the_targets_x_y_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pyrecipe.toolchain.native import ensure_native_venv

    with pytest.raises(InputError, match=r"is CPython \d+\.\d+, the target's is 3\.99: a cross build needs the same X\.Y"):
        ensure_native_venv(tmp_path / "venv", "3.99", interpreter=Path(sys.executable))
    assert not (tmp_path / "venv").exists()
