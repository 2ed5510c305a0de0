SUMMARY = "Fast implementation of the Cassowary constraint solver (C++ extension)"
HOMEPAGE = "https://github.com/nucleic/kiwi"
LICENSE = "BSD-3-Clause"
LIC_FILES_CHKSUM = "file://LICENSE;md5=7a2c756dc2da8fbde2a254cae9a9320e"

inherit pypi python_setuptools_build_meta

SRC_URI[sha256sum] = "f1303ef2eec81262a4b708c3e858afe58d7c75ad91c1c05266eda7673369859a"

# cppy: the C++ helpers and setuptools build_ext the extension is built with; setuptools-scm
# reads the version from the sdist's PKG-INFO.
DEPENDS += "python3-cppy-native python3-setuptools-scm-native"

RDEPENDS:${PN} = "python3-core"

# PyPI's wheels are built at -O3 (the manylinux CPython's OPT): at OE's -O2 the solver ran 1.09x
# the time of PyPI's wheel under qemu on trixie (bench board-speed, best of 9), at -O3 1.02x.
FULL_OPTIMIZATION = "-O3 -g"

PYTHON_TEST_CODE = "import kiwisolver as k, kiwisolver._cext as c; assert c.__file__.endswith('.so'), c.__file__; x, y = k.Variable('x'), k.Variable('y'); s = k.Solver(); s.addConstraint(x + y == 10); s.addConstraint(x == 2 * y); s.addConstraint((y >= 5) | 'weak'); s.updateVariables(); assert abs(x.value() - 20 / 3) < 1e-9 and abs(y.value() - 10 / 3) < 1e-9, (x.value(), y.value()); print('kiwisolver', k.__version__, round(x.value(), 6), round(y.value(), 6))"
