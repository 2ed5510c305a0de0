LICENSE = "BSD-3-Clause & 0BSD & MIT & Zlib & CC0-1.0"
LIC_FILES_CHKSUM = "file://LICENSE.txt;md5=26080bf81b2662c7119d3ef28ae197fd"

# Requires-Python >= 3.12: debian-trixie's numpy.
require numpy.inc

SRC_URI[sha256sum] = "5cddc243c75114ba845f01b1f87aca1572dbf7b6c2d88636ed3e1d2bccd7f1bf"
