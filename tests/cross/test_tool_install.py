"""pyrecipe installed as any Python tool: a wheel of this checkout, installed (not editable) into a
fresh venv, builds a recipe of its shipped layer from an empty project directory.

What it proves: the layer (recipes, classes, toolchains) is in the wheel and found there, the PEP 517
frontend the tasks run is the installed package's code, and what pyrecipe writes lands in the
project's build directory, never in site-packages nor in the checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from cross_support import DISTRO, MACHINE, SITE

CHECKOUT = Path(__file__).resolve().parents[2]
#: A shipped recipe built by its PEP 517 backend (flit_core), so through the frontend subprocess.
RECIPE = "idna"


def _files(root: Path, names: list[str] | None = None) -> dict[str, tuple[int, int]]:
    """Each file under ``root`` (or each of ``names``) with its size and modification time."""
    paths = [root / n for n in names] if names is not None else [p for p in root.rglob("*") if p.is_file()]
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in paths if p.is_file()}


def _checkout_files() -> list[str]:
    """The checkout's files as git sees them (tracked, and new ones not ignored)."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=CHECKOUT,
                            capture_output=True, text=True, check=True).stdout
    return [name for name in listed.split("\0") if name]


def _run(argv: list[str], cwd: Path, timeout: int = 1800) -> subprocess.CompletedProcess[str]:
    # Nothing that would lead the installed pyrecipe to the checkout's code.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_wheel_installed_in_a_fresh_venv_builds_from_an_empty_project(tmp_path: Path) -> None:
    # The wheel, built from a copy of the checkout's files (pip builds in the source tree).
    source = tmp_path / "source"
    for name in _checkout_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(CHECKOUT / name, source / name)
    dist = tmp_path / "dist"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(source)], tmp_path)
    assert built.returncode == 0, built.stderr[-3000:]
    [wheel] = dist.glob("pyrecipe-*.whl")

    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", str(venv)], tmp_path).returncode == 0
    installed = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], tmp_path)
    assert installed.returncode == 0, installed.stderr[-3000:]
    site_packages = Path(_run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                              tmp_path).stdout.strip())
    assert (site_packages / "pyrecipe" / "layer" / "toolchains" / "bitbake.conf").is_file()
    assert site_packages != Path(sysconfig.get_path("purelib"))
    venv_before = _files(venv)
    checkout_names = _checkout_files()
    checkout_before = _files(CHECKOUT, checkout_names)

    project = tmp_path / "project"
    project.mkdir()
    pyrecipe = str(venv / "bin" / "pyrecipe")
    init = _run([pyrecipe, "init"], project)
    assert init.returncode == 0, init.stderr
    assert (project / "build" / "conf" / "local.conf").is_file() and (project / "build" / "conf" / "bblayers.conf").is_file()

    # No --build-dir: the project's build/, found from the project directory.
    build = _run([pyrecipe, "build", RECIPE, "--machine", MACHINE, "--distro", DISTRO], project)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    image = project / "build" / DISTRO / MACHINE / "image"
    assert (image / SITE / "idna" / "__init__.py").is_file()
    assert list((project / "build" / "downloads").iterdir())

    env = _run([pyrecipe, "env", RECIPE, "--machine", MACHINE, "--distro", DISTRO], project)
    assert env.returncode == 0, env.stderr
    variables = dict(line.split("=", 1) for line in env.stdout.splitlines() if "=" in line and not line.startswith(("#", " ")))
    assert variables["PYRECIPE_TOPDIR"] == f'"{site_packages / "pyrecipe" / "layer"}"'
    assert variables["TOPDIR"] == f'"{project / "build"}"'
    assert str(site_packages) in variables["PYRECIPE_FRONTEND"] and str(CHECKOUT) not in variables["PYRECIPE_FRONTEND"]

    # A build directory in site-packages is refused (exit 2), before anything is written there.
    refused = _run([pyrecipe, "deps", RECIPE, "--build-dir", str(site_packages / "build")], project)
    assert refused.returncode == 2 and "where pyrecipe itself is installed" in refused.stderr, refused.stderr

    # Everything written went to the project: the venv and the checkout are as they were.
    assert _files(venv) == venv_before
    assert _checkout_files() == checkout_names and _files(CHECKOUT, checkout_names) == checkout_before
    assert sorted(p.name for p in project.iterdir()) == ["build"]
