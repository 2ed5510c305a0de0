# OpenEmbedded's nopackages: a recipe that makes no package (an image, a test driver). pyrecipe has
# nothing to fetch or build for it; its do_install leaves an empty tree, so it adds no file to the
# image.
PACKAGES = ""

do_fetch[noexec] = "1"
do_unpack[noexec] = "1"
do_patch[noexec] = "1"
do_configure[noexec] = "1"
do_compile[noexec] = "1"
