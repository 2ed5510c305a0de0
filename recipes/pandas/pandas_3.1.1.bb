# pandas itself is BSD-3-Clause; LICENSES/ holds the licenses of the code it vendors (numpy's
# datetime code, ujson, klib, musl's strptime, dateutil, packaging, CPython, pyperclip,
# bottleneck, haven, sas7bdat, xarray, pyupgrade).
LICENSE = "BSD-3-Clause & BSD-2-Clause & MIT & Apache-2.0 & PSF-2.0"
LIC_FILES_CHKSUM = "file://LICENSE;md5=e98642e1210ade884e5254ab18d55b7d \
                    file://LICENSES/NUMPY_LICENSE;md5=0af7dd3c644a31650d706980f324e336 \
                    file://LICENSES/ULTRAJSON_LICENSE;md5=e1af5eac3681eaea4ece4f4e61c9d449 \
                    file://LICENSES/KLIB_LICENSE;md5=666005cb1ebbe208c2e02326495c58a2 \
                    file://LICENSES/MUSL_LICENSE;md5=3120d746fce1f8f274fce97408c25015 \
                    file://LICENSES/DATEUTIL_LICENSE;md5=e3155c7bdc71f66e02678411d2abf996 \
                    file://LICENSES/PACKAGING_LICENSE;md5=e4142c2c07ace09265d3e3cef18d626d \
                    file://LICENSES/PSF_LICENSE;md5=fcf6b249c2641540219a727f35d8d2c2 \
                    file://LICENSES/PYPERCLIP_LICENSE;md5=06abe7b345925c1f776ac548f762ebef \
                    file://LICENSES/BOTTLENECK_LICENCE;md5=356fb01ecca701dfce62165b4bdeff06 \
                    file://LICENSES/HAVEN_LICENSE;md5=aa8f9cd12d1c23fe42f4a1fd64c74b7a \
                    file://LICENSES/HAVEN_MIT;md5=ca1d352670e593edb1c5a20f598d01aa \
                    file://LICENSES/NERI_SCHNEIDER_LICENSE;md5=74a4acbaaec3cb630ef873cf6d214e0e \
                    file://LICENSES/STATSBASE_JL_LICENSE;md5=52945b56d2ab2332cce7bcf3ff369bee \
                    file://LICENSES/XSIMD_LICENSE;md5=fdd4d7dc8bdd9ae7181dd0bca68007a2 \
                    file://LICENSES/SAS7BDAT_LICENSE;md5=13095991fe24f72284970b9ad7ec9408 \
                    file://LICENSES/PYUPGRADE_LICENSE;md5=29534ffc25130d01cd6e6a6c9cd41070"

# pandas 2.3 built against numpy 2.5's headers crashes in its datetime code (Timestamp.as_unit,
# a segfault under qemu): trixie, whose numpy is 2.5, gets pandas 3.1.
require pandas.inc

SRC_URI[sha256sum] = "05fed3e3b7c99b226f160e29d7d6cb7ef39638c758cbfe42b3f24ba34f04b859"
