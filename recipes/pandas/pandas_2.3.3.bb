# pandas itself is BSD-3-Clause; LICENSES/ holds the licenses of the code it vendors (numpy's
# datetime code, ujson, klib, musl's strptime, dateutil, packaging, CPython, pyperclip,
# bottleneck, haven, sas7bdat, xarray, pyupgrade).
LICENSE = "BSD-3-Clause & BSD-2-Clause & MIT & Apache-2.0 & PSF-2.0"
LIC_FILES_CHKSUM = "file://LICENSE;md5=cb819092901ddb13a7d0a4f5e05f098a \
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
                    file://LICENSES/SAS7BDAT_LICENSE;md5=13095991fe24f72284970b9ad7ec9408 \
                    file://LICENSES/XARRAY_LICENSE;md5=554f1a8b845d7b28c73f36b711b506be \
                    file://LICENSES/PYUPGRADE_LICENSE;md5=29534ffc25130d01cd6e6a6c9cd41070"

# The pandas of debian-bookworm (PREFERRED_VERSION_pandas): built and tested there against numpy 2.3.
require pandas.inc

SRC_URI[sha256sum] = "e05e1af93b977f7eafa636d043f9f94c7ee3ac81af99c13508215942e64c993b"
RDEPENDS:${PN} += "pytz"
