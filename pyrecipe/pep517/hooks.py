"""The PEP 517 frontend: build a wheel with the project's own backend, no isolation.

Like a distribution's build system (and unlike pip or ``python -m build``) we never create an
isolated environment or download build requirements: the backend runs in the build
interpreter we are given (the native venv's python), with exactly the environment we are given
(which carries the cross settings: ``_PYTHON_SYSCONFIGDATA_NAME``, ``CC`` ...). Missing build
requirements are reported, not installed. The hooks run through ``pyproject_hooks`` in a
subprocess of that interpreter, their output streamed to the task log.
"""

from __future__ import annotations

import collections
import json
import os
import shlex
import shutil
import subprocess
import tempfile
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO, TypeVar

import packaging
import pyproject_hooks

from pyrecipe.errors import BuildError, InputError

#: What pip assumes for a project without ``[build-system]`` (a setup.py-only project).
LEGACY_BACKEND = "setuptools.build_meta:__legacy__"
LEGACY_REQUIRES = ("setuptools>=40.8.0",)
#: Lines of backend output quoted in an error message.
ERROR_TAIL_LINES = 25

ConfigSettings = dict[str, str | list[str]]
T = TypeVar("T")


@dataclass(frozen=True)
class BuildSystem:
    """The ``[build-system]`` table of a project (or pip's legacy default)."""

    requires: tuple[str, ...]
    backend: str
    backend_path: tuple[str, ...] | None


