# Packages built by uv's PEP 517 backend (uv_build), as OpenEmbedded's class: python_pep517 with
# the backend as a native dependency.
inherit python_pep517

DEPENDS += "python3-uv-build-native"
