"""Module facts kept in the build directory (:func:`pyrecipe.engine.codesig.remembered`): the same
digests as parsing every module, no parse when nothing changed, and an edited module parsed again
(alone), even within the file system's timestamp granularity."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import test_codesig
from test_codesig import MODULES, clear_caches, digests

from pyrecipe.engine import codesig

#: References of real classes' tasks into pyrecipe's own code, and one to a module alone.
REAL_TEXTS = [
    "pyrecipe.tasks.package.package(d)",
    "import pyrecipe.tasks.base\npyrecipe.tasks.base.fetch(d)",
    "${PYTHON} -m pyrecipe.pep517.frontend",
    "pyrecipe.engine.codesig.code_digest",
    "pyrecipe.parse.no_such_name",
]


#: test_codesig's package of six modules.
package = test_codesig.package


@pytest.fixture(autouse=True)
def aged(package: Path) -> None:
    """The package's modules old enough to be trusted by their identity (codesig.RACY_SECONDS)."""
    for module in package.iterdir():
        os.utime(module, (1_000_000_000, 1_000_000_000))


def remembered_digests(package: Path, facts: Path) -> dict[str, str]:
    with codesig.remembered(facts, package):
        return digests(package)


def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The modules parsed from now on (their names, in order)."""
    parsed: list[str] = []
    extract = codesig.extract_facts

    def counting(source: str, path: Path, package_dir: Path) -> codesig.ModuleFacts:
        parsed.append(path.name)
        return extract(source, path, package_dir)

    monkeypatch.setattr(codesig, "extract_facts", counting)
    return parsed


def test_kept_facts_give_the_digests_of_parsing_every_module(package: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    facts = tmp_path / "cache" / "codesig.json"
    parsed = digests(package)
    assert remembered_digests(package, facts) == parsed
    assert facts.is_file()
    parsed_modules = parses(monkeypatch)
    assert remembered_digests(package, facts) == parsed
    assert parsed_modules == []


def test_real_package_digests_are_the_same_from_kept_facts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    facts = tmp_path / "codesig.json"

    def real() -> list[str]:
        clear_caches()
        return [codesig.code_digest(text) for text in REAL_TEXTS]

    parsed = real()
    with codesig.remembered(facts):
        assert real() == parsed
    parsed_modules = parses(monkeypatch)
    with codesig.remembered(facts):
        assert real() == parsed
    clear_caches()
    assert parsed_modules == []


@pytest.mark.parametrize(("module", "edit"), [
    ("util.py", "VALUE = 5\n"),  # the same size: only the time and the content differ
    ("steps.py", MODULES["steps.py"].replace("LIMIT = 1", "LIMIT = 2")),
    ("helpers.py", "def helper():\n    return 3\n"),
])
def test_an_edited_module_is_parsed_again_alone(package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               module: str, edit: str) -> None:
    facts = tmp_path / "codesig.json"
    before = remembered_digests(package, facts)
    (package / module).write_text(edit)
    parsed_modules = parses(monkeypatch)
    after = remembered_digests(package, facts)
    assert parsed_modules == [module]
    assert after == digests(package) != before


def test_a_recent_file_is_checked_by_content(package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A module written just now keeps no identity: the next run compares its content, and an
    edit within the same tick and of the same size is seen."""
    facts = tmp_path / "codesig.json"
    (package / "util.py").write_text("VALUE = 3\n")
    first = remembered_digests(package, facts)
    stat = (package / "util.py").stat()
    (package / "util.py").write_text("VALUE = 4\n")
    os.utime(package / "util.py", ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (package / "util.py").stat().st_ino == stat.st_ino
    parsed_modules = parses(monkeypatch)
    second = remembered_digests(package, facts)
    assert parsed_modules == ["util.py"]
    assert second == digests(package) != first


def test_a_damaged_or_foreign_facts_file_is_ignored_and_replaced(package: Path, tmp_path: Path) -> None:
    facts = tmp_path / "codesig.json"
    parsed = digests(package)
    for text in ("{not json", '{"key": "another package", "modules": {}}', "[]"):
        facts.write_text(text)
        assert remembered_digests(package, facts) == parsed
        assert '"modules"' in facts.read_text() and codesig.FactsFile(facts, package).entries


def test_a_new_module_drops_the_kept_facts(package: Path, tmp_path: Path) -> None:
    """An import resolves to a file only if it exists: ``from pyrecipe import util`` names
    util.py, or a name of __init__.py when there is no such file. The list of modules is part
    of what kept facts are valid for."""
    facts = tmp_path / "codesig.json"
    (package / "util.py").unlink()
    (package / "__init__.py").write_text("VALUE = 7\n")
    before = remembered_digests(package, facts)
    (package / "util.py").write_text("VALUE = 2\n")
    after = remembered_digests(package, facts)
    assert after == digests(package)
    assert after["module"] != before["module"]
