SUMMARY = "Python bindings to the Rust rpds crate: persistent data structures"
HOMEPAGE = "https://github.com/crate-py/rpds"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://LICENSE;md5=7767fa537c4596c54141f32882c4a984"

inherit pypi python_maturin

PYPI_PACKAGE = "rpds_py"
SRC_URI[sha256sum] = "ed6378c9d66d0de903763e7706383d60c33829581f0adff47b6535f1802fa6db"

PROVIDES = "python3-rpds-py"

# The sdist does not vendor its crates: they come from Debian trixie's librust-*-dev packages
# (PyO3 0.22.6, rpds 1.1.0, archery 1.2.1: the versions Debian built python3-rpds-py 0.21.0
# with); apt adds their dependencies. 0.21.0 is the newest rpds-py those crates satisfy.
CARGO_DEBIAN_CRATES = "librust-pyo3-0.22-dev librust-rpds-1-dev librust-archery-1-dev"

PYTHON_TEST_CODE = "import rpds; m = rpds.HashTrieMap({'a': 1}).insert('b', 2).remove('a'); l = rpds.List([1, 2, 3]).push_front(0); s = rpds.HashTrieSet([1, 2]) | rpds.HashTrieSet([3]); assert dict(m) == {'b': 2} and list(l) == [0, 1, 2, 3] and set(s) == {1, 2, 3}, (m, l, s); print('rpds ok', dict(m), list(l), sorted(s))"
