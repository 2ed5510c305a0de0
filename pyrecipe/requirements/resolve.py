"""Requirement files resolved for the board by uv's resolver, into a PEP 751 lock.

Why uv: resolving a requirement set (markers, extras, constraints, ``-r`` includes,
``pyproject.toml`` dependencies, backtracking) is a solved problem, and uv solves it for a
Python and a platform other than the one it runs on (``--python-version``,
``--python-platform``), which pip does not without refusing sdists. pyrecipe asks it for the
board's CPython by its exact version (PYTHON_FULLVERSION: uv takes "3.13" as 3.13.0, which a
project requiring 3.13.2 refuses) and architecture, and takes its ``pylock.toml``.

uv knows the 64-bit Linux platforms (aarch64, x86_64, riscv64) by name; for another board
(armv7l) the resolution is universal and :mod:`pyrecipe.requirements.lockfile` evaluates the
lock's markers for the board, as it does for any lock. uv's cache lives in the build
directory, and uv reads no user configuration (``--no-config``) nor a pyproject.toml's
``[tool.uv.sources]`` (``--no-sources``): the index is PYPI_INDEX_URL, or the files' (or the
command line's) ``--index-url``, with their ``--extra-index-url``.

What uv may run: the requirement files are read first (:mod:`pyrecipe.requirements.pins`), and a
local project, a URL or an editable is refused before uv starts, since uv runs such a project's
build backend on the build machine to learn its metadata. uv still builds the metadata of an
index sdist whose dependencies are dynamic (a ``setup.py`` that computes them); ``--no-build``
would stop that, but it also refuses the sdists whose metadata is static, which uv reads without
building and pyrecipe builds from every day. So uv runs in bubblewrap (:func:`confined`): such
a backend runs with the build machine read-only but for uv's cache and the lock's scratch
folder; it still has the network (uv needs the index) and can read what the user can: lock
such a set elsewhere, or give the project a recipe of a layer, to avoid even that.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path

from packaging.utils import canonicalize_name

from pyrecipe.engine.isolation import NO_CAPABILITIES, hide_secrets
from pyrecipe.errors import InputError
from pyrecipe.requirements.options import NO_OPTIONS, CommandLine
from pyrecipe.requirements.pins import Pins, keep_pinned_files, read_pins
from pyrecipe.sources.fetch import mask_urls
from pyrecipe.toolchain.host_tools import ensure_host_packages

#: uv's --python-platform for the boards' ``uname -m`` it knows (glibc targets).
UV_PLATFORMS = {"aarch64": "aarch64-unknown-linux-gnu", "x86_64": "x86_64-unknown-linux-gnu", "riscv64": "riscv64-unknown-linux"}


def is_lock(path: Path) -> bool:
    """A PEP 751 lock: ``pylock.toml`` or ``pylock.<name>.toml``."""
    return path.name == "pylock.toml" or (path.name.startswith("pylock.") and path.name.endswith(".toml"))


def uv_command(inputs: Sequence[Path], out: Path, python_version: str, machine: str, cache_dir: Path,
               constraints: Sequence[Path] = (), binary: str = "no") -> list[str]:
    """The ``uv pip compile`` line that writes the lock of ``inputs`` for the board to ``out``.
    The indexes go in uv's environment (:func:`uv_environment`), not on its command line, which
    every user of the machine can read in ``ps``: an index URL may carry a token. With ``binary``
    "only" (PYPI_BINARY) uv takes wheels alone, so the lock names no release without a wheel (for
    the board, when uv knows its platform)."""
    from uv import find_uv_bin

    platform = UV_PLATFORMS.get(machine)
    where = ["--python-platform", platform] if platform else ["--universal"]
    return [
        find_uv_bin(), "pip", "compile", *map(str, inputs), "--format", "pylock.toml", "--output-file", str(out),
        *(arg for path in constraints for arg in ("--constraint", str(path))),
        "--python-version", python_version, *where,
        "--no-config", "--no-header", "--quiet", "--cache-dir", str(cache_dir),
        # A pyproject.toml's [tool.uv.sources] would point a dependency at a path or a repository.
        "--no-sources", *(["--only-binary", ":all:"] if binary == "only" else []),
    ]


def uv_environment(index_url: str, extra_index_urls: Sequence[str]) -> dict[str, str]:
    """uv's variables for the indexes: ``index_url`` replaces PyPI, ``extra_index_urls`` (the
    command line's; the files' own are read by uv from the files) are asked before it."""
    extra = {"UV_EXTRA_INDEX_URL": " ".join(extra_index_urls)} if extra_index_urls else {}
    return {"UV_INDEX_URL": index_url, **extra}


def confined(command: list[str], writable: Sequence[Path]) -> list[str]:
    """``command`` (uv) in bubblewrap: the build machine read-only but for ``writable`` (uv's cache,
    the lock's scratch folder, whose ``tmp/`` is uv's TMPDIR; /tmp stays, read-only, as it may hold
    the requirement files), a PID namespace ended with it; the network stays
    (the index). What uv runs to learn an index sdist's dynamic metadata (its build backend) can
    then write nothing of the build machine's, as the task that builds it later cannot, and, as a
    task, it has no capability and sees none of the build machine's secrets."""
    if shutil.which("bwrap") is None:
        ensure_host_packages(["bubblewrap"])
    binds = [arg for path in writable for arg in ("--bind", str(path), str(path))]
    return ["bwrap", *NO_CAPABILITIES, "--unshare-pid", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", *binds,
            *hide_secrets(), "--die-with-parent", "--", *command]


