# OpenEmbedded's update-alternatives: several packages may provide the same command
# (ALTERNATIVE:${PN} = "name ..."); each installs its own file (ALTERNATIVE_TARGET) and the
# update-alternatives tool points the common path (ALTERNATIVE_LINK_NAME) at the one of highest
# ALTERNATIVE_PRIORITY on the board.
#
# pyrecipe's image holds one provider of a name, so it does at the end of do_install what that
# tool would do on the board: where the target differs from the link name and nothing is at the
# link name, the link name becomes a symbolic link to the target. As in OE:
#   ALTERNATIVE_LINK_NAME[name]            default ${bindir}/name
#   ALTERNATIVE_TARGET_${PN}[name], ALTERNATIVE_TARGET[name], ALTERNATIVE_TARGET_${PN},
#   ALTERNATIVE_TARGET                     first set wins; default the link name
ALTERNATIVE_PRIORITY ?= "10"

def update_alternatives_links(d):
    pn = d.getVar("PN")
    links = []
    for name in (d.getVar("ALTERNATIVE:" + pn) or "").split():
        link = d.getVarFlag("ALTERNATIVE_LINK_NAME", name) or (d.getVar("bindir") + "/" + name)
        target = (d.getVarFlag("ALTERNATIVE_TARGET_" + pn, name) or d.getVarFlag("ALTERNATIVE_TARGET", name)
                  or d.getVar("ALTERNATIVE_TARGET_" + pn) or d.getVar("ALTERNATIVE_TARGET") or link)
        if target != link:
            links.append(link + "=" + target)
    return " ".join(links)

UPDATE_ALTERNATIVES_LINKS = "${@update_alternatives_links(d)}"

update_alternatives_install_links() {
	for pair in ${UPDATE_ALTERNATIVES_LINKS}; do
		link="${pair%%=*}"; target="${pair#*=}"
		if [ ! -e "${D}$link" ] && [ ! -L "${D}$link" ]; then
			install -d "$(dirname "${D}$link")"
			ln -s "$target" "${D}$link"
		fi
	done
}

# Target recipes only: OE makes these links when packaging, which native recipes do not do.
do_install:append:class-target() {
	update_alternatives_install_links
}
