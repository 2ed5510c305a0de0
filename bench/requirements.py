"""A requirements file built for the board, package by package, beside pip on the emulated board.

Run: ``python -m bench requirements FILE [FILE ...] [--machine M] [--build-dir B] [--no-pip]``.
For each file, ``pyrecipe build -k -r FILE`` runs in the build directory (as a user runs it, a
separate process; its output is kept in ``B/bench/requirements-<file>.log``, the table in
``requirements-<file>.json`` beside it), and each package of
the resolved set is reported from the build's stats file (:mod:`pyrecipe.engine.buildstats`):

- built, FAILED (the failing task and its log's last error line; a log that shows a host this
  machine cannot reach, crates.io or github, says so: a reason, not a pass) or not built (a
  dependency failed);
- its origin: the layer's recipe, a recipe generated from the sdist, or PyPI's wheel;
- the seconds its tasks took in this run (0 for what was up to date);
- import under qemu: do_test's outcome (do_test imports the modules the package installs, with
  the board's own CPython under qemu-user).

Then pip installs the same file on the emulated board: the target's CPython from the sysroot,
under qemu-user, running pip (PyPI's pip wheel, run as a zip) with pip's own resolution, into
an empty ``--target`` directory, with no cache and no configuration of this machine's. pip would
compile an sdist where the board has no wheel, but here it cannot: qemu-user without
binfmt_misc starts no board program that another one starts, and pip's build backend is such a
program. So pip runs ``--only-binary=:all:``, and a project of the file with no wheel for the
board is dropped and pip run again; the figure says which were dropped. pip's time covers only
what it installed: a comparison in pip's favour where it dropped something.

A benchmark, not a test: the build's wall time includes provisioning in a fresh build directory
(the provisioning cache makes that short), and qemu's pip time depends on the network.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench import Result
from pyrecipe.fsutil import atomic_write_text

#: Hosts a build may need that this machine cannot reach: a log naming one explains the failure.
UNREACHABLE_HOSTS = ("crates.io", "github.com", "githubusercontent.com")
#: Words of a log line that say the network failed, beside the host's name.
NETWORK_WORDS = re.compile(r"resolve|network|connect|timed out|unreachable|failed to (?:download|fetch|get|query)|"
                           r"download of|spurious|location searched", re.IGNORECASE)
#: A log line that reads as an error.
ERROR_LINE = re.compile(r"\berror\b|\bERROR\b|failed|cannot|No such file|not found|undefined reference", re.IGNORECASE)
#: pip's words for a requirement it found no distribution for (under --only-binary: no wheel).
PIP_NO_DISTRIBUTION = re.compile(r"No matching distribution found for ([A-Za-z0-9][A-Za-z0-9._-]*)")
#: Rounds of dropping a project without a board wheel before pip is given up.
PIP_ROUNDS = 8


@dataclass
class PackageRow:
    """One package of the set as the build left it."""

    name: str
    version: str
    origin: str
    state: str  # "built", "FAILED", "not built"
    seconds: float
    imports: str  # do_test's outcome
    reason: str = ""
    pip: str = ""  # what pip installed of it on the emulated board


@dataclass
class PipOutcome:
    """What pip did on the emulated board."""

    seconds: float
    installed: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (version, "wheel"/"sdist")
    dropped: list[str] = field(default_factory=list)
    problem: str = ""


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-pip", action="store_true", help="for 'requirements': build only, no pip on the emulated board")
    parser.add_argument("--no-build", action="store_true", help="for 'requirements': report the build directory's "
                        "last build (its output in B/bench/requirements-FILE.log) without building")
    parser.add_argument("--stop-after", type=float, help="for 'requirements': stop the build after this many seconds "
                        "(as Ctrl-C does) and report what ended; the rest is 'not built'")
    parser.add_argument("--build-layer", dest="layers", action="append", type=Path, default=[],
                        help="for 'requirements': an extra layer for pyrecipe build (repeatable)")


# --- reading a build ---------------------------------------------------------------------------

def unreachable_host(lines: Iterable[str]) -> str | None:
    """The unreachable host a log shows a failed attempt to reach, if any."""
    for line in lines:
        for host in UNREACHABLE_HOSTS:
            if host in line and NETWORK_WORDS.search(line):
                return host
    return None


def last_error_line(lines: Sequence[str]) -> str:
    """The last line of a log that reads as an error, else its last non-empty line."""
    stripped = [line.strip() for line in lines if line.strip()]
    # pyrecipe's own closing "ERROR: ... failed (exit code 1); last output:" repeats the tail:
    # the compiler's or backend's error before it says more.
    for line in reversed(stripped):
        if ERROR_LINE.search(line) and "last output:" not in line:
            return line
    return stripped[-1] if stripped else ""


def failure_reason(task: str, log: Path, first_line: str) -> str:
    """Why a task failed, in a line: a host this machine cannot reach, else the log's last error."""
    try:
        with log.open("rb") as stream:
            stream.seek(max(0, log.stat().st_size - 64 * 1024))
            lines = stream.read().decode("utf-8", "replace").splitlines()
    except OSError:
        lines = []
    host = unreachable_host(lines)
    if host:
        return f"{task}: needs {host}: unreachable here"
    detail = last_error_line(lines) or first_line
    return f"{task}: {detail[:300]}"


