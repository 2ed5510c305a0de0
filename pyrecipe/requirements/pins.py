"""What a requirement file itself says, read before the resolver runs: the projects it names, and
the ``--hash`` pins the lock must keep and the indexes it was resolved from.

Why read the files ourselves, when uv reads them: uv acts on some lines before pyrecipe sees its
lock. A local project (``./dir``, ``-e ./dir``, ``file:...``, ``name @ file:...``, a pyproject.toml
whose dependencies are dynamic) or a VCS or archive URL is built by uv to learn its metadata:
its build backend (a ``setup.py``) runs on the build machine, outside any sandbox, before
pyrecipe refuses the lock entry as "a directory source". Such lines are refused here, naming
file:line, before uv starts. ``--find-links`` is refused for the same reason, an ``https://``
one too: it names a flat page of archives, not an index, which uv reads (and may build from) on the
build machine and the build, fetching from simple indexes only, could not follow.
``--index-url``/``--extra-index-url`` are kept (:class:`Pins`) so the build fetches from the indexes
uv resolved from; ``--require-hashes`` sets hash-checking mode. Projects from the index stay: uv reads their metadata from wheels, or from an sdist's
static ``pyproject.toml``; the resolver still builds the metadata of an index sdist whose
metadata is dynamic (uv's ``--no-build`` would also refuse the static ones, which pyrecipe
builds every day), see :mod:`pyrecipe.requirements.resolve`.

``--hash`` is pip's hash-checking mode: once a file pins one hash, every project must be pinned,
and only files of a pinned hash may be installed. uv's lock lists the index's files with the
index's hashes; :func:`keep_pinned_files` keeps in the lock only the files the user pinned, and
refuses a project none of whose files matches, so the build, which fetches only files the lock
allows, gets the user's bytes or nothing.
"""

from __future__ import annotations

import datetime
import json
import re
import shlex
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from pyrecipe.errors import InputError
from pyrecipe.fsutil import atomic_write_text
from pyrecipe.requirements.options import NO_OPTIONS, CommandLine
from pyrecipe.sources.fetch import mask_urls

#: Options that include another file, whose lines are read as this file's.
_INCLUDES = {"-r", "--requirement", "-c", "--constraint"}
#: Options that make the resolver build a local project or read a local directory of archives.
_LOCAL_OPTIONS = {"-e", "--editable", "-f", "--find-links"}
#: pip's options that choose between wheels and sdists.
_BINARY_OPTIONS = {"--only-binary", "--prefer-binary", "--no-binary"}
#: Options naming an index: uv follows them, and the build fetches from the same indexes.
_INDEX_OPTIONS = {"-i": "index", "--index-url": "index", "--extra-index-url": "extra"}
#: A requirement that names a place rather than a project: a path, a URL (file:, VCS, archive).
_PLACE_RE = re.compile(r"^(\.|/|~|[A-Za-z][A-Za-z0-9+.-]*:)|\s@\s|^[^;]*@\s*[A-Za-z+]+:")


@dataclass
class Pins:
    """The ``--hash`` pins of a set of requirement files: project -> allowed sha256, and where
    each was pinned (for the messages)."""

    hashes: dict[str, set[str]] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)
    #: What the files say of wheels (``--only-binary :all:``: "only", ``--prefer-binary``:
    #: "prefer", ``--no-binary :all:``: "no"; None: nothing), a PYPI_BINARY value.
    binary: str | None = None
    #: ``--require-hashes`` was given: hash-checking mode even where no line pins a hash.
    required: bool = False
    #: The indexes the files name (``--index-url`` first, then ``--extra-index-url``), as written:
    #: they may hold credentials, which no message, lock or recipe shows.
    indexes: list[str] = field(default_factory=list)
    extra_indexes: list[str] = field(default_factory=list)

    @property
    def checking(self) -> bool:
        """pip's hash-checking mode: ``--require-hashes``, or any hash pinned, makes every project need one."""
        return self.required or bool(self.hashes)


def read_pins(files: list[Path], command_line: CommandLine = NO_OPTIONS) -> Pins:
    """The pins of ``files`` (requirements.txt or pyproject.toml) and of the command line's
    constraint files; InputError naming file:line for a line that would have the resolver build
    a local project or fetch from elsewhere."""
    pins = Pins()
    for path in [*files, *command_line.constraints]:
        if path.name == "pyproject.toml" or path.suffix == ".toml":
            _check_pyproject(path)
        else:
            _read_requirements(path, pins, seen=set())
    pins.required = pins.required or command_line.require_hashes
    for option, url in [("--index-url", command_line.index_url or ""), *(("--extra-index-url", u) for u in command_line.extra_index_urls)]:
        if url:
            _add_index(pins, "the command line", option, url)
    return pins


