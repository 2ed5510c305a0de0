SUMMARY = "Modern password hashing for your software and your servers (Rust/PyO3 extension)"
HOMEPAGE = "https://github.com/pyca/bcrypt/"
LICENSE = "Apache-2.0"
LIC_FILES_CHKSUM = "file://LICENSE;md5=8f7bb094c7232b058c7e9f2e431f389c"

# setuptools' PEP 517 backend builds the package and setuptools-rust runs cargo for the
# extension bcrypt._bcrypt ([tool.setuptools-rust] in pyproject.toml), whose crate is not at
# the top of the sdist but in src/_bcrypt.
inherit pypi python_setuptools3_rust

SRC_URI[sha256sum] = "cf69eaf5185fd58f268f805b505ce31f9b9fc2d64b376642164e9244540c1221"

PROVIDES = "python3-bcrypt"

# DEPENDS: the classes' python3-setuptools-native, python3-wheel-native and
# python3-setuptools-rust-native are all of [build-system] requires; the extension links no
# target library but the C library (no OpenSSL: bcrypt's crates are pure Rust).

CARGO_SRC_DIR = "src/_bcrypt"

# The sdist does not vendor its crates. 4.2.0 is the release whose Cargo.toml (pyo3 0.22, bcrypt
# 0.15, bcrypt-pbkdf 0.10, base64 0.22.1, subtle 2.6, getrandom 0.2) Debian trixie's crate
# packages satisfy unpatched (Debian built its python3-bcrypt 4.2.0 with them). 4.2.1 and 4.3.0
# need pyo3 0.23 and 5.0.0 pyo3 0.26, which no suite has (trixie 0.22, sid 0.28).
CARGO_DEBIAN_SUITE = "trixie"
CARGO_DEBIAN_CRATES = "librust-pyo3-dev librust-bcrypt-dev librust-bcrypt-pbkdf-dev librust-base64-dev \
    librust-subtle-dev librust-getrandom-dev"

# Only the interpreter's core (warnings, for kdf's few-rounds warning).
RDEPENDS:${PN} = "python3-core"

# A hash and a key of bcrypt's own test vectors (tests/test_bcrypt.py), a hashpw/checkpw round
# trip with a fresh salt (getrandom), and the extension's file name: the board's EXT_SUFFIX or abi3.
PYTHON_TEST_CODE = "import os, sysconfig, bcrypt; from bcrypt import _bcrypt; so = os.path.basename(_bcrypt.__file__); assert so in ('_bcrypt' + sysconfig.get_config_var('EXT_SUFFIX'), '_bcrypt.abi3.so'), so; known = bcrypt.hashpw(b'Kk4DQuMMfZL9o', b'$2b$04$cVWp4XaNU8a4v1uMRum2SO'); assert known == b'$2b$04$cVWp4XaNU8a4v1uMRum2SO026BWLIoQMD/TXg5uZV.0P.uO8m3YEm', known; assert bcrypt.checkpw(b'Kk4DQuMMfZL9o', known); salt = bcrypt.gensalt(rounds=4); hashed = bcrypt.hashpw(b'pyrecipe on the board', salt); assert hashed.startswith(salt) and len(hashed) == 60, hashed; assert bcrypt.checkpw(b'pyrecipe on the board', hashed) and not bcrypt.checkpw(b'pyrecipe on the bored', hashed); key = bcrypt.kdf(b'password', b'salt', 32, 4, ignore_few_rounds=True).hex(); assert key == '5bbf0cc293587f1c3635555c27796598d47e579071bf427e9d8fbe842aba34d9', key; print('bcrypt', bcrypt.__version__, so, 'hashpw', known[29:45].decode(), 'kdf', key[:16], 'checkpw ok')"