def import_outcome(records: Sequence[Mapping[str, Any]]) -> str:
    """do_test's outcome among a recipe's task records: it imports what the package installs,
    under qemu with the board's CPython."""
    for record in records:
        if record["task"] == "do_test":
            return {"ran": "yes", "up to date": "yes (earlier run)", "failed": "no"}.get(record["status"], "-")
        if record["status"] == "restored" and "do_test" in record.get("tasks", []):
            return "yes (shared state)"
    return "-"


def rows_of(stats: Mapping[str, Any]) -> list[PackageRow]:
    """The packages of the set (the build's targets) from a build's stats file."""
    packages = {package["recipe"]: package for package in stats["packages"]}
    tasks: dict[str, list[Mapping[str, Any]]] = {}
    for record in stats["tasks"]:
        tasks.setdefault(record["recipe"], []).append(record)
    rows = []
    for recipe in stats["targets"]:
        package = packages.get(recipe, {"pn": recipe, "version": "?", "origin": "?", "image": ""})
        records = tasks.get(recipe, [])
        seconds = sum(r["end"] - r["start"] for r in records if r.get("start") is not None and r.get("end") is not None)
        failed = [r for r in records if r["status"] == "failed"]
        if failed:
            task = failed[0]["task"]
            log = Path(package["image"]).parent / "temp" / f"log.{task}"
            first = next((line for line in stats.get("failures", []) if line.startswith(f"recipe {recipe}: ")), "")
            state, reason = "FAILED", failure_reason(task, log, first)
        elif stats.get("stopped") and not any(r["task"] == "do_build" for r in records):
            state, reason = "not built", "the build was stopped first"
        elif records:
            state, reason = "built", ""
        else:
            state, reason = "not built", "a dependency failed"
        rows.append(PackageRow(package["pn"], package["version"], package["origin"], state, seconds,
                               import_outcome(records), reason))
    return sorted(rows, key=lambda row: normalise(row.name))


def latest_stats(build_dir: Path, since: float) -> dict[str, Any] | None:
    """The stats file of the build that started after ``since`` in ``build_dir`` (any distro
    and machine: the build wrote its own), if it wrote one."""
    from pyrecipe.engine.buildstats import BUILDSTATS_DIR

    newest: dict[str, Any] | None = None
    for path in build_dir.glob(f"*/*/{BUILDSTATS_DIR}/*.json"):
        stats = json.loads(path.read_text(encoding="utf-8"))
        if stats["started"] >= since - 1 and (newest is None or stats["started"] > newest["started"]):
            newest = stats
    return newest


def build(requirement: Path, options: argparse.Namespace, log: Path) -> tuple[float, int]:
    """``pyrecipe build -k -r FILE``, its output into ``log``: wall seconds and exit code. Stopped
    as Ctrl-C stops it (SIGTERM) after ``--stop-after`` seconds, when given."""
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "pyrecipe", "build", "-k", "-r", str(requirement), "--machine", options.machine,
             "--build-dir", str(options.build_dir), *(f"--layer={layer}" for layer in options.layers)],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "TERM": "dumb"},
        )
        try:
            code = process.wait(timeout=options.stop_after)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGTERM)
            code = process.wait()
    return time.monotonic() - started, code


#: What a build prints as each task ends (TERM=dumb): the stats of a build that was stopped.
TASK_LINE = re.compile(r"^NOTE: recipe (?P<recipe>\S+): task (?P<task>\S+): (?P<status>Succeeded|Failed) \((?P<seconds>[\d.]+) s\)$",
                       re.MULTILINE)


