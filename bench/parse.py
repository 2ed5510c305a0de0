"""Parse-speed benchmark: a generated layer of 1,000 realistic recipes, parsed cold and warm.

Run: ``python -m bench parse [--recipes N]``. The layer is generated in a temporary directory
(classes, shared .inc files, recipes with overrides, appends, inline Python, BBCLASSEXTEND, and
.bbappends), then scanned through :class:`pyrecipe.layers.LayerIndex` with the full
configuration of the benchmark's machine:

* cold: empty cache directory, every recipe parsed and its datastores written to the cache;
* warm: a new index over the same cache, as a second ``pyrecipe`` run sees it;
* full datastores: every recipe's finalised datastore loaded through the warm cache, and parsed
  without a cache (what a build needs, not just the summary the index keeps).

Gives recipes/second for each.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import Result
from pyrecipe.config import Settings, load_configuration
from pyrecipe.layers import LayerIndex

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
    return Result(f"parse: {label}", f"{count / elapsed:,.0f} recipes/s", f"{count} recipes in {elapsed:.2f} s")


def run(options: argparse.Namespace) -> list[Result]:
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
        results.append(timed(
            "full datastores, no cache", len(mine),
            lambda: [uncached.datastore(info).getVar("SRC_URI") for info in mine],
        ))
    return results
