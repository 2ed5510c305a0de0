# Packages built with meson-python. The machine's rendered meson cross file and EXTRA_OEMESON
# become meson setup arguments; the build directory is ${B}, emptied before each compile so
# that an interrupted build never resumes from a half-configured tree.

inherit python_pep517

DEPENDS += "python3-meson-python-native python3-meson-native python3-ninja-native"

EXTRA_OEMESON ?= ""
# The machine's cross file, then the recipe's (written by do_configure): TARGET_CFLAGS,
# TARGET_CXXFLAGS, TARGET_FFLAGS and TARGET_LDFLAGS added to the machine's arguments.
MESON_RECIPE_CROSS_FILE = "${WORKDIR}/meson-recipe.ini"
MESON_CROSS_FILE ?= "--cross-file=${PYRECIPE_MESON_CROSS_FILE} --cross-file=${MESON_RECIPE_CROSS_FILE}"
MESON_CROSS_FILE:class-native = ""

# meson's own optimization, debug and b_ndebug options, said as TARGET_CFLAGS says them.
# meson-python asks for buildtype=release (-O3, NDEBUG); the build's flags come last on every
# compile line anyway, but a meson.build that reads get_option('optimization') or
# get_option('debug') must see the level really used.
def meson_build_options(d):
    words = (d.getVar("TARGET_CFLAGS") or "").split()
    levels = [word[2:] or "1" for word in words if word.startswith("-O")]
    level = {"fast": "3", "z": "s"}.get(levels[-1], levels[-1]) if levels else "0"
    debug = [word for word in words if word.startswith("-g")]
    with_debug = bool(debug) and debug[-1] != "-g0"
    return "-Doptimization=%s -Ddebug=%s -Db_ndebug=%s" % (
        level, str(with_debug).lower(), str("-DNDEBUG" in words).lower())

MESON_BUILD_OPTIONS = "${@meson_build_options(d)}"

def mesonpy_setup_args(d):
    words = (d.getVar("MESON_CROSS_FILE") or "").split() + (d.getVar("MESON_BUILD_OPTIONS") or "").split() \
        + (d.getVar("EXTRA_OEMESON") or "").split()
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

# How far the compile is, from ninja's [n/N] lines in the log (bitbake's progress handler syntax).
do_compile[progress] = "outof:^\[(\d+)/(\d+)\]"

EXPORT_FUNCTIONS do_configure do_compile do_install
