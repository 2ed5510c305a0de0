"""What an installed Python package says it needs on the board that its recipe does not bring.

A layer's recipe lists its runtime dependencies by hand (RDEPENDS), and they drift from the
project's own Requires-Dist: meta-python's python3-questionary lacks prompt-toolkit,
python3-pint flexcache. The build cannot tell an optional dependency from a forgotten one, so
this is a warning that names them (do_test's import then shows whether it matters); the
package's ``*.dist-info/METADATA`` is read with the target's markers, extras left out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from packaging.metadata import parse_email

from pyrecipe.recipetool.create import TargetFacts, recipe_package_name, runtime_depends
from pyrecipe.sources import pypi


def unlisted_requirements(site_packages: Path, rdepends: Iterable[str], facts: TargetFacts,
                          alias: Callable[[str], str | None] = lambda name: None) -> list[str]:
    """The ``python3-<project>`` names the installed packages' Requires-Dist holds on the target
    and RDEPENDS does not (a plain ``numpy`` or an aliased ``python3-git`` counts as listed)."""
    listed = set()
    for name in rdepends:
        listed.add(name if name.startswith("python3-") else recipe_package_name(name))
        project = alias(name)
        if project:
            listed.add(recipe_package_name(project))
    own = {recipe_package_name(path.name.split("-")[0]) for path in site_packages.glob("*.dist-info")}
    missing: dict[str, None] = {}
    for metadata in sorted(site_packages.glob("*.dist-info/METADATA")):
        raw, _ = parse_email(metadata.read_bytes())
        for name in runtime_depends(raw.get("requires_dist", []) or [], facts):
            if name not in listed and name not in own:
                missing[name] = None
    return list(missing)


def project_alias(config_flag: Callable[[str, str], str | None]) -> Callable[[str], str | None]:
    """The PyPI project a ``python3-X`` RDEPENDS entry names when PYPI_PROJECT says it differs."""
    def alias(name: str) -> str | None:
        flag = config_flag("PYPI_PROJECT", name)
        return pypi.normalise_project(flag) if flag else None
    return alias
