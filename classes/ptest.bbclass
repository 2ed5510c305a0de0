# OpenEmbedded's package tests ("ptest"): a recipe installs its own test suite into ${PTEST_PATH}
# with do_install_ptest (and may configure and compile it with do_configure_ptest and
# do_compile_ptest), plus a run-ptest script from SRC_URI that runs it on the board; OE ships them
# in the package ${PN}-ptest when DISTRO_FEATURES has "ptest".
#
# pyrecipe's distros leave "ptest" out of DISTRO_FEATURES: the image gets no test suites and these
# tasks run nothing, so a layer's recipes parse and build as they are. DISTRO_FEATURES:append =
# " ptest" (local.conf) runs them, and the suite lands in ${PN}-ptest: an image that asks for that
# package (`pyrecipe test RECIPE` makes one) gets ${PTEST_PATH}, the others do not.
PTEST_PATH ?= "${libdir}/${BPN}/ptest"
PTEST_ENABLED = "${@bb.utils.contains('DISTRO_FEATURES', 'ptest', '1', '0', d)}"
PTEST_ENABLED:class-native = "0"
PTEST_ENABLED:class-nativesdk = "0"

PACKAGES =+ "${PN}-ptest"
FILES:${PN}-ptest += "${PTEST_PATH}"
RDEPENDS:${PN}-ptest += "${PN}"
ALLOW_EMPTY:${PN}-ptest = "1"
# Where `pyrecipe test` assembles the image of ${PN}-ptest (apart from the build's IMAGE_ROOTFS).
PTEST_IMAGE_ROOTFS ?= "${MACHINE_BUILD_DIR}/ptest/${PN}/image"

# What a recipe overrides.
do_configure_ptest() {
	:
}

do_compile_ptest() {
	:
}

do_install_ptest() {
	:
}

do_configure_ptest_base() {
	do_configure_ptest
}

do_compile_ptest_base() {
	do_compile_ptest
}

# The run-ptest script (when SRC_URI brings one) goes beside the suite, as in OE.
do_install_ptest_base() {
	install -d ${D}${PTEST_PATH}
	if [ -f ${UNPACKDIR}/run-ptest ]; then
		install -m 0755 ${UNPACKDIR}/run-ptest ${D}${PTEST_PATH}/
	fi
	do_install_ptest
}
do_configure_ptest_base[dirs] = "${B}"
do_compile_ptest_base[dirs] = "${B}"
do_install_ptest_base[dirs] = "${B}"

addtask configure_ptest_base after do_configure before do_compile
addtask compile_ptest_base after do_compile before do_install
addtask install_ptest_base after do_install before do_qa

python () {
    if d.getVar("PTEST_ENABLED") != "1":
        for task in ("do_configure_ptest_base", "do_compile_ptest_base", "do_install_ptest_base"):
            d.setVarFlag(task, "noexec", "1")
}
