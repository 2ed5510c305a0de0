# setuptools packages, including legacy ones with only a setup.py: the frontend uses
# setuptools' legacy PEP 517 backend when pyproject.toml names no backend.
inherit python_setuptools_build_meta
