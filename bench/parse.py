"""Parse-speed benchmark: a generated layer of 1,000 recipes, and a real layer against bitbake.

Run: ``python -m bench parse [--recipes N] [--layer DIR [--bitbake DIR] [--repeat N]]``.

The generated layer (classes, shared .inc files, recipes with overrides, appends, inline Python,
BBCLASSEXTEND, and .bbappends, all from one template) is scanned through
:class:`pyrecipe.config.layers.LayerIndex` with the full configuration of the benchmark's machine, in
this process, wall time:

* cold: empty cache directory, every recipe parsed (by worker processes: there are many) and
  its datastores written to the cache;
* warm: a new index over the same cache, as a second ``pyrecipe`` run sees it;
* full datastores: every recipe's finalised datastore loaded through the warm cache, and parsed
  with no cache at all (the in-process statement cache emptied first: every file parsed again).

A real layer (``--layer``, e.g. a checkout of meta-openembedded's meta-python; never part of
this repository) is parsed with empty stub classes for what it inherits and no layer provides,
each side in a process of its own (:mod:`bench.parse_sides`), CPU time: pyrecipe cold (no cache
of any kind, every variable read), its index cold and warm, and with ``--bitbake`` bitbake's own
parser on the same files, interleaved with pyrecipe's runs; all of it on pyrecipe's
configuration and on the core variables alone (``--bare``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import Result
from bench.stub_classes import write_stub_classes
from pyrecipe.config.configuration import Settings, load_configuration, machine_conf
from pyrecipe.config.layers import LayerIndex
from pyrecipe.config.paths import TOOLCHAINS_DIR, TOPDIR
from pyrecipe.parse import CORE_CONF
from pyrecipe.parse.reader import forget_statements

ROOT = Path(__file__).resolve().parent.parent

CLASSES = {
    "bench-pypi": """\
def bench_pypi_name(d):
    bpn = d.getVar('BPN')
    return bpn[len('python3-'):] if bpn.startswith('python3-') else bpn

BENCH_PYPI_PACKAGE ?= "${@bench_pypi_name(d)}"
SRC_URI:prepend = "https://files.pythonhosted.org/packages/source/${@d.getVar('BENCH_PYPI_PACKAGE')[0]}/${BENCH_PYPI_PACKAGE}/${BENCH_PYPI_PACKAGE}-${PV}.tar.gz "
""",
    "bench-build": """\
inherit bench-pypi
DEPENDS += "python3-setuptools-native"
BENCH_OPTS ?= ""
bench_build_do_compile() {
\techo build ${BENCH_OPTS}
}
EXPORT_FUNCTIONS do_compile
""",
    "bench-meson": """\
inherit bench-build
DEPENDS += "python3-meson-python-native"
def bench_meson_args(d):
    return ' '.join('-Csetup-args=' + w for w in (d.getVar('EXTRA_OEMESON') or '').split())
BENCH_OPTS = "${@bench_meson_args(d)}"
""",
}

INC = """\
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://LICENSE;md5=0123456789abcdef0123456789abcdef"
HOMEPAGE = "https://example.org/${BPN}"
"""

RECIPE = """\
SUMMARY = "Benchmark recipe {i}"
require common-{group}.inc

SRC_URI[sha256sum] = "{sha}"

inherit {classes}

DEPENDS += "python3-dep{dep}"
RDEPENDS:${{PN}} += "python3-core python3-dep{dep}"
RDEPENDS:${{PN}}:append:class-target = " python3-ctypes"
EXTRA_OEMESON = "-Dopt{i}=true"
EXTRA_OEMESON:append:aarch64 = " -Dneon=true"
FLAVOUR = "plain"
FLAVOUR:qemuarm64 = "board"
FEATURE = "${{@bb.utils.contains('MACHINE_FEATURES', 'wifi', 'wifi', '', d)}}"

do_install:append() {{
\trm -rf ${{D}}${{bindir}}/tool{i}
}}

