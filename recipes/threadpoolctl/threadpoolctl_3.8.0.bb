SUMMARY = "Inspect and limit the thread pools of native libraries (OpenBLAS, OpenMP)"
HOMEPAGE = "https://github.com/joblib/threadpoolctl"
LICENSE = "BSD-3-Clause"
LIC_FILES_CHKSUM = "file://threadpoolctl-${PV}.dist-info/licenses/LICENSE;md5=f7623dd6ed3bfbe14b15445d88f0ed00"

inherit pypi_wheel

SRC_URI[sha256sum] = "f1b49c82704d50f13ffae019c727b0fa4f6791a58f48f06a09c45face1be66da"

RDEPENDS:${PN} = "python3-core python3-ctypes"

PYTHON_TEST_CODE = "import threadpoolctl; info = threadpoolctl.threadpool_info(); assert isinstance(info, list), info; print('threadpoolctl', threadpoolctl.__version__, len(info), 'pools')"
