"""The variables that place build areas, and who may set them.

pyrecipe decides from a handful of variables where it writes (downloads, shared state, the shared
sysroot, deployed files, a recipe's work directory) and what it binds into a task's sandbox. A
recipe that could set them would move the walls: ``DL_DIR = "/usr/include"`` made Debian's
headers writable in the task, ``WORKDIR = "${TOPDIR}/conf"`` let ``[cleandirs]`` wipe the user's
``local.conf``. So they come from configuration only, as in OpenEmbedded, where a layer's recipes
never set ``TMPDIR`` or ``DL_DIR``: ``bitbake.conf`` and the files it includes, ``local.conf``,
the machine's and the distro's conf, and pyrecipe's own classes (``base.bbclass`` places
``PKGMANIFESTDIR`` in ``WORKDIR``, ``native.bbclass`` the native staging directories). A recipe,
a ``.bbappend``, a file either includes, a layer's class or a layer's ``layer.conf`` that sets one
is refused at parse time, naming the variable and its file:line.

The check is made when a value is set (:meth:`DataSmart.setVar` and friends), so that whatever
runs later (finalisation, a task, pyrecipe's own steps) reads a value configuration gave. Python
of a recipe is attributed to the file that defines it while it runs (:func:`running`), so that
``d.setVar("DL_DIR", ...)`` in anonymous Python or in ``${@...}`` is refused as the assignment is.
Parse-time Python is code, not data: what it can reach besides ``d`` is the Python walls' concern,
not this module's.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Sequence
from dataclasses import dataclass

from pyrecipe.parse.errors import ParseError

#: Every variable pyrecipe reads to decide where it writes, what it reads or what it binds into a
#: sandbox (grep ``getVar`` in pyrecipe/ and the classes), SSTATE_MIRRORS (what shared state is
#: restored from), and the ones they are made of in
#: ``toolchains/bitbake.conf`` (a recipe setting MACHINE_BUILD_DIR moves WORKDIR and the sysroot).
#: S, B, D, T, UNPACKDIR and PKGD are not here: recipes set them (``S = "${WORKDIR}/git"``), and
#: a task runs only when they lie inside WORKDIR (``engine/confine.check_task_directories``).
PROTECTED = frozenset({
    # the build directory and what is shared between recipes and builds
    "TOPDIR", "TMPDIR", "DL_DIR", "SSTATE_DIR", "SSTATE_MIRRORS", "CCACHE_DIR", "PARSE_CACHE_DIR", "PROVISION_CACHE_DIR",
    "PYRECIPE_UV_CACHE_DIR", "BBLAYERS", "DISTRO", "MACHINE", "DISTRO_BUILD_DIR", "MACHINE_BUILD_DIR",
    "BUILD_ARCH_DIR", "BUILD_ROOT_DIR", "NATIVE_VENV", "PYRECIPE_TOOLCHAIN_DIR", "PYRECIPE_GENERATED_DIR",
    "REQUIREMENTS_LOCK", "IMAGE_ROOTFS", "PTEST_IMAGE_ROOTFS", "COMMON_LICENSE_DIR",
    "DEPLOY_DIR", "DEPLOY_DIR_WHEELS", "DEPLOY_DIR_DEB", "DEPLOY_DIR_DEBUG", "DEB_SYSROOT_ARCHIVES",
    # sysroots: the shared one, the native one, one given by path or by an SDK
    "RECIPE_SYSROOT", "RECIPE_SYSROOT_NATIVE", "STAGING_DIR", "STAGING_DIR_HOST", "STAGING_DIR_TARGET",
    "STAGING_DIR_NATIVE", "STAGING_INCDIR", "STAGING_LIBDIR", "STAGING_BINDIR_NATIVE",
    "PYRECIPE_CROSS_SYSROOT", "SDK_DIR", "SDK_TARGET_SYSROOT", "SDK_BUILD_PYTHON",
    # pyrecipe's own layer and code, bound read-only into every sandbox
    "PYRECIPE_TOPDIR", "PYRECIPE_CODEDIR",
    # the recipe's own path, set by the parser: a file:// source must lie in a layer or beside it
    "FILE",
    # a recipe's work directory and what pyrecipe itself writes in it
    "BASE_WORKDIR", "WORKDIR", "STAMPS_DIR", "PKGMANIFESTDIR", "SDE_DIR", "SDE_FILE",
}) | frozenset(LIMITS := (
    # the limits that keep a task, a download or an archive from taking the build machine: the
    # user's to raise (``TASK_TIMEOUT:pn-torch`` in local.conf for one recipe), not a layer's, or a
    # fork bomb's recipe would lift TASK_MAX_PROCESSES first
    "TASK_MAX_PROCESSES", "TASK_MAX_MEMORY", "TASK_MAX_FILE_SIZE", "TASK_TIMEOUT",
    "FETCH_DEADLINE", "FETCH_MAX_SIZE", "UNPACK_MAX_SIZE", "UNPACK_MAX_RATIO", "UNPACK_MAX_MEMBERS",
))

#: The origins (file, line) of the recipe Python running now, outermost first.
_running: contextvars.ContextVar[tuple[tuple[str, int], ...]] = contextvars.ContextVar("recipe_python", default=())


class running:  # noqa: N801 - used as ``with running(origin):``, like a function
    """While the body runs, what Python sets is attributed to ``origin`` (where that Python is).

    A class, not ``@contextmanager``: it is entered for every ``${@...}`` a parse evaluates
    (tens of thousands in a layer), and a generator-based context manager made the walls cost
    several per cent of a cold parse."""

    __slots__ = ("origin", "token")

    def __init__(self, origin: tuple[str, int]) -> None:
        self.origin = origin

    def __enter__(self) -> None:
        self.token = _running.set((*_running.get(), self.origin))

    def __exit__(self, *exc_info: object) -> None:
        _running.reset(self.token)


def python_origin() -> tuple[str, int] | None:
    """Where the innermost recipe Python running now was written, if any runs."""
    stack = _running.get()
    return stack[-1] if stack else None


@dataclass(frozen=True)
class Walls:
    """Who may set a :data:`PROTECTED` variable of a datastore: the configuration files read
    (``trusted_files``) and the files under ``trusted_dirs`` (pyrecipe's own classes)."""

    trusted_files: frozenset[str]
    trusted_dirs: tuple[str, ...]

    @classmethod
    def of(cls, files: Sequence[str], dirs: Sequence[str]) -> Walls:
        return cls(frozenset(os.path.abspath(f) for f in files), tuple(os.path.join(os.path.abspath(p), "") for p in dirs))

    def trusts(self, file: str) -> bool:
        return file in self.trusted_files or file.startswith(self.trusted_dirs)

    def check(self, var: str, origin: tuple[str, int] | None) -> None:
        """Refuse ``var`` (``VAR``, ``VAR:append``, ``VAR:override``) set from ``origin``, or by
        the recipe Python running now when there is no origin (pyrecipe's own code has neither)."""
        name = var.partition(":")[0] if ":" in var else var
        if name not in PROTECTED:
            return
        for file, line in (origin,) if origin is not None else _running.get():
            if not self.trusts(file):
                what = "is a limit of the build machine's" if name in LIMITS else "places a build area"
                raise ParseError(
                    f"{var} is set here, but {name} {what}: only configuration (bitbake.conf, local.conf, "
                    "the machine's or the distro's conf) may set it, not a recipe, a .bbappend, a class or a layer.conf",
                    file, line,
                )
