"""Empty stand-ins for the classes a real layer inherits that no layer at hand provides.

meta-python inherits OpenEmbedded-core classes (ptest, features_check ...) that neither pyrecipe
nor bitbake alone has; the parse benchmark gives both parsers the same empty ones, so that both
read the same text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

# Classes are named by inherit lines, and by BBCLASSEXTEND (``native nativesdk``: bitbake
# inherits each; without the class it fails the recipe).
_INHERIT_RE = re.compile(r"^(?:inherit|inherit_defer)[ \t]+([^\n#]*)|^BBCLASSEXTEND[ \t]*[+?]?=[ \t]*\"([^\"]*)\"", re.M)
_NAME_RE = re.compile(r"[\w.+-]+")
_SUFFIXES = (".bb", ".bbappend", ".bbclass", ".inc")


def write_stub_classes(layer: Path, search: Iterable[Path], directory: Path) -> list[str]:
    """Write ``directory/classes/NAME.bbclass`` (empty) for each class named by an ``inherit``
    or ``BBCLASSEXTEND`` line of ``layer`` that no ``classes*/`` directory of ``search`` or ``layer`` holds; the
    names written. Names built from variables (``inherit ${X}``) are left to the parse."""
    provided = {
        path.stem for root in [layer, *search] for path in root.glob("classes*/*.bbclass")
    }
    wanted: set[str] = set()
    for path in layer.rglob("*"):
        if path.suffix in _SUFFIXES and path.is_file():
            for inherited, extended in _INHERIT_RE.findall(path.read_text(errors="replace")):
                words = inherited.split() + [word.split(":", 1)[0] for word in extended.split()]
                wanted.update(word for word in words if _NAME_RE.fullmatch(word))
    missing = sorted(wanted - provided)
    (directory / "classes").mkdir(parents=True, exist_ok=True)
    for name in missing:
        (directory / "classes" / f"{name}.bbclass").write_text("")
    return missing
