# Packages built with meson-python. The machine's rendered meson cross file and EXTRA_OEMESON
# become meson setup arguments; the build directory is ${B}, emptied before each compile so
# that an interrupted build never resumes from a half-configured tree.

inherit python_pep517

DEPENDS += "python3-meson-python-native python3-meson-native python3-ninja-native"

EXTRA_OEMESON ?= ""
# The machine's cross file, then the recipe's (written by do_configure): the recipe's TARGET_CFLAGS
# and TARGET_CXXFLAGS added to the machine's compile arguments.
MESON_RECIPE_CROSS_FILE = "${WORKDIR}/meson-recipe.ini"
MESON_CROSS_FILE ?= "--cross-file=${PYRECIPE_MESON_CROSS_FILE} --cross-file=${MESON_RECIPE_CROSS_FILE}"
MESON_CROSS_FILE:class-native = ""

def mesonpy_setup_args(d):
    words = (d.getVar("MESON_CROSS_FILE") or "").split() + (d.getVar("EXTRA_OEMESON") or "").split()
    return " ".join("-Csetup-args=" + word for word in words)

PEP517_BUILD_OPTS = "-Cbuild-dir=${B} ${@mesonpy_setup_args(d)} -Ccompile-args=${PARALLEL_MAKE}"
do_compile[cleandirs] += "${B}"

python python_mesonpy_do_configure () {
    import pyrecipe.steps
    pyrecipe.steps.write_meson_recipe_cross_file(d)
}

python_mesonpy_do_compile () {
	python_pep517_do_compile
}

python_mesonpy_do_install () {
	python_pep517_do_install
}

EXPORT_FUNCTIONS do_configure do_compile do_install
