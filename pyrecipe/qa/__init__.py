"""Quality checks on a recipe's staging tree before it goes into the image.

``run_qa`` walks the tree once (ELF headers parsed once per file) and runs each named
check over that inventory. Check names follow OpenEmbedded's ``INSANE_SKIP`` names where
one exists, so a recipe waives a check the way a Yocto user expects::

    INSANE_SKIP += "rpath"

A waived check still runs: its findings are returned as ``waived`` so that the log says
what was let through.

Decisions a recipe author may meet:

- ELF files are found by their magic, not their name; static archives (``!<arch>``) are
  judged by their first ELF member.
- ``ext-suffix``: a module (an ELF shared object defining ``PyInit_<its name>``) named with
  a bare ``.so`` is a problem: the target would import it, but the name no longer says which
  Python it was built for. Waive it for a package that really ships such names.
- ``needed``: a library is found when its soname is a name in ``library_dirs``, in the
  staging tree's own ``lib`` or ``usr/lib``, or along the file's own RPATH/RUNPATH
  (``$ORIGIN`` resolved inside the staging tree, as for ``numpy.libs``).
- ``host-paths``: ELF files are searched in their loaded data sections only, never in
  DWARF; host paths that are ``/`` or contain a target directory (``/usr``, the build
  machine's Python prefix on Debian) are ignored, as they cannot be told from target paths.
- ``files``: files outside the scheme are reported once per first stray directory.
- ``optimization``: a GCC compile unit whose command line (DW_AT_producer, in the debug
  information the build's ``-g`` writes) has no ``-O`` level or ``-O0``; files without debug
  information, and Rust's units, cannot be told and pass.
- ``perms``: setuid, setgid and world-writable files and directories, files with capabilities
  (``security.capability``) (OpenEmbedded reserves this name for permission checks); the image normalizes other modes itself.
- ``special-files``: FIFOs, devices and sockets are reported and never opened.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence

from pyrecipe.errors import BuildError, InputError
from pyrecipe.qa.elfchecks import check_arch, check_ext_suffix, check_needed, check_optimization, check_rpath
from pyrecipe.qa.filechecks import check_file_owners, check_files, check_perms, check_pyc, check_special_files
from pyrecipe.qa.hostpaths import check_host_paths
from pyrecipe.qa.inventory import StagedFile, take_inventory
from pyrecipe.qa.model import QAContext, QAProblem, QAResult

__all__ = ["CHECKS", "QAContext", "QAProblem", "QAResult", "check_file_owners", "run_qa"]

Check = Callable[[QAContext, Sequence[StagedFile]], Iterator[QAProblem]]

CHECKS: dict[str, Check] = {
    "arch": check_arch,
    "ext-suffix": check_ext_suffix,
    "needed": check_needed,
    "rpath": check_rpath,
    "optimization": check_optimization,
    "host-paths": check_host_paths,
    "pyc": check_pyc,
    "files": check_files,
    "perms": check_perms,
    "special-files": check_special_files,
}


def run_qa(ctx: QAContext, skip: Collection[str] = ()) -> QAResult:
    """Run every check on ``ctx.staging_dir``; findings of checks named in ``skip`` are waived."""
    unknown = sorted(set(skip) - CHECKS.keys())
    if unknown:
        raise InputError(f"INSANE_SKIP names unknown QA check(s) {', '.join(unknown)}; "
                         f"the checks are: {', '.join(CHECKS)}")
    if ctx.elf_class not in (32, 64) or ctx.elf_endian not in ("little", "big"):
        raise InputError(f"QA: the machine's ELF class must be 32 or 64 and its endianness little or big, "
                         f"not {ctx.elf_class!r} and {ctx.elf_endian!r}; check the machine's .conf file")
    if not ctx.staging_dir.is_dir():
        raise BuildError(f"QA: staging directory {ctx.staging_dir} does not exist; do_install did not run "
                         "or installed nothing")
    inventory = take_inventory(ctx.staging_dir)
    result = QAResult()
    for name, check in CHECKS.items():
        findings = sorted(check(ctx, inventory))
        (result.waived if name in skip else result.problems).extend(findings)
    return result
