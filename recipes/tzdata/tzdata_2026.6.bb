SUMMARY = "The IANA time zone database as a Python package (zoneinfo's fallback, pandas' time zones)"
HOMEPAGE = "https://github.com/python/tzdata"
# The package is Apache-2.0; the IANA data it carries is in the public domain.
LICENSE = "Apache-2.0"
LIC_FILES_CHKSUM = "file://tzdata-${PV}.dist-info/licenses/LICENSE;md5=804220b73c90950be376e7ff7b2066bb \
                    file://tzdata-${PV}.dist-info/licenses/licenses/LICENSE_APACHE;md5=86d3f3a95c324c9479bd8986968f4327"

# Pure Python: the py2.py3-none-any wheel from PyPI, nothing to cross-compile.
inherit pypi_wheel
PYPI_WHEEL_TAG = "py2.py3-none-any"

SRC_URI[sha256sum] = "0a10eec6e13ef16b627fabed9a5f2ba61a62b1c67f327305f4e7e412a70b4aec"

RDEPENDS:${PN} = "python3-core python3-datetime"

# The package's own data, not the board's /usr/share/zoneinfo (zoneinfo tries TZPATH first).
PYTHON_TEST_CODE = "import datetime, importlib.resources, zoneinfo, tzdata; f = importlib.resources.files('tzdata.zoneinfo.Europe') / 'Paris'; data = f.read_bytes(); assert data[:4] == b'TZif', data[:4]; tz = zoneinfo.ZoneInfo.from_file(f.open('rb'), key='Europe/Paris'); off = datetime.datetime(2026, 1, 15, tzinfo=tz).utcoffset(); assert off == datetime.timedelta(hours=1), off; print('tzdata', tzdata.IANA_VERSION, off)"
