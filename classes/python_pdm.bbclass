# Packages built with pdm-backend (pdm.backend).
inherit python_pep517

DEPENDS += "python3-pdm-backend-native"
