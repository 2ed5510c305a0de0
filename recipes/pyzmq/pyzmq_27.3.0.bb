SUMMARY = "Python bindings for ZeroMQ (Cython backend, libzmq from the sysroot)"
HOMEPAGE = "https://zeromq.org/languages/python/"
LICENSE = "BSD-3-Clause"
LIC_FILES_CHKSUM = "file://LICENSE.md;md5=1787206f198344195a671b60326c59dc"

inherit pypi python_scikit_build_core cython pkgconfig

SRC_URI[sha256sum] = "bbedb3d1d99babc625f1dd9d7438acefd442b36b75073fd6bc1ef7c0a4b96d56"

DEPENDS += "zeromq python3-packaging-native"
SYSROOT_DEBIAN_PACKAGE[zeromq] = "libzmq3-dev"

# The system's libzmq (found with pkg-config in the sysroot), never the bundled copy; no RPATH
# into the build machine's sysroot.
EXTRA_OECMAKE = "-DZMQ_PREFIX=auto -DPYZMQ_LIBZMQ_RPATH=OFF -DPYZMQ_BACKEND=cython"

RDEPENDS:${PN} = "python3-asyncio python3-json python3-threading"

PYTHON_TEST_CODE = "import zmq, zmq.backend.cython._zmq as c; assert c.__file__.endswith('.so'), c.__file__; ctx = zmq.Context(); a = ctx.socket(zmq.PAIR); b = ctx.socket(zmq.PAIR); a.bind('inproc://t'); b.connect('inproc://t'); a.send_multipart([b'sum', bytes(range(10))]); tag, data = b.recv_multipart(); assert tag == b'sum' and sum(data) == 45, (tag, data); a.close(); b.close(); ctx.term(); print('pyzmq', zmq.pyzmq_version(), 'libzmq', zmq.zmq_version())"
