"""The digest of the pyrecipe code a task runs, for its signature.

A class's task is a line of recipe language (``pyrecipe.tasks.package.package(d)``, or a shell function
running ``${PYRECIPE_FRONTEND}``); the work is Python in this package. Hashing only the line
would let an edit of ``pyrecipe/tasks/package.py`` rebuild nothing; hashing the whole package would
rebuild everything for a typo in a docstring of the parser's error messages. So a reference is
followed as far as it goes statically: ``pyrecipe.tasks.package.package`` is the source of that function,
the module-level functions, classes and constants it names (transitively), and every module it
imports, inside the function or at the top of its module, with each of those modules' own
imports, whole. A reference to a module alone (``-m pyrecipe.pep517.frontend``) is that module and its
imports, whole.

Source files do not change during a build, so every digest is computed once per process.
"""

from __future__ import annotations

import ast
import hashlib
import re
from functools import cache
from pathlib import Path

from pyrecipe.engine.reachable import reachable

#: A dotted reference to this package's code in recipe text.
REFERENCE_RE = re.compile(r"\bpyrecipe(?:\.[A-Za-z_]\w*)+")

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def code_digest(text: str, package_dir: Path = PACKAGE_DIR) -> str:
    """The digest of every piece of the package's code that ``text`` refers to (empty: none)."""
    found = set(REFERENCE_RE.findall(text))
    # ``import pyrecipe.tasks.base`` then ``pyrecipe.tasks.base.fetch(d)``: the module is named only to reach
    # the function, which is what runs.
    references = sorted(ref for ref in found if not any(other.startswith(ref + ".") for other in found))
    if not references:
        return ""
    digest = hashlib.sha256()
    for reference in references:
        digest.update(f"{reference}={_reference_digest(reference, package_dir)}\0".encode())
    return digest.hexdigest()


@cache
def _reference_digest(reference: str, package_dir: Path) -> str:
    parts = reference.split(".")[1:]
    for split in range(len(parts), 0, -1):
        path = _module_file(package_dir, parts[:split])
        if path is not None:
            attribute = parts[split] if split < len(parts) else None
            return _symbol_digest(path, attribute, package_dir) if attribute else _module_digest(path, package_dir)
    return "unknown"


def _module_file(package_dir: Path, parts: list[str]) -> Path | None:
    base = package_dir.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def _parsed(path: Path) -> tuple[str, ast.Module]:
    source = path.read_text(encoding="utf-8")
    return source, ast.parse(source, str(path))


def _alias_modules(node: ast.Import | ast.ImportFrom, path: Path, package_dir: Path) -> dict[str, set[Path]]:
    """For each name an import statement binds, the files of this package's modules behind it."""
    bound: dict[str, set[Path]] = {}
    package_name = package_dir.name
    if isinstance(node, ast.ImportFrom):
        if node.level:
            here = path.parent.relative_to(package_dir).parts
            base = [package_name, *here[: len(here) - node.level + 1], *(node.module.split(".") if node.module else [])]
        else:
            base = (node.module or "").split(".")
        candidates = {(alias.asname or alias.name): [[*base, alias.name], base] for alias in node.names}
    else:
        candidates = {(alias.asname or alias.name.split(".")[0]): [alias.name.split(".")] for alias in node.names}
    for name, dotted_names in candidates.items():
        for dotted in dotted_names:
            if dotted and dotted[0] == package_name:
                module = _module_file(package_dir, dotted[1:]) if len(dotted) > 1 else package_dir / "__init__.py"
                if module is not None:
                    bound.setdefault(name, set()).add(module)
                    break
    return bound


def imported_modules(tree: ast.AST, path: Path, package_dir: Path) -> set[Path]:
    """The files of this package's modules that ``tree`` imports, anywhere in it."""
    return {module for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
            for modules in _alias_modules(node, path, package_dir).values() for module in modules}


@cache
def _module_digest(path: Path, package_dir: Path) -> str:
    """The module's source and that of every module of the package it imports, transitively."""
    seen = reachable([path], lambda module: imported_modules(_parsed(module)[1], module, package_dir))
    digest = hashlib.sha256()
    for module in sorted(seen):
        digest.update(f"{module.relative_to(package_dir)}\0{_parsed(module)[0]}\0".encode())
    return digest.hexdigest()


def _symbol_digest(path: Path, name: str, package_dir: Path) -> str:
    """One module-level definition, the definitions of its module that it names (transitively),
    and the whole of every module it imports or names through its module's imports."""
    source, tree = _parsed(path)
    definitions = _top_level_definitions(tree)
    if name not in definitions:
        return _module_digest(path, package_dir)
    imported: dict[str, set[Path]] = {}
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for bound, files in _alias_modules(node, path, package_dir).items():
                imported.setdefault(bound, set()).update(files)
    seen = reachable([name], lambda current: _names_run(definitions[current]) & definitions.keys())
    modules: set[Path] = set()
    for current in seen:
        modules |= imported_modules(definitions[current], path, package_dir)
        modules |= {module for used in _names_run(definitions[current]) & imported.keys() for module in imported[used]}
    digest = hashlib.sha256()
    for current in sorted(seen):
        digest.update(f"{current}\0{ast.get_source_segment(source, definitions[current])}\0".encode())
    for module in sorted(modules - {path}):
        digest.update(f"{module.relative_to(package_dir)}={_module_digest(module, package_dir)}\0".encode())
    return digest.hexdigest()


def _names_run(node: ast.stmt) -> set[str]:
    """The names a definition uses when it runs: a function's annotations are not evaluated
    (``from __future__ import annotations``), so a type named only there is no dependency."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        roots: list[ast.AST] = [*node.body, *node.decorator_list, *node.args.defaults,
                                *(default for default in node.args.kw_defaults if default is not None)]
    else:
        roots = [node]
    return {leaf.id for root in roots for leaf in ast.walk(root) if isinstance(leaf, ast.Name)}


def _top_level_definitions(tree: ast.Module) -> dict[str, ast.stmt]:
    """Module-level functions, classes and assigned names, by name."""
    definitions: dict[str, ast.stmt] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            definitions[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for leaf in ast.walk(target):
                    if isinstance(leaf, ast.Name):
                        definitions[leaf.id] = node
    return definitions
