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
LAYER_RECIPE = "layer recipe"
#: How a requirement set's PYPI_BINARY is said (its option, and the setting).
_BINARY_SAID = {"prefer": 'wheels preferred (--prefer-binary, PYPI_BINARY = "prefer")',
                "only": 'only wheels allowed (--only-binary, PYPI_BINARY = "only")'}


def origin_how(origin: str, wheel: str, binary: str) -> str:
    """How a package of ``origin`` comes from PyPI, for the lock's and the build's reports: its
    wheel (``wheel``: the wheel's tag or file name without ``.whl``) as it is and why that wheel,
    or its sdist built although PYPI_BINARY (``binary``) allowed wheels; "" for a layer's recipe
    and for an sdist built because sdists are what pyrecipe builds (PYPI_BINARY = "no")."""
    if origin == PYPI_WHEEL:
        if wheel.endswith("none-any"):
            return "its none-any wheel: a pure-Python project, the same on every board"
        return f"the board's wheel {wheel}, {_BINARY_SAID.get(binary, binary)}"
    if origin == GENERATED_RECIPE and binary == "prefer":
        return "its sdist: no wheel of it fits the board"
    if origin == GENERATED_RECIPE and binary == "only":
        return "its sdist: --no-binary for it"
    return ""
