# Packages built with meson-python (OpenEmbedded's class): it inherits meson, whose MESONOPTS,
# MESON_CROSS_FILE and EXTRA_OEMESON become meson setup arguments, in the order OE gives them
# (meta-python's matplotlib: EXTRA_OEMESON += "-Dsystem-freetype=true ..."). The build directory
# is ${B}, emptied before each compile so that an interrupted build never resumes from a
# half-configured tree.

inherit meson python_pep517

DEPENDS += "python3-meson-python-native"

def mesonpy_setup_args(d):
    words = [word for var in ("MESONOPTS", "MESON_CROSS_FILE", "EXTRA_OEMESON") for word in (d.getVar(var) or "").split()]
    return " ".join("-Csetup-args=" + word for word in words)

PEP517_BUILD_OPTS = "-Cbuild-dir=${B} ${@mesonpy_setup_args(d)} -Ccompile-args=${PARALLEL_MAKE}"
do_compile[cleandirs] += "${B}"

python python_mesonpy_do_configure () {
    import pyrecipe.tasks.meson
    pyrecipe.tasks.meson.write_meson_recipe_cross_file(d)
}

python_mesonpy_do_compile () {
	python_pep517_do_compile
}

python_mesonpy_do_install () {
	python_pep517_do_install
}

EXPORT_FUNCTIONS do_configure do_compile do_install
