SUMMARY = "Pythonic XML processing library: the ElementTree API over libxml2 and libxslt"
HOMEPAGE = "https://lxml.de/"
# lxml itself is BSD; _elementpath comes from ElementTree (HPND-style), the difflib copy in
# lxml.html and parts of lxml.etree from CPython (PSF-2.0). test.py (GPL) is not installed.
LICENSE = "BSD-3-Clause & HPND & PSF-2.0"
LIC_FILES_CHKSUM = "file://LICENSE.txt;md5=74f2cd58bcbfffe9120dfc7bcee74b06 \
                    file://LICENSES.txt;md5=d1118b9913749904166e8726c5331c11 \
                    file://doc/licenses/BSD.txt;md5=700a1fc17f4797d4f2d34970c8ee694b \
                    file://doc/licenses/elementtree.txt;md5=eb34d036a6e3d56314ee49a6852ac891"

inherit pypi setuptools3 pkgconfig

SRC_URI[sha256sum] = "45222d94ddd511536f3b2f7d9deae3b2339b4ce0f075f1ca25703b07cad9dd21"

# libxml2 and libxslt (with libexslt) from the target sysroot, found by setupinfo.py through
# $PKG_CONFIG (the machine's wrapper, which only sees the sysroot's .pc files): it asks
# pkg-config before xml2-config/xslt-config, so the build machine's config scripts are never run.
DEPENDS += "libxml2 libxslt"

# The sdist ships the C that Cython generated; compile that rather than regenerating it with the
# native Cython (lxml 6.1 pins Cython < 3.3). Also rules out lxml's static-deps download.
export WITHOUT_CYTHON = "true"
export STATIC_DEPS = "false"

RDEPENDS:${PN} = "python3-compression python3-html python3-netclient python3-threading python3-xml"

SRC_URI += "file://test_lxml.py"
PYTHON_TEST_SCRIPT = "${UNPACKDIR}/test_lxml.py"
