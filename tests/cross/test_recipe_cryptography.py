"""cryptography 47.0.0 cross-built for a Raspberry Pi 4: PyO3 (maturin) on the sysroot's OpenSSL.

The crates come from Debian sid's librust-*-dev packages (a directory source, Cargo.lock
resolved again offline), OpenSSL from the arm64 sysroot's libssl-dev through the machine's
pkg-config. The recipe's do_test has hashed, encrypted, signed and run Fernet through the Rust
extension under qemu-user with known answers; this test reads its line and checks the
extension: AArch64, abi3, and linked to the shared OpenSSL rather than a vendored copy.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from elftools.elf.elffile import ELFFile

from cross_support import SITE, do_test_lines, needed_libraries
from pyrecipe.toolchain.sysroot import MANIFEST_NAME as SYSROOT_MANIFEST

RECIPE, VERSION = "cryptography", "47.0.0"


def sysroot_openssl_version(machine_dir: Path) -> str:
    """The upstream version of the sysroot's libssl3 (bookworm's 3.0 series, trixie's 3.5), from its .deb."""
    debs = json.loads((machine_dir / "sysroot" / SYSROOT_MANIFEST).read_text())["debs"]
    versions = {match.group(1) for match in map(re.compile(r"libssl3(?:t64)?_(?:\d+%3a)?(\d+\.\d+\.\d+)").match, debs) if match}
    assert len(versions) == 1, versions
    return versions.pop()


def test_do_test_used_the_rust_extension_under_qemu(recipe_built: Path) -> None:
    lines = do_test_lines(recipe_built, RECIPE, VERSION)
    # The OpenSSL line is the sysroot's libssl3 (the distro's series, its date follows updates);
    # the digests are SHA-256("abc"), NIST's AES-GCM test case 2 and RFC 8032's Ed25519 test 1.
    openssl = re.escape(sysroot_openssl_version(recipe_built))
    expected = re.compile(
        rf"cryptography {re.escape(VERSION)} _rust\.abi3\.so OpenSSL {openssl} .+ sha256 ba7816bf8f01cfea "
        r"aesgcm 0388dace60b6a392 ed25519 e5564300c360ac72 fernet ok"
    )
    assert any(expected.fullmatch(line) for line in lines), lines


def test_rust_extension_is_abi3_aarch64_linked_to_the_sysroot_openssl(recipe_built: Path) -> None:
    bindings = recipe_built / "image" / SITE / "cryptography" / "hazmat" / "bindings"
    assert sorted(so.name for so in bindings.glob("*.so")) == ["_rust.abi3.so"]
    with open(bindings / "_rust.abi3.so", "rb") as handle:
        elf = ELFFile(handle)
        assert elf.header["e_machine"] == "EM_AARCH64" and elf.elfclass == 64
        # OpenSSL's functions are imported, not defined in the extension (no static copy).
        [openssl_version_num] = elf.get_section_by_name(".dynsym").get_symbol_by_name("OpenSSL_version_num")
        assert openssl_version_num["st_shndx"] == "SHN_UNDEF"
    needed = needed_libraries(bindings / "_rust.abi3.so")
    assert {"libssl.so.3", "libcrypto.so.3"} <= needed, needed
    # Those sonames are the sysroot's (Debian's libssl3 for arm64), not a copy bundled in the wheel.
    multiarch = recipe_built / "sysroot" / "usr" / "lib" / "aarch64-linux-gnu"
    assert (multiarch / "libssl.so.3").exists() and (multiarch / "libcrypto.so.3").exists()
    site = recipe_built / "image" / SITE
    assert not list(site.rglob("libssl*")) and not list(site.rglob("libcrypto*"))
    assert list(site.glob(f"cryptography-{VERSION}.dist-info/WHEEL"))
