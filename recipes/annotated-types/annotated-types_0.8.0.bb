SUMMARY = "Reusable constraint types for typing.Annotated"
HOMEPAGE = "https://github.com/annotated-types/annotated-types"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://LICENSE;md5=c6afb13fdc220497ee5cded1e717ed67"

inherit pypi python_hatchling

PYPI_PACKAGE = "annotated_types"
SRC_URI[sha256sum] = "13b2beaad985e05e2d6407ee4c4f35590b11f8d693a258a561055cac8f64cab7"

RDEPENDS:${PN} = "python3-typing"

PYTHON_TEST_CODE = "import typing, annotated_types as at; T = typing.Annotated[int, at.Interval(gt=0, le=10), at.MultipleOf(2)]; ms = typing.get_args(T)[1:]; checks = [m for m in ms[0]] + [ms[1]]; assert [type(c).__name__ for c in checks] == ['Gt', 'Le', 'MultipleOf'], checks; assert (checks[0].gt, checks[1].le, checks[2].multiple_of) == (0, 10, 2); print('annotated_types', checks)"
