SUMMARY = "Lightweight compatibility layer between dataframe libraries (scikit-learn's dataframe input)"
HOMEPAGE = "https://github.com/narwhals-dev/narwhals"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://narwhals-${PV}.dist-info/licenses/LICENSE.md;md5=635dc68cb70b18de784113020c6d814e"

inherit pypi_wheel

SRC_URI[sha256sum] = "1c69b3dc30240f6e848c5a673cafc86affa44184ecce721e25b7194663ad10dc"

RDEPENDS:${PN} = "python3-core"

# No dataframe library is a dependency: the check builds an expression and sees a non-frame passed through.
PYTHON_TEST_CODE = "import narwhals as nw; from narwhals.dependencies import is_into_dataframe; e = (nw.col('a') * 2).alias('b'); assert repr(e) == 'col(a).__mul__(2).alias(name=b)', repr(e); assert not is_into_dataframe([1, 2]) and nw.from_native([1, 2], pass_through=True) == [1, 2]; print('narwhals', nw.__version__, repr(e))"
