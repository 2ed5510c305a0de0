# PACKAGE_FORMAT = "deb": do_package_write_deb (OpenEmbedded's name) writes one Debian package per
# target recipe from its ${PKGD} into DEPLOY_DIR_DEB (see pyrecipe/outputs/deb.py for the names
# and fields).
DEPLOY_DIR_DEB ?= "${MACHINE_BUILD_DIR}/deploy/deb"
# Debian's CPython searches here, not in ${PYTHON_SITEPACKAGES_DIR}.
DEB_PYTHON_DIST_PACKAGES ?= "/usr/lib/python3/dist-packages"
# Where the .debs the target sysroot was unpacked from are (their shlibs name library packages).
DEB_SYSROOT_ARCHIVES ?= "${DL_DIR}/debian/${DEBIAN_SUITE}-${DEBIAN_ARCH}/archives"
MAINTAINER ?= "pyrecipe <pyrecipe@localhost>"

# Before do_populate_sysroot: a recipe built as a dependency (only up to its sysroot) is
# packaged too, so a target's .deb always comes with the .debs it depends on.
addtask package_write_deb after do_package before do_populate_sysroot

python do_package_write_deb() {
    if d.getVar("CLASSOVERRIDE") == "class-native":
        return
    import pyrecipe.outputs.deb
    deb = pyrecipe.outputs.deb.build_deb(d)
    bb.note("wrote %s" % deb)
}
