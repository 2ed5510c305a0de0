# OpenEmbedded's python3targetconfig: the build machine's python3 answers sysconfig questions
# (include directory, EXT_SUFFIX, python3-config) for the target's CPython, which the recipe
# depends on. pyrecipe's cross environment gives every target task the target's sysconfig data
# already; what is left is the dependency (the target CPython, in the sysroot) and
# EXTRA_PYTHON_DEPENDS, as in OE.
inherit python3native

EXTRA_PYTHON_DEPENDS ?= ""
DEPENDS:append:class-target = " python3 ${EXTRA_PYTHON_DEPENDS}"
