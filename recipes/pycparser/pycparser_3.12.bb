SUMMARY = "C parser in pure Python (cffi parses its cdef() declarations with it)"
HOMEPAGE = "https://github.com/eliben/pycparser"
LICENSE = "BSD-3-Clause"
LIC_FILES_CHKSUM = "file://pycparser-${PV}.dist-info/licenses/LICENSE;md5=c453675224ee9a35b46135214d26c055"

# Pure Python: the py3-none-any wheel from PyPI, nothing to cross-compile.
inherit pypi_wheel

SRC_URI[sha256sum] = "a076f3f489b39b43ed13563a1dafe42447445bec2e294154ec5c57fcdda4c85e"

RDEPENDS:${PN} = "python3-core"

PYTHON_TEST_CODE = "import pycparser; ast = pycparser.CParser().parse('int add(int a, int b) { return a + b; }'); f = ast.ext[0]; assert f.decl.name == 'add' and [p.name for p in f.decl.type.args.params] == ['a', 'b'], f; print('pycparser', pycparser.__version__, f.decl.name)"
