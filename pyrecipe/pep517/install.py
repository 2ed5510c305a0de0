"""Installing a wheel into a recipe's staging tree with the *target's* scheme.

The staging tree mirrors the target's root file system (``<staging>/usr/lib/python3.X/...``),
so the paths are computed for the target, never taken from the running interpreter's
sysconfig. ``installer`` writes with ``destdir`` = the staging tree: files land under it while
RECORD, script shebangs and .pyc source paths say what they will be on the target. Wheel tags
are not checked: a PEP 517 backend knows nothing of cross builds, so a cross-built wheel may be
tagged for the build machine.

Bytecode is compiled by us, not by ``installer``: as hash-checked .pyc files (PEP 552), which
stay valid whatever mtimes the files get on the way to the board (the image tarball sets them
all to one value) and are the same bytes on every build.
"""

from __future__ import annotations

import compileall
import py_compile
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import installer
import installer.exceptions
from installer.destinations import SchemeDictionaryDestination
from installer.sources import WheelFile

from pyrecipe.errors import InputError
from pyrecipe.fsutil import building_dir


@dataclass(frozen=True)
class TargetScheme:
    """Where a wheel's parts go on the target, as absolute paths on the target."""

    python_version: str  # the target CPython's X.Y (PYTHON_BASEVERSION)
    prefix: str = "/usr"

    @property
    def site_packages(self) -> str:
        return f"{self.prefix}/lib/python{self.python_version}/site-packages"

    def scheme_dict(self, distribution: str) -> dict[str, str]:
        """installer's scheme mapping; headers go to ``include/pythonX.Y/<distribution>`` as pip does."""
        return {
            "purelib": self.site_packages,
            "platlib": self.site_packages,
            "headers": f"{self.prefix}/include/python{self.python_version}/{distribution}",
            "scripts": f"{self.prefix}/bin",
            "data": self.prefix,
        }


def install_wheel(
    wheel: Path,
    staging_dir: Path,
    *,
    python_version: str,
    prefix: str = "/usr",
    compile_bytecode: bool = False,
    interpreter: str = "/usr/bin/python3",
) -> list[Path]:
    """Install ``wheel`` so that ``staging_dir`` holds exactly it; return the installed files.

    A previous ``staging_dir`` is replaced as a whole (built beside it, then renamed).
    ``compile_bytecode`` writes .pyc files for site-packages, compiled by the *running*
    interpreter: that is only right when its X.Y is the target's, so asking for it otherwise is
    an InputError (compile on the target or run pyrecipe with a matching Python instead).
    Files that do not compile (a vendored Python 2 file, a template) get no .pyc, as with pip.
    """
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    if compile_bytecode and running != python_version:
        raise InputError(
            f"cannot compile bytecode for Python {python_version} with Python {running} (the .pyc format "
            f"differs between versions): turn bytecode compilation off or run pyrecipe with Python {python_version}"
        )
    scheme = TargetScheme(python_version, prefix)
    with building_dir(staging_dir) as tmp:
        try:
            with WheelFile.open(wheel) as source:
                source.validate_record()
                destination = SchemeDictionaryDestination(
                    scheme.scheme_dict(source.distribution),
                    interpreter=interpreter,
                    script_kind="posix",
                    destdir=str(tmp),
                )
                installer.install(source, destination, additional_metadata={"INSTALLER": b"pyrecipe\n"})
        except (zipfile.BadZipFile, installer.exceptions.InstallerError, ValueError, FileNotFoundError) as error:
            raise InputError(f"cannot install wheel {wheel}: {error}") from None
        site = tmp / scheme.site_packages.lstrip("/")
        if compile_bytecode and site.is_dir():
            compileall.compile_dir(
                site, ddir=scheme.site_packages, quiet=2, workers=1,
                invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH,
            )
    return sorted(path for path in staging_dir.rglob("*") if path.is_file() or path.is_symlink())
