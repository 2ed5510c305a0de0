# OpenEmbedded's ptest for Python packages tested with pytest: the source tree's tests
# (${S}/${PTEST_PYTEST_DIR}) are the suite, and a run-ptest script running `pytest --automake` is
# written when SRC_URI brings none. See ptest.bbclass: pyrecipe runs this only when DISTRO_FEATURES
# has "ptest"; the suite's runtime dependencies (RDEPENDS:${PN}-ptest) come with ${PN}-ptest.
inherit ptest

# The directory of the source tree that holds the tests.
PTEST_PYTEST_DIR ?= "tests"

do_install_ptest() {
	if [ ! -f "${UNPACKDIR}/run-ptest" ]; then
		printf '#!/bin/sh\npytest --automake\n' > ${D}${PTEST_PATH}/run-ptest
		chmod 0755 ${D}${PTEST_PATH}/run-ptest
	fi
	if [ -d "${S}/${PTEST_PYTEST_DIR}" ]; then
		install -d ${D}${PTEST_PATH}/${PTEST_PYTEST_DIR}
		cp -rf ${S}/${PTEST_PYTEST_DIR}/* ${D}${PTEST_PATH}/${PTEST_PYTEST_DIR}/
	fi
}

FILES:${PN}-ptest:prepend = "${PTEST_PATH}/* "
RDEPENDS:${PN}-ptest:prepend = "python3-pytest python3-unittest-automake-output "
