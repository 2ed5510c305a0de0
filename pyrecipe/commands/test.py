"""``pyrecipe test RECIPE``: build RECIPE's ptest package and run its suite on the emulated board.

With ``DISTRO_FEATURES:append = " ptest"`` a ptest recipe's suite lands in ``${PN}-ptest``. This
builds that package as a target (the recipe, and what ``RDEPENDS:${PN}-ptest`` names: ``${PN}``,
pytest ...) into an image of its own, ``PTEST_IMAGE_ROOTFS``, so the build's image is left as it
is, then runs ``${PTEST_PATH}/run-ptest`` with the board's CPython under qemu-user
(:mod:`pyrecipe.outputs.ptest`). Exit 0 when every test passed, 1 when one failed or the build did,
2 when the recipe has no suite to run.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pyrecipe.commands.common import add_build_options, provisioned_toolchain, recipe_name, settings_from
from pyrecipe.engine.build import BuildRequest, pinned_native_tools, resolve, run_build
from pyrecipe.engine.progress import Progress
from pyrecipe.engine.scheduler import BuildOptions
from pyrecipe.errors import InputError
from pyrecipe.outputs.ptest import run_ptest
from pyrecipe.parse import DataSmart


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("recipe", type=recipe_name, metavar="RECIPE", help="a recipe with a ptest suite (python3-dateutil ...)")
    add_build_options(parser)
    parser.add_argument("-j", "--jobs", type=int, help="recipes built at once (default: the number of CPUs)")
    parser.set_defaults(func=run)


def ptest_package(d: DataSmart) -> str:
    """``${PN}-ptest`` of the recipe ``d``, or why there is no suite to run."""
    pn = d.getVar("PN")
    package = f"{pn}-ptest"
    if package not in (d.getVar("PACKAGES") or "").split():
        raise InputError(f"recipe {pn} has no ptest suite: it inherits neither ptest nor ptest-python-pytest "
                         f"({package} is not in its PACKAGES)")
    if d.getVar("PTEST_ENABLED") != "1":
        raise InputError(f"recipe {pn}: ptest is not enabled; add DISTRO_FEATURES:append = \" ptest\" to "
                         "conf/local.conf of the build directory")
    return package


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    probe = BuildRequest(settings=settings, targets=(args.recipe,), options=BuildOptions(goal="do_build"))
    _, graph, _ = resolve(probe, pinned_native_tools())
    d = graph.nodes[graph.targets[0]].d
    package = ptest_package(d)
    image = Path(d.getVar("PTEST_IMAGE_ROOTFS"))
    request = BuildRequest(settings=settings, targets=(package,), image_rootfs=image,
                           options=BuildOptions(goal="do_build", jobs=args.jobs or os.cpu_count() or 1))
    result = run_build(request, Progress())
    for failure in result.failures:
        print(f"pyrecipe: error: {failure}", file=sys.stderr)
    if not result.ok:
        return 1
    toolchain = provisioned_toolchain(args, d.getVar("MACHINE"), d.getVar("DISTRO"))
    outcome = run_ptest(toolchain, image, d.getVar("PTEST_PATH"), d.getVar("PYTHON_SITEPACKAGES_DIR"),
                        echo=lambda line: print(line, end="", flush=True))
    print(f"ptest {package}: {outcome.summary()}: {'all passed' if outcome.passed else 'FAILED'}")
    return 0 if outcome.passed else 1