def read_build_system(source_dir: Path) -> BuildSystem:
    """Read ``[build-system]`` from pyproject.toml, falling back to setuptools' legacy backend."""
    pyproject = source_dir / "pyproject.toml"
    table: dict = {}
    if pyproject.is_file():
        try:
            table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("build-system", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise InputError(f"{pyproject}: not valid TOML: {error}") from None
    elif not (source_dir / "setup.py").is_file():
        raise InputError(f"{source_dir} has neither pyproject.toml nor setup.py: is S set to the source directory?")
    backend_path = table.get("backend-path")
    if "build-backend" not in table:
        return BuildSystem(tuple(table.get("requires", LEGACY_REQUIRES)), LEGACY_BACKEND, None)
    return BuildSystem(
        tuple(table.get("requires", ())),
        table["build-backend"],
        tuple(backend_path) if backend_path is not None else None,
    )


def parse_config_settings(opts: str) -> ConfigSettings:
    """Turn OE's ``PEP517_BUILD_OPTS`` style options into PEP 517 config settings.

    Accepts ``--config-setting=K=V``, ``--config-setting K=V``, ``-CK=V`` and ``-C K=V``
    (``python -m build``'s spellings; ``--config-settings`` as pip spells it). A key given
    more than once becomes a list in order, which is how meson-python takes repeated
    ``setup-args``; ``K`` without ``=`` means an empty value.
    """
    settings: ConfigSettings = {}
    words = shlex.split(opts)
    position = 0
    while position < len(words):
        word = words[position]
        option, sep, value = word.partition("=") if word.startswith("--") else (word[:2], "", word[2:])
        if option not in ("--config-setting", "--config-settings", "-C"):
            raise InputError(f"PEP517_BUILD_OPTS: unknown option {word!r} (use -Ckey=value or --config-setting=key=value)")
        if not sep and not value:
            position += 1
            if position == len(words):
                raise InputError(f"PEP517_BUILD_OPTS: {word!r} needs a key=value after it")
            value = words[position]
        key, _, setting = value.partition("=")
        if key in settings:
            previous = settings[key]
            settings[key] = [*previous, setting] if isinstance(previous, list) else [previous, setting]
        else:
            settings[key] = setting
        position += 1
    return settings


class _LoggedRunner:
    """Runs a hook in the build interpreter with exactly our environment, output to the log."""

    def __init__(self, env: Mapping[str, str], log: TextIO | None, backend: str) -> None:
        self.env, self.log, self.backend = dict(env), log, backend
        self.tail: collections.deque[str] = collections.deque(maxlen=ERROR_TAIL_LINES)

    def __call__(self, cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None) -> None:
        env = {**self.env, **(extra_environ or {})}
        try:
            process = subprocess.Popen(
                cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True, errors="replace",
            )
        except OSError as error:
            raise BuildError(f"cannot run the build interpreter {cmd[0]}: {error}") from None
        assert process.stdout is not None
        with process:
            for line in process.stdout:
                self.tail.append(line.rstrip("\n"))
                if self.log is not None:
                    self.log.write(line)
                    self.log.flush()
        if process.returncode != 0:
            raise BuildError(
                f"PEP 517 backend {self.backend} failed (exit code {process.returncode}); last output:\n"
                + "\n".join(self.tail)
            )


def _hook_caller(source_dir: Path, system: BuildSystem, python: Path, runner: _LoggedRunner) -> pyproject_hooks.BuildBackendHookCaller:
    return pyproject_hooks.BuildBackendHookCaller(
        str(source_dir), system.backend, backend_path=system.backend_path,
        runner=runner, python_executable=str(python),
    )


def _call_hook(system: BuildSystem, python: Path, hook: str, call: Callable[[], T]) -> T:
    """Run ``call()``, turning pyproject_hooks' failures into one clear BuildError."""
    try:
        return call()
    except pyproject_hooks.BackendUnavailable as error:
        reason = (error.traceback or str(error)).strip().splitlines()[-1]
        raise BuildError(
            f"PEP 517 backend {system.backend} cannot be imported by {python} ({reason}); "
            "add the package that provides it to DEPENDS (as -native) so it is in the build interpreter"
        ) from None
    except pyproject_hooks.HookMissing:
        raise BuildError(f"PEP 517 backend {system.backend} has no {hook} hook") from None


def build_wheel(
    source_dir: Path,
    wheel_dir: Path,
    *,
    python: Path,
    env: Mapping[str, str],
    config_settings: Mapping[str, str | list[str]] | None = None,
    log: TextIO | None = None,
) -> Path:
    """Build a wheel of the project in ``source_dir`` into ``wheel_dir``; return its path.

    The backend writes into a temporary directory inside ``wheel_dir``; the finished wheel is
    renamed into place, so ``wheel_dir`` never holds half a wheel.
    """
    source_dir = source_dir.resolve()
    system = read_build_system(source_dir)
    runner = _LoggedRunner(env, log, system.backend)
    hooks = _hook_caller(source_dir, system, python, runner)
    wheel_dir.mkdir(parents=True, exist_ok=True)
    if log is not None:
        log.write(f"pyrecipe: {system.backend} build_wheel with {python} in {source_dir}, config settings {dict(config_settings or {})}\n")
    tmp = Path(tempfile.mkdtemp(dir=wheel_dir, prefix=".building-"))
    try:
        name = _call_hook(system, python, "build_wheel",
                          lambda: hooks.build_wheel(str(tmp), config_settings=dict(config_settings or {})))
        built = tmp / name
        if not built.is_file():
            raise BuildError(f"PEP 517 backend {system.backend} said it built {name} but {built} does not exist")
        wheel = wheel_dir / name
        os.replace(built, wheel)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return wheel


#: Run in the build interpreter: which of the requirements (argv[1], JSON) are unsatisfied.
#: Our own ``packaging`` is appended to sys.path so the check works in an interpreter without it.
_REQUIREMENT_CHECK = """
import importlib.metadata, json, sys
sys.path.append(sys.argv[2])
from packaging.requirements import Requirement
unsatisfied = []
for text in json.loads(sys.argv[1]):
    requirement = Requirement(text)
    if requirement.marker is not None and not requirement.marker.evaluate():
        continue
    try:
        version = importlib.metadata.version(requirement.name)
    except importlib.metadata.PackageNotFoundError:
        unsatisfied.append(f"{text} (not installed)")
        continue
    if not requirement.specifier.contains(version, prereleases=True):
        unsatisfied.append(f"{text} (found {version})")
print(json.dumps(unsatisfied))
"""


def check_requirements(
    source_dir: Path,
    python: Path,
    env: Mapping[str, str],
    config_settings: Mapping[str, str | list[str]] | None = None,
    log: TextIO | None = None,
) -> list[str]:
    """Build requirements (``[build-system] requires`` + ``get_requires_for_build_wheel``)
    that the build interpreter's environment does not satisfy, each with what was found."""
    source_dir = source_dir.resolve()
    system = read_build_system(source_dir)
    requires = list(system.requires)
    runner = _LoggedRunner(env, log, system.backend)
    hooks = _hook_caller(source_dir, system, python, runner)
    requires += _call_hook(system, python, "get_requires_for_build_wheel",
                           lambda: hooks.get_requires_for_build_wheel(dict(config_settings or {})))
    packaging_parent = str(Path(packaging.__file__).parent.parent)
    result = subprocess.run(
        [str(python), "-c", _REQUIREMENT_CHECK, json.dumps(requires), packaging_parent],
        env=dict(env), capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise BuildError(f"checking build requirements {requires} with {python} failed:\n{result.stderr.strip()}")
    return json.loads(result.stdout)


def require_build_requirements(
    source_dir: Path,
    python: Path,
    env: Mapping[str, str],
    config_settings: Mapping[str, str | list[str]] | None = None,
    log: TextIO | None = None,
) -> None:
    """BuildError naming every unsatisfied build requirement (see :func:`check_requirements`)."""
    missing = check_requirements(source_dir, python, env, config_settings, log)
    if missing:
        raise BuildError(
            f"build requirements of {source_dir} missing from {python}: {', '.join(missing)}; "
            "add them to DEPENDS as -native recipes"
        )