python () {{
    if d.getVar('FLAVOUR') == 'never':
        raise bb.parse.SkipRecipe('never')
}}
{extend}"""

APPEND = """\
EXTRA_FROM_APPEND = "yes"
SRC_URI += "file://fix-{i}.patch"
"""


def generate(layer: Path, count: int) -> None:
    """Write a layer of ``count`` recipes (plus classes, .inc files and some .bbappends)."""
    (layer / "conf" / "machine").mkdir(parents=True)
    (layer / "conf" / "layer.conf").write_text(
        'BBPATH .= ":${LAYERDIR}"\nBBFILES += "${LAYERDIR}/recipes-*/*/*.bb ${LAYERDIR}/recipes-*/*/*.bbappend"\n'
    )
    (layer / "classes").mkdir()
    for name, text in CLASSES.items():
        (layer / "classes" / f"{name}.bbclass").write_text(text)
    for i in range(count):
        group = i % 20
        directory = layer / f"recipes-group{group}" / f"python3-bench{i}"
        directory.mkdir(parents=True)
        inc = directory.parent / f"common-{group}.inc"
        if not inc.exists():
            inc.write_text(INC)
        # Each recipe also finds its group's .inc through its own directory: require looks there first.
        (directory / f"common-{group}.inc").symlink_to(inc)
        text = RECIPE.format(
            i=i, group=group, sha=f"{i:064x}", dep=(i * 7) % count,
            classes="bench-meson" if i % 3 == 0 else "bench-build",
            extend='BBCLASSEXTEND = "native"\n' if i % 4 == 0 else "",
        )
        (directory / f"python3-bench{i}_1.{i % 10}.bb").write_text(text)
        if i % 10 == 0:
            (directory / f"python3-bench{i}_%.bbappend").write_text(APPEND.format(i=i))


def timed(label: str, count: int, action: Callable[[], object]) -> Result:
    start = time.perf_counter()
    action()
    elapsed = time.perf_counter() - start
    return Result(f"parse: {label}", f"{count / elapsed:,.0f} recipes/s", f"{count} recipes in {elapsed:.2f} s wall")


def run(options: argparse.Namespace) -> list[Result]:
    """The generated layer's rows, then the real layer's when ``options.layer`` is given."""
    results = generated_layer(options)
    if options.layer:
        results += real_layer(options)
    return results


def generated_layer(options: argparse.Namespace) -> list[Result]:
    """Parse a generated layer of ``options.recipes`` recipes cold, warm, and into full datastores."""
    count = options.recipes
    with tempfile.TemporaryDirectory(prefix="pyrecipe-bench-") as tmp:
        root = Path(tmp)
        layer = root / "meta-bench"
        generate(layer, count)
        config = load_configuration(Settings(build_dir=root / "build", machine=options.machine, layers=(layer,)))
        cache_dir = root / "cache"

        def scan() -> LayerIndex:
            index = LayerIndex(config, cache_dir)
            mine = {info.file for info in index.infos if layer in info.file.parents}
            if len(mine) != count:
                raise RuntimeError(f"the index found {len(mine)} of the {count} generated recipes")
            return index

        results = [timed("cold (empty cache)", count, scan), timed("warm (cache)", count, scan)]
        index = scan()
        mine = [info for info in index.infos if layer in info.file.parents and info.variant == ""]
        results.append(timed(
            "full datastores, warm cache", len(mine),
            lambda: [index.datastore(info).getVar("SRC_URI") for info in mine],
        ))
        uncached = LayerIndex(config, None)
        forget_statements()
        results.append(timed(
            "full datastores, no cache", len(mine),
            lambda: [uncached.datastore(info).getVar("SRC_URI") for info in mine],
        ))
    return results


# ---------------------------------------------------------------------------- a real layer
def _side(side: str, spec_file: Path) -> dict[str, Any]:
    """Run one side of the real-layer benchmark in a process of its own (see bench.parse_sides)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.parse_sides", side, str(spec_file)],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench.parse_sides {side} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def _spread(values: list[float], unit: str = "s", digits: int = 2) -> str:
    return f"median {statistics.median(values):.{digits}f} {unit} (range {min(values):.{digits}f}–{max(values):.{digits}f})"


def real_layer(options: argparse.Namespace) -> list[Result]:
    """``options.layer`` parsed on pyrecipe's configuration, then on the core variables alone."""
    return [*_real_layer(options, bare=False), *_real_layer(options, bare=True)]


