"""``python -m bench requirements FILE``: per package built or not (and why), origin, seconds and
do_test's outcome, read from the build's stats file and its task logs.

Offline: a PyPI of our own (tests/pypi_support.py) on 127.0.0.1 and the runner test board
(the build machine's own tools); pip on the emulated board is left out (--no-pip), as it needs
PyPI and a cross sysroot. The parsing of pip's report is fed a report of pip's format.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from bench.requirements import (
    PipOutcome,
    add_pip_column,
    failure_reason,
    installed_by_report,
    last_error_line,
    requirement_lines,
    rows_of,
    stats_from_log,
)
from http_support import serve_directory
from parse_support import write_files
from pypi_support import publish, runner_layer, wheel, write_requirements

ROOT = Path(__file__).resolve().parents[2]
PURELIB_1_0 = wheel("purelib", "1.0")
CRATEFUL_0_1 = wheel("crateful", "0.1")
#: The layer's recipes: shell tasks on the runner board (no cross toolchain, no Python build);
#: each fetches the wheel the lock lists. crateful's compile fails as a Rust build does here.
RECIPE = """LICENSE = "MIT"
SRC_URI = "{url};unpack=0"
SRC_URI[sha256sum] = "{sha}"
PROVIDES = "python3-{name}"
S = "${{UNPACKDIR}}"
do_compile() {{
{compile}
}}
do_install() {{
	install -d ${{D}}/usr/share/{name}
	echo built > ${{D}}/usr/share/{name}/built
}}
"""
CRATE_FAILURE = """\techo 'error: failed to get `pyo3` as a dependency of package `crateful v0.1.0`'
\techo 'Caused by: download of config.json failed: Could not resolve host: index.crates.io'
\texit 101"""


def test_a_tiny_set_is_reported_package_by_package(tmp_path: Path) -> None:
    """A layer recipe that builds, one whose build needs crates.io (a reason, not a pass), and
    PyPI's wheel of a package that needs it (not built, for its failed dependency)."""
    build_dir = tmp_path / "build"
    with serve_directory(tmp_path / "pypi") as url:
        layer = runner_layer(tmp_path / "layer", f"{url}/simple")
        publish(tmp_path / "pypi", url, "purelib", [PURELIB_1_0])
        publish(tmp_path / "pypi", url, "crateful", [CRATEFUL_0_1])
        publish(tmp_path / "pypi", url, "needscrate", [wheel("needscrate", "2.0", requires=["crateful"])])
        for name, published, compile_lines in (("purelib", PURELIB_1_0, "\ttrue"), ("crateful", CRATEFUL_0_1, CRATE_FAILURE)):
            write_files(layer, {f"recipes-python/{name}/{name}_{published.filename.split('-')[1]}.bb": RECIPE.format(
                url=f"{url}/files/{name}/{published.filename}", sha=hashlib.sha256(published.data).hexdigest(),
                name=name, compile=compile_lines)})
        requirements = write_requirements(tmp_path, "purelib==1.0\nneedscrate\n")
        result = subprocess.run(
            [sys.executable, "-m", "bench", "requirements", str(requirements), "--machine", "runnerboard",
             "--build-dir", str(build_dir), "--build-layer", str(layer), "--no-pip"],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((build_dir / "bench" / "requirements-requirements.json").read_text())
    rows = {row["name"]: row for row in report["rows"]}
    assert {key: rows["purelib"][key] for key in ("version", "origin", "state", "imports")} == {
        "version": "1.0", "origin": "layer recipe", "state": "built", "imports": "yes"}, rows  # do_test ran
    assert (rows["crateful"]["state"], rows["crateful"]["reason"]) == ("FAILED", "do_compile: needs crates.io: unreachable here")
    assert (rows["needscrate"]["origin"], rows["needscrate"]["state"]) == ("pypi wheel", "not built"), rows
    assert rows["crateful"]["seconds"] > 0 and rows["needscrate"]["seconds"] == 0
    assert "1 of 3" in result.stdout and "1 for an unreachable host" in result.stdout, result.stdout
    assert (build_dir / "bench" / "requirements-requirements.log").is_file()


def test_a_failures_reason_is_the_logs_last_error_line(tmp_path: Path) -> None:
    log = tmp_path / "log.do_compile"
    log.write_text("gcc -c x.c\nx.c:3:10: fatal error: ffi.h: No such file or directory\ncompilation terminated.\n"
                   "ERROR: PEP 517 backend setuptools.build_meta failed (exit code 1); last output:\n")
    assert failure_reason("do_compile", log, "recipe x: task do_compile failed") == (
        "do_compile: x.c:3:10: fatal error: ffi.h: No such file or directory")
    assert failure_reason("do_fetch", tmp_path / "missing", "recipe x: task do_fetch failed: 404") == (
        "do_fetch: recipe x: task do_fetch failed: 404")
    assert last_error_line(["", "all fine", ""]) == "all fine"
    # cargo --offline with no crates fetched (hf-xet's generated recipe): it needs crates.io.
    log.write_text("error: no matching package named `async-trait` found\nlocation searched: crates.io index\n")
    assert failure_reason("do_compile", log, "") == "do_compile: needs crates.io: unreachable here"


def test_the_stats_file_gives_state_seconds_and_import() -> None:
    stats = {
        "targets": ["a", "b"], "failures": [],
        "packages": [{"recipe": "a", "pn": "a", "version": "1", "origin": "recipe", "image": "/x/a/1/image"},
                     {"recipe": "b", "pn": "b", "version": "2", "origin": "pypi wheel", "image": "/x/b/2/image"}],
        "tasks": [{"recipe": "a", "task": "do_compile", "status": "ran", "start": 10.0, "end": 14.5},
                  {"recipe": "a", "task": "do_test", "status": "up to date", "start": None, "end": None},
                  {"recipe": "b", "task": "do_install_setscene", "status": "restored", "start": 1.0, "end": 2.0,
                   "tasks": ["do_install", "do_test"]}],
    }
    a, b = rows_of(stats)
    assert (a.state, a.seconds, a.imports) == ("built", 4.5, "yes (earlier run)")
    assert (b.state, b.origin, b.imports) == ("built", "pypi wheel", "yes (shared state)")


def test_pips_report_and_the_trimmed_file() -> None:
    report = {"version": "1", "install": [
        {"metadata": {"name": "PyYAML", "version": "6.0.4"},
         "download_info": {"url": "https://files.example/pyyaml-6.0.4-cp313-cp313-manylinux_2_17_aarch64.whl"}},
        {"metadata": {"name": "six", "version": "1.16.0"}, "download_info": {"url": "https://files.example/six-1.16.0.tar.gz"}},
    ]}
    installed = installed_by_report(json.loads(json.dumps(report)))
    assert installed == {"pyyaml": ("6.0.4", "wheel"), "six": ("1.16.0", "sdist")}
    assert requirement_lines("# top\nPyYAML==6.0.4  # c\ntorch\nsix\n", ["torch"]) == "# top\nPyYAML==6.0.4  # c\nsix\n"
    stats = {"targets": ["pyyaml", "torch"], "failures": [], "tasks": [],
             "packages": [{"recipe": n, "pn": n, "version": "1", "origin": "o", "image": ""} for n in ("pyyaml", "torch")]}
    rows = rows_of(stats)
    add_pip_column(rows, PipOutcome(3.0, installed, dropped=["torch"]))
    assert [row.pip for row in rows] == ["6.0.4 wheel", "no board wheel"]


def test_a_stopped_build_is_read_from_its_output_and_lock(tmp_path: Path) -> None:
    """A build stopped by --stop-after writes no stats: what ended is read from its task lines."""
    machine_dir = tmp_path / "debian-trixie" / "raspberrypi4"
    (machine_dir / "requirements").mkdir(parents=True)
    (machine_dir / "requirements" / "pylock.toml").write_text(
        'lock-version = "1.0"\n[[packages]]\nname = "PyYAML"\nversion = "6.0.4"\n'
        '[[packages]]\nname = "numpy"\nversion = "2.5.4"\n[[packages]]\nname = "six"\nversion = "1.17.0"\n')
    generated = tmp_path / "debian-trixie" / "generated" / "recipes" / "pyyaml"
    generated.mkdir(parents=True)
    (generated / "pyyaml_6.0.4.bb").write_text('PYRECIPE_GENERATED = "generated recipe"\n')
    output = ("NOTE: recipe pyyaml: task do_compile: Succeeded (12.5 s)\nNOTE: recipe pyyaml: task do_build: Succeeded (0.0 s)\n"
              "NOTE: recipe numpy: task do_configure: Succeeded (1.5 s)\nNOTE: Running task 9 of 40 (numpy:do_compile)\n")
    stats = stats_from_log(output, tmp_path)
    assert stats is not None
    rows = {row.name: row for row in rows_of(stats)}
    assert (rows["pyyaml"].state, rows["pyyaml"].origin, rows["pyyaml"].seconds) == ("built", "generated recipe", 12.5)
    assert (rows["numpy"].state, rows["numpy"].reason) == ("not built", "the build was stopped first")
    assert (rows["six"].state, rows["six"].origin) == ("not built", "layer recipe")
