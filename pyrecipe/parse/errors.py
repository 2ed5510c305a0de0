"""Errors of the recipe language, each naming the file and where in it things went wrong."""

from __future__ import annotations

from pyrecipe.errors import InputError


class ParseError(InputError):
    """A syntax error: names file:line:column and shows the line with a caret under the column."""

    def __init__(self, message: str, file: str, line: int, column: int = 1, text: str | None = None) -> None:
        self.message, self.file, self.line, self.column, self.text = message, file, line, column, text
        where = f"{file}:{line}:{column}: {message}"
        if text is not None:
            where += f"\n    {text}\n    {' ' * (column - 1)}^"
        super().__init__(where)

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        # Rebuilt from its parts when it crosses processes (a parse worker's error).
        return type(self), (self.message, self.file, self.line, self.column, self.text)


class ExpansionError(InputError):
    """Expanding a variable failed, typically inside ``${@...}``: names the variable, the expression, the file."""

    def __init__(self, varname: str | None, expression: str, reason: str, file: str | None) -> None:
        self.varname, self.expression, self.reason, self.file = varname, expression, reason, file
        where = f" (set in {file})" if file else ""
        super().__init__(
            f"failure expanding variable {varname or '<expression>'}{where}: expression was {expression} "
            f"which raised {reason}"
        )

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return type(self), (self.varname, self.expression, self.reason, self.file)


class SkipRecipe(Exception):
    """Raised by recipe Python (``bb.parse.SkipRecipe``) to say the recipe does not apply."""
