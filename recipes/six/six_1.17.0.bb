SUMMARY = "Python 2 and 3 compatibility utilities (python-dateutil needs it)"
HOMEPAGE = "https://github.com/benjaminp/six"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://six-${PV}.dist-info/LICENSE;md5=e50fab7e9501f3dfc920eafeb24b46ea"

# Pure Python: the py2.py3-none-any wheel from PyPI, nothing to cross-compile.
inherit pypi_wheel
PYPI_WHEEL_TAG = "py2.py3-none-any"

SRC_URI[sha256sum] = "4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274"

RDEPENDS:${PN} = "python3-core"

PYTHON_TEST_CODE = "import six; assert six.PY3 and six.moves.range is range, six.moves.range; assert six.ensure_str(b'abc') == 'abc' and six.text_type is str; print('six', six.__version__, six.moves.reduce(lambda a, b: a * b, range(1, 6)))"
