SUMMARY = "Document parameters, class attributes and return types with typing.Annotated"
HOMEPAGE = "https://github.com/fastapi/annotated-doc"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://LICENSE;md5=e36e91f278975b8bb76a769f32582892"

inherit pypi python_pdm

PYPI_PACKAGE = "annotated_doc"
SRC_URI[sha256sum] = "0a30ef8f5322a4173720ae6712dc9a5e58f5a19868f3f167b4b5778db066c2b5"

RDEPENDS:${PN} = "python3-typing"

PYTHON_TEST_CODE = "import typing, annotated_doc; T = typing.Annotated[int, annotated_doc.Doc('GPIO pin number')]; d = typing.get_args(T)[1]; assert d.documentation == 'GPIO pin number', d; assert d == annotated_doc.Doc('GPIO pin number'); print('annotated_doc', d)"
