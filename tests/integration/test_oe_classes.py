"""The OpenEmbedded-core classes that OE layers inherit (meta-python's list), parsed and run.

Parsing is checked through the layer index with pyrecipe's configuration (machine testboard);
the classes that change what do_install leaves (update-alternatives, systemd, ptest, dos2unix,
packagegroup) run through the task runner on the build machine (machine runnerboard).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from parse_support import META_TEST, write_files
from pyrecipe.config.configuration import Settings, load_configuration
from pyrecipe.config.layers import LayerIndex
from pyrecipe.engine.task_runner import task_order
from pyrecipe.errors import InputError
from pyrecipe.tasks.cargo import crate_dir
from pyrecipe.tasks.pyo3 import config_text
from runner_support import build, workdir

TESTBOARD = (META_TEST / "conf" / "machine" / "testboard.conf").read_text()
FIXTURES = Path(__file__).parents[1] / "fixtures"
RUNNER_LAYER = FIXTURES / "runner_layer"
LAYER_CONF = 'BBPATH .= ":${LAYERDIR}"\nBBFILES += "${LAYERDIR}/recipes-*/*/*.bb"\n'


def index_of(tmp_path: Path, recipes: dict[str, str], conf: str = "") -> LayerIndex:
    layer = tmp_path / "meta-oe-classes"
    write_files(layer, {"conf/layer.conf": LAYER_CONF, "conf/machine/testboard.conf": TESTBOARD, **recipes})
    extra = []
    if conf:
        write_files(tmp_path, {"extra.conf": conf})
        extra.append(tmp_path / "extra.conf")
    config = load_configuration(Settings(build_dir=tmp_path / "build", machine="testboard", layers=(layer,),
                                         extra_confs=tuple(extra)))
    return LayerIndex(config, None)


def recipe(name: str, text: str) -> dict[str, str]:
    return {f"recipes-python/{name.split('_')[0]}/{name}.bb": 'LICENSE = "MIT"\n' + text}


def test_every_class_meta_python_inherits_parses(tmp_path: Path) -> None:
    classes = ("ptest-python-pytest ptest features_check python3native cargo-update-recipe-crates python_uv_build "
               "setuptools3_legacy update-alternatives systemd siteinfo python3targetconfig dos2unix")
    index = index_of(tmp_path, recipe("python3-all_1.0", f"inherit pypi {classes}\nBBCLASSEXTEND = \"native\"\n"))
    info = index.find("python3-all")
    assert info.skipped is None and not index.unparsed
    d = index.datastore(info)
    assert set(d.getVar("DEPENDS").split()) >= {"python3-uv-build-native", "python3-setuptools-native", "python3"}
    assert d.getVar("PTEST_PATH") == "/usr/lib/python3-all/ptest" and d.getVar("PTEST_PYTEST_DIR") == "tests"
    assert d.getVar("PACKAGES").split()[0] == "python3-all-ptest"
    assert d.getVar("RDEPENDS:python3-all-ptest").split()[:2] == ["python3-pytest", "python3-unittest-automake-output"]
    assert (d.getVar("SITEINFO_BITS"), d.getVar("SITEINFO_ENDIANNESS")) == ("64", "le")
    native = index.datastore(index.find("python3-all-native"))
    assert "python3" not in native.getVar("DEPENDS").split()  # python3targetconfig: the target's CPython only
    assert "systemd_install_units" in d.getVar("do_install") and "update_alternatives_install_links" in d.getVar("do_install")
    assert "systemd_install_units" not in native.getVar("do_install")  # packaging steps in OE: target only
    assert "update_alternatives_install_links" not in native.getVar("do_install")


def test_ptest_tasks_run_only_with_the_ptest_distro_feature(tmp_path: Path) -> None:
    recipes = recipe("python3-t_1.0", "inherit ptest-python-pytest\n")
    off = index_of(tmp_path / "off", recipes)
    d = off.datastore(off.find("python3-t"))
    assert d.getVar("PTEST_ENABLED") == "0" and d.getVarFlag("do_install_ptest_base", "noexec") == "1"
    on = index_of(tmp_path / "on", recipes, conf='DISTRO_FEATURES:append = " ptest"\n')
    d = on.datastore(on.find("python3-t"))
    assert d.getVar("PTEST_ENABLED") == "1" and not d.getVarFlag("do_install_ptest_base", "noexec")
    order = task_order(d, "do_build")
    assert order.index("do_install") < order.index("do_install_ptest_base") < order.index("do_qa")
    assert order.index("do_compile") < order.index("do_compile_ptest_base") < order.index("do_install")


@pytest.mark.parametrize(("settings", "skipped"), [
    ('REQUIRED_DISTRO_FEATURES = "systemd pam"', None),
    ('REQUIRED_DISTRO_FEATURES = "systemd no-such-feature"',
     "missing required distro feature 'no-such-feature' (not in DISTRO_FEATURES)"),
    ('ANY_OF_DISTRO_FEATURES = "x11 wayland"', None),
    ('ANY_OF_DISTRO_FEATURES = "nope1 nope2"', "one of 'nope1 nope2' needs to be in DISTRO_FEATURES"),
    ('CONFLICT_DISTRO_FEATURES = "systemd"', "conflicting distro feature 'systemd' (in DISTRO_FEATURES)"),
    ('REQUIRED_MACHINE_FEATURES = "gpu"', "missing required machine feature 'gpu' (not in MACHINE_FEATURES)"),
])
def test_features_check_skips_with_the_reason(tmp_path: Path, settings: str, skipped: str | None) -> None:
    index = index_of(tmp_path, recipe("python3-f_1.0", f"inherit features_check\n{settings}\n"))
    if skipped is None:
        assert index.find("python3-f").skipped is None
        return
    with pytest.raises(InputError) as raised:
        index.find("python3-f")
    assert f"which was skipped: {skipped}" in str(raised.value)


@pytest.mark.parametrize(("cls", "reason"), [
    ("autotools", "pyrecipe does not build autotools (./configure) projects yet"),
    ("meson", "pyrecipe builds meson projects only as Python packages"),
])
def test_classes_pyrecipe_cannot_build_skip_with_the_reason(tmp_path: Path, cls: str, reason: str) -> None:
    index = index_of(tmp_path, recipe("thing_1.0", f'inherit {cls}\nEXTRA_OECONF += "--x"\nEXTRA_OEMESON += "-Dx=1"\n'))
    with pytest.raises(InputError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        index.find("thing")



@pytest.mark.parametrize(("cls", "after_dist_dir"), [
    # OE's setuptools3: `setup.py bdist_wheel --dist-dir DIR ${SETUPTOOLS_BUILD_ARGS}`
    ("setuptools3", ["--demo-include-dir=/sysroot/usr/include", "--plat-name=linux_demo"]),
    # OE's setuptools3_legacy: `setup.py build ${SETUPTOOLS_BUILD_ARGS}`; here build's options
    ("setuptools3_legacy", ["build", "--demo-include-dir=/sysroot/usr/include", "--build-base=BUILD"]),
])
def test_setuptools_build_args_reach_setup_py_in_the_setup_path(tmp_path: Path, cls: str, after_dist_dir: list[str]) -> None:
    """SETUPTOOLS_BUILD_ARGS on setup.py's command line, run in SETUPTOOLS_SETUP_PATH (a project
    with only a setup.py, below ${S}), built as the class's do_compile builds: its PEP517_BUILD_OPTS
    and PEP517_SOURCE_PATH given to pyrecipe's frontend, through a shell as the task runs it."""
    source = Path(shutil.copytree(FIXTURES / "setuptools3_args", tmp_path / "src"))
    build_base = tmp_path / "setup-build"
    args = {"setuptools3": " --plat-name=linux_demo", "setuptools3_legacy": f" --build-base={build_base}"}[cls]
    index = index_of(tmp_path, recipe("python3-argv_1.0", (
        f'S = "{source}"\ninherit {cls}\nSETUPTOOLS_SETUP_PATH = "${{S}}/sub"\n'
        # python3-rapidjson's spelling: a setup.py option naming a sysroot directory
        'SETUPTOOLS_BUILD_ARGS += " --demo-include-dir=/sysroot${includedir}"\n'
        f'SETUPTOOLS_BUILD_ARGS += "{args}"\n'
    )))
    d = index.datastore(index.find("python3-argv"))
    assert d.getVar("PEP517_SOURCE_PATH") == f"{source}/sub"
    command = (f"{sys.executable} -m pyrecipe.pep517.frontend build-wheel --python {sys.executable} "
               f"--wheel-dir {tmp_path / 'dist'} {d.getVar('PEP517_BUILD_OPTS')} {d.getVar('PEP517_SOURCE_PATH')}")
    subprocess.run(["bash", "-c", command], check=True, capture_output=True, text=True, cwd=Path(__file__).parents[2])
    (wheel,) = (tmp_path / "dist").iterdir()
    argv = json.loads(zipfile.ZipFile(wheel).read("argv_demo/argv.json"))
    assert argv[:2] == ["bdist_wheel", "--dist-dir"]
    assert argv[3:] == [arg.replace("BUILD", str(build_base)) for arg in after_dist_dir]
    if cls == "setuptools3":
        assert wheel.name == "argv_demo-1.0-py3-none-linux_demo.whl"  # an option bdist_wheel took
    else:
        assert (build_base / "lib" / "argv_demo" / "__init__.py").is_file()  # an option the build took



