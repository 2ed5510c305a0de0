# Packages built with hatchling (hatchling.build).
inherit python_pep517

DEPENDS += "python3-hatchling-native"
