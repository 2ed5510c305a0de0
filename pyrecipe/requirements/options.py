"""pip's requirement-file options as pyrecipe's command line gives them: a module of its own,
free of the resolver's imports, since every build request carries one (a no-op build of recipes
alone never imports packaging)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CommandLine:
    """pip's requirement-file options given on pyrecipe's command line (``--constraint FILE``,
    ``--index-url``, ``--extra-index-url``, ``--require-hashes``): read as if a file of the set said them, the command
    line's ``--index-url`` winning over a file's."""

    constraints: tuple[Path, ...] = ()
    index_url: str | None = None
    extra_index_urls: tuple[str, ...] = ()
    require_hashes: bool = False


#: No option given.
NO_OPTIONS = CommandLine()
