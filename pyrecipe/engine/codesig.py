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

Following references needs each module's syntax tree, and parsing and walking the trees of every
reachable module is most of a no-op build's time. The digests only need a few facts of each module
(:class:`ModuleFacts`: what it imports, its top-level definitions with the digest of their source
and the names they use), so :func:`remembered` keeps those in a file of the build directory, keyed
by each file's identity (size, mtime, inode) and, when that changed, by its content: a no-op
reads one file and parses nothing, and an edited module is parsed again, alone.

Source files do not change during a build, so every digest is computed once per process.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pyrecipe.engine.reachable import reachable

#: A dotted reference to this package's code in recipe text.
REFERENCE_RE = re.compile(r"\bpyrecipe(?:\.[A-Za-z_]\w*)+")

PACKAGE_DIR = Path(__file__).resolve().parents[1]

#: A file modified this recently may be modified again within the file system's timestamp
#: granularity with the same size (git's "racily clean" entries): its identity is not kept, so the
#: next run compares its content instead.
RACY_SECONDS = 2.0


@dataclass(frozen=True)
class Definition:
    """What a module-level definition contributes to a digest."""

    #: sha256 of its source text.
    digest: str
    #: The names it uses when it runs that are definitions of its module or names bound by the
    #: module's top-level imports.
    uses: tuple[str, ...]
    #: The package's modules (paths relative to the package) it imports inside itself.
    imports: tuple[str, ...]


@dataclass(frozen=True)
class ModuleFacts:
    """What the digests need of one module, instead of its syntax tree."""

    #: sha256 of the module's source.
    digest: str
    #: The package's modules it imports anywhere (paths relative to the package).
    imports: tuple[str, ...]
    #: For each name its top-level imports bind, the package's modules behind it.
    bound: dict[str, tuple[str, ...]]
    definitions: dict[str, Definition]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ModuleFacts:
        return cls(
            digest=data["digest"], imports=tuple(data["imports"]),
            bound={name: tuple(modules) for name, modules in data["bound"].items()},
            definitions={name: Definition(d["digest"], tuple(d["uses"]), tuple(d["imports"]))
                         for name, d in data["definitions"].items()},
        )


class FactsFile:
    """Module facts kept between runs in one JSON file, valid for one package and one version of
    this module and of Python (what the facts are, and how source parses, depend on them)."""

    def __init__(self, path: Path | None, package_dir: Path) -> None:
        self.path = path
        self.key = _facts_key(package_dir)
        self.entries: dict[str, dict[str, Any]] = {}
        self.changed = False
        if path is not None:
            try:
                data = json.loads(path.read_bytes())
            except (OSError, ValueError):
                data = None
            if isinstance(data, dict) and data.get("key") == self.key and isinstance(data.get("modules"), dict):
                self.entries = data["modules"]

    def facts(self, path: Path, package_dir: Path) -> ModuleFacts:
        """The module's facts: kept ones when the file's identity or content is the same."""
        stat = path.stat()
        identity = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
        entry = self.entries.get(str(path))
        if entry is not None and entry.get("identity") == identity:
            return ModuleFacts.from_json(entry["facts"])
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if entry is not None and entry["facts"]["digest"] == digest:
            facts = ModuleFacts.from_json(entry["facts"])
        else:
            facts = extract_facts(data.decode("utf-8"), path, package_dir)
        racy = time.time() - stat.st_mtime_ns / 1e9 < RACY_SECONDS
        self.entries[str(path)] = {"identity": None if racy else identity, "facts": asdict(facts)}
        self.changed = True
        return facts

    def save(self) -> None:
        """Write the file (temporary name, then rename) if a module's facts or identity changed."""
        if self.path is None or not self.changed:
            return
        from pyrecipe.fsutil import atomic_write_text

        atomic_write_text(self.path, json.dumps({"key": self.key, "modules": self.entries}, sort_keys=True))
        self.changed = False


