SUMMARY = "Python Imaging Library (fork), with its C core and the JPEG and zlib codecs"
HOMEPAGE = "https://python-pillow.github.io/"
LICENSE = "MIT-CMU"
LIC_FILES_CHKSUM = "file://LICENSE;md5=a6f0ac3777cfc96ded1b825e32ae7c99"

# Pillow's build backend is setuptools.build_meta wrapped in-tree (_custom_build/backend.py turns
# config settings into --pillow-configuration options of setup.py); pybind11 compiles in parallel.
inherit pypi python_setuptools_build_meta pkgconfig

SRC_URI[sha256sum] = "3b8182a766685eaa002637e28b4ec8d6b18819a0c71f579bf0dbaa5830297cce"

# jpeg: libjpeg-dev of the sysroot, which is libjpeg62-turbo-dev (libjpeg.so.62) on Debian.
DEPENDS += "python3-pybind11-native zlib jpeg"

# setup.py finds libraries itself: pkg-config (the machine's wrapper: the sysroot's libjpeg.pc and
# zlib.pc), then -I/-L in CFLAGS/LDFLAGS, then "platform guessing": the build machine's ldconfig
# cache, /usr/lib and /usr/include. That last step would link against the build machine's
# libraries, so it is off. The codecs this recipe does not provide are disabled rather than left
# to whatever else the shared sysroot happens to hold, so the result does not depend on it.
PILLOW_DISABLED_FEATURES = "tiff freetype raqm lcms webp jpeg2000 imagequant xcb avif"
PEP517_BUILD_OPTS = "-Cplatform-guessing=disable -Czlib=enable -Cjpeg=enable \
    ${@' '.join('-C%s=disable' % f for f in d.getVar('PILLOW_DISABLED_FEATURES').split())}"

RDEPENDS:${PN} = "python3-logging python3-mmap python3-numbers python3-xml python3-zlib"

SRC_URI += "file://test_pillow.py"
PYTHON_TEST_SCRIPT = "${UNPACKDIR}/test_pillow.py"
