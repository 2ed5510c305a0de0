"""Syntax errors reach the user as file:line:column, the line and a caret, exit 2, no traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from parse_support import pyrecipe_cli

BAD = [
    # (recipe text, line, column (None: wherever the parser stopped), text of the line shown)
    pytest.param('A = "1"\nB = "unterminated\nC = "x"\n', 2, 5, 'B = "unterminated', id="unterminated-quote"),
    pytest.param('A = "1"\nB = unquoted\n', 2, 5, "B = unquoted", id="unquoted-value"),
    pytest.param('A = "1"\n\nthis is not bitbake\n', 3, None, "this is not bitbake", id="garbage-line"),
    pytest.param("A = 'a'b'\n", 1, 5, "A = 'a'b'", id="three-quotes"),
    pytest.param('A[flag = "x"\n', 1, 2, 'A[flag = "x"', id="unclosed-flag"),
    pytest.param('A = "a" \\\n  junk\n', 1, 5, 'A = "a" \\', id="continuation-after-closing-quote"),
    pytest.param("do_x() {\n\techo\n", 1, 1, "do_x() {", id="function-never-closed"),
    pytest.param("python () {\n    pass\n", 1, 1, "python () {", id="anonymous-never-closed"),
    # bitbake refuses these: which of the two lines was meant?
    pytest.param('# note \\\nA = "x"\n', 2, 1, 'A = "x"', id="comment-continued-onto-a-statement"),
    pytest.param('A = "a \\\n# c\nb"\n', 2, 1, "# c", id="comment-inside-a-multiline-value"),
    pytest.param('export = "v"\n', 1, None, 'export = "v"', id="export-keyword-without-a-name"),
    pytest.param('A[xy] = "1"\nunset A[x]\n', 2, None, "unset A[x]", id="unset-one-character-flag"),
]


@pytest.mark.parametrize("text, line, column, shown", BAD)
def test_syntax_error_through_the_cli(tmp_path: Path, text: str, line: int, column: int | None, shown: str) -> None:
    recipe = tmp_path / "bad_1.0.bb"
    recipe.write_text(text)
    result = pyrecipe_cli("env", "--bare", recipe)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    header = next(i for i, text in enumerate(lines) if f"{recipe}:{line}:" in text)
    reported = int(re.search(rf"{re.escape(str(recipe))}:{line}:(\d+):", lines[header]).group(1))
    if column is not None:
        assert reported == column
    assert lines[header + 1].strip() == shown
    caret = lines[header + 2]
    assert caret.strip() == "^"
    # The caret sits under the reported column of the line shown (both indented alike).
    indent = len(lines[header + 1]) - len(lines[header + 1].lstrip())
    assert caret.index("^") - indent == reported - 1
    assert 1 <= reported <= len(shown) + 1


@pytest.mark.parametrize("text", ['A = "1"\n  B = "2"\n', 'A = "1"\n   # indented comment\n'])
def test_indented_statement_or_comment_is_an_error_as_in_bitbake(tmp_path: Path, text: str) -> None:
    recipe = tmp_path / "bad_1.0.bb"
    recipe.write_text(text)
    result = pyrecipe_cli("env", "--bare", recipe)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{recipe}:2:1: unparsed line: a statement starts at the beginning of its line" in result.stderr


def test_comment_block_continued_with_backslashes_is_fine(tmp_path: Path) -> None:
    recipe = tmp_path / "ok_1.0.bb"
    recipe.write_text('# one \\\n# two\nA = "a \\\n  b"\n')
    result = pyrecipe_cli("env", "--bare", "--json", recipe)
    assert result.returncode == 0, result.stderr
    assert '"A": "a   b"' in result.stdout


def test_inline_python_error_through_the_cli(tmp_path: Path) -> None:
    recipe = tmp_path / "bad_1.0.bb"
    recipe.write_text('OK = "1"\nBROKEN = "${@int(\'x\')}"\n')
    result = pyrecipe_cli("env", "--bare", recipe)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "BROKEN" in result.stderr and "${@int('x')}" in result.stderr and str(recipe) in result.stderr


def test_error_in_python_function_through_the_cli(tmp_path: Path) -> None:
    recipe = tmp_path / "bad_1.0.bb"
    recipe.write_text('python () {\n    d.getVar("A").split()\n}\n')
    result = pyrecipe_cli("env", "--bare", recipe)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{recipe}:1" in result.stderr and "AttributeError" in result.stderr


def test_debug_shows_the_traceback_of_a_real_bug_only(tmp_path: Path) -> None:
    recipe = tmp_path / "bad_1.0.bb"
    recipe.write_text('B = unquoted\n')
    result = pyrecipe_cli("--debug", "env", "--bare", recipe)
    assert result.returncode == 2
    assert f"{recipe}:1:5" in result.stderr


@pytest.mark.parametrize("kind", ["loop", "self", "device"])
def test_include_loops_and_special_files_are_input_errors(tmp_path: Path, kind: str) -> None:
    """An include loop recursed until Python's limit (an internal error); ``require /dev/zero``
    read for ever."""
    (tmp_path / "a.inc").write_text("require b.inc\n")
    (tmp_path / "b.inc").write_text("require a.inc\n")
    recipe = tmp_path / "bad_1.0.bb"
    recipe.write_text({"loop": "require a.inc\n", "self": "require bad_1.0.bb\n", "device": "require /dev/zero\n"}[kind])

    result = pyrecipe_cli("env", "--bare", "--bbpath", tmp_path, recipe)

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    expected = {
        "loop": f"{tmp_path}/b.inc:1:1: include loop: {tmp_path}/a.inc -> {tmp_path}/b.inc -> {tmp_path}/a.inc",
        "self": f"{recipe}:1:1: include loop: {recipe} -> {recipe}",
        "device": f"{recipe}:1:1: /dev/zero is a device, FIFO or socket, not a file",
    }[kind]
    assert expected in result.stderr


def _deep_chain(depth: int) -> str:
    return 'V0 = "x"\n' + "".join(f'V{i} = "${{V{i - 1}}}"\n' for i in range(1, depth + 1)) + f'DEEP = "${{V{depth}}}"\n'


EXPANSION_FAULTS = [
    pytest.param('A = "${B}"\nB = "${C}"\nC = "${A}"\n', "references form a loop: A -> B -> C -> A", id="loop"),
    pytest.param(_deep_chain(3000), "references nest too deeply (a chain of more than", id="deep-chain-is-no-loop"),
    pytest.param('E0 = "xxxxxxxx"\n' + "".join(f'E{i} = "${{E{i - 1}}}${{E{i - 1}}}"\n' for i in range(1, 40)),
                 "expands to more than 16777216 characters", id="exponential"),
    pytest.param('A = "${@(lambda: (yield))().throw(GeneratorExit)}"\n', "which raised GeneratorExit", id="generator-exit"),
]


@pytest.mark.parametrize("text, message", EXPANSION_FAULTS)
def test_expansion_faults_are_input_errors_that_say_what_happened(tmp_path: Path, text: str, message: str) -> None:
    recipe = tmp_path / "bad_1.0.bb"
    recipe.write_text(text)
    result = pyrecipe_cli("env", "--bare", recipe)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert message in result.stderr, result.stderr


def test_syntax_error_in_a_def_is_reported_at_its_line_not_on_another_variable(tmp_path: Path) -> None:
    recipe = tmp_path / "bad_1.0.bb"
    recipe.write_text('A = "1"\ndef foo(d):\n    x = = 1\n    return x\n')
    result = pyrecipe_cli("env", "--bare", recipe)
    assert result.returncode == 2, result.stderr
    assert f"{recipe}:3:9: syntax error in def foo: invalid syntax\n        x = = 1\n            ^" in result.stderr
    assert "PN" not in result.stderr and "Traceback" not in result.stderr


def test_a_byte_that_is_not_utf8_in_a_def_is_reported_at_its_place(tmp_path: Path) -> None:
    # Found by the parse fuzz test: compile() raised UnicodeEncodeError on the undecodable byte.
    recipe = tmp_path / "bad_1.0.bb"
    recipe.write_bytes(b'A = "1"\ndef foo(d):\n    return "caf\xe9"\n')
    result = pyrecipe_cli("env", "--bare", recipe)
    assert result.returncode == 2, result.stderr
    assert f"{recipe}:3:16: def foo holds a byte that is not UTF-8 text or a NUL byte" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