def _facts_key(package_dir: Path) -> str:
    """What kept facts are valid for: the package (its place and its list of modules: an import
    resolves to a file only if it exists), this module's code and the Python version."""
    modules = sorted(os.path.relpath(os.path.join(root, name), package_dir)
                     for root, _, names in os.walk(package_dir) for name in names if name.endswith(".py"))
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(f"{sys.version_info[:2]}\0{package_dir}\0{chr(0).join(modules)}".encode())
    return digest.hexdigest()


#: The facts in use: in memory only, unless :func:`remembered` gives them a file.
_store: dict[Path, FactsFile] = {}


@contextmanager
def remembered(path: Path, package_dir: Path = PACKAGE_DIR) -> Iterator[None]:
    """Keep module facts in ``path`` while the block computes digests, and save them after it."""
    previous = _store.get(package_dir)
    _store[package_dir] = facts_file = FactsFile(path, package_dir)
    _parsed.cache_clear()
    try:
        yield
        facts_file.save()
    finally:
        if previous is None:
            del _store[package_dir]
        else:
            _store[package_dir] = previous


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
            module = path.relative_to(package_dir).as_posix()
            attribute = parts[split] if split < len(parts) else None
            return _symbol_digest(module, attribute, package_dir) if attribute else _module_digest(module, package_dir)
    return "unknown"


def _module_file(package_dir: Path, parts: list[str]) -> Path | None:
    base = package_dir.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def _parsed(module: str, package_dir: Path) -> ModuleFacts:
    """The facts of ``module`` (a path relative to the package): kept ones, or from its syntax tree."""
    path = package_dir / module
    facts_file = _store.get(package_dir)
    if facts_file is None:
        return extract_facts(path.read_text(encoding="utf-8"), path, package_dir)
    return facts_file.facts(path, package_dir)


def extract_facts(source: str, path: Path, package_dir: Path) -> ModuleFacts:
    """Parse a module and keep what the digests need of it."""
    tree = ast.parse(source, str(path))

    def relative(modules: set[Path]) -> tuple[str, ...]:
        return tuple(sorted(module.relative_to(package_dir).as_posix() for module in modules))

    bound: dict[str, set[Path]] = {}
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for name, files in _alias_modules(node, path, package_dir).items():
                bound.setdefault(name, set()).update(files)
    nodes = _top_level_definitions(tree)
    definitions = {}
    for name, node in nodes.items():
        uses = _names_run(node) & (nodes.keys() | bound.keys())
        segment = ast.get_source_segment(source, node) or ""
        definitions[name] = Definition(hashlib.sha256(segment.encode()).hexdigest(), tuple(sorted(uses)),
                                       relative(imported_modules(node, path, package_dir)))
    return ModuleFacts(
        digest=hashlib.sha256(source.encode()).hexdigest(),
        imports=relative(imported_modules(tree, path, package_dir)),
        bound={name: relative(files) for name, files in bound.items()},
        definitions=definitions,
    )


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
def _module_digest(module: str, package_dir: Path) -> str:
    """The module's source and that of every module of the package it imports, transitively."""
    seen = reachable([module], lambda current: _parsed(current, package_dir).imports)
    digest = hashlib.sha256()
    for current in sorted(seen):
        digest.update(f"{current}\0{_parsed(current, package_dir).digest}\0".encode())
    return digest.hexdigest()


def _symbol_digest(module: str, name: str, package_dir: Path) -> str:
    """One module-level definition, the definitions of its module that it names (transitively),
    and the whole of every module it imports or names through its module's imports."""
    facts = _parsed(module, package_dir)
    definitions = facts.definitions
    if name not in definitions:
        return _module_digest(module, package_dir)
    seen = reachable([name], lambda current: [used for used in definitions[current].uses if used in definitions])
    modules: set[str] = set()
    for current in seen:
        modules.update(definitions[current].imports)
        modules.update(target for used in definitions[current].uses for target in facts.bound.get(used, ()))
    digest = hashlib.sha256()
    for current in sorted(seen):
        digest.update(f"{current}\0{definitions[current].digest}\0".encode())
    for imported in sorted(modules - {module}):
        digest.update(f"{imported}={_module_digest(imported, package_dir)}\0".encode())
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
