# A recipe built to run on an SDK's host (BBCLASSEXTEND = "nativesdk"), as in OpenEmbedded: the
# variant is named nativesdk-${BPN}, and its build dependencies are the nativesdk- ones (a -native
# dependency stays native). pyrecipe builds for the board and the build machine, not for an SDK host,
# so the variant parses (layers written for OpenEmbedded resolve) and is skipped with the reason:
# asking to build it is an error that says so.
CLASSOVERRIDE = "class-nativesdk"
MLPREFIX = "nativesdk-"

python nativesdk_virtclass_handler () {
    d = e.data
    pn = d.getVar("PN")
    if not (pn.endswith("-nativesdk") or pn.startswith("nativesdk-")):
        return
    bpn = pn.removesuffix("-nativesdk").removeprefix("nativesdk-")
    d.setVar("PN", "nativesdk-" + bpn)

    def sdk_name(dep):
        if dep.endswith("-native") or dep.startswith(("nativesdk-", "virtual/nativesdk-")):
            return dep
        if dep.startswith("virtual/"):
            return "virtual/nativesdk-" + dep[len("virtual/"):]
        return "nativesdk-" + dep

    deps = bb.utils.explode_deps(d.getVar("DEPENDS") or "")
    d.setVar("DEPENDS", " ".join(dict.fromkeys(sdk_name(dep) for dep in deps if dep != bpn)))
    provides = [sdk_name(p) for p in (d.getVar("PROVIDES") or "").split() if p not in (bpn, pn)]
    d.setVar("PROVIDES", " ".join(provides))
}
addhandler nativesdk_virtclass_handler
nativesdk_virtclass_handler[eventmask] = "bb.event.RecipePreFinalise"

python () {
    if d.getVar("PN").startswith("nativesdk-"):
        raise bb.parse.SkipRecipe("a nativesdk variant runs on an SDK host, which pyrecipe does not build for "
                                  "(build the recipe for the board, or its -native variant for the build machine)")
}
