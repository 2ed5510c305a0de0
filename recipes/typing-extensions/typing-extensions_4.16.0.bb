SUMMARY = "Backported and experimental type hints for Python"
HOMEPAGE = "https://github.com/python/typing_extensions"
LICENSE = "PSF-2.0"
LIC_FILES_CHKSUM = "file://LICENSE;md5=fcf6b249c2641540219a727f35d8d2c2"

inherit pypi python_flit_core

PYPI_PACKAGE = "typing_extensions"
SRC_URI[sha256sum] = "dc983d19a509c94dba722ee6abd33940f7c05a89e243c47e907eb4db6f1a43e5"

PROVIDES = "python3-typing-extensions"

RDEPENDS:${PN} = "python3-typing"

PYTHON_TEST_CODE = "import typing_extensions as te; T = te.TypedDict('T', {'a': int, 'b': te.NotRequired[str]}); assert T.__required_keys__ == frozenset({'a'}) and T.__optional_keys__ == frozenset({'b'}), T.__required_keys__; print('typing_extensions', te.__name__, sorted(T.__required_keys__), sorted(T.__optional_keys__))"
