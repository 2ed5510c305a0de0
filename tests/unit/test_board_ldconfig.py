"""The board's ``ldconfig -p`` that do_test's sandbox puts over ``/sbin/ldconfig`` (python-mpv's
``ctypes.util.find_library``), from an OE-style sysroot laid out as Debian's packages lay it out."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from pyrecipe.errors import BuildError, InputError
from pyrecipe.toolchain.ldconfig import configured_dirs, ldconfig_script, library_listing

AARCH64, X86_64 = 183, 62


def shared_object(path: Path, machine: int = AARCH64, kind: int = 3) -> None:
    """The 20 bytes of an ELF header that say what it is (64-bit, little-endian)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x7fELF\x02\x01\x01" + bytes(9) + kind.to_bytes(2, "little") + machine.to_bytes(2, "little") + bytes(44))


@pytest.fixture
def sysroot(tmp_path: Path) -> Path:
    root = tmp_path / "sysroot"
    libdir = root / "usr/lib/aarch64-linux-gnu"
    (root / "etc/ld.so.conf.d").mkdir(parents=True)
    (root / "etc/ld.so.conf.d/aarch64-linux-gnu.conf").write_text(
        "# Multiarch support\n/usr/local/lib/aarch64-linux-gnu\n/lib/aarch64-linux-gnu\n/usr/lib/aarch64-linux-gnu\n")
    os.symlink("usr/lib", root / "lib")  # merged /usr: the same directory twice
    shared_object(libdir / "libmpv.so.2.5.0")
    os.symlink("libmpv.so.2.5.0", libdir / "libmpv.so.2")
    os.symlink("libmpv.so.2", libdir / "libmpv.so")  # the -dev package's link
    shared_object(libdir / "libc.so.6")  # shipped under its soname
    (libdir / "libc.so").write_text("GROUP ( /lib/aarch64-linux-gnu/libc.so.6 )\n")  # a linker script
    shared_object(libdir / "libstatic.a", kind=1)
    shared_object(libdir / "libprogram.so.1", kind=2)  # not a shared object
    shared_object(libdir / "libhost.so.1", machine=X86_64)
    return root


def test_the_listing_is_what_the_boards_ldconfig_prints(sysroot: Path) -> None:
    listing = library_listing(sysroot, "EM_AARCH64").splitlines()
    assert listing == [
        "3 libs found in cache `/etc/ld.so.cache'",
        "\tlibmpv.so.2 (libc6,AArch64) => /lib/aarch64-linux-gnu/libmpv.so.2",
        "\tlibmpv.so (libc6,AArch64) => /lib/aarch64-linux-gnu/libmpv.so",
        "\tlibc.so.6 (libc6,AArch64) => /lib/aarch64-linux-gnu/libc.so.6",
    ]
    # CPython's _findSoname_ldconfig for aarch64 (abi_type "libc6"): the soname, before the .so
    found = re.search(r"\s+(libmpv\.[^\s]+)\s+\(libc6", "\n".join(listing))
    assert found and found.group(1) == "libmpv.so.2"
    with pytest.raises(InputError, match="not an ELF machine name"):
        library_listing(sysroot, "aarch64")


def test_the_configuration_is_read_as_ldconfig_reads_it(sysroot: Path) -> None:
    # without /etc/ld.so.conf (no libc-bin in a sysroot of -dev packages): Debian's include
    assert configured_dirs(sysroot) == ["/usr/local/lib/aarch64-linux-gnu", "/lib/aarch64-linux-gnu",
                                        "/usr/lib/aarch64-linux-gnu", "/lib", "/usr/lib"]
    (sysroot / "etc/ld.so.conf").write_text("/opt/vendor/lib/  # a vendor's\ninclude /etc/ld.so.conf.d/*.conf\n")
    assert configured_dirs(sysroot)[:2] == ["/opt/vendor/lib", "/usr/local/lib/aarch64-linux-gnu"]
    (sysroot / "etc/ld.so.conf.d/loop.conf").write_text("include /etc/ld.so.conf\n")
    with pytest.raises(BuildError, match="include each other"):
        configured_dirs(sysroot)


def test_the_script_prints_the_listing_and_refuses_the_rest(sysroot: Path, tmp_path: Path) -> None:
    script = tmp_path / "ldconfig"
    script.write_text(ldconfig_script(sysroot, "EM_AARCH64"))
    script.chmod(0o755)
    printed = subprocess.run([script, "-p"], capture_output=True, text=True, check=True).stdout
    assert printed == library_listing(sysroot, "EM_AARCH64")
    refused = subprocess.run([script], capture_output=True, text=True)
    assert refused.returncode == 1 and "only -p" in refused.stderr
