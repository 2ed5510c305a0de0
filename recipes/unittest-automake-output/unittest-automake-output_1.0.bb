SUMMARY = "pytest --automake: a PASS:, FAIL: or SKIP: line per test, as ptest's run-ptest prints"
DESCRIPTION = "pyrecipe's stand-in for OpenEmbedded-core's python3-unittest-automake-output, which \
ptest-python-pytest's suites need on the board (RDEPENDS:${PN}-ptest) and which is not on PyPI: \
the same option and output, pyrecipe's own code."
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://LICENSE;md5=06bf2ba7fba2fd36522b1e905bd352d5"

SRC_URI = "file://unittest-automake-output"
S = "${UNPACKDIR}/unittest-automake-output"

inherit python_flit_core

RDEPENDS:${PN} = "python3-pytest"

PYTHON_TEST_CODE = "import importlib.metadata as m; [e] = [e for e in m.entry_points(group='pytest11') if e.name == 'automake']; assert e.value == 'unittest_automake_output.pytest', e; print('automake plugin', e.value)"
