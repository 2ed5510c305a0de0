# OpenEmbedded's meson class and its variables: MESONOPTS, EXTRA_OEMESON and MESON_CROSS_FILE,
# which `meson setup` gets in that order; python_mesonpy gives them to meson-python. A plain meson
# build (`meson setup`, `compile`, `install` of a project that is no Python package) is not
# supported yet: a recipe that inherits meson without python_mesonpy parses and is skipped.

DEPENDS:append = " python3-meson-native python3-ninja-native"

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

# OE's MESONOPTS are --prefix, the directory options, --buildtype, --wrap-mode and --native-file.
# Here only what meson-python leaves to the caller: it lays the wheel out from meson's install plan
# itself (do_install then installs it under ${prefix}), so no directory options; it passes
# -Dbuildtype itself (OE's python_mesonpy removes --buildtype for that reason), so the build type
# is said with the options above; and it writes its own native file, naming the build interpreter.
MESONOPTS = "${@meson_build_options(d)}"
EXTRA_OEMESON ?= ""
# The machine's cross file, then the recipe's (written by python_mesonpy's do_configure):
# TARGET_CFLAGS, TARGET_CXXFLAGS, TARGET_FFLAGS and TARGET_LDFLAGS added to the machine's arguments.
MESON_RECIPE_CROSS_FILE = "${WORKDIR}/meson-recipe.ini"
MESON_CROSS_FILE ?= "--cross-file=${PYRECIPE_MESON_CROSS_FILE} --cross-file=${MESON_RECIPE_CROSS_FILE}"
MESON_CROSS_FILE:class-native = ""

# How far the compile is, from ninja's [n/N] lines in the log (bitbake's progress handler syntax).
do_compile[progress] = "outof:^\[(\d+)/(\d+)\]"

python () {
    if not bb.data.inherits_class("python_mesonpy", d):
        raise bb.parse.SkipRecipe("it inherits meson: pyrecipe builds meson projects only as Python packages "
                                  "(inherit python_mesonpy), not with the plain meson class yet")
}
