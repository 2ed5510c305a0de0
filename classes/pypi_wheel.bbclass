# Pure-Python packages installed from their wheel on PyPI (a `none-any` wheel runs the same on
# every machine, so there is nothing to cross-compile): do_fetch downloads the wheel named by
# PYPI_WHEEL_TAG through PyPI's redirector form (resolved through the simple index when it is
# not served), do_compile takes it as the built wheel, do_install installs it with the target's
# layout like a built one.
# SRC_URI[sha256sum] is the wheel's.

inherit pypi python_pep517

# Wheel file names spell the project with underscores (PEP 427/PEP 503 normalised). A def, not
# inline re.sub: bitbake's inline Python has no re.
def pypi_wheel_name(d):
    import re
    return re.sub(r'[-_.]+', '_', d.getVar('PYPI_PACKAGE')).lower()

PYPI_WHEEL_TAG ?= "py3-none-any"
PYPI_WHEEL_PYTHON_TAG ?= "${@d.getVar('PYPI_WHEEL_TAG').split('-')[0]}"
PYPI_WHEEL_NAME ?= "${@pypi_wheel_name(d)}"
PYPI_ARCHIVE_NAME = "${PYPI_WHEEL_NAME}-${PV}-${PYPI_WHEEL_TAG}.whl"
PYPI_SRC_URI = "https://files.pythonhosted.org/packages/${PYPI_WHEEL_PYTHON_TAG}/${@d.getVar('PYPI_PACKAGE')[0]}/${PYPI_PACKAGE}/${PYPI_ARCHIVE_NAME}"

# The wheel itself is the built package: unpacked only so that LIC_FILES_CHKSUM can name the
# license in its .dist-info; do_compile puts the downloaded wheel where do_install takes wheels.
S = "${UNPACKDIR}"

pypi_wheel_do_compile () {
	cp ${DL_DIR}/${PYPI_ARCHIVE_NAME_PREFIX}${PYPI_ARCHIVE_NAME} ${PEP517_WHEEL_PATH}/
}

EXPORT_FUNCTIONS do_compile
