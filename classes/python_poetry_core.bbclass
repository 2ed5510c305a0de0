# Packages built with poetry-core (poetry.core.masonry.api).
inherit python_pep517

DEPENDS += "python3-poetry-core-native"
