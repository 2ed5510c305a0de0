# setuptools-rust packages (OpenEmbedded's class name): setuptools' PEP 517 backend builds the
# Python parts and setuptools-rust runs cargo for the Rust extensions. setuptools-rust reads
# CARGO_BUILD_TARGET for the target from the cross environment, PyO3 the target's CPython from
# python_pyo3's variables; cargo_common brings Rust and the crates. The crate is often below the top of the sdist (named in
# [tool.setuptools-rust]): its directory, relative to ${S}, is CARGO_SRC_DIR,
# for the offline Cargo.lock (recipes/bcrypt).

inherit python_pyo3 python_setuptools_build_meta

DEPENDS += "python3-setuptools-rust-native"

python python_setuptools3_rust_do_configure() {
    bb.build.exec_func("python_pyo3_do_configure", d)
    bb.build.exec_func("cargo_common_do_configure", d)
}

python_setuptools3_rust_do_compile () {
	cargo_common_setup_env
	python_pep517_do_compile
}

python_setuptools3_rust_do_install () {
	python_pep517_do_install
}

EXPORT_FUNCTIONS do_configure do_compile do_install
