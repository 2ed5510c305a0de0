# OpenEmbedded's setuptools3_legacy is for projects that cannot build a wheel: it runs their
# setup.py build and setup.py install directly. pyrecipe builds them through setuptools' legacy
# PEP 517 backend instead (the frontend picks it when pyproject.toml names no backend; it runs the
# same setup.py), then installs the wheel: the files in the image are the same.
inherit setuptools3
