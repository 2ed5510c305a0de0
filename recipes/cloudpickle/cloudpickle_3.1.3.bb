SUMMARY = "Pickling of functions and classes defined interactively (joblib's process pool needs it)"
HOMEPAGE = "https://github.com/cloudpipe/cloudpickle"
LICENSE = "BSD-3-Clause"
LIC_FILES_CHKSUM = "file://cloudpickle-${PV}.dist-info/licenses/LICENSE;md5=b4d59aa5e2cc777722aac17841237931"

inherit pypi_wheel

SRC_URI[sha256sum] = "1654f4f18e416447210a63c5c25a135d65a292156aa5fa519dfa4baf7726dddb"

RDEPENDS:${PN} = "python3-core python3-pickle"

PYTHON_TEST_CODE = "import pickle, cloudpickle; square = lambda x: x * x; f = pickle.loads(cloudpickle.dumps(square)); assert f(12) == 144; print('cloudpickle', cloudpickle.__version__, f(12))"
