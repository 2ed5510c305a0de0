SUMMARY = "World time zone definitions for Python (the Olson database, bundled)"
HOMEPAGE = "https://pythonhosted.org/pytz"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://pytz-${PV}.dist-info/LICENSE.txt;md5=1a67fc46c1b596cce5d21209bbe75999"

# Pure Python: the py2.py3-none-any wheel from PyPI, nothing to cross-compile.
inherit pypi_wheel
PYPI_WHEEL_TAG = "py2.py3-none-any"

SRC_URI[sha256sum] = "7fed3fee8fd6bd4a2b7b75a8d56021d0624127bf69bd5691f115db929ac570b3"

RDEPENDS:${PN} = "python3-datetime python3-pprint"

PYTHON_TEST_CODE = "import datetime, pytz; tz = pytz.timezone('America/New_York'); t = tz.localize(datetime.datetime(2026, 3, 8, 3, 30)); assert t.utcoffset() == datetime.timedelta(hours=-4), t; assert t.astimezone(pytz.utc).hour == 7, t; assert len(pytz.all_timezones) > 400; print('pytz', pytz.__version__, t.isoformat())"
