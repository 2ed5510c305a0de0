LICENSE = "BSD-3-Clause & BSD-2-Clause & MIT & Apache-2.0"
LIC_FILES_CHKSUM = "file://LICENSE.txt;md5=26080bf81b2662c7119d3ef28ae197fd"

# The last numpy for CPython 3.11 (debian-bookworm picks it with PREFERRED_VERSION_numpy).
require numpy.inc

SRC_URI[sha256sum] = "784db1dcdab56bf0517743e746dfb0f885fc68d948aba86eeec2cba234bdf1c0"
