# OpenEmbedded's autotools (./configure && make && make install, with autoreconf first). pyrecipe
# does not build autotools projects yet: the recipe parses (EXTRA_OECONF, oe_runconf's variables)
# and is skipped with that reason, so asking for it says so instead of failing in a task.
EXTRA_OECONF ?= ""
EXTRA_OEMAKE ?= ""
CONFIGUREOPTS ?= ""

python () {
    raise bb.parse.SkipRecipe("it inherits autotools: pyrecipe does not build autotools (./configure) projects yet")
}