def _add_index(pins: Pins, where: str, option: str, url: str) -> None:
    if not re.match(r"https?://[^/\s]", url):
        raise InputError(f"{where}: {option} {mask_urls(url)}: give the http(s) URL of a simple index")
    (pins.indexes if _INDEX_OPTIONS[option] == "index" else pins.extra_indexes).append(url)


def _logical_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each line of a requirements file, continuations joined and
    comments dropped, as pip reads them."""
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"-r {path}: cannot read it: {getattr(error, 'strerror', None) or error}") from None
    pending, start = "", 0
    for number, line in enumerate(text.splitlines(), 1):
        if not pending:
            start = number
        line = re.sub(r"(^|\s)#.*$", "", line)
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        whole, pending = (pending + line).strip(), ""
        if whole:
            yield start, whole
    if pending.strip():
        yield start, pending.strip()


def _read_requirements(path: Path, pins: Pins, seen: set[Path]) -> None:
    resolved = path.resolve()
    if resolved in seen:
        return
    seen.add(resolved)
    for number, line in _logical_lines(path):
        where = f"{path}:{number}"
        try:
            words = shlex.split(line)
        except ValueError as error:
            raise InputError(f"{where}: {line}: {error}") from None
        option, _, value = words[0].partition("=")
        if option in _INCLUDES:
            included = value or (words[1] if len(words) > 1 else "")
            if not included or "://" in included:
                raise InputError(f"{where}: {line}: name a local requirements file to include")
            _read_requirements(path.parent / included, pins, seen)
            continue
        if option in ("-f", "--find-links"):
            raise InputError(f"{where}: {mask_urls(line)}: {option} names a flat page or directory of archives, which "
                             "the resolver reads (and may build) on the build machine and the build cannot fetch from; "
                             "pyrecipe takes projects from package indexes only (serve them as a simple index and give "
                             "--extra-index-url)")
        if option in _LOCAL_OPTIONS:
            raise InputError(f"{where}: {line}: {option} makes the resolver build a local project on the build machine; "
                             "pyrecipe builds projects from the package index only")
        if option in _BINARY_OPTIONS:
            pins.binary = _binary(where, line, option, value or (words[1] if len(words) > 1 else "")) or pins.binary
            continue
        if option == "--require-hashes":
            pins.required = True
            continue
        if option in _INDEX_OPTIONS:
            _add_index(pins, where, option, value or (words[1] if len(words) > 1 else ""))
            continue
        if line.startswith("-"):
            continue  # --index-url, --extra-index-url, --pre ...: uv's to follow
        requirement, hashes = _split_hashes(where, line)
        if _PLACE_RE.search(requirement):
            raise InputError(f"{where}: {line}: names a local project or a URL, whose build backend the resolver "
                             "would run on the build machine; pyrecipe builds projects from the package index only "
                             "(name the project and its version, or write a recipe for it in a layer)")
        try:
            name = canonicalize_name(Requirement(requirement).name)
        except InvalidRequirement as error:
            raise InputError(f"{where}: {line}: {error}") from None
        if hashes:
            pins.hashes.setdefault(name, set()).update(hashes)
            pins.where.setdefault(name, where)


def _binary(where: str, line: str, option: str, value: str) -> str | None:
    """The PYPI_BINARY a wheel option of a requirement file says: pip's --prefer-binary, and
    --only-binary / --no-binary for every project (``:all:``). ``--no-binary NAME`` says nothing
    of the set (None): uv reads it from the file, its lock then holds only those projects'
    sdists, and their generated recipes take only what the lock allows. A list of projects for
    --only-binary is refused: the board's wheels are chosen for the whole set."""
    if option == "--prefer-binary":
        return "prefer"
    if option == "--no-binary" and value != ":all:":
        return None
    if value != ":all:":
        raise InputError(f"{where}: {line}: pyrecipe takes {option} :all: (wheels are chosen for the whole set; "
                         "PYPI_BINARY in conf/local.conf, --only-binary or --prefer-binary on the command line)")
    return "only" if option == "--only-binary" else "no"