PYO3_VARS = ("PYO3_CROSS", "PYO3_CROSS_LIB_DIR", "PYO3_CROSS_PYTHON_VERSION", "PYO3_CONFIG_FILE")


@pytest.mark.parametrize("cls", ["python_maturin", "python_setuptools3_rust"])
def test_rust_classes_inherit_python_pyo3(tmp_path: Path, cls: str) -> None:
    """OE's python_pyo3 under both Rust Python classes: PyO3's cross variables exported for the
    target (unexported for native), its config file written by do_configure with the crates vendored;
    CARGO_SRC_DIR empty (${S}) unless the recipe names a directory below it, as meta-python's cbor2."""
    index = index_of(tmp_path, {
        **recipe("python3-cbor2_5.6.5", f'inherit {cls}\nCARGO_SRC_DIR = "rust"\nBBCLASSEXTEND = "native"\n'),
        **recipe("python3-plain_1.0", f"inherit {cls}\n"),
    })
    d = index.datastore(index.find("python3-cbor2"))
    assert [d.getVarFlag(name, "export") for name in PYO3_VARS] == ["1"] * 4
    assert not any(d.getVarFlag(name, "unexport") for name in PYO3_VARS)
    assert (d.getVar("PYO3_CROSS"), d.getVar("PYO3_CROSS_PYTHON_VERSION")) == ("1", d.getVar("PYTHON_BASEVERSION"))
    assert d.getVar("PYO3_CROSS_LIB_DIR") == d.getVar("PYRECIPE_SYSCONFIGDATA_DIR")
    assert d.getVar("PYO3_CONFIG_FILE") == d.getVar("WORKDIR") + "/pyo3.config"
    configure = d.getVar(f"{cls}_do_configure")
    assert configure.index("python_pyo3_do_configure") < configure.index("cargo_common_do_configure")
    assert crate_dir(d) == Path(d.getVar("S")) / "rust"
    plain = index.datastore(index.find("python3-plain"))
    assert plain.getVar("CARGO_SRC_DIR") == "" and crate_dir(plain) == Path(plain.getVar("S"))
    native = index.datastore(index.find("python3-cbor2-native"))
    assert all(native.getVarFlag(name, "unexport") for name in PYO3_VARS)


