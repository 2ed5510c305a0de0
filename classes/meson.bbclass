# OpenEmbedded's meson class: a project configured with `meson setup` and installed with
# `meson install`. pyrecipe builds meson projects that are Python packages through meson-python
# (python_mesonpy, which reads EXTRA_OEMESON); a plain meson build is not supported yet: the recipe
# parses and is skipped with that reason.
EXTRA_OEMESON ?= ""
MESONOPTS ?= ""

python () {
    raise bb.parse.SkipRecipe("it inherits meson: pyrecipe builds meson projects only as Python packages "
                              "(inherit python_mesonpy), not with the plain meson class yet")
}
