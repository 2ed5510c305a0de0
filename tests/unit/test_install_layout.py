"""Where pyrecipe's own layer and code are, in a checkout and in an installed wheel (the layer as
package data in pyrecipe/layer/), and what the build root and its venv are given of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyrecipe.config import paths
from pyrecipe.engine.confine import sandboxed_command
from pyrecipe.errors import BuildError
from pyrecipe.parse import core_datastore
from pyrecipe.toolchain import native

CHECKOUT = Path(__file__).resolve().parents[2]


def test_a_checkout_is_its_own_layer_and_code() -> None:
    # The tests run from a checkout (an editable install): no pyrecipe/layer/, the layer at the top.
    assert not paths.SHIPPED_LAYER_DIR.exists()
    assert paths.TOPDIR == paths.CODEDIR == CHECKOUT
    assert (paths.TOOLCHAINS_DIR / "bitbake.conf").is_file()
    paths.check_layer()


def test_a_missing_layer_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(paths, "TOOLCHAINS_DIR", tmp_path / "toolchains")
    with pytest.raises(BuildError, match="pyrecipe's own layer is missing"):
        paths.check_layer()


def test_the_build_root_sees_the_package_of_an_installed_pyrecipe(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    (site / "pyrecipe" / "layer").mkdir(parents=True)
    (tmp_path / "root" / "usr").mkdir(parents=True)
    d = core_datastore()
    for name, value in {"TOPDIR": tmp_path / "b", "DL_DIR": tmp_path / "b" / "downloads", "CCACHE_DIR": tmp_path / "cc",
                        "WORKDIR": tmp_path / "b" / "work" / "x" / "1.0", "BUILD_ROOT_PROVIDER": "mmdebstrap",
                        "BUILD_ROOT_DIR": tmp_path / "root",
                        "PYRECIPE_TOPDIR": site / "pyrecipe" / "layer", "PYRECIPE_CODEDIR": site}.items():
        d.setVar(name, str(value))
    text = " ".join(sandboxed_command(d, ["true"], tmp_path / "b", network=False))
    # The package alone, not the site-packages it is in (other packages, another CPython's).
    assert f"--ro-bind {site}/pyrecipe {site}/pyrecipe" in text
    assert f"--ro-bind {site} {site}" not in text
    assert f"--bind {tmp_path}/b/work/x/1.0 {tmp_path}/b/work/x/1.0" in text  # the recipe's own directory only
    assert f"--bind {tmp_path}/b {tmp_path}/b" not in text


def test_a_roots_venv_follows_the_pyrecipe_that_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    site = tmp_path / "venv" / "lib" / "python3.13" / "site-packages"
    site.mkdir(parents=True)
    (site / native.CODE_PTH_NAME).write_text("/another/checkout\n")
    native._put_pyrecipe_on_path(tmp_path / "venv", "3.13")
    assert (site / native.CODE_PTH_NAME).read_text() == f"{paths.CODEDIR}\n"
