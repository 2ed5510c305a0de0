"""A private apt for one foreign Debian architecture: resolve and download target packages.

apt itself resolves the dependency closure (no hand-kept lists), but with its own package
lists, cache and an empty dpkg status, and with the target's architecture as its native one.
So the build machine's dpkg database is never touched (no ``dpkg --add-architecture``, nothing
installed into the host), root is not needed, and every target package is resolved as if onto
an empty system. :class:`PrivateApt` reads the build machine's own apt sources; :class:`SuiteApt`
reads one Debian suite of the archive (a target release that is not the build machine's).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.errors import BuildError, InputError
from pyrecipe.fsutil import atomic_write_text

DEBIAN_MIRROR = "http://deb.debian.org/debian"
DEBIAN_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
#: Target package lists older than this are refreshed before resolving new packages.
LISTS_MAX_AGE_S = 24 * 3600
UPDATE_ATTEMPTS = 2

_INST_LINE = re.compile(r"^Inst (?P<name>\S+) (?:\[\S+\] )?\((?P<version>\S+) .*\[(?P<arch>[^\]]+)\]\)")


@dataclass(frozen=True)
class DebPackage:
    """One binary package of the resolved closure."""

    name: str
    version: str
    arch: str

    @property
    def filename(self) -> str:
        """The name apt gives the downloaded file (an epoch's colon is URL-quoted)."""
        return f"{self.name}_{self.version.replace(':', '%3a')}_{self.arch}.deb"


@dataclass(frozen=True)
class PrivateApt:
    """apt configured for ``arch`` with all its state under ``root``."""

    arch: str
    root: Path

    @property
    def archives(self) -> Path:
        return self.root / "archives"

    def _options(self) -> list[str]:
        settings = {
            "APT::Architecture": self.arch,
            "APT::Architectures": self.arch,
            "Dir::State::Lists": self.root / "lists",
            "Dir::State::status": self.root / "status",
            "Dir::Cache": self.root / "cache",
            "Dir::Cache::archives": self.archives,
            "Debug::NoLocking": "1",
            "APT::Install-Recommends": "0",
            "APT::Get::Assume-Yes": "1",
        }
        if os.geteuid() == 0:
            # apt would drop to its _apt user, who may not be able to write into the build directory.
            settings["APT::Sandbox::User"] = "root"
        return [arg for key, value in settings.items() for arg in ("-o", f"{key}={value}")]

    def _prepare(self) -> None:
        for sub in ("lists/partial", "cache", "archives/partial"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        (self.root / "status").touch()

    def _run(self, *args: str, program: str = "apt-get", cwd: Path | None = None) -> str:
        result = subprocess.run(
            [program, *self._options(), *args],
            capture_output=True, text=True, check=False, cwd=cwd,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive", "LC_ALL": "C"},
        )
        if result.returncode != 0:
            message = result.stderr.strip() or result.stdout.strip()[-2000:]
            if "Unable to locate package" in message or "has no installation candidate" in message:
                raise InputError(f"Debian {self.arch} packages not found for the target sysroot:\n{message}")
            raise BuildError(f"{program} {args[0]} for {self.arch} failed:\n{message}")
        return result.stdout

    def _lists_fresh(self) -> bool:
        lists = list((self.root / "lists").glob("*_Packages*"))
        return bool(lists) and time.time() - max(p.stat().st_mtime for p in lists) < LISTS_MAX_AGE_S

    def update(self, force: bool = False) -> None:
        """Fetch the target architecture's package lists (when absent or stale, or ``force``)."""
        self._prepare()
        if not force and self._lists_fresh():
            return
        for attempt in range(UPDATE_ATTEMPTS):
            try:
                self._run("update")
                return
            except BuildError as exc:
                # A mirror caught mid-sync serves index files of the wrong size; it usually passes.
                if attempt < UPDATE_ATTEMPTS - 1:
                    time.sleep(3)
                elif self._has_lists():
                    # apt kept the lists it could fetch: resolve from those (maybe without the
                    # newest updates) rather than fail the whole build on one suite's index.
                    print(f"pyrecipe: warning: some {self.arch} package lists could not be refreshed; "
                          f"using the ones apt has:\n{exc}", file=sys.stderr)
                else:
                    raise

    def _has_lists(self) -> bool:
        return any((self.root / "lists").glob("*_Packages*"))

    def resolve(self, packages: Iterable[str]) -> list[DebPackage]:
        """The full dependency closure of ``packages`` for this architecture, as apt resolves it."""
        self.update()
        out = self._run("install", "--simulate", *packages)
        closure = [DebPackage(**m.groupdict()) for m in map(_INST_LINE.match, out.splitlines()) if m]
        return [p for p in closure if p.arch in (self.arch, "all")]

    def fetch(self, packages: Iterable[str]) -> list[Path]:
        """The .deb files of the closure of ``packages``, downloaded into the archive cache.

        Files already cached are not fetched again. A failed download (lists naming versions
        the archive has dropped) refreshes the lists once and resolves again.
        """
        packages = list(packages)
        try:
            return self._download(packages)
        except BuildError:
            self.update(force=True)
            return self._download(packages)

    def _download(self, packages: list[str]) -> list[Path]:
        paths = [self.archives / p.filename for p in self.resolve(packages)]
        if not all(path.is_file() for path in paths):
            self._run("install", "--download-only", *packages)
        missing = [path.name for path in paths if not path.is_file()]
        if missing:
            raise BuildError(f"apt did not download {', '.join(missing)} into {self.archives}")
        return paths


@dataclass(frozen=True)
class SuiteApt(PrivateApt):
    """A private apt that reads one Debian ``suite`` of the archive instead of the build machine's sources.

    With ``other_suites`` it reads those too, pinned to -1: a package comes from one of them only
    when asked as ``name/other``. (At apt's default priority a package that only the other suite
    has would win over the recipe suite's providers of the same virtual name and break them:
    sid's real ``librust-hashbrown-0.14-dev`` against trixie's ``librust-hashbrown-dev``.)
    """

    suite: str = "trixie"
    mirror: str = DEBIAN_MIRROR
    other_suites: tuple[str, ...] = ()

    @property
    def sources_list(self) -> Path:
        return self.root / "sources.list"

    @property
    def preferences(self) -> Path:
        return self.root / "preferences"

    def _options(self) -> list[str]:
        return [
            *super()._options(), "-o", f"Dir::Etc::sourcelist={self.sources_list}", "-o", "Dir::Etc::sourceparts=-",
            "-o", f"Dir::Etc::preferences={self.preferences}",
            "-o", f"Dir::Etc::preferencesparts={self.root / 'preferences.d'}",
        ]

    def _prepare(self) -> None:
        super()._prepare()
        (self.root / "preferences.d").mkdir(exist_ok=True)
        sources = "".join(
            f"deb [signed-by={DEBIAN_KEYRING}] {self.mirror} {suite} main\n"
            for suite in (self.suite, *self.other_suites)
        )
        if self.sources_list.is_file() and self.sources_list.read_text() != sources:
            # Lists of other sources (another mirror, or an older pyrecipe's host sources) would
            # look fresh and resolve from the wrong release: fetch this suite's afresh.
            shutil.rmtree(self.root / "lists", ignore_errors=True)
            super()._prepare()
        atomic_write_text(self.sources_list, sources)
        # A suite is named by its codename (sid) or its name (unstable): pin either.
        atomic_write_text(self.preferences, "\n".join(
            f"Package: *\nPin: release {field}={suite}\nPin-Priority: -1\n"
            for suite in self.other_suites for field in ("n", "a")
        ))
