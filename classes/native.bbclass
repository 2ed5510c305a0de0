# A recipe built to run on the build machine (BBCLASSEXTEND = "native" or a -native recipe):
# its dependencies are the -native variants of the target ones, its results go to the
# native environment instead of the target sysroot.
CLASSOVERRIDE = "class-native"
PACKAGE_ARCH = "${BUILD_ARCH}"
BUILD_ARCH = "${@os.uname().machine}"

python native_virtclass_handler () {
    d = e.data
    pn = d.getVar("PN")
    if not pn.endswith("-native"):
        return

    def native_name(dep):
        if dep.endswith("-native") or dep.startswith("virtual/"):
            return dep
        return dep + "-native"

    deps = bb.utils.explode_deps(d.getVar("DEPENDS") or "")
    d.setVar("DEPENDS", " ".join(dict.fromkeys(native_name(dep) for dep in deps if dep != pn)))
    bpn = d.getVar("BPN")
    provides = [native_name(p) for p in (d.getVar("PROVIDES") or "").split() if p != bpn]
    d.setVar("PROVIDES", " ".join(provides))
}
addhandler native_virtclass_handler
native_virtclass_handler[eventmask] = "bb.event.RecipePreFinalise"

# Runtime dependencies of a native recipe are native too (run after RDEPENDS:${PN} is expanded).
python () {
    pn = d.getVar("PN")
    value = d.getVar("RDEPENDS:" + pn)
    if pn.endswith("-native") and value:
        names = [dep if dep.endswith("-native") else dep + "-native" for dep in bb.utils.explode_deps(value)]
        d.setVar("RDEPENDS:" + pn, " ".join(names))
}

# The cross environment (the distro's tcmode) is the target's: native tasks run the build
# machine's own compilers, and their build interpreter reads its own sysconfig.
python () {
    for name in (d.getVar("PYRECIPE_CROSS_ENV") or "").split():
        d.setVarFlag(name, "unexport", "1")
}
PYRECIPE_PYTHONPATH = "${PYTHON_SITEPACKAGES_NATIVE}"

# As OpenEmbedded's native class: the build machine's flags stand in for the target's.
TARGET_CPPFLAGS = "${BUILD_CPPFLAGS}"
TARGET_CFLAGS = "${BUILD_CFLAGS}"
TARGET_CXXFLAGS = "${BUILD_CFLAGS}"
TARGET_FFLAGS = "${BUILD_OPTIMIZATION}"
TARGET_LDFLAGS = "${BUILD_LDFLAGS}"