def resolve_to_lock(inputs: Sequence[Path], out: Path, python_version: str, machine: str, index_url: str, cache_dir: Path,
                    preferred: Mapping[str, str] | None = None, command_line: CommandLine = NO_OPTIONS,
                    binary: str = "no") -> Pins:
    """Resolve requirement files (``requirements.txt``, ``pyproject.toml``) for the board into
    the lock ``out`` (written whole or not at all); InputError with uv's own words when the set
    cannot be resolved (a project the index lacks, conflicting pins, a bad marker).

    The versions of an existing ``out`` are kept where the files still allow them (uv prefers
    the pins of its output file), so resolving again does not move a working set; ``preferred``
    (name -> version: the layers' recipes) goes before them (:func:`seed_lock`).

    Returns what the files said besides their projects (:class:`Pins`): the build fetches from
    the indexes they name. An ``--index-url`` of the files replaces ``index_url``, as it replaces
    pip's default; uv's words are shown with every URL's password masked. ``binary``: PYPI_BINARY
    (:func:`uv_command`)."""
    for option, paths in (("-r", inputs), ("--constraint", command_line.constraints)):
        for path in paths:
            if not path.is_file():
                raise InputError(f"{option} {path}: no such file")
    pins = read_pins(list(inputs), command_line)  # before uv: it would build a local project named there
    index_url = pins.indexes[-1] if pins.indexes else index_url
    out.parent.mkdir(parents=True, exist_ok=True)
    # uv insists on the name pylock.toml: the lock is written in a temporary folder beside
    # ``out`` and renamed into place.
    scratch = Path(tempfile.mkdtemp(dir=out.parent, prefix=".pylock.tmp-"))
    try:
        partial = scratch / "pylock.toml"
        seed_lock(partial, out, preferred or {})
        cache_dir.mkdir(parents=True, exist_ok=True)
        command = confined(uv_command(inputs, partial, python_version, machine, cache_dir, command_line.constraints, binary),
                           [cache_dir, scratch])
        (scratch / "tmp").mkdir()
        env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never", "NO_COLOR": "1", "TMPDIR": str(scratch / "tmp"),
               **uv_environment(index_url, command_line.extra_index_urls)}
        result = subprocess.run(command, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            said = mask_urls("\n".join(line for line in (result.stderr or result.stdout).strip().splitlines() if line.strip()))
            names = ", ".join(str(p) for p in inputs)
            raise InputError(f"cannot resolve {names} for Python {python_version} on {machine} (uv pip compile):\n{said}")
        keep_pinned_files(partial, pins)
        _drop_credentials(partial)
        os.replace(partial, out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return pins


def _drop_credentials(lock: Path) -> None:
    """A lock names no URL's user or password: uv may write a file's URL as the index gave it,
    under an index URL with a token, and a lock is shared (committed, attached to reports)."""
    text = lock.read_text()
    clean = re.sub(r"://[^/\s\"@]*@", "://", text)
    if clean != text:
        lock.write_text(clean)


def seed_lock(seed: Path, out: Path, preferred: Mapping[str, str]) -> None:
    """Write at ``seed`` (uv's output file) the versions uv is to prefer where the requirements
    allow them: ``preferred``, then those of the existing lock ``out`` for the other names.

    uv reads the pins of an existing output file as preferences, not requirements (its docs:
    "If the file exists, its pinned versions are used as preferences during resolution"), and a
    name and a version per ``[[packages]]`` entry is all it reads there: this is how a layer's
    tested version is kept where a requirement allows it and PyPI's newest taken otherwise."""
    kept: list[tuple[str, str, str | None]] = []
    if out.is_file():
        try:
            entries = tomllib.loads(out.read_text()).get("packages", [])
        except (OSError, tomllib.TOMLDecodeError):
            entries = []  # not a lock we can read: uv resolves afresh, and writes a good one
        kept = [(str(e["name"]), str(e["version"]), e.get("marker")) for e in entries
                if isinstance(e, dict) and "name" in e and "version" in e and canonicalize_name(str(e["name"])) not in preferred]
    lines = ['lock-version = "1.0"', 'created-by = "pyrecipe"']
    for name, version, marker in [*((n, v, None) for n, v in sorted(preferred.items())), *kept]:
        lines += ["", "[[packages]]", f"name = {json.dumps(name)}", f"version = {json.dumps(version)}"]
        if marker:
            lines.append(f"marker = {json.dumps(str(marker))}")
    seed.write_text("\n".join(lines) + "\n")