def stats_from_log(text: str, build_dir: Path) -> dict[str, Any] | None:
    """A stats file's content rebuilt from a stopped build's output and lock (a build that is
    stopped writes no stats): the tasks that ended, the lock's packages as the targets."""
    import tomllib

    locks = sorted(build_dir.glob("*/*/requirements/pylock.toml"), key=lambda path: path.stat().st_mtime)
    if not locks:
        return None
    locked = tomllib.loads(locks[-1].read_text(encoding="utf-8"))["packages"]
    packages = []
    for package in locked:
        name, version = normalise(package["name"]), package["version"]
        generated = sorted(build_dir.glob(f"*/generated/recipes/{name}/{name}_{version}.bb"))
        origin = re.search(r'^PYRECIPE_GENERATED = "([^"]+)"', generated[0].read_text(encoding="utf-8"), re.MULTILINE) if generated else None
        work = sorted(build_dir.glob(f"*/*/work/{name}/{version}"))
        packages.append({"recipe": name, "pn": name, "version": version, "origin": origin.group(1) if origin else "layer recipe",
                         "image": str(work[0] / "image") if work else ""})
    tasks = [{"recipe": m["recipe"], "task": m["task"], "status": "ran" if m["status"] == "Succeeded" else "failed",
              "start": 0.0, "end": float(m["seconds"])} for m in TASK_LINE.finditer(text)]
    return {"targets": [package["recipe"] for package in packages], "packages": packages, "tasks": tasks, "failures": [],
            "stopped": True}


def input_error(log: Path) -> str:
    """What a build that stopped before any task (exit 2) said."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.is_file() else []
    return next((line for line in lines if line.startswith("pyrecipe: error:")), lines[-1] if lines else "no output")


# --- pip on the emulated board -----------------------------------------------------------------

def pip_wheel(cache: Path) -> Path:
    """PyPI's newest pip wheel (downloaded once into ``cache``): run as a zip by the board's CPython."""
    found = sorted(cache.glob("pip-*-py3-none-any.whl"))
    if not found:
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "--isolated", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                        "--index-url", "https://pypi.org/simple", "-d", str(cache), "pip"], check=True)
        found = sorted(cache.glob("pip-*-py3-none-any.whl"))
    return found[-1]


def requirement_lines(text: str, dropped: Iterable[str]) -> str:
    """The requirements file without the lines that name a dropped project."""
    gone = {normalise(name) for name in dropped}
    kept = []
    for line in text.splitlines():
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line)
        if match and normalise(match.group(1)) in gone:
            continue
        kept.append(line)
    return "\n".join(kept) + "\n"


def installed_by_report(report: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """name -> (version, wheel or sdist) from pip's ``--report`` JSON."""
    installed = {}
    for item in report.get("install", []):
        url = item.get("download_info", {}).get("url", "")
        kind = "wheel" if url.endswith(".whl") else "sdist"
        installed[normalise(item["metadata"]["name"])] = (item["metadata"]["version"], kind)
    return installed


def pip_on_board(requirement: Path, options: argparse.Namespace) -> PipOutcome:
    """pip installs ``requirement`` with the board's CPython under qemu-user (see the module's docstring)."""
    from pyrecipe.toolchain.machine import load_machine
    from pyrecipe.toolchain.provision import provision

    toolchain = provision(load_machine(options.machine), options.build_dir)
    work = options.build_dir / "bench" / f"pip-{requirement.stem}"
    wheel = pip_wheel(options.build_dir / "bench" / "pip")
    text, dropped, outcome = requirement.read_text(encoding="utf-8"), list[str](), PipOutcome(0.0)
    for _ in range(PIP_ROUNDS):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        trimmed = work / "requirements.txt"
        trimmed.write_text(requirement_lines(text, dropped), encoding="utf-8")
        command = toolchain.qemu_command([
            "python3", f"{wheel}/pip", "install", "--isolated", "--no-cache-dir", "--disable-pip-version-check",
            "--no-input", "--progress-bar", "off", "--root-user-action=ignore", "--only-binary=:all:", "--target", str(work / "site"),
            "--report", str(work / "report.json"), "-r", str(trimmed),
        ])
        started = time.monotonic()
        result = subprocess.run(command, capture_output=True, text=True, check=False,
                                env={**os.environ, "PIP_CONFIG_FILE": os.devnull})
        outcome = PipOutcome(time.monotonic() - started, dropped=list(dropped))
        if result.returncode == 0:
            report = json.loads((work / "report.json").read_text(encoding="utf-8"))
            outcome.installed = installed_by_report(report)
            return outcome
        missing = PIP_NO_DISTRIBUTION.search(result.stderr)
        named = {normalise(m.group(1)) for m in re.finditer(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text, re.MULTILINE)}
        if missing is None or normalise(missing.group(1)) not in named or normalise(missing.group(1)) in dropped:
            outcome.problem = last_error_line(result.stderr.splitlines())
            return outcome
        dropped.append(normalise(missing.group(1)))
    outcome.problem = f"still failing after dropping {len(dropped)} projects"
    return outcome


