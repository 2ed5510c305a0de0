"""Task signatures cover the pyrecipe code a task runs: an edit reruns that task and what follows
it, and nothing before it."""

from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

import pytest

from pyrecipe.config.configuration import Settings, load_configuration
from pyrecipe.config.paths import TOPDIR
from pyrecipe.engine import codesig
from pyrecipe.engine.task_runner import task_order, task_signatures
from pyrecipe.parse import parse_recipe

MODULES = {
    "__init__.py": "",
    "steps.py": (
        "import os\n\nfrom pyrecipe.helpers import helper\nfrom pyrecipe.parse import DataSmart\n\n\n"
        "def fetch(d: DataSmart):\n    return helper()\n\n\n"
        "def package(d: DataSmart):\n    from pyrecipe.split import run\n    return run() + _local()\n\n\n"
        "def _local():\n    return LIMIT\n\n\nLIMIT = 1\n"
    ),
    "helpers.py": "def helper():\n    return 1\n",
    "split.py": "from pyrecipe import util\n\n\ndef run():\n    return util.VALUE\n",
    "util.py": "VALUE = 2\n",
    "parse.py": "class DataSmart:\n    pass\n",
}


def clear_caches() -> None:
    for cached in (codesig._parsed, codesig._module_digest, codesig._reference_digest):
        cached.cache_clear()


@pytest.fixture
def package(tmp_path: Path) -> Path:
    root = tmp_path / "pyrecipe"
    root.mkdir()
    for name, text in MODULES.items():
        (root / name).write_text(text)
    clear_caches()
    yield root
    clear_caches()


def digests(package: Path) -> dict[str, str]:
    clear_caches()
    texts = {
        "fetch": "import pyrecipe.steps\npyrecipe.steps.fetch(d)",
        "package": "pyrecipe.steps.package(d)",
        "module": "${PYTHON} -m pyrecipe.split",
    }
    return {key: codesig.code_digest(text, package) for key, text in texts.items()}


@pytest.mark.parametrize(("module", "edit", "changed"), [
    ("helpers.py", "def helper():\n    return 3\n", {"fetch"}),
    ("util.py", "VALUE = 5\n", {"package", "module"}),
    ("split.py", MODULES["split.py"] + "# a comment is an edit too\n", {"package", "module"}),
    ("steps.py", MODULES["steps.py"].replace("LIMIT = 1", "LIMIT = 2"), {"package"}),
    ("steps.py", MODULES["steps.py"].replace("return helper()", "return helper() + 1"), {"fetch"}),
    ("parse.py", "class DataSmart:\n    x = 1\n", set()),  # named in annotations only
])
def test_an_edit_changes_the_digest_of_exactly_the_code_that_runs_it(
    package: Path, module: str, edit: str, changed: set[str],
) -> None:
    before = digests(package)
    (package / module).write_text(edit)
    after = digests(package)
    assert {key for key in before if before[key] != after[key]} == changed


def test_text_without_a_reference_has_no_code_digest(package: Path) -> None:
    assert codesig.code_digest("oe_runmake install", package) == ""


def test_editing_the_debug_split_reruns_do_package_and_what_follows(tmp_path: Path) -> None:
    """The real classes and the real package: msgpack's tasks before do_package keep their
    signatures when the strip options in pyrecipe/tasks/package.py change; do_package and every
    later task change."""
    config = load_configuration(Settings(build_dir=tmp_path / "build", machine="raspberrypi4"))
    [recipe] = (TOPDIR / "recipes" / "msgpack").glob("msgpack_*.bb")
    d = parse_recipe(recipe, config)[""]
    order = task_order(d, "do_build")
    copy = tmp_path / "pyrecipe"
    shutil.copytree(codesig.PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    clear_caches()
    before = task_signatures(d, order, "base", code=partial(codesig.code_digest, package_dir=copy))
    split = copy / "tasks" / "package.py"
    split.write_text(split.read_text().replace('"--remove-section=.comment"', '"--remove-section=.comment", "-g"'))
    clear_caches()
    after = task_signatures(d, order, "base", code=partial(codesig.code_digest, package_dir=copy))
    clear_caches()
    rerun = [task for task in order if before[task] != after[task]]
    assert rerun == order[order.index("do_package"):]
    assert order.index("do_package") > order.index("do_install")


def test_editing_a_local_patch_reruns_do_fetch_and_what_follows(tmp_path: Path) -> None:
    """bitbake's do_fetch[file-checksums]: a file:// entry's content is part of the signatures."""
    config = load_configuration(Settings(build_dir=tmp_path / "build", machine="raspberrypi4"))
    recipe = tmp_path / "meta" / "demo" / "demo_1.0.bb"
    (recipe.parent / "files").mkdir(parents=True)
    patch = recipe.parent / "files" / "fix.patch"
    patch.write_text("--- a/x\n+++ b/x\n")
    recipe.write_text('LICENSE = "MIT"\nSRC_URI = "file://fix.patch file://missing.txt"\n')

    def signatures() -> dict[str, str]:
        d = parse_recipe(recipe, config)[""]
        return task_signatures(d, task_order(d, "do_build"), "base")

    before = signatures()
    assert signatures() == before
    patch.write_text("--- a/x\n+++ b/x\n@@ -1 +1 @@\n")
    after = signatures()
    assert all(before[task] != after[task] for task in before)
    (recipe.parent / "files" / "missing.txt").write_text("now here\n")
    assert signatures()["do_fetch"] != after["do_fetch"]
