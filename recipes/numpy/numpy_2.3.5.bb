SUMMARY = "The fundamental package for array computing with Python"
DESCRIPTION = "NumPy: N-dimensional arrays, linear algebra (OpenBLAS), FFT, random numbers."
HOMEPAGE = "https://numpy.org"
LICENSE = "BSD-3-Clause & BSD-2-Clause & MIT & Apache-2.0"
LIC_FILES_CHKSUM = "file://LICENSE.txt;md5=26080bf81b2662c7119d3ef28ae197fd"

inherit pypi python_mesonpy

SRC_URI[sha256sum] = "784db1dcdab56bf0517743e746dfb0f885fc68d948aba86eeec2cba234bdf1c0"

PROVIDES = "python3-numpy"

# BLAS/LAPACK: Debian's OpenBLAS (pthread flavour) from the target sysroot, tuned kernels for
# every ARMv8 core chosen at run time; numpy's own fallback (no BLAS) is ~10-50x slower on
# linalg. The Cortex-A72 tuning comes from the machine's cross file.
DEPENDS += "python3-cython-native openblas"
EXTRA_OEMESON = "-Dblas=openblas -Dlapack=openblas -Dallow-noblas=false"

RDEPENDS:${PN} = "python3-ctypes python3-json python3-pickle python3-threading python3-unittest"

PYTHON_TEST_CODE = "import numpy; a = numpy.random.default_rng(1).random((300, 300)); x = numpy.linalg.solve(a, a.sum(1)); assert numpy.allclose(x, 1), x[:3]; print('numpy', numpy.__version__, 'solve ok', x[:3])"

# numpy.show_config() reads the build configuration from here: made the board's (python_pep517).
PYTHON_BUILD_CONFIG_FILES = "numpy/__config__.py"
