# Packages built with flit_core (flit_core.buildapi).
inherit python_pep517

DEPENDS += "python3-flit-core-native"
