SUMMARY = "Extensions to the standard Python datetime module (parser, relativedelta, time zones)"
HOMEPAGE = "https://github.com/dateutil/dateutil"
# The code is dual-licensed (BSD-3-Clause for the original, Apache-2.0 for later contributions).
LICENSE = "BSD-3-Clause & Apache-2.0"
LIC_FILES_CHKSUM = "file://python_dateutil-${PV}.dist-info/LICENSE;md5=e3155c7bdc71f66e02678411d2abf996"

# Pure Python: the py2.py3-none-any wheel from PyPI, nothing to cross-compile.
inherit pypi_wheel
# The PyPI project is python-dateutil: the recipe name is not stripped to "dateutil".
PYPI_PACKAGE = "python-dateutil"
PYPI_WHEEL_TAG = "py2.py3-none-any"

SRC_URI[sha256sum] = "a8b2bc7bffae282281c8140a97d3aa9c14da0b136dfe83f850eea9a5f7470427"

RDEPENDS:${PN} = "six python3-datetime python3-stringold"

# dateutil's own zoneinfo tarball, not the board's /usr/share/zoneinfo: the image brings its data.
PYTHON_TEST_CODE = "import datetime, dateutil, dateutil.parser as p, dateutil.relativedelta as rd, dateutil.zoneinfo as z; t = p.isoparse('2026-01-31T10:00:00') + rd.relativedelta(months=1); assert t == datetime.datetime(2026, 2, 28, 10), t; paris = z.gettz('Europe/Paris'); off = datetime.datetime(2026, 7, 1, tzinfo=paris).utcoffset(); assert off == datetime.timedelta(hours=2), off; print('dateutil', dateutil.__version__, t, off)"
