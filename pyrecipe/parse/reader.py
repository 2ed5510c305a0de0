"""Read a file of the recipe language into statements.

The block structure is line-based, as in bitbake: a function body runs from its ``name() {``
line to a line that is exactly ``}``; a ``def`` block takes the following lines that are
indented, empty or comments; a line ending in a backslash continues on the next one. Every
other logical line is one statement, parsed by :mod:`pyrecipe.parse.grammar`.

Statements are cached by file content, so a class or an ``.inc`` shared by many recipes (by
any path) is parsed once per process, and, with a :class:`CacheStore`, once until it changes;
the statements of a content are stored once and given the path they were read from.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path

from pyrecipe.parse import statements as st
from pyrecipe.parse.errors import ParseError
from pyrecipe.parse.store import CacheStore, dumps, loads

_DEF_BODY_RE = re.compile(r"(\s+.*)|(^$)|(^#)")
_SETVAR_KEYWORD_IN_TASK_RE = re.compile(r"(append|prepend|remove)_")

#: Statements by content key (see :func:`content_key`), located in whichever file had it first.
_by_content: dict[str, list[st.Statement]] = {}
#: Statements by (content key, path): located in that file.
_by_path: dict[tuple[str, str], list[st.Statement]] = {}


def forget_statements() -> None:
    """Empty the in-process statement cache (for measuring a parse that starts from nothing)."""
    _by_content.clear()
    _by_path.clear()


def content_key(data: bytes, filename: str) -> str:
    """What the statements of a file depend on: its bytes, and the two things its name decides
    (a class's name, for EXPORT_FUNCTIONS; whether it is a .conf, which allows comment lines
    inside continued statements)."""
    return f"{hashlib.sha1(data).hexdigest()}:{_classname(filename)}:{int(filename.endswith('.conf'))}"


def read_statements(path: Path, data: bytes | None = None, store: CacheStore | None = None) -> list[st.Statement]:
    """The statements of ``path`` (whose bytes may be given), cached by content (in ``store`` too)."""
    if data is None:
        data = path.read_bytes()
    filename = str(path)
    key = content_key(data, filename)
    located = _by_path.get((key, filename))
    if located is not None:
        return located
    statements = _by_content.get(key)
    if statements is None and store is not None:
        stored = loads(store.statements(key))
        statements = stored if isinstance(stored, list) else None
    if statements is None:
        statements = parse_text(data.decode("utf-8", errors="surrogateescape"), filename)
        if store is not None:
            store.note_statements(key, dumps(statements))
    _by_content.setdefault(key, statements)
    if statements and statements[0].file != filename:
        statements = [dataclasses.replace(statement, file=filename) for statement in statements]
    _by_path[(key, filename)] = statements
    return statements


def _classname(filename: str) -> str:
    name = Path(filename).name
    return name[: -len(".bbclass")] if name.endswith(".bbclass") else ""


def _first_unreadable(lines: list[str], first: int, end: int) -> tuple[int, int]:
    """(row, column) of the first lone surrogate (an undecodable byte) or NUL in ``lines[first:end]``."""
    for row in range(first, end):
        for column, char in enumerate(lines[row]):
            if char == "\0" or "\ud800" <= char <= "\udfff":
                return row, column
    return first, 0


def parse_text(text: str, filename: str) -> list[st.Statement]:
    """Parse the text of a whole file; raises :class:`ParseError` at the first bad line."""
    # Imported here: building the grammar (pyparsing) costs about 60 ms, and a command whose
    # files are all in the statement cache never needs it.
    from pyrecipe.parse.grammar import StatementSyntaxError, parse_statement

    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    result: list[st.Statement] = []
    classname = _classname(filename)
    conffile = filename.endswith(".conf")
    index = 0
    while index < len(lines):
        start = index
        line = lines[index].rstrip()
        index += 1
        # Join backslash continuations; remember where each physical piece starts.
        pieces = [(start, 0)]
        comment = line.startswith("#")
        while line.endswith("\\") and index < len(lines):
            following = lines[index].rstrip()
            _check_continued_comment(comment, following, conffile, filename, index + 1)
            line = line[:-1]
            pieces.append((index, len(line)))
            line += following
            index += 1
        if not line.strip() or comment:
            continue
        if line[0].isspace():
            raise ParseError(
                "unparsed line: a statement starts at the beginning of its line (bitbake does not accept"
                " indentation outside function bodies, comments included)",
                filename, start + 1, 1, lines[start].rstrip(),
            )
        try:
            parsed = parse_statement(line)
        except StatementSyntaxError as exc:
            row, offset = max((p for p in pieces if p[1] < exc.column), key=lambda p: p[1])
            raise ParseError(str(exc), filename, row + 1, exc.column - offset, lines[row].rstrip()) from None
        location = (filename, start + 1, line)
        kind, fields = parsed.kind, parsed.fields
        if kind == "funcstart":
            body_lines = []
            while index < len(lines) and lines[index].rstrip() != "}":
                body_lines.append(lines[index].rstrip())
                index += 1
            if index >= len(lines):
                raise ParseError(
                    f"function {fields.get('func') or '__anonymous'} is never closed (a line holding only '}}' ends it)",
                    filename, start + 1, 1, lines[start].rstrip(),
                )
            index += 1
            body = "\n".join(body_lines + [""])
            result.append(st.Function(*location, fields.get("func"), body, bool(fields["python"]), bool(fields["fakeroot"])))
        elif kind == "defstart":
            body_lines = [line]
            while index < len(lines) and _DEF_BODY_RE.match(lines[index].rstrip()):
                body_lines.append(lines[index].rstrip())
                index += 1
            # The text is the lines as bitbake keeps them (blank lines and comments that follow
            # included, no newline added), which is what `pyrecipe env` shows.
            source = "\n".join(body_lines)
            try:
                # Checked here, at its own line: compiled later, its error was blamed on the first
                # variable whose inline Python happened to build the namespace (BPN, PN ...).
                compile(source, filename, "exec")
            except SyntaxError as exc:
                row = min(start + (exc.lineno or 1) - 1, len(lines) - 1)
                raise ParseError(f"syntax error in def {fields['func']}: {exc.msg}", filename, row + 1,
                                 max(exc.offset or 1, 1), lines[row].rstrip()) from None
            except ValueError:
                # A byte that is not UTF-8 (read as a lone surrogate) or a NUL: no Python source.
                row, column = _first_unreadable(lines, start, start + len(body_lines))
                raise ParseError(f"def {fields['func']} holds a byte that is not UTF-8 text or a NUL byte", filename,
                                 row + 1, column + 1, lines[row].rstrip()) from None
            result.append(st.PythonDef(*location, fields["func"], source))
        elif kind == "assign":
            result.append(
                st.Assignment(*location, fields["var"], fields["op"], fields["value"], fields.get("flag"), "export" in fields)
            )
        elif kind == "export_only":
            result.append(st.Export(*location, fields["var"]))
        elif kind == "unset":
            result.append(st.Unset(*location, fields["var"], fields.get("flag")))
        elif kind == "addtask":
            result.append(_add_task(location, fields["args"], lines[start].rstrip()))
        else:
            result.append(_directive(location, fields["name"], fields["args"].strip(), classname))
    return result


def _check_continued_comment(comment: bool, following: str, conffile: bool, filename: str, row: int) -> None:
    """Refuse what bitbake refuses in backslash-continued lines: a comment continued onto a line
    that is not a comment (or is empty), and (outside .conf files) a comment line inside a
    continued statement. Either way it cannot be told what was meant."""
    if comment and not following.startswith("#"):
        reason = "a comment ending in '\\' continues onto a line that is not a comment (bitbake rejects it: drop the '\\')"
    elif not comment and not conffile and following.startswith("#"):
        reason = "a comment line in the middle of a multi-line statement (bitbake rejects it: move the comment out)"
    else:
        return
    raise ParseError(reason, filename, row, 1, following)


def _add_task(location: tuple[str, int, str], args: str, text: str) -> st.AddTask:
    # Split on the words, not on whitespace, so that expressions stay intact (as bitbake does).
    args = " " + args.strip() + " "
    tasks = args.split(" before ")[0].split(" after ")[0]
    after = " ".join(" ".join(part.split(" after ")[1:]) for part in args.split(" before "))
    before = " ".join(" ".join(part.split(" before ")[1:]) for part in args.split(" after "))
    for word in text.split()[1:]:
        if _SETVAR_KEYWORD_IN_TASK_RE.search(word) and word not in ("after", "before"):
            raise ParseError(
                f"task name {word!r} contains a keyword (append_, prepend_, remove_); rename the task",
                location[0], location[1], text.find(word) + 1, text,
            )
    return st.AddTask(*location, tasks.strip(), before.strip(), after.strip())


def _directive(location: tuple[str, int, str], name: str, args: str, classname: str) -> st.Statement:
    if name in ("include", "require", "include_all"):
        return st.Include(*location, name, args)
    if name in ("inherit", "inherit_defer"):
        return st.Inherit(*location, args, name == "inherit_defer")
    if name == "deltask":
        return st.DelTask(*location, args)
    if name == "addhandler":
        return st.AddHandler(*location, args)
    return st.ExportFunctions(*location, args, classname)
