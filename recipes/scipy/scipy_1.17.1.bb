SUMMARY = "Fundamental algorithms for scientific computing in Python"
DESCRIPTION = "SciPy: linear algebra (LAPACK), sparse matrices, optimisation, integration, \
interpolation (FITPACK, Fortran), special functions, signal processing and statistics, compiled \
from C, C++, Cython and Fortran against numpy's C API."
HOMEPAGE = "https://scipy.org"
# SciPy is BSD-3-Clause; LICENSES_bundled.txt lists the code it vendors (fast_matrix_market,
# Boost.Math and ryu under BSL-1.0, Qhull, HiGHS and others under MIT, BSD-2/3-Clause, and
# PocketFFT's Apache-2.0 WITH LLVM-exception part).
LICENSE = "BSD-3-Clause & BSD-2-Clause & MIT & BSL-1.0 & Qhull & Apache-2.0"
LIC_FILES_CHKSUM = "file://LICENSE.txt;md5=6506a2e1578b1a1161d9bda0b896c647 \
                    file://LICENSES_bundled.txt;md5=7bb7625ea6d801cd9de63572db6f0aa2"

inherit pypi python_mesonpy cython

SRC_URI[sha256sum] = "95d8e012d8cb8816c226aef832200b1d45109ed4464303e997c5b13122b297c0"

PROVIDES = "python3-scipy"

# The target numpy, built first and staged into the sysroot: its headers (the cross file's
# numpy-include-dir), f2py's fortranobject.c and its numpy.pc. The native numpy only runs
# f2py, which writes the C wrappers of the Fortran and LAPACK code. pybind11 is header-only and
# found through the native venv's pybind11-config.
DEPENDS += "numpy python3-numpy-native python3-pybind11-native openblas"

# BLAS/LAPACK: Debian's OpenBLAS (pthread flavour) from the target sysroot, as numpy uses it.
# Pythran would be one more native compiler in the chain for a handful of modules that have
# Cython/C fallbacks; without it those fallbacks are built.
EXTRA_OEMESON = "-Dblas=openblas -Dlapack=openblas -Duse-pythran=false"

# scipy.show_config() reads the build configuration from here: made the board's (python_pep517).
PYTHON_BUILD_CONFIG_FILES = "scipy/__config__.py"

RDEPENDS:${PN} = "numpy python3-ctypes python3-json python3-pickle python3-threading"

# LAPACK through the f2py wrappers (_flapack), FITPACK's splines (Fortran), SuperLU (C),
# Boost/xsf special functions (C++), the Cython optimisers and the C++ FFT: each check touches a
# different compiled part; the last one proves they are extensions built for the board's CPython.
SRC_URI += "file://test_scipy.py"
PYTHON_TEST_SCRIPT = "${UNPACKDIR}/test_scipy.py"