def _real_layer(options: argparse.Namespace, bare: bool) -> list[Result]:
    """Parse ``options.layer`` (stub classes for what no layer provides) cold and warm, and through
    bitbake's parser when ``options.bitbake`` names a checkout, interleaved ``options.repeat`` times.

    ``bare``: the core variables alone (no bitbake.conf, machine or base class: the statements
    weigh more, the expansions less) and no index (an index needs the configuration's BBFILES)."""
    layer = Path(options.layer).absolute()
    with tempfile.TemporaryDirectory(prefix="pyrecipe-bench-layer-") as tmp:
        root = Path(tmp)
        stubs = root / "stub-classes"
        # A layer only when it holds a class: pyrecipe refuses a directory that adds nothing.
        layers = (layer, stubs) if write_stub_classes(layer, [TOPDIR], stubs) else (layer,)
        settings = Settings(build_dir=root / "build", machine=options.machine, layers=layers)
        config = load_configuration(settings)
        index = LayerIndex(config, None)
        recipes = [str(r) for r in index.recipes if layer in r.parents]
        spec = {
            "build_dir": str(settings.build_dir), "machine": options.machine, "layers": [str(path) for path in layers],
            "bare": bare,
            "recipes": recipes,
            "appends": {str(r): [str(a) for a in index.appends_of[r]] for r in index.recipes if index.appends_of[r]},
            "bitbake": str(options.bitbake or ""),
            # What load_configuration sets before it reads a file, and the files it reads.
            "preset": {name: config.getVar(name) for name in ("PYRECIPE_TOPDIR", "PYRECIPE_CODEDIR", "PYRECIPE_HOST_PYTHON", "TOPDIR", "MACHINE")}
            | {"BBLAYERS": " ".join(map(str, layers)), "BBPATH": f"{stubs}:{layer}:{TOPDIR}" if bare else str(TOPDIR)},
            "confs": [str(CORE_CONF)] if bare else [
                str(CORE_CONF), str(TOOLCHAINS_DIR / "bitbake.conf"), str(machine_conf(options.machine, layers)),
            ],
        }
        spec_file = root / "spec.json"
        spec_file.write_text(json.dumps(spec))
        figures: dict[str, list[float]] = {}
        failed: dict[str, int] = {}
        raised: dict[str, int] = {}
        for repetition in range(options.repeat):
            cache_dir = root / f"cache-{repetition}"
            sides = [("pyrecipe cold", "pyrecipe-cold")]
            if not bare:
                sides += [("index cold", "pyrecipe-index"), ("index warm", "pyrecipe-index")]
            if options.bitbake:
                sides.insert(repetition % 2, ("bitbake cold", "bitbake"))
            for label, side in sides:
                if side == "pyrecipe-index" and "index_recipes" not in spec:
                    raise RuntimeError("the index runs after the cold parse that lists what pyrecipe parses")
                spec["cache_dir"] = str(cache_dir)
                spec_file.write_text(json.dumps(spec))
                result = _side(side, spec_file)
                figures.setdefault(f"{label} cpu", []).append(result["cpu"])
                figures.setdefault(f"{label} wall", []).append(result["wall"])
                failed[label] = len(result["failed"])
                raised[label] = result.get("raised", 0)
                if side == "pyrecipe-cold":
                    spec["index_recipes"] = [r for r in recipes if r not in result["failed"]]
        count = len(recipes)
        name = f"{layer.name}{' --bare' if bare else ''}"
        rows = [
            Result(f"parse {name}: pyrecipe cold, no cache", _spread(figures["pyrecipe cold cpu"]) + " CPU",
                   f"{count} recipes ({failed['pyrecipe cold']} failed), finalised, every variable read "
                   f"({raised['pyrecipe cold']} raised); one process"),
        ]
        if not bare:
            rows += [
                Result(f"parse {name}: index cold (empty cache)", _spread(figures["index cold cpu"]) + " CPU",
                       f"{len(spec['index_recipes'])} recipes; wall {_spread(figures['index cold wall'])}"),
                Result(f"parse {name}: index warm (nothing changed)", _spread(figures["index warm cpu"]) + " CPU",
                       f"wall {_spread(figures['index warm wall'])}"),
            ]
        if options.bitbake:
            bitbake_cpu = figures["bitbake cold cpu"]
            rows.insert(0, Result(f"parse {name}: bitbake cold (bb.parse)", _spread(bitbake_cpu) + " CPU",
                                  f"{count} recipes ({failed['bitbake cold']} failed), finalised, every variable read "
                                  f"({raised['bitbake cold']} raised)"))
            for label in ("pyrecipe cold",) if bare else ("pyrecipe cold", "index warm"):
                ratios = [mine / theirs for mine, theirs in zip(figures[f"{label} cpu"], bitbake_cpu)]
                rows.append(Result(f"parse {name}: {label} / bitbake", _spread(ratios, "×"), "CPU, each run against bitbake's of the same repetition"))
        return rows