def test_pyo3_config_describes_the_target_interpreter() -> None:
    config_vars: dict[str, object] = {
        "VERSION": "3.13", "LDVERSION": "3.13", "Py_ENABLE_SHARED": 1, "LIBDIR": "/sysroot/usr/lib/aarch64-linux-gnu",
        "SIZEOF_VOID_P": 8, "Py_DEBUG": 0, "Py_GIL_DISABLED": 0,
    }
    assert config_text(config_vars).splitlines() == [
        "implementation=CPython", "version=3.13", "shared=true", "abi3=false", "lib_name=python3.13",
        "lib_dir=/sysroot/usr/lib/aarch64-linux-gnu", "pointer_width=64", "build_flags=",
        "suppress_build_script_link_lines=false",
    ]
    debug_armhf = {**config_vars, "LDVERSION": "3.13d", "SIZEOF_VOID_P": 4, "Py_DEBUG": 1, "Py_ENABLE_SHARED": 0}
    assert {"shared=false", "lib_name=python3.13d", "pointer_width=32", "build_flags=Py_DEBUG"} <= set(
        config_text(debug_armhf).splitlines())



def test_python_mesonpy_inherits_meson_and_passes_its_options(tmp_path: Path) -> None:
    """OE's python_mesonpy: meson's MESONOPTS, MESON_CROSS_FILE and EXTRA_OEMESON, in that order,
    each word a meson setup argument (meta-python's matplotlib and pandas spellings)."""
    index = index_of(tmp_path, recipe("python3-mpl_1.0", (
        'inherit python_mesonpy\nEXTRA_OEMESON += "-Dsystem-freetype=true -Dsystem-qhull=true"\n'
        'EXTRA_OEMESON:append:class-target = " -Dmacosx=false"\nMESONOPTS += "--wrap-mode=nodownload"\n'
    )))
    d = index.datastore(index.find("python3-mpl"))
    assert d.getVar("MESONOPTS").split()[-1] == "--wrap-mode=nodownload"
    assert {"python3-meson-native", "python3-ninja-native", "python3-meson-python-native"} <= set(d.getVar("DEPENDS").split())
    words = [*d.getVar("MESONOPTS").split(), *d.getVar("MESON_CROSS_FILE").split(),
             "-Dsystem-freetype=true", "-Dsystem-qhull=true", "-Dmacosx=false"]
    assert words[0].startswith("-Doptimization=") and words[4].startswith("--cross-file=")
    setup_args = [word for word in d.getVar("PEP517_BUILD_OPTS").split() if word.startswith("-Csetup-args=")]
    assert setup_args == ["-Csetup-args=" + word for word in words]


