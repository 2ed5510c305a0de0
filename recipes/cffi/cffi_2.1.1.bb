SUMMARY = "Foreign Function Interface for Python calling C code (libffi)"
HOMEPAGE = "https://cffi.readthedocs.io/"
LICENSE = "MIT-0"
LIC_FILES_CHKSUM = "file://LICENSE;md5=c0158ab9b75875f3bb7fea081d388818"

inherit pypi python_setuptools_build_meta pkgconfig

SRC_URI[sha256sum] = "dd31f52ea1086513bb9df30f8fcee9b8918323ae067a3d5b78bc826a000712be"

DEPENDS += "libffi"

RDEPENDS:${PN} = "pycparser python3-ctypes python3-threading"

PYTHON_TEST_CODE = "import cffi, _cffi_backend; ffi = cffi.FFI(); ffi.cdef('int abs(int); size_t strlen(const char *); void qsort(void *, size_t, size_t, int (*)(const void *, const void *));'); C = ffi.dlopen(None); assert C.abs(-42) == 42; assert C.strlen(b'embedded') == 8; xs = ffi.new('int[]', [5, 3, 9, 1]); cmp = ffi.callback('int(const void *, const void *)', lambda a, b: ffi.cast('int *', a)[0] - ffi.cast('int *', b)[0]); C.qsort(xs, 4, ffi.sizeof('int'), cmp); assert list(xs) == [1, 3, 5, 9], list(xs); print('cffi', cffi.__version__, _cffi_backend.__file__.rsplit('/', 1)[1], list(xs))"
