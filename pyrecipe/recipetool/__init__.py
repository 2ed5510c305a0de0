"""Recipe tools: ``pyrecipe create`` writes a recipe for a PyPI project.

The kinds of the recipes generated from PyPI are here, not in :mod:`.pypi_resolve`: the build
graph names them for every build, and imports the generator only when it asks PyPI.
"""

#: What PYRECIPE_GENERATED says in a generated recipe, and the edge kinds ``pyrecipe deps`` shows:
#: a recipe deploying a PyPI wheel, and one built from an sdist.
PYPI_WHEEL = "pypi wheel"
GENERATED_RECIPE = "generated recipe"
#: Where a recipe came from when it is none of those: a layer's (the requirement set's report
#: and ``pyrecipe report`` say it).
LAYER_RECIPE = "recipe"
