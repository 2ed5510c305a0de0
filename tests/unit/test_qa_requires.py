"""The warning about Requires-Dist entries a recipe's RDEPENDS does not name."""

from __future__ import annotations

from pathlib import Path

from pyrecipe.qa.requires import unlisted_requirements
from pyrecipe.recipetool.create import TargetFacts

METADATA = """Metadata-Version: 2.1
Name: questionary
Version: 2.1.1
Requires-Dist: prompt_toolkit (>=2.0,<4.0)
Requires-Dist: colorama; sys_platform == "win32"
Requires-Dist: numpy>=2
Requires-Dist: GitPython
Requires-Dist: pytest; extra == "test"
Requires-Dist: tomli; python_version < "3.11"

"""


def test_only_what_the_target_needs_and_rdepends_lacks(tmp_path: Path) -> None:
    info = tmp_path / "questionary-2.1.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(METADATA)
    aliases = {"python3-git": "gitpython"}
    missing = unlisted_requirements(tmp_path, ["python3-core", "numpy", "python3-git"], TargetFacts("3.13"), aliases.get)
    assert missing == ["python3-prompt-toolkit"]
    assert unlisted_requirements(tmp_path, ["python3-prompt-toolkit", "numpy", "python3-gitpython"], TargetFacts("3.13")) == []
    assert unlisted_requirements(tmp_path / "nothing", [], TargetFacts("3.13")) == []
