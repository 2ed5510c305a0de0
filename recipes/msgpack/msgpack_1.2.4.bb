SUMMARY = "MessagePack serializer for Python, with its Cython extension"
HOMEPAGE = "https://msgpack.org/"
LICENSE = "Apache-2.0"
LIC_FILES_CHKSUM = "file://COPYING;md5=cd9523181d9d4fbf7ffca52eaa2a5751"

inherit pypi python_setuptools_build_meta

SRC_URI[sha256sum] = "475c44e12f2a5de766a8448783f149c9b33f3f49b88953c6cd739a77d93c732c"

RDEPENDS:${PN} = "python3-datetime"

PYTHON_TEST_CODE = "import msgpack, msgpack._cmsgpack as c, datetime; assert msgpack.Packer is c.Packer; doc = {'n': [1, -2, 2**40, 1.5], 's': 'h\u00e9llo', 'b': bytes(range(250, 256)), 't': msgpack.Timestamp(1, 500)}; raw = msgpack.packb(doc); back = msgpack.unpackb(raw); assert back == doc, back; assert len(raw) == 55, (len(raw), raw); print('msgpack', msgpack.version, len(raw), c.__file__.rsplit('/', 1)[1])"
