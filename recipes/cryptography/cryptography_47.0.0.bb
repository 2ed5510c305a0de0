SUMMARY = "Cryptographic recipes and primitives for Python (Rust/PyO3 extension on OpenSSL)"
HOMEPAGE = "https://cryptography.io/"
LICENSE = "Apache-2.0 | BSD-3-Clause"
LIC_FILES_CHKSUM = "file://LICENSE;md5=8c3617db4fb6fae01f1d253ab91511e4 \
                    file://LICENSE.APACHE;md5=4e168cce331e5c827d4c2b68a6200e1b \
                    file://LICENSE.BSD;md5=5ae30ba4123bc4f2fa49aa0b0dce887b"

# The Rust extension (cryptography.hazmat.bindings._rust, abi3) links the sysroot's OpenSSL:
# openssl-sys finds it with pkg-config through the machine's wrapper (include and library
# directories inside the sysroot), never a vendored copy. Its cffi part is generated at build
# time by the native venv's cffi and compiled with the cross compiler.
inherit pypi python_maturin pkgconfig

SRC_URI[sha256sum] = "9f8e55fe4e63613a5e1cc5819030f27b97742d720203a087802ce4ce9ceb52bb"

PROVIDES = "python3-cryptography"

DEPENDS += "openssl python3-cffi-native python3-setuptools-native"

# The sdist does not vendor its crates. 47.0.0 is the newest release whose requirements
# (pyo3 0.28, asn1 0.24.1, openssl 0.10.77, openssl-sys 0.9.111, cc 1.2.60 ...) Debian sid's
# crate packages satisfy unpatched: 48.x needs cc 1.2.61, 49.0.0 (Debian's own, patched) pyo3
# 0.29 and cc 1.2.63. trixie's are too old (pyo3 0.22, asn1 0.20).
CARGO_DEBIAN_SUITE = "sid"
CARGO_DEBIAN_CRATES = "librust-pyo3-dev librust-pyo3-build-config-dev librust-asn1-dev librust-base64-dev \
    librust-cc-dev librust-cfg-if-dev librust-foreign-types-0.3-dev librust-foreign-types-shared-0.1-dev \
    librust-openssl-dev librust-openssl-sys-dev librust-pem-dev librust-self-cell-dev"

RDEPENDS:${PN} = "cffi python3-ctypes python3-threading"

PYTHON_TEST_CODE = "import os; from cryptography import __version__; from cryptography.hazmat.bindings import _rust; from cryptography.hazmat.primitives import hashes; from cryptography.hazmat.primitives.ciphers.aead import AESGCM; from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey; from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat; from cryptography.fernet import Fernet; so = os.path.basename(_rust.__file__); assert so == '_rust.abi3.so', so; h = hashes.Hash(hashes.SHA256()); h.update(b'abc'); digest = h.finalize().hex(); assert digest == 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', digest; gcm = AESGCM(bytes(16)); ct = gcm.encrypt(bytes(12), bytes(16), None); assert ct.hex() == '0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf', ct.hex(); assert gcm.decrypt(bytes(12), ct, None) == bytes(16); sk = Ed25519PrivateKey.from_private_bytes(bytes.fromhex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60')); pk = sk.public_key(); assert pk.public_bytes(Encoding.Raw, PublicFormat.Raw).hex() == 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'; sig = sk.sign(b''); assert sig.hex() == 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b', sig.hex(); pk.verify(sig, b''); f = Fernet(Fernet.generate_key()); assert f.decrypt(f.encrypt(b'pyrecipe on the board')) == b'pyrecipe on the board'; print('cryptography', __version__, so, _rust.openssl.openssl_version_text(), 'sha256', digest[:16], 'aesgcm', ct.hex()[:16], 'ed25519', sig.hex()[:16], 'fernet ok')"
