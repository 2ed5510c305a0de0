# Inherited by every recipe (through the configuration). Declares the tasks and their order;
# the Python tasks call into pyrecipe.tasks (base, qa, package, sysroot), where the real work is written and tested.

addtask fetch
addtask unpack after do_fetch
addtask patch after do_unpack
addtask configure after do_patch
addtask compile after do_configure
addtask install after do_compile
addtask qa after do_install
addtask package after do_qa
addtask populate_sysroot after do_package
addtask test after do_populate_sysroot
addtask build after do_populate_sysroot do_test

do_build[noexec] = "1"

# Packages for distributions: PACKAGE_FORMAT = "deb" (in local.conf or a recipe; deferred so the
# recipe's own setting counts) adds do_package.
inherit_defer ${@bb.utils.contains('PACKAGE_FORMAT', 'deb', 'package_deb', '', d)}
# do_install starts from an empty ${D}: a rerun after an interrupted or changed install must not
# trip over its own half-made tree (`ln -s` into an existing link) or ship files it no longer makes.
do_install[cleandirs] = "${D}"
# Only do_fetch reaches the network; every other task runs in a network namespace of its own,
# but do_compile when the user gave ccache a remote storage (CCACHE_REMOTE_STORAGE in local.conf).
do_fetch[network] = "1"
do_compile[network] = "${@'1' if d.getVar('CCACHE_REMOTE_STORAGE') else '0'}"
# As in OpenEmbedded, do_fetch's signature covers the content of the recipe's local files
# (file:// patches and scripts found along FILESPATH): editing a patch reruns the build from there.
def checksum_file_list(d):
    import pyrecipe.tasks.base
    return pyrecipe.tasks.base.checksum_file_list(d)
do_fetch[file-checksums] = "${@checksum_file_list(d)}"

python base_do_fetch() {
    import pyrecipe.tasks.base
    pyrecipe.tasks.base.fetch(d)
}

python base_do_unpack() {
    import pyrecipe.tasks.base
    import pyrecipe.tasks.source_date
    pyrecipe.tasks.base.unpack(d)
    pyrecipe.tasks.source_date.record(d)
}

# Reproducible builds, as OpenEmbedded: SOURCE_DATE_EPOCH is when the recipe's sources last changed,
# found by do_unpack before the patches (pyrecipe/tasks/source_date.py), and every task gets it
# (wheels' zip entries, .deb members, the SBOM take their times from it). It follows from the
# sources, which the signature covers already: its value is no part of the signature.
SDE_DIR = "${WORKDIR}/source-date-epoch"
SDE_FILE = "${SDE_DIR}/__source_date_epoch.txt"
SOURCE_DATE_EPOCH_FALLBACK ??= "1302044400"
def source_date_epoch_value(d):
    import pyrecipe.tasks.source_date
    return pyrecipe.tasks.source_date.value(d)
export SOURCE_DATE_EPOCH ?= "${@source_date_epoch_value(d)}"
SOURCE_DATE_EPOCH[vardepvalue] = "the sources' own"

python base_do_patch() {
    import pyrecipe.tasks.base
    pyrecipe.tasks.base.patch(d)
}

base_do_configure() {
	:
}

base_do_compile() {
	:
}

base_do_install() {
	:
}

python base_do_qa() {
    import pyrecipe.tasks.qa
    pyrecipe.tasks.qa.qa(d)
}

# do_package, as OpenEmbedded's: ${D} as it ships, into ${PKGD}: ELF files stripped with the
# cross strip, their debug information kept apart, keyed by build-id (see pyrecipe/tasks/package.py).
PKGD = "${WORKDIR}/package"
# do_package's split of ${PKGD}: <package>.list, the paths each package of PACKAGES ships (OE keeps
# a tree per package in PKGDEST instead; the image and the .debs read these lists).
PKGMANIFESTDIR = "${WORKDIR}/package-lists"
# The debug files of every recipe of the machine: .build-id/xx/yyyy.debug, as in Debian's -dbgsym
# packages and under /usr/lib/debug on a board (gdb finds them with set debug-file-directory).
DEPLOY_DIR_DEBUG ?= "${MACHINE_BUILD_DIR}/deploy/debug"
# "1" keeps the ELF files of the image as they were built (not stripped, no debug split).
INHIBIT_PACKAGE_STRIP ?= "0"

python base_do_package() {
    import pyrecipe.tasks.package
    pyrecipe.tasks.package.package(d)
}

# The build's flags (TARGET_CFLAGS ...) after the machine's flags in the environment of a task that
# compiles; native recipes get the build machine's (native.bbclass).
export_target_flags () {
	export CFLAGS="$CFLAGS ${TARGET_CFLAGS}" CXXFLAGS="$CXXFLAGS ${TARGET_CXXFLAGS}"
	export FFLAGS="$FFLAGS ${TARGET_FFLAGS}" LDFLAGS="$LDFLAGS ${TARGET_LDFLAGS}"
}

python base_do_populate_sysroot() {
    import pyrecipe.tasks.sysroot
    pyrecipe.tasks.sysroot.populate_sysroot(d)
}

python base_do_test() {
    import pyrecipe.tasks.base
    pyrecipe.tasks.base.test(d)
}

EXPORT_FUNCTIONS do_fetch do_unpack do_patch do_configure do_compile do_install do_qa do_package do_populate_sysroot do_test
