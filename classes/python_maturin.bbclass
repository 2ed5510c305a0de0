# PyO3/maturin packages (OpenEmbedded's class name): maturin's PEP 517 backend builds the wheel
# through cargo for the machine's Rust target. The cross environment names the target
# (CARGO_BUILD_TARGET, which maturin's --target reads) and the linker; python_pyo3 the target's
# CPython (PYO3_CROSS_LIB_DIR, PYO3_CONFIG_FILE); cargo_common brings Rust and the crates.
# MATURIN_EXTRA_ARGS reach `maturin build` (--features ...).

inherit python_pyo3 python_pep517

DEPENDS += "python3-maturin-native"

MATURIN_EXTRA_ARGS ?= ""
# The wheel is for this machine's image, not a manylinux one (no auditwheel policy applies).
export MATURIN_PEP517_ARGS = "--offline --compatibility linux ${MATURIN_EXTRA_ARGS}"

python python_maturin_do_configure() {
    bb.build.exec_func("python_pyo3_do_configure", d)
    bb.build.exec_func("cargo_common_do_configure", d)
}

python_maturin_do_compile () {
	cargo_common_setup_env
	python_pep517_do_compile
}

# maturin's SBOM of the Rust crates (PEP 770: <dist-info>/sboms/<crate>.cyclonedx.json) names the
# crate by its path in the build directory: mapped as DEBUG_PREFIX_MAP maps it for the compiler,
# so that the file, the image and the .deb are the same from any build directory (do_qa then
# refreshes the wheel's RECORD).
python_maturin_do_install () {
	python_pep517_do_install
	for sbom in ${D}${PYTHON_SITEPACKAGES_DIR}/*.dist-info/sboms/*.cyclonedx.json; do
		[ -f "$sbom" ] || continue
		sed -i ${@python_build_config_sed_args(d)} "$sbom"
	done
}

EXPORT_FUNCTIONS do_configure do_compile do_install
