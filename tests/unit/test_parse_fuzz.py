"""Fuzzing the recipe language: whatever the input, only PyrecipeError subclasses come out.

Inputs are the fixture layer's recipes and classes mutated (characters and lines inserted,
deleted, replaced, bitbake-ish tokens spliced in) and random sequences of such tokens. Each is
read by :func:`pyrecipe.parse.reader.parse_text` and parsed in full (:func:`parse_recipe`, with
every variable of every variant expanded) from a temporary layer.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parse_support import META_TEST
from pyrecipe.errors import PyrecipeError
from pyrecipe.parse import parse_recipe
from pyrecipe.parse.reader import parse_text

SEEDS = sorted(p.read_text() for p in META_TEST.rglob("*") if p.suffix in (".bb", ".bbappend", ".bbclass", ".inc", ".conf"))
TOKENS = [
    "A", "PN", "RDEPENDS:${PN}", "VAR:append", ":remove", ":prepend", ":class-target", "[flag]", "[sha256sum]",
    " = ", " ?= ", " ??= ", " := ", " += ", " =+ ", " .= ", " =. ", '"', "'", "\\", "\n", "\t", " ", "#",
    "${", "}", "${@", "${PN}", "${@d.getVar('PN')}", "${@bb.utils.contains('A', 'x', 'y', 'z', d)}",
    "${@1/0}", "${@", "${@d.setVar('A', '1')}", "${A}", "{", "(", ")", "()", " {\n", "\n}\n",
    "inherit ", "inherit_defer ", "include ", "require ", "include_all ", "export ", "unset ",
    "addtask ", " after ", " before ", "deltask ", "addhandler ", "EXPORT_FUNCTIONS ", "python ", "fakeroot ",
    "def f(d):\n    return 1\n", "python () {\n", "do_x() {\n", "do_x:append() {\n", "__anonymous",
    "raise Exception('x')", "bb.fatal('x')", "import sys", "OVERRIDES", "BBCLASSEXTEND = \"native\"\n",
    "pypi", "python_mesonpy", "nonexistent", "/", "..", "${@exit(3)}", "python () {\n    exit()\n}\n",
    "\ninclude /\n", "\nrequire ..\n", "\ninherit /\n", "\ninclude_all ..\n", "\nrequire conf/layer.conf\n", "\x00", "\udcff", "é", "$", "@", "%", ":",
]

token = st.sampled_from(TOKENS)
char = st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(list("\"'\\{}$@:[]=#\n "))


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A fixture file with a few random edits."""
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        lines = text.split("\n")
        kind = draw(st.sampled_from(["insert", "delete", "replace", "token", "dup-line", "drop-line", "swap-lines"]))
        position = draw(st.integers(0, len(text)))
        if kind == "insert":
            text = text[:position] + draw(char) + text[position:]
        elif kind == "delete":
            text = text[:position] + text[position + 1:]
        elif kind == "replace":
            text = text[:position] + draw(char) + text[position + 1:]
        elif kind == "token":
            text = text[:position] + draw(token) + text[position:]
        else:
            index = draw(st.integers(0, max(len(lines) - 1, 0)))
            if kind == "dup-line":
                lines.insert(index, lines[index])
            elif kind == "drop-line":
                del lines[index]
            else:
                other = draw(st.integers(0, max(len(lines) - 1, 0)))
                lines[index], lines[other] = lines[other], lines[index]
            text = "\n".join(lines)
    return text


random_text = st.lists(token | char, max_size=40).map("".join)
recipe_text = mutated() | random_text

EXAMPLES = 1200


def check_full_parse(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        recipe = Path(tmp) / "fuzz_1.0.bb"
        recipe.write_text(text, errors="surrogateescape")
        try:
            variants = parse_recipe(recipe, bbpath=[META_TEST])
            for d in variants.values():
                for name in list(d.keys()):
                    d.getVar(name)
                    d.getVarFlags(name, expand=True)
        except PyrecipeError:
            pass


def check_reader(text: str) -> None:
    try:
        parse_text(text, "fuzz.bb")
    except PyrecipeError:
        pass


def fuzz(check) -> int:
    """Feed ``EXAMPLES`` generated inputs to ``check``; any non-PyrecipeError fails the test. Returns how many ran."""
    tried = 0

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(recipe_text)
    def run(text: str) -> None:
        nonlocal tried
        tried += 1
        check(text)

    run()
    print(f"\n{check.__name__}: {tried} inputs tried")
    return tried


def test_reader_raises_only_pyrecipe_errors() -> None:
    assert fuzz(check_reader) >= EXAMPLES


def test_full_parse_raises_only_pyrecipe_errors() -> None:
    assert fuzz(check_full_parse) >= EXAMPLES
