"""The package's import graph: no cycles (function-level imports included), and the recipe
language does not depend on the task runner; ``bb.build.exec_func`` reaches it by injection."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from parse_support import parse
from pyrecipe.engine import codesig
from pyrecipe.engine.task_runner import TaskRunner
from pyrecipe.errors import PyrecipeError
from pyrecipe.parse.pyapi import bb


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports anywhere (lazy imports inside functions too)."""
    package = codesig.PACKAGE_DIR
    graph = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        name = path.relative_to(package).as_posix()
        graph[name] = {m.relative_to(package).as_posix() for m in codesig.imported_modules(tree, path, package)} - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph()
    assert "engine/task_runner.py" in graph["engine/scheduler.py"]  # the reader sees real edges
    assert cycles(graph) == []


def test_a_cycle_is_found_by_the_check() -> None:
    assert cycles({"a.py": {"b.py"}, "b.py": {"c.py"}, "c.py": {"a.py"}, "d.py": {"a.py"}}) == [["a.py", "b.py", "c.py"]]


def test_parsing_imports_no_task_runner() -> None:
    code = "import sys, pyrecipe.parse; print(sorted(m for m in sys.modules if m.startswith('pyrecipe')))"
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert "pyrecipe.parse" in loaded and "pyrecipe.engine.task_runner" not in loaded and "pyrecipe.engine.scheduler" not in loaded


RECIPE = '''
do_a[dirs] = "${T}"
python do_a() {
    bb.build.exec_func("write_marker", d)
}
write_marker() {
	echo ran > ${T}/marker
}
addtask a
'''


def test_exec_func_runs_a_shell_function_from_a_python_task(tmp_path: Path) -> None:
    d = parse(tmp_path, RECIPE)
    work = tmp_path / "work"  # a task writes only inside its WORKDIR, itself inside the build dir
    d.setVar("TOPDIR", str(tmp_path))
    d.setVar("WORKDIR", str(work))
    d.setVar("T", str(work / "temp"))
    d.setVar("B", str(work / "build"))
    d.setVar("STAMPS_DIR", str(work / "stamps"))
    (work / "build").mkdir(parents=True)
    TaskRunner(d, {"PATH": "/usr/bin:/bin"}).run("do_a", "signature")
    assert (work / "temp" / "marker").read_text() == "ran\n"


def test_exec_func_outside_a_task_is_a_clear_error(tmp_path: Path) -> None:
    d = parse(tmp_path, RECIPE)
    with pytest.raises(PyrecipeError, match=r"bb.build.exec_func\('write_marker'\) outside a task"):
        bb.build.exec_func("write_marker", d)