RUNNER_RECIPES = {
    "recipes-oe/alt/files/alt.service": "[Unit]\nDescription=alt\n[Install]\nWantedBy=multi-user.target\n",
    "recipes-oe/alt/files/run-ptest": "#!/bin/sh\necho custom\n",
    "recipes-oe/alt/alt_1.0.bb": (
        'LICENSE = "MIT"\nSRC_URI = "file://alt.service file://run-ptest"\nS = "${UNPACKDIR}"\n'
        "inherit update-alternatives systemd ptest\n"
        'ALTERNATIVE:${PN} = "alt-tool same"\n'
        'ALTERNATIVE_TARGET[alt-tool] = "${bindir}/alt-tool.alt"\n'
        'SYSTEMD_SERVICE:${PN} = "alt.service"\n'
        "do_install() {\n"
        "\tinstall -d ${D}${bindir} ${D}${systemd_system_unitdir}\n"
        "\techo tool > ${D}${bindir}/alt-tool.alt\n\techo same > ${D}${bindir}/same\n"
        "\tinstall -m 0644 ${S}/alt.service ${D}${systemd_system_unitdir}/\n"
        "}\n"
        "do_install_ptest() {\n\techo suite > ${D}${PTEST_PATH}/suite.txt\n}\n"
    ),
    "recipes-oe/crlf/files/dos.txt": "one\r\ntwo\r\n",
    "recipes-oe/crlf/crlf_1.0.bb": (
        'LICENSE = "MIT"\nSRC_URI = "file://dos.txt"\nS = "${UNPACKDIR}"\ninherit dos2unix\n'
        "do_install() {\n\tinstall -d ${D}${datadir}\n\tcp ${S}/dos.txt ${D}${datadir}/\n}\n"
    ),
    "recipes-oe/group/packagegroup-demo.bb": 'SUMMARY = "demo"\ninherit packagegroup\nRDEPENDS:${PN} = "alt crlf"\n',
}


@pytest.fixture
def oe_layer(tmp_path: Path) -> Path:
    layer = tmp_path / "layer"
    shutil.copytree(RUNNER_LAYER / "conf", layer / "conf")
    write_files(layer, RUNNER_RECIPES)
    return layer


def test_classes_shape_what_do_install_leaves(oe_layer: Path, tmp_path: Path) -> None:
    (oe_layer / "conf" / "layer.conf").write_text((oe_layer / "conf" / "layer.conf").read_text()
                                                  + 'DISTRO_FEATURES:append = " ptest"\n')
    build_dir = tmp_path / "build"
    result, output = build(oe_layer, build_dir, "packagegroup-demo")
    assert result.ok, output
    image = workdir(build_dir, "alt", "1.0") / "image"
    link = image / "usr" / "bin" / "alt-tool"
    assert link.is_symlink() and str(link.readlink()) == "/usr/bin/alt-tool.alt"  # update-alternatives
    assert not (image / "usr" / "bin" / "same").is_symlink()  # its target is its link name: as installed
    wants = image / "etc" / "systemd" / "system" / "multi-user.target.wants" / "alt.service"
    assert str(wants.readlink()) == "/usr/lib/systemd/system/alt.service"  # systemd: enabled
    ptest = image / "usr" / "lib" / "alt" / "ptest"
    assert (ptest / "suite.txt").read_text() == "suite\n" and (ptest / "run-ptest").read_text().endswith("custom\n")
    crlf = workdir(build_dir, "crlf", "1.0") / "image" / "usr" / "share" / "dos.txt"
    assert crlf.read_bytes() == b"one\ntwo\n"  # dos2unix
    group = workdir(build_dir, "packagegroup-demo", "1.0")
    assert not (group / "src").exists()  # nothing fetched or unpacked
    assert list((group / "image").rglob("*")) == []


def test_systemd_unit_that_was_not_installed_fails_the_task(oe_layer: Path, tmp_path: Path) -> None:
    path = oe_layer / "recipes-oe" / "alt" / "alt_1.0.bb"
    path.write_text(path.read_text().replace('SYSTEMD_SERVICE:${PN} = "alt.service"', 'SYSTEMD_SERVICE:${PN} = "gone.service"'))
    result, output = build(oe_layer, tmp_path / "build", "alt")
    assert not result.ok
    log = (workdir(tmp_path / "build", "alt", "1.0") / "temp" / "log.do_install").read_text()
    assert "SYSTEMD_SERVICE names gone.service, which do_install did not install" in log