def _split_hashes(where: str, line: str) -> tuple[str, set[str]]:
    """The requirement of a line without its ``--hash`` options, and the sha256 they pin.

    The requirement is the text before the first option, as written: its marker's quotes are part
    of it (``; python_full_version >= '3.13.3'``), which splitting the whole line as shell words
    would drop."""
    found = re.search(r"\s--", line)
    requirement, options = (line[:found.start()], line[found.start():]) if found else (line, "")
    hashes = set()
    words = iter(shlex.split(options))
    for word in words:
        if word == "--hash":
            word = "--hash=" + next(words, "")
        if not word.startswith("--hash="):
            raise InputError(f"{where}: {line}: {word}: pyrecipe takes only --hash options after a requirement")
        algorithm, _, digest = word.removeprefix("--hash=").partition(":")
        if algorithm != "sha256" or not re.fullmatch(r"[0-9a-fA-F]{64}", digest):
            raise InputError(f"{where}: {line}: {word}: pyrecipe checks sha256 hashes (--hash=sha256:<64 hex digits>)")
        hashes.add(digest.lower())
    return requirement.strip(), hashes


def _check_pyproject(path: Path) -> None:
    """A pyproject.toml's dependencies as requirements: static, naming index projects only (uv
    builds a project whose dependencies are dynamic to learn them)."""
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"-r {path}: cannot read it: {getattr(error, 'strerror', None) or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"-r {path}: not TOML: {error}") from None
    project = data.get("project")
    if not isinstance(project, dict) or "dependencies" in (project.get("dynamic") or []):
        raise InputError(f"-r {path}: its [project] dependencies are not listed statically; the resolver would run "
                         "the project's build backend on the build machine to learn them (list them in [project])")
    for requirement in project.get("dependencies") or []:
        if _PLACE_RE.search(str(requirement)):
            raise InputError(f"-r {path}: dependency {requirement!r} names a local project or a URL, whose build backend "
                             "the resolver would run on the build machine; pyrecipe builds projects from the package "
                             "index only")


def keep_pinned_files(lock: Path, pins: Pins) -> None:
    """Rewrite ``lock`` (uv's, for the whole set) with only the files ``pins`` allow; InputError
    for a project pinned to hashes none of the index's files has, or, in hash-checking mode, a
    project of the set with no pin."""
    if not pins.checking:
        return
    data = tomllib.loads(lock.read_text())
    for entry in data.get("packages", []):
        name = canonicalize_name(str(entry.get("name", "")))
        allowed = pins.hashes.get(name)
        if allowed is None:
            raise InputError(f"{name} {entry.get('version', '')} has no --hash pin, and the requirement files ask for "
                             "hash checking (a --hash pin or --require-hashes; "
                             "pip's hash-checking mode: every project of the set, dependencies too, needs one; "
                             "uv pip compile --generate-hashes writes them)")
        offered = {_sha256(file) for file in _files(entry)}
        sdist = entry.get("sdist")
        if isinstance(sdist, dict) and _sha256(sdist) not in allowed:
            del entry["sdist"]
        if "wheels" in entry:
            entry["wheels"] = [wheel for wheel in entry["wheels"] if _sha256(wheel) in allowed]
            if not entry["wheels"]:
                del entry["wheels"]
        if not offered & allowed:
            raise InputError(
                f"{name} {entry.get('version', '')}: no file on the index has a hash pinned by {pins.where[name]} "
                f"(pinned {', '.join(sorted(allowed))}; the index has {', '.join(sorted(offered - {''})) or 'none'})"
            )
    atomic_write_text(lock, dumps(data))


def _files(entry: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    sdist = [entry["sdist"]] if isinstance(entry.get("sdist"), dict) else []
    return sdist + [wheel for wheel in entry.get("wheels", []) if isinstance(wheel, dict)]


def _sha256(file: Mapping[str, Any]) -> str:
    return str(file.get("hashes", {}).get("sha256", "")).lower()


def _value(value: object) -> str:
    """One TOML value, inline: the lock holds strings, numbers, booleans, dates, arrays, tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(key)} = {_value(item)}" for key, item in value.items()) + " }"
    return json.dumps(str(value))  # a JSON string is a TOML basic string


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def dumps(data: Mapping[str, Any]) -> str:
    """A lock as TOML: top-level values, then each ``[[packages]]`` entry with inline values."""
    lines = [f"{_key(key)} = {_value(value)}" for key, value in data.items() if key != "packages"]
    for entry in data.get("packages", []):
        lines += ["", "[[packages]]", *(f"{_key(key)} = {_value(value)}" for key, value in entry.items())]
    return "\n".join(lines) + "\n"
