SUMMARY = "Cross-platform process and system utilities (CPU, memory, disks, network, processes)"
HOMEPAGE = "https://github.com/giampaolo/psutil"
LICENSE = "BSD-3-Clause"
LIC_FILES_CHKSUM = "file://LICENSE;md5=a9c72113a843d0d732a0ac1c200d81b1"

inherit pypi python_setuptools_build_meta

SRC_URI[sha256sum] = "0746f5f8d406af344fd547f1c8daa5f5c33dbc293bb8d6a16d80b4bb88f59372"

RDEPENDS:${PN} = "python3-ctypes python3-threading python3-resource"

PYTHON_TEST_CODE = "import os, psutil, psutil._psutil_linux as c; assert c.__file__.endswith('.so'), c.__file__; p = psutil.Process(); assert p.pid == os.getpid(); rss = p.memory_info().rss; assert rss > 1 << 20, rss; m = psutil.virtual_memory(); assert 0 < m.available <= m.total, m; assert psutil.cpu_count() >= 1; assert psutil.boot_time() > 1e9; print('psutil', psutil.__version__, 'rss', rss, 'mem', m.total)"
