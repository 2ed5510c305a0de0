# Packages built with setuptools through its PEP 517 backend (setuptools.build_meta).
inherit python_pep517

DEPENDS += "python3-setuptools-native python3-wheel-native"
