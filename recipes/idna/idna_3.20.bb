SUMMARY = "Internationalized Domain Names in Applications (IDNA 2008, UTS #46)"
HOMEPAGE = "https://github.com/kjd/idna"
LICENSE = "BSD-3-Clause"
LIC_FILES_CHKSUM = "file://LICENSE.md;md5=9a6c29079fc90c29d80332f44d2625f2"

inherit pypi python_flit_core

SRC_URI[sha256sum] = "a7db850025b95ded1eae8a46181a1a6c56c92c96f0e2b005d9ff8dc0210cab44"

RDEPENDS:${PN} = "python3-codecs"

PYTHON_TEST_CODE = "import idna; a = idna.encode('b\u00fccher.example'); assert a == b'xn--bcher-kva.example', a; assert idna.decode(a) == 'b\u00fccher.example'; print('idna', idna.__version__, a.decode())"
