"""scipy 1.17.1 (C, C++, Cython and Fortran, OpenBLAS) and scikit-learn 1.9.1 (Cython, OpenMP)
cross-built for a Raspberry Pi 4 on top of the target numpy.

The two builds (and numpy under them) take about twenty minutes on two cores, so these tests
are marked ``slow`` and left out of the default run: ``python3 -m pytest -m slow`` runs them
(20 minutes measured from a cold build directory). The recipes' do_test has run
LAPACK, FITPACK, SuperLU and the special functions (scipy) and a random forest, k-means, a
logistic regression and k-nearest neighbours (scikit-learn) under qemu-user; these tests read
those lines, check what the Fortran and OpenMP modules link, and run both once more through
``pyrecipe run``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cross_support import (
    SITE,
    SUFFIX,
    assert_aarch64_module,
    build_for_raspberrypi4,
    do_test_lines,
    needed_libraries,
    run_on_board,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(cross_build_dir: Path) -> Path:
    return build_for_raspberrypi4(cross_build_dir, "scipy", "scikit-learn")


def test_do_test_ran_scipy_under_qemu(built: Path) -> None:
    expected = (
        f"scipy 1.17.1 solve [1. 1.] splev 0.841471 gamma 24.0 rosen [1. 1. 1.] 3 extensions {SUFFIX}"
    )
    assert expected in do_test_lines(built, "scipy", "1.17.1")


def test_do_test_ran_scikit_learn_under_qemu(built: Path) -> None:
    [line] = [line for line in do_test_lines(built, "scikit-learn", "1.9.1") if line.startswith("scikit-learn ")]
    assert line.startswith("scikit-learn 1.9.1 {'RandomForestClassifier': 1.0, 'LogisticRegression': 1.0,"), line
    assert line.endswith(f"3 extensions {SUFFIX}"), line


def test_fortran_and_lapack_modules_link_the_boards_libraries(built: Path) -> None:
    scipy = built / "image" / SITE / "scipy"
    modules = sorted(scipy.rglob("*.so"))
    assert len(modules) >= 100, len(modules)
    for module in modules:
        assert module.name.endswith(SUFFIX), module
        assert_aarch64_module(module)
    # LAPACK's f2py wrappers call the board's OpenBLAS; FITPACK is Fortran compiled here.
    assert "libopenblas.so.0" in needed_libraries(scipy / "linalg" / f"_flapack{SUFFIX}")
    assert "libgfortran.so.5" in needed_libraries(scipy / "interpolate" / f"_dfitpack{SUFFIX}")


def test_scikit_learn_uses_openmp(built: Path) -> None:
    sklearn = built / "image" / SITE / "sklearn"
    lloyd = sklearn / "cluster" / f"_k_means_lloyd{SUFFIX}"
    assert_aarch64_module(lloyd)
    assert "libgomp.so.1" in needed_libraries(lloyd)
    for package in ("joblib", "threadpoolctl.py", "narwhals", "cloudpickle"):
        assert (built / "image" / SITE / package).exists(), package


def test_scipy_and_scikit_learn_compute_on_the_emulated_board(built: Path, cross_build_dir: Path) -> None:
    code = (
        "import numpy as np, scipy.linalg as la, threadpoolctl; "
        "from sklearn.decomposition import PCA; "
        "a = np.array([[4.0, 1.0], [1.0, 3.0]]); print(np.round(la.eigvalsh(a), 6).tolist()); "
        "x = np.random.default_rng(0).normal(size=(200, 3)) @ np.diag([5.0, 1.0, 0.1]); "
        "print(np.round(PCA(n_components=2).fit(x).explained_variance_ratio_.sum(), 3)); "
        "print(sorted({p['user_api'] for p in threadpoolctl.threadpool_info()}))"
    )
    assert run_on_board(cross_build_dir, code).splitlines() == [
        "[2.381966, 4.618034]",
        "1.0",
        "['blas', 'openmp']",
    ]
