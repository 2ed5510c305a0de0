"""The distro's pandas (3.1 on trixie, 2.3 on bookworm) cross-built for a Raspberry Pi 4 against the target's numpy.

pandas' meson build takes numpy's headers from the numpy recipe staged into the shared target
sysroot (numpy.pc through the machine's pkg-config) and Cython's `cimport numpy` from the numpy
package there; it reuses the numpy that test_numpy_build.py builds in the session's build
directory. The recipe's do_test has run a group-by, a rolling window and a tz-aware index under
qemu-user; this test reads that line, checks the extension modules and runs pandas once more
through `pyrecipe run`.

Marked ``slow`` (about nine minutes on two cores, the longest build of the default run): CI's
run keeps the meson-python, Cython and target-numpy path through numpy's own build and the
hostile suite's runs as a user; ``python3 -m pytest -m slow`` builds it with scipy and
scikit-learn.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cross_support import SITE, SUFFIX, assert_aarch64_module, machine_dir, pyrecipe

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(cross_build_dir: Path) -> Path:
    result = pyrecipe("build", "pandas", "--machine", "raspberrypi4", build_dir=cross_build_dir)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return machine_dir(cross_build_dir)


def built_version(built: Path, recipe: str) -> str:
    """The distro's release of ``recipe`` (its PREFERRED_VERSION): the one version directory it was built in."""
    (version,) = [path.name for path in (built / "work" / recipe).iterdir()]
    return version


def test_do_test_ran_pandas_under_qemu(built: Path) -> None:
    pandas_version, numpy_version = built_version(built, "pandas"), built_version(built, "numpy")
    lines = (built / "work" / "pandas" / pandas_version / "temp" / "log.do_test").read_text().splitlines()
    expected = (
        f"pandas {pandas_version} numpy {numpy_version} groupby [9.0, 6.0] rolling 4.5 utc hours [23, 23, 22] 4 extensions "
        + SUFFIX
    )
    assert expected in lines, lines


def test_extension_modules_are_aarch64(built: Path) -> None:
    modules = sorted((built / "image" / SITE / "pandas" / "_libs").rglob("*.so"))
    names = {module.name for module in modules}
    json = "json" if built_version(built, "pandas").startswith("2.") else "_ujson"  # renamed in pandas 3
    for name in ("lib", "groupby", "hashtable", "algos", "pandas_datetime", json):
        assert name + SUFFIX in names, sorted(names)
    assert len(modules) >= 40, sorted(names)
    for module in modules:
        assert module.name.endswith(SUFFIX), module
        assert_aarch64_module(module)


def test_image_has_the_runtime_dependencies(built: Path) -> None:
    site = built / "image" / SITE
    # pandas 3 needs pytz no more (zoneinfo instead)
    for package in ("numpy", "dateutil", "tzdata", *(["pytz"] if built_version(built, "pandas").startswith("2.") else [])):
        assert (site / package / "__init__.py").is_file(), package
    assert (site / "six.py").is_file()


def test_pandas_computes_on_the_emulated_board(built: Path, cross_build_dir: Path) -> None:
    code = (
        "import platform, pandas as pd, pandas._libs.hashtable as h; "
        "df = pd.DataFrame({'city': ['Oslo', 'Lima', 'Oslo', 'Lima', 'Oslo'], 't': [-3.5, 19.0, -1.5, 21.0, 0.5]}); "
        "s = df.groupby('city')['t'].agg(['min', 'max', 'mean']); "
        "w = pd.Series(range(10), index=pd.date_range('2026-10-24 22:00', periods=10, freq='h', tz='Europe/Oslo')); "
        "print(platform.machine(), h.__file__.rsplit('/', 1)[1]); "
        "print(s.loc['Oslo'].tolist(), s.loc['Lima'].tolist()); "
        "print(w.rolling('3h').sum().iloc[-1], w.index[-1].isoformat())"
    )
    result = pyrecipe("run", "--machine", "raspberrypi4", "--", "python3", "-c", code, build_dir=cross_build_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"aarch64 hashtable{SUFFIX}",
        "[-3.5, 0.5, -1.5] [19.0, 21.0, 20.0]",
        "24.0 2026-10-25T06:00:00+01:00",
    ]
