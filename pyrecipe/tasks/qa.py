"""do_qa: what the checks of :mod:`pyrecipe.qa` are told about a recipe, and what a failure says.

The facts come from the machine (ELF machine, class, endianness), the target's CPython
(EXT_SUFFIX, bytecode magic) and the build (paths that must not leak into what ships).
``INSANE_SKIP`` (and ``INSANE_SKIP:${PN}``) waives named checks, as in OpenEmbedded; the waiver
is printed so that it is never silent.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path
from typing import TYPE_CHECKING

from pyrecipe.engine.context import TaskContext, current_task
from pyrecipe.errors import BuildError
from pyrecipe.graph.variant import is_native
from pyrecipe.parse import DataSmart
from pyrecipe.parse.depends import explode_deps
from pyrecipe.pep517.record import refresh_records
from pyrecipe.qa import CHECKS, QAContext, run_qa
from pyrecipe.qa.requires import project_alias, unlisted_requirements
from pyrecipe.recipetool.create import target_facts
from pyrecipe.tasks.package_split import INSTALLED_VS_SHIPPED

if TYPE_CHECKING:
    from pyrecipe.toolchain.provision import Toolchain

#: OpenEmbedded's INSANE_SKIP names for the checks we have under another name; other OE names
#: name checks pyrecipe does not make (already-stripped, dev-so ...) and waive nothing here.
OE_CHECK_NAMES = {"buildpaths": "host-paths", "rpaths": "rpath", "useless-rpaths": "rpath", "file-rdeps": "needed"}


def library_dirs(sysroot: Path, triplet: str) -> list[Path]:
    return [sysroot / p for p in (f"lib/{triplet}", f"usr/lib/{triplet}", "lib", "usr/lib")]


def builder_home(home: str) -> str | None:
    """The builder's home directory as a host path, unless it is root's: /root is root's home on
    the board as well, and a docstring's example path (GitPython's "/root/repo") is no leak."""
    return home if home != "/root" else None


def qa_context(d: DataSmart, toolchain: Toolchain) -> QAContext:
    machine = toolchain.machine
    python = toolchain.python
    staging = Path(d.getVar("D"))
    sysroot = Path(d.getVar("RECIPE_SYSROOT"))
    host_suffix = sysconfig.get_config_var("EXT_SUFFIX") or ""
    host_paths = [
        d.getVar("TOPDIR"), d.getVar("WORKDIR"), str(toolchain.native_venv), str(sysroot),
        sys.prefix, sys.base_prefix, d.getVar("PYRECIPE_TOPDIR"), builder_home(os.path.expanduser("~")),
    ]
    site = d.getVar("PYTHON_SITEPACKAGES_DIR").strip("/")
    # A ptest suite is installed where OE puts it (ptest.bbclass), outside the Python scheme.
    ptest = [d.getVar("PTEST_PATH").strip("/")] if d.getVar("PTEST_ENABLED") == "1" else []
    return QAContext(
        staging_dir=staging,
        elf_machine=machine.elf_machine,
        elf_class=machine.elf_class,
        elf_endian=machine.elf_endian,
        ext_suffix=python.ext_suffix,
        host_ext_suffix=host_suffix if host_suffix != python.ext_suffix else "",
        pyc_magic=python.magic_number,
        library_dirs=library_dirs(sysroot, machine.target_sys) + library_dirs(staging, machine.target_sys),
        host_paths=[p for p in dict.fromkeys(host_paths) if p and p != "/"],
        allowed_prefixes=(site, "usr/bin", "usr/include", "usr/share", *ptest),
    )


def waived_checks(d: DataSmart) -> list[str]:
    """The checks ``INSANE_SKIP`` and ``INSANE_SKIP:${PN}`` name, as the recipe writes them."""
    return (d.getVar("INSANE_SKIP") or "").split() + (d.getVar(f"INSANE_SKIP:{d.getVar('PN')}") or "").split()


def check_recipe(d: DataSmart, task: TaskContext) -> None:
    """do_qa's checks on the recipe's ${D}; problems fail the task, waivers are warned about."""
    say = task.note
    if task.build.toolchain is None or is_native(d):
        say("NOTE: native recipe: target QA does not apply")
        return
    pn = d.getVar("PN")
    skip = {OE_CHECK_NAMES.get(name, name) for name in waived_checks(d)}
    for name in sorted(skip - CHECKS.keys() - {INSTALLED_VS_SHIPPED}):  # that one is do_package's
        say(f"NOTE: INSANE_SKIP names {name}, which is not a pyrecipe check; nothing to waive")
    result = run_qa(qa_context(d, task.build.toolchain), skip=skip & CHECKS.keys())
    say(result.format())
    site = Path(d.getVar("D") + d.getVar("PYTHON_SITEPACKAGES_DIR"))
    rdepends = explode_deps(d.getVar(f"RDEPENDS:{pn}") or "")
    unlisted = unlisted_requirements(site, rdepends, target_facts(d),
                                     project_alias(d.getVarFlag))
    if unlisted:
        task.warn(f"the installed package requires {', '.join(unlisted)} (its Requires-Dist), which RDEPENDS:{pn} "
                  "does not name: the board may lack them")
    if result.waived:
        task.warn(f"QA: INSANE_SKIP waived {len(result.waived)} finding(s): " + "; ".join(map(str, result.waived)))
    if result.problems:
        raise BuildError(
            f"recipe {pn}: QA found {len(result.problems)} problem(s):\n"
            + "\n".join(f"  {problem}" for problem in result.problems)
            + "\n  (a recipe may waive a check with INSANE_SKIP:${PN} += \"<check>\")"
        )


def qa(d: DataSmart) -> None:
    """do_qa: check the installed files before they reach a sysroot or an image."""
    # do_install:append may have edited installed files: RECORD must describe what ships.
    site = Path(d.getVar("D") + d.getVar("PYTHON_SITEPACKAGES_DIR"))
    for path in refresh_records(site, Path(d.getVar("D"))):
        current_task().note(f"NOTE: RECORD updated for {path}, changed after installation")
    check_recipe(d, current_task())
