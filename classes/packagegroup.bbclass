# OpenEmbedded's packagegroup: a recipe of dependencies only. It fetches and builds nothing; its
# RDEPENDS:${PN} bring the packages it names into the image. (OE also makes -dbg/-dev groups and
# sub-groups in PACKAGES; pyrecipe reads RDEPENDS:${PN}.)
PACKAGE_ARCH ?= "all"
PACKAGES ??= "${PN}"
LICENSE ?= "MIT"
ALLOW_EMPTY:${PN} = "1"
INHIBIT_DEFAULT_DEPS = "1"

do_fetch[noexec] = "1"
do_unpack[noexec] = "1"
do_patch[noexec] = "1"
do_configure[noexec] = "1"
do_compile[noexec] = "1"