# --- the report --------------------------------------------------------------------------------

def add_pip_column(rows: Sequence[PackageRow], pip: PipOutcome | None) -> None:
    for row in rows:
        if pip is None:
            row.pip = "-"
        elif normalise(row.name) in pip.installed:
            version, kind = pip.installed[normalise(row.name)]
            row.pip = f"{version} {kind}"
        elif normalise(row.name) in pip.dropped:
            row.pip = "no board wheel"
        else:
            row.pip = "not installed"


def table(title: str, rows: Sequence[PackageRow]) -> Table:
    out = Table("package", "version", "origin", "state", "s", "import (qemu)", "pip on the board", "reason", title=title)
    for row in rows:
        out.add_row(row.name, row.version, row.origin, row.state, f"{row.seconds:.1f}", row.imports, row.pip, row.reason)
    return out


def summary(name: str, rows: Sequence[PackageRow], wall: float, pip: PipOutcome | None) -> list[Result]:
    built = sum(row.state == "built" for row in rows)
    unreachable = sum("unreachable here" in row.reason for row in rows)
    results = [
        Result(f"requirements {name}: built", f"{built} of {len(rows)}",
               f"{sum(row.state == 'FAILED' for row in rows)} failed ({unreachable} for an unreachable host), "
               f"{sum(row.state == 'not built' for row in rows)} not built for a failed dependency"),
        Result(f"requirements {name}: pyrecipe build", f"{wall:.1f} s", "pyrecipe build -k -r, wall, provisioning included"),
    ]
    if pip is not None:
        how = (f"pip --only-binary=:all: --target under qemu-user, board CPython; {len(pip.installed)} distributions"
               + (f"; dropped (no board wheel): {', '.join(pip.dropped)}" if pip.dropped else "")
               + (f"; pip failed: {pip.problem}" if pip.problem else ""))
        results.append(Result(f"requirements {name}: pip on the emulated board", f"{pip.seconds:.1f} s", how))
    return results


def run(options: argparse.Namespace) -> list[Result]:
    console = Console(width=200)
    results: list[Result] = []
    for requirement in options.requirement_files:
        requirement = requirement.absolute()
        log = options.build_dir / "bench" / f"requirements-{requirement.stem}.log"
        started = time.time()
        if options.no_build:
            # The build directory's last build of the file, as it left its stats, or its log.
            stats = latest_stats(options.build_dir, 0.0) or stats_from_log(log.read_text(encoding="utf-8"), options.build_dir)
            wall, code, started = (stats["ended"] - stats["started"], 0, 0.0) if stats and "ended" in stats else (0.0, 0, 0.0)
        else:
            wall, code = build(requirement, options, log)
        if code == 2:
            results.append(Result(f"requirements {requirement.stem}: built", "0", f"stopped before any task: {input_error(log)}"))
            continue
        stats = latest_stats(options.build_dir, started) or stats_from_log(log.read_text(encoding="utf-8"), options.build_dir)
        if stats is None:
            results.append(Result(f"requirements {requirement.stem}: built", "0", f"exit {code}: {input_error(log)}"))
            continue
        rows = rows_of(stats)
        pip = None if options.no_pip else pip_on_board(requirement, options)
        add_pip_column(rows, pip)
        console.print(table(f"{requirement.name} on {options.machine} (build log {log})", rows))
        found = summary(requirement.stem, rows, wall, pip)
        atomic_write_text(log.with_suffix(".json"), json.dumps(
            {"file": str(requirement), "machine": options.machine, "rows": [asdict(row) for row in rows],
             "pip": asdict(pip) if pip else None, "summary": [asdict(result) for result in found]}, indent=1) + "\n")
        results.extend(found)
    return results
