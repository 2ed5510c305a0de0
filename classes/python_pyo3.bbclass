# OpenEmbedded's python_pyo3: PyO3's build script (pyo3-build-config) told that it builds for the
# target's CPython, for python_maturin and python_setuptools3_rust. PYO3_CROSS_LIB_DIR is the
# directory of the target's sysconfig data (the build's copy), which PyO3 reads; do_configure
# writes PYO3_CONFIG_FILE from that data, and PyO3 then takes the interpreter from the file.
inherit cargo_common

PYO3_CROSS = "1"
PYO3_CROSS_LIB_DIR = "${PYRECIPE_SYSCONFIGDATA_DIR}"
PYO3_CROSS_PYTHON_VERSION = "${PYTHON_BASEVERSION}"
PYO3_CONFIG_FILE = "${WORKDIR}/pyo3.config"

# Part of the cross environment: native tasks unexport them (native.bbclass), as they build for
# the interpreter they run, and where the target is the build machine (TCMODE host: no target
# sysconfig data) they are not exported at all.
PYO3_CROSS_ENV = "PYO3_CROSS PYO3_CROSS_LIB_DIR PYO3_CROSS_PYTHON_VERSION PYO3_CONFIG_FILE"
PYRECIPE_CROSS_ENV += "${PYO3_CROSS_ENV}"
python () {
    if d.getVar("PYRECIPE_SYSCONFIGDATA_DIR"):
        for name in d.getVar("PYO3_CROSS_ENV").split():
            d.setVarFlag(name, "export", "1")
}

python python_pyo3_do_configure () {
    import pyrecipe.tasks.pyo3
    pyrecipe.tasks.pyo3.write_config_file(d)
}

EXPORT_FUNCTIONS do_configure
