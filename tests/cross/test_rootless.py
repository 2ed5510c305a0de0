"""No root needed (issue 25): the hostile suite passes as an unprivileged user, and a recipe builds
as one from an empty build directory, provisioning the trixie build root (mmdebstrap in a user
namespace) and the arm64 sysroot as that user, and passes its do_test under qemu-user.

Run as root (the README runs the tests through sudo, CI as root), each test runs its part as the
unprivileged user TEST_USER (``PYRECIPE_TEST_USER``, else the user who ran sudo, else
``pyrecipe-ci``, which ``.ci/run`` creates) through ``runuser``, with a venv that user makes from Debian's python3 and a copy of the checkout the user
owns: root only installs the build machine's packages first, the one step that needs root. Run as
a user already, they run the same as that user and say so in a warning (never a skip).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from cross_support import DISTRO, MACHINE, SITE
from pyrecipe.toolchain import load_machine
from pyrecipe.toolchain.buildroot import HOST_TOOLS, USER_HOST_TOOLS
from pyrecipe.toolchain.host_tools import ensure_host_packages

CHECKOUT = Path(__file__).resolve().parents[2]
#: PYRECIPE_TEST_USER, else the user who ran sudo (the README's test command), else .ci/run's user.
TEST_USER = os.environ.get("PYRECIPE_TEST_USER") or next((u for u in [os.environ.get("SUDO_USER", "")] if u not in ("", "root")), "pyrecipe-ci")
#: Debian's interpreter: a user cannot use root's (a pyenv under /root, mode 700).
SYSTEM_PYTHON = "/usr/bin/python3"
#: A small C extension (setuptools): the cross compiler in the build root, the sysroot's headers,
#: and a do_test that imports the extension with the board's CPython under qemu-user.
RECIPE = "markupsafe"
#: What passes from this environment to the user's: the network's proxies and pip's settings.
PASSED_ON = ("http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")


@dataclass(frozen=True)
class User:
    """Who the tests run as, with a Python that imports this checkout's pyrecipe, in ``home``."""

    name: str
    uid: int
    python: str
    checkout: Path
    home: Path  # scratch the user owns: HOME, caches, build directories

    def run(self, argv: Sequence[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 3600) -> subprocess.CompletedProcess[str]:
        """``argv`` as the user, HOME in the scratch directory: from root, through runuser with a
        fresh environment (root's own does not pass); run by the user, with the user's environment."""
        if os.geteuid() != 0:
            return subprocess.run(argv, cwd=cwd, env={**os.environ, "HOME": str(self.home), **(env or {})}, capture_output=True,
                                  text=True, timeout=timeout, check=False)
        base = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(self.home), "LANG": "C.UTF-8",
                **{k: os.environ[k] for k in os.environ if k in PASSED_ON or k.startswith("PIP_")}, **(env or {})}
        command = ["runuser", "-u", self.name, "--", "env", "-i", *(f"{k}={v}" for k, v in base.items()), *argv]
        return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def _checkout_files() -> list[str]:
    """The checkout's files as git sees them (tracked, and new ones not ignored)."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=CHECKOUT,
                            capture_output=True, text=True, check=True).stdout
    return [name for name in listed.split("\0") if name and (CHECKOUT / name).is_file()]


def _unprivileged_user() -> tuple[str, int]:
    """TEST_USER when running as root (which must exist, with subordinate ids), else the user running."""
    if os.geteuid() != 0:
        warnings.warn(f"already unprivileged (uid {os.getuid()}): the as-user tests run as this user", UserWarning, stacklevel=2)
        entry = pwd.getpwuid(os.getuid())
        return entry.pw_name, entry.pw_uid
    try:
        entry = pwd.getpwnam(TEST_USER)
    except KeyError:
        pytest.fail(f"run as root, these tests need the unprivileged user {TEST_USER} (PYRECIPE_TEST_USER): create it with\n"
                    f"  useradd --create-home {TEST_USER}\n(.ci/run does)")
    return entry.pw_name, entry.pw_uid


@pytest.fixture(scope="module")
def user() -> Iterator[User]:
    name, uid = _unprivileged_user()
    if os.geteuid() == 0:
        # The one step that needs root, done before the user's build: what the README's sudo line does.
        machine = load_machine(MACHINE, distro=DISTRO)
        ensure_host_packages([*machine.host_packages, *HOST_TOOLS, *USER_HOST_TOOLS, "python3-venv"])
    home = Path(tempfile.mkdtemp(prefix="pyrecipe-as-user-", dir="/var/tmp"))
    try:
        if os.geteuid() != 0:
            yield User(name, uid, sys.executable, CHECKOUT, home)
            return
        os.chown(home, uid, -1)
        checkout = home / "checkout"
        for file in _checkout_files():
            (checkout / file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(CHECKOUT / file, checkout / file)
        subprocess.run(["chown", "-R", str(uid), str(checkout)], check=True)
        as_user = User(name, uid, str(home / "venv" / "bin" / "python"), checkout, home)
        made = as_user.run([SYSTEM_PYTHON, "-m", "venv", str(home / "venv")], home)
        assert made.returncode == 0, made.stderr
        installed = as_user.run([as_user.python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "-e", f"{checkout}[test]"], home)
        assert installed.returncode == 0, installed.stderr[-3000:]
        yield as_user
    finally:
        if os.geteuid() == 0:
            subprocess.run(["runuser", "-u", name, "--", "rm", "-rf", str(home)], capture_output=True, check=False)
        shutil.rmtree(home, ignore_errors=True)


def test_hostile_suite_passes_as_an_unprivileged_user(user: User) -> None:
    """Every test of tests/hostile, run by the unprivileged user: the walls hold without root too
    (a wall that only root's powers made, or a test that assumed them, fails here)."""
    basetemp = user.home / "hostile-tmp"
    result = user.run([user.python, "-m", "pytest", "-m", "hostile", "-p", "no:cacheprovider", "-q", "--basetemp", str(basetemp),
                       "tests/hostile"], user.checkout, env={"PYRECIPE_CACHE_DIR": str(user.home / "hostile-cache")})
    summary = result.stdout[-6000:] + result.stderr[-2000:]
    assert result.returncode == 0, summary
    assert " passed" in result.stdout and " failed" not in result.stdout, summary


def _owners(tree: Path) -> set[int]:
    """The owners of everything under ``tree`` (links not followed)."""
    owners = {tree.lstat().st_uid}
    for folder, dirs, files in os.walk(tree):
        owners.update(os.lstat(os.path.join(folder, name)).st_uid for name in (*dirs, *files))
    return owners


def test_a_recipe_builds_as_an_unprivileged_user_from_an_empty_build_directory(user: User) -> None:
    """The default distro's whole flow without root: mmdebstrap makes the trixie build root in a
    user namespace, apt and dpkg-deb the arm64 sysroot, bwrap enters the root unprivileged, the
    extension cross-compiles and imports on the emulated board. Everything made belongs to the
    user (a root made as a directory in mmdebstrap's namespace would belong to subordinate ids,
    which the user cannot remove), and the user can remove it all."""
    build = user.home / "build"
    cache = user.home / "cache"
    result = user.run([user.python, "-m", "pyrecipe", "build", RECIPE, "--machine", MACHINE, "--distro", DISTRO, "--build-dir", str(build)],
                      user.home, env={"PYRECIPE_CACHE_DIR": str(cache)})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "making the Debian trixie build root" in result.stdout + result.stderr  # provisioned here, as the user
    image = build / DISTRO / MACHINE / "image" / SITE / "markupsafe"
    assert list(image.glob("_speedups.cpython-*-aarch64-linux-gnu.so")), sorted(p.name for p in image.iterdir())
    [test_log] = (build / DISTRO / MACHINE / "work").glob(f"{RECIPE}/*/temp/log.do_test")
    assert "markupsafe _speedups.cpython-" in test_log.read_text()
    assert _owners(build) | _owners(cache) == {user.uid}
    removed = user.run(["rm", "-rf", str(build), str(cache)], user.home)
    assert removed.returncode == 0 and not build.exists() and not cache.exists(), removed.stderr[-2000:]
