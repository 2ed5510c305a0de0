# OpenEmbedded's systemd class: the recipe installs its units itself (into
# ${systemd_system_unitdir}) and names them in SYSTEMD_SERVICE:${PN}; with SYSTEMD_AUTO_ENABLE =
# "enable" (the default) they are enabled on the board. OE enables them in the package's
# postinst; pyrecipe's image is a file tree, so do_install does what `systemctl enable` does: a
# link to the unit in /etc/systemd/system/<target>.wants/ for each WantedBy= / RequiredBy= of its
# [Install] section. A unit named in SYSTEMD_SERVICE that do_install did not install fails the
# task, as it fails OE's packaging.
systemd_unitdir ?= "${prefix}/lib/systemd"
systemd_system_unitdir ?= "${systemd_unitdir}/system"
systemd_user_unitdir ?= "${systemd_unitdir}/user"
SYSTEMD_PACKAGES ?= "${PN}"
SYSTEMD_AUTO_ENABLE ?= "enable"

def systemd_services(d):
    services = []
    for package in (d.getVar("SYSTEMD_PACKAGES") or "").split():
        services += (d.getVar("SYSTEMD_SERVICE:" + package) or d.getVar("SYSTEMD_SERVICE_" + package) or "").split()
    return " ".join(dict.fromkeys(services))

SYSTEMD_UNITS_OF_RECIPE = "${@systemd_services(d)}"

systemd_install_units() {
	for unit in ${SYSTEMD_UNITS_OF_RECIPE}; do
		path="${D}${systemd_system_unitdir}/$unit"
		case "$unit" in *@.*) path="${D}${systemd_system_unitdir}/$(echo "$unit" | sed 's/@[^.]*\./@./')" ;; esac
		if [ ! -f "$path" ]; then
			bbfatal "SYSTEMD_SERVICE names $unit, which do_install did not install in ${systemd_system_unitdir}"
		fi
		[ "${SYSTEMD_AUTO_ENABLE}" = "enable" ] || continue
		for wanted in $(sed -n 's/^\(WantedBy\|RequiredBy\)=//p' "$path"); do
			suffix=wants
			grep -q "^RequiredBy=.*\b$wanted\b" "$path" && suffix=requires
			install -d "${D}${sysconfdir}/systemd/system/$wanted.$suffix"
			ln -sf "${systemd_system_unitdir}/$unit" "${D}${sysconfdir}/systemd/system/$wanted.$suffix/$unit"
		done
	done
}

# Target recipes only: OE makes these units when packaging, which native recipes do not do.
do_install:append:class-target() {
	systemd_install_units
}
