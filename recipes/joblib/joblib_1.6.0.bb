SUMMARY = "Lightweight pipelining: disk caching of functions and simple parallel loops"
HOMEPAGE = "https://joblib.readthedocs.io"
LICENSE = "BSD-3-Clause"
LIC_FILES_CHKSUM = "file://joblib-${PV}.dist-info/licenses/LICENSE.txt;md5=2e481820abf0a70a18011a30153df066"

inherit pypi_wheel

SRC_URI[sha256sum] = "3dbbf9f6e4b592a2357b854608e980fe6390d131d7a82f011a377ef2ebef7aba"

RDEPENDS:${PN} = "cloudpickle python3-core python3-multiprocessing python3-pickle python3-threading"

# The threading backend keeps the check inside one emulated process.
PYTHON_TEST_CODE = "import math, joblib; r = joblib.Parallel(n_jobs=2, backend='threading')(joblib.delayed(math.factorial)(n) for n in range(8)); assert r == [1, 1, 2, 6, 24, 120, 720, 5040], r; print('joblib', joblib.__version__, r[-1])"
