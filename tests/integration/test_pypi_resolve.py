"""Every name resolves: `pyrecipe deps` on OE-style recipes whose dependencies no layer provides.

A target python3-X comes from a PyPI of our own (tests/pypi_support.py, served on 127.0.0.1): a
none-any wheel through a pypi_wheel recipe, an sdist with C code through a recipe `pyrecipe
create` writes; a python3-X-native that is not pinned is recorded for the native venv; a C
library maps to a Debian package through the conf table; a split package resolves to its recipe;
the pinned tools win over a layer's -native recipe.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from http_support import serve_directory
from parse_support import pyrecipe_cli, write_files
from pypi_support import Published, publish, sdist, wheel
from pyrecipe.config.configuration import DEFAULT_DISTRO

RUNNER_LAYER = Path(__file__).parents[1] / "fixtures" / "runner_layer"

LAYER = {
    "recipes-devtools/python/python3-app_1.0.bb": (
        'LICENSE = "MIT"\n'
        'DEPENDS = "python3-vcstool-native glib-2.0 libpam"\n'
        'RDEPENDS:${PN} = "python3-purelib python3-json python3-tzutil-zoneinfo"\n'
    ),
    # As meta-python's python3-dateutil splits off its zoneinfo files.
    "recipes-devtools/python/python3-tzutil_2.0.bb": (
        'LICENSE = "MIT"\n'
        'PACKAGES =+ "${PN}-zoneinfo"\n'
        'FILES:${PN}-zoneinfo = "${PYTHON_SITEPACKAGES_DIR}/tzutil/zoneinfo"\n'
        'RDEPENDS:${PN}-zoneinfo = "python3-datetime"\n'
    ),
}

CEXT_PYPROJECT = (
    '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
    '[project]\nname = "cext"\nversion = "0.4"\n'
)


@pytest.fixture
def index(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    root = tmp_path / "pypi"
    root.mkdir()
    with serve_directory(root) as url:
        publish(root, url, "purelib", [
            wheel("purelib", "1.0"),
            wheel("purelib", "1.5", requires=["cext>=0.3", "colorama; sys_platform == 'win32'", "extra-only; extra == 'fast'"]),
            # newer, but not for the distro's CPython 3.11
            wheel("purelib", "2.0", requires_python=">=3.14"),
        ])
        publish(root, url, "cext", [
            sdist("cext", "0.4", {"pyproject.toml": CEXT_PYPROJECT, "cext/__init__.py": "", "cext/_speed.c": "#include <Python.h>\n#include <zlib.h>\n#include <emmintrin.h>\n"}),
            Published("cext-0.4-cp311-cp311-manylinux_2_17_x86_64.whl", b"not used"),
        ])
        publish(root, url, "vcstool", [wheel("vcstool", "3.1", requires=["vcshelper>=1", "setuptools"])])
        publish(root, url, "vcshelper", [wheel("vcshelper", "1.2"), sdist("vcshelper", "1.2", {})])
        publish(root, url, "python-gadget", [wheel("python-gadget", "0.9")])
        yield root, f"{url}/simple"


@pytest.fixture
def layer(tmp_path: Path, index: tuple[Path, str]) -> Path:
    copy = tmp_path / "layer"
    shutil.copytree(RUNNER_LAYER / "conf", copy / "conf")
    with (copy / "conf" / "layer.conf").open("a") as conf:
        conf.write(f'PYPI_INDEX_URL = "{index[1]}"\n')
    write_files(copy, LAYER)
    return copy


def deps(layer: Path, build_dir: Path, *args: str) -> tuple[int, list[str], str]:
    result = pyrecipe_cli("deps", "--machine", "runnerboard", "--layer", layer, "--build-dir", build_dir, *args)
    return result.returncode, result.stdout.splitlines(), result.stderr


def generated(build_dir: Path) -> Path:
    return build_dir / DEFAULT_DISTRO / "generated"


def test_every_kind_of_name_resolves(layer: Path, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    code, lines, err = deps(layer, build_dir, "python3-app")
    assert code == 0, err
    recipes = generated(build_dir) / "recipes"
    assert lines[:8] == [
        "python3-app 1.0",
        "├── build: python3-vcstool-native -> pypi native tool vcstool==3.1 vcshelper==1.2",
        "├── build: glib-2.0 -> debian libglib2.0-dev",
        "├── build: libpam -> debian libpam0g-dev",
        f"├── runtime: purelib 1.5 (pypi wheel: {recipes}/purelib/purelib_1.5.bb)",
        "│   ├── runtime: python3-core -> python stdlib python3-core",
        f"│   └── runtime: cext 0.4 (generated recipe: {recipes}/cext/cext_0.4.bb)",
        "│       ├── build: python3-setuptools-native -> native tool setuptools",
    ]
    assert "├── runtime: python3-json -> python stdlib python3-json" in lines
    # the split package's own RDEPENDS come with it
    assert lines[-5:-3] == ["└── runtime: python3-tzutil 2.0 (its package python3-tzutil-zoneinfo)",
                            "    └── runtime: python3-datetime -> python stdlib python3-datetime"]
    assert "native tools from PyPI (recorded): vcstool==3.1 vcshelper==1.2" in lines

    wheel_recipe = (recipes / "purelib" / "purelib_1.5.bb").read_text()
    assert "inherit pypi_wheel" in wheel_recipe
    assert 'RDEPENDS:${PN} = "python3-core python3-cext"' in wheel_recipe  # markers: no colorama, no extras
    sha = hashlib.sha256((build_dir / "downloads" / "purelib-1.5-py3-none-any.whl").read_bytes()).hexdigest()
    assert f'SRC_URI[sha256sum] = "{sha}"' in wheel_recipe
    assert "LIC_FILES_CHKSUM = \"file://purelib-1.5.dist-info/LICENSE;md5=" in wheel_recipe
    sdist_recipe = (recipes / "cext" / "cext_0.4.bb").read_text()
    assert "inherit pypi python_setuptools_build_meta" in sdist_recipe
    assert 'SYSROOT_PACKAGES += "zlib1g-dev"' in sdist_recipe  # from the #include <zlib.h> it scanned
    assert "emmintrin" not in sdist_recipe  # the compiler's own header: nothing to install

    record = json.loads((generated(build_dir) / "native-tools.json").read_text())
    assert sorted(record) == ["vcshelper", "vcstool"]  # setuptools is pinned: not recorded
    assert record["vcstool"]["requires"] == ["vcshelper"]
    assert record["vcshelper"]["filename"] == "vcshelper-1.2-py3-none-any.whl"  # the wheel before the sdist


def test_the_record_makes_the_next_resolution_offline(layer: Path, tmp_path: Path, index: tuple[Path, str]) -> None:
    build_dir = tmp_path / "build"
    first = deps(layer, build_dir, "python3-app")
    assert first[0] == 0, first[2]
    shutil.rmtree(index[0] / "simple")  # the index forgets every project
    again = deps(layer, build_dir, "python3-app")
    assert again[0] == 0, again[2]
    assert again[1] == first[1]


def test_preferred_version_chooses_the_release(layer: Path, tmp_path: Path) -> None:
    (layer / "conf" / "layer.conf").open("a").write('PREFERRED_VERSION_python3-purelib = "1.0%"\n')
    code, lines, err = deps(layer, tmp_path / "build", "python3-app")
    assert code == 0, err
    assert any(line.startswith("├── runtime: purelib 1.0 (pypi wheel: ") for line in lines), lines
    assert not any("cext" in line for line in lines)  # 1.0 needs nothing


def test_a_recipes_own_split_package_of_another_name(layer: Path, tmp_path: Path) -> None:
    """As meta-python's python3-pymongo splits off python3-bson and RDEPENDS on it: the package is
    the recipe's own, not a PyPI project of that name (the fake index has none: it would fail)."""
    write_files(layer, {"recipes-devtools/python/python3-mongo_1.0.bb": (
        'LICENSE = "MIT"\nPACKAGES =+ "python3-bsonish"\nFILES:python3-bsonish = "${PYTHON_SITEPACKAGES_DIR}/bsonish/*"\n'
        'RDEPENDS:${PN} = "python3-bsonish"\n')})
    code, lines, err = deps(layer, tmp_path / "build", "python3-mongo")
    assert code == 0, err
    assert lines[0] == "python3-mongo 1.0" and not any("pypi" in line for line in lines), lines


def test_a_runtime_dependency_cycle_is_no_error(layer: Path, tmp_path: Path) -> None:
    """meta-python's beautifulsoup4 and soupsieve RDEPEND on each other: bitbake builds both; so
    does pyrecipe (a build-time cycle stays an error)."""
    write_files(layer, {
        "recipes-devtools/python/python3-soup_1.0.bb": 'LICENSE = "MIT"\nRDEPENDS:${PN} = "python3-sieve"\n',
        "recipes-devtools/python/python3-sieve_1.0.bb": 'LICENSE = "MIT"\nRDEPENDS:${PN} = "python3-soup"\n',
    })
    dot = tmp_path / "graph.dot"
    code, lines, err = deps(layer, tmp_path / "build", "python3-soup", "--dot", str(dot))
    assert code == 0, err
    assert lines[:3] == ["python3-soup 1.0", "└── runtime: python3-sieve 1.0", "    └── runtime: python3-soup 1.0 (see above)"]
    assert '"python3-soup" -> "python3-sieve"' in dot.read_text()
    (layer / "recipes-devtools/python/python3-sieve_1.0.bb").write_text('LICENSE = "MIT"\nDEPENDS = "python3-soup"\n')
    (layer / "recipes-devtools/python/python3-soup_1.0.bb").write_text('LICENSE = "MIT"\nDEPENDS = "python3-sieve"\n')
    code, _, err = deps(layer, tmp_path / "build", "python3-soup", "--dot", str(dot))
    assert code == 2 and "dependency cycle: python3-soup -> python3-sieve -> python3-soup" in err, err


def test_a_command_line_name_comes_from_pypi_too(layer: Path, tmp_path: Path) -> None:
    code, lines, err = deps(layer, tmp_path / "build", "purelib")
    assert code == 0, err
    assert lines[0] == "purelib 1.5"


def test_a_configured_pypi_name_and_no_pypi_for_other_native_names(layer: Path, tmp_path: Path) -> None:
    """PYPI_PROJECT names the project when OE's name differs; a -native name without python3- (a
    C tool such as swig-native or dtc-native) is not looked for on PyPI, where its name is taken by
    unrelated projects."""
    (layer / "conf" / "layer.conf").open("a").write('PYPI_PROJECT[python3-pl] = "purelib"\n')
    (layer / "recipes-devtools/python/python3-app_1.0.bb").write_text('RDEPENDS:${PN} = "python3-pl"\n')
    code, lines, err = deps(layer, tmp_path / "build", "python3-app")
    assert code == 0, err
    assert lines[1].startswith("└── runtime: purelib 1.5 (pypi wheel: ")
    (layer / "recipes-devtools/python/python3-app_1.0.bb").write_text('DEPENDS = "vcstool-native"\n')
    code, _, err = deps(layer, tmp_path / "build", "python3-app")
    assert code == 2 and "DEPENDS on vcstool-native" in err and "only python3- names are looked for there" in err


def test_a_native_tool_spelled_python_x_on_pypi(layer: Path, tmp_path: Path) -> None:
    (layer / "recipes-devtools/python/python3-app_1.0.bb").write_text('DEPENDS = "python3-gadget-native"\n')
    code, lines, err = deps(layer, tmp_path / "build", "python3-app")
    assert code == 0, err
    assert lines[1] == "└── build: python3-gadget-native -> pypi native tool gadget==0.9"


def test_a_name_found_nowhere_says_where_it_looked(layer: Path, tmp_path: Path, index: tuple[Path, str]) -> None:
    (layer / "recipes-devtools/python/python3-app_1.0.bb").write_text('RDEPENDS:${PN} = "python3-nosuchthing"\n')
    code, _, err = deps(layer, tmp_path / "build", "python3-app")
    assert code == 2 and "Traceback" not in err
    assert re.search(r"python3-nosuchthing, which no recipe of the layers provides \(searched \d+ recipes\)", err), err
    assert "no SYSROOT_DEBIAN_PACKAGE or RUNTIME_DEBIAN_PACKAGE[python3-nosuchthing] maps to a Debian package" in err
    assert f"not on PyPI (looked for {index[1]}/nosuchthing/, {index[1]}/python-nosuchthing/)" in err


def test_a_library_name_is_not_looked_for_on_pypi(layer: Path, tmp_path: Path) -> None:
    (layer / "recipes-devtools/python/python3-app_1.0.bb").write_text('DEPENDS = "libfrob"\n')
    code, _, err = deps(layer, tmp_path / "build", "python3-app")
    assert code == 2
    assert "SYSROOT_DEBIAN_PACKAGE[libfrob]" in err and "only python3- names are looked for there" in err


def test_a_native_c_tool_comes_from_debian(layer: Path, tmp_path: Path) -> None:
    """meta-python's m2crypto and pocketsphinx DEPEND on swig-native: Debian's swig, in the build
    root (or on the build machine), not a recipe and not PyPI."""
    (layer / "recipes-devtools/python/python3-app_1.0.bb").write_text('DEPENDS = "swig-native dtc-native"\n')
    code, lines, err = deps(layer, tmp_path / "build", "python3-app")
    assert code == 0, err
    assert lines[1:3] == ["├── build: swig-native -> debian build tool swig",
                          "└── build: dtc-native -> debian build tool device-tree-compiler"], lines
    assert lines[-1] == "Debian packages of build tools (build root or build machine): swig device-tree-compiler"


def test_a_library_named_like_the_recipe_is_not_the_recipe(layer: Path, tmp_path: Path) -> None:
    """meta-python's python3-libusb1 RDEPENDS on libusb1 (the C library) and python3-rapidjson
    DEPENDS on rapidjson: names found only as another spelling of the recipe itself, or known to
    the Debian tables, are not that recipe."""
    write_files(layer, {
        "recipes-devtools/python/python3-libfrob_1.0.bb": 'LICENSE = "MIT"\nDEPENDS = "libfrob"\nRDEPENDS:${PN} = "libfrob"\n',
        "recipes-devtools/python/python3-selfy_1.0.bb": 'LICENSE = "MIT"\nRDEPENDS:${PN} = "selfy"\n',
    })
    build_dir = tmp_path / "build"
    write_files(build_dir, {"conf/local.conf": 'SYSROOT_DEBIAN_PACKAGE[libfrob] = "libfrob-dev"\n'})
    code, lines, err = deps(layer, build_dir, "python3-libfrob")
    assert code == 0, err
    assert lines[1:3] == ["├── build: libfrob -> debian libfrob-dev", "└── runtime: libfrob -> debian libfrob-dev"], lines
    code, _, err = deps(layer, build_dir, "python3-selfy")
    assert code == 2 and "RDEPENDS:python3-selfy names selfy, which no recipe of the layers provides" in err, err


def test_local_conf_extends_the_debian_table(layer: Path, tmp_path: Path) -> None:
    (layer / "recipes-devtools/python/python3-app_1.0.bb").write_text('DEPENDS = "libfrob glib-2.0"\n')
    build_dir = tmp_path / "build"
    write_files(build_dir, {"conf/local.conf": 'SYSROOT_DEBIAN_PACKAGE[libfrob] = "libfrob-dev"\n'
                                               'SYSROOT_DEBIAN_PACKAGE[glib-2.0] = "libglib2.0-dev libglib2.0-bin"\n'})
    code, lines, err = deps(layer, build_dir, "python3-app")
    assert code == 0, err
    assert lines[1:3] == ["├── build: libfrob -> debian libfrob-dev", "└── build: glib-2.0 -> debian libglib2.0-dev libglib2.0-bin"]


def test_pinned_tool_wins_over_a_layers_native_recipe(layer: Path, tmp_path: Path) -> None:
    write_files(layer, {
        "recipes-devtools/python/python3-scikit-build-core_9.0.bb": 'LICENSE = "MIT"\nBBCLASSEXTEND = "native"\n',
        "recipes-devtools/python/python3-app_1.0.bb": 'DEPENDS = "python3-scikit-build-core-native"\n',
    })
    code, lines, err = deps(layer, tmp_path / "build", "python3-app")
    assert code == 0, err
    assert lines[1] == "└── build: python3-scikit-build-core-native -> native tool scikit-build-core"
    (layer / "conf" / "layer.conf").open("a").write(
        'PREFERRED_PROVIDER_python3-scikit-build-core-native = "python3-scikit-build-core-native"\n')
    code, lines, err = deps(layer, tmp_path / "build", "python3-app")
    assert code == 0, err
    assert lines[1] == "└── build: python3-scikit-build-core-native 9.0 [native]"


def test_pypi_resolve_off_keeps_the_old_error(layer: Path, tmp_path: Path) -> None:
    (layer / "conf" / "layer.conf").open("a").write('PYPI_RESOLVE = "0"\n')
    code, _, err = deps(layer, tmp_path / "build", "python3-app")
    assert code == 2 and "PYPI_RESOLVE is off" in err
    assert not generated(tmp_path / "build").exists()


def test_recorded_native_tools_are_installed_into_the_venv_once(tmp_path: Path) -> None:
    """What provisioning does with the record: the files, no index, no dependencies."""
    import subprocess
    import sys

    from pyrecipe.toolchain.native import STAMP_NAME, ensure_native_extras

    venv = tmp_path / "native" / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    (venv / STAMP_NAME).write_text("pins")
    files = []
    for published in (wheel("vcstool", "3.1", requires=["vcshelper>=1"]), wheel("vcshelper", "1.2")):
        files.append(tmp_path / published.filename)
        files[-1].write_bytes(published.data)
    notes: list[str] = []
    ensure_native_extras(venv, files, notes.append)
    ensure_native_extras(venv, files, notes.append)
    assert len(notes) == 1 and "vcstool-3.1-py3-none-any.whl" in notes[0]
    out = subprocess.run([str(venv / "bin" / "python"), "-c", "import vcstool, vcshelper; print(vcstool.VERSION, vcshelper.VERSION)"],
                         capture_output=True, text=True, check=True).stdout
    assert out.split() == ["3.1", "1.2"]


def test_with_keep_going_a_tool_that_does_not_install_is_named_and_the_rest_installed(tmp_path: Path) -> None:
    """pycairo's sdist needs cairo's headers: with -k it is returned, not raised, the others install."""
    import subprocess
    import sys

    from pyrecipe.errors import BuildError
    from pyrecipe.toolchain.native import STAMP_NAME, ensure_native_extras

    venv = tmp_path / "native" / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    (venv / STAMP_NAME).write_text("pins")
    broken = sdist("needsheaders", "1.0", {"setup.py": "raise SystemExit('cairo.h: No such file or directory')\n"})
    files = []
    for published in (wheel("vcshelper", "1.2"), broken):
        files.append(tmp_path / published.filename)
        files[-1].write_bytes(published.data)
    with pytest.raises(BuildError, match="creating the native tools venv"):
        ensure_native_extras(venv, files)
    notes: list[str] = []
    failed = ensure_native_extras(venv, files, notes.append, keep_going=True)
    assert list(failed) == [files[1]] and failed[files[1]]
    assert any("do not install: needsheaders-1.0.tar.gz" in note for note in notes)
    subprocess.run([str(venv / "bin" / "python"), "-c", "import vcshelper"], check=True)


def test_with_keep_going_the_users_of_a_tool_that_did_not_install_fail_alone(layer: Path, tmp_path: Path) -> None:
    from pyrecipe.config.configuration import Settings, load_configuration
    from pyrecipe.config.layers import LayerIndex
    from pyrecipe.engine.build import pinned_native_tools
    from pyrecipe.engine.scheduler import BuildOptions, plan_build
    from pyrecipe.graph.build_graph import GraphBuilder

    write_files(layer, {"recipes-devtools/python/python3-other_1.0.bb": 'LICENSE = "MIT"\n'})
    config = load_configuration(Settings(build_dir=tmp_path / "build", machine="runnerboard", layers=(layer,)))
    graph = GraphBuilder(LayerIndex(config, tmp_path / "parse"), pinned_native_tools()).build(["python3-app", "python3-other"])
    fingerprints = {"target": "t", "native": "n"}
    plan = plan_build(graph, BuildOptions(keep_going=True), fingerprints, {"vcstool": "cairo.h: No such file"})
    assert list(plan.blocked) == ["python3-app"]
    task, why = plan.blocked["python3-app"]
    assert task == "do_configure" and why.startswith("native tool vcstool==3.1 (from PyPI, for python3-vcstool-native) did not install")


def test_a_recorded_tool_release_is_part_of_the_signatures_of_its_users(layer: Path, tmp_path: Path) -> None:
    """The pins are the toolchain's fingerprint; a tool from PyPI is not, so the recipes that use it
    carry its recorded release in their signatures (and only they rebuild when it changes)."""
    from pyrecipe.config.configuration import Settings
    from pyrecipe.engine.build import BuildRequest, pinned_native_tools, resolve
    from pyrecipe.engine.scheduler import BuildOptions, plan_build

    write_files(layer, {"recipes-devtools/python/python3-other_1.0.bb": 'LICENSE = "MIT"\nDEPENDS = "python3-setuptools-native"\n'})
    build_dir = tmp_path / "build"
    request = BuildRequest(Settings(build_dir=build_dir, machine="runnerboard", layers=(layer,)),
                           ("python3-app", "python3-other"), BuildOptions(goal="do_build"))

    def signatures() -> dict[str, str]:
        _, graph, _ = resolve(request, pinned_native_tools())
        plan = plan_build(graph, BuildOptions(goal="do_build"), {"target": "t", "native": "n"})
        return {key: plan.signatures[key]["do_build"] for key in ("python3-app", "python3-other")}

    before = signatures()
    record = generated(build_dir) / "native-tools.json"
    data = json.loads(record.read_text())
    data["vcstool"]["version"] = "3.0"  # as if an earlier release had been recorded
    record.write_text(json.dumps(data))
    after = signatures()
    assert after["python3-app"] != before["python3-app"]
    assert after["python3-other"] == before["python3-other"]


def publish_c_sdist(index: tuple[Path, str], name: str, version: str, sources: dict[str, str]) -> None:
    """A setuptools sdist of package ``name`` with the C ``sources`` (file name -> text) on the index."""
    root, url = index
    publish(root, url.removesuffix("/simple"), name, [sdist(name, version, {
        "pyproject.toml": CEXT_PYPROJECT.replace('"cext"', f'"{name}"'), f"{name}/__init__.py": "",
        **{f"{name}/{file}": text for file, text in sources.items()}})])


def test_a_generated_recipe_gets_the_glib_cairo_and_dbus_packages_its_headers_need(layer: Path, tmp_path: Path,
                                                                                     index: tuple[Path, str]) -> None:
    """pygobject, pycairo and dbus-python are OE-core recipes, so generated from their sdists: the
    headers they include name the -dev packages their target sysroot gets (and girepository's
    users GLib's own typelibs, which OE's glib-2.0 package holds), through SYSROOT_PACKAGES."""
    # as pygobject's: GLib >= 2.80's girepository-2.0, GLib, cairo (and its backends behind #ifdefs)
    publish_c_sdist(index, "gadgetgi", "2.0", {
        "gimodule.c": "#include <Python.h>\n#include <girepository/girepository.h>\n#include <glib-object.h>\n"
                      "#include <cairo.h>\n#include <cairo-xlib.h>\n#include \"local.h\"\n",
        "local.h": ""})
    publish_c_sdist(index, "busy", "1.1", {"bus.c": "#include <dbus/dbus.h>\n#include <dbus/dbus-glib-lowlevel.h>\n#include <glib.h>\n"})
    (layer / "recipes-devtools/python/python3-app_1.0.bb").write_text('LICENSE = "MIT"\nRDEPENDS:${PN} = "python3-gadgetgi python3-busy"\n')
    build_dir = tmp_path / "build"
    code, _, err = deps(layer, build_dir, "python3-app")
    assert code == 0, err
    recipes = generated(build_dir) / "recipes"
    gi = (recipes / "gadgetgi" / "gadgetgi_2.0.bb").read_text()
    assert 'SYSROOT_PACKAGES += "gir1.2-glib-2.0 libcairo2-dev libgirepository-2.0-dev libglib2.0-dev"' in gi
    assert "#   #include <cairo-xlib.h>: libcairo2-dev" in gi
    assert "local.h" not in gi  # the sdist's own header
    busy = (recipes / "busy" / "busy_1.1.bb").read_text()
    # the narrower dbus-glib entry wins over the dbus/ directory's
    assert 'SYSROOT_PACKAGES += "libdbus-1-dev libdbus-glib-1-dev libglib2.0-dev"' in busy


def test_a_native_tool_sdist_brings_the_dev_packages_of_its_headers_to_the_build_root(layer: Path, tmp_path: Path,
                                                                                        index: tuple[Path, str]) -> None:
    """pygobject DEPENDS on python3-pycairo-native, an sdist compiled in the native venv against
    cairo: the headers it includes put libcairo2-dev in the build root (or on the build machine),
    recorded with the tool; a record written before that was looked for is looked at again."""
    publish_c_sdist(index, "cairotool", "1.29", {"ctx.c": "#include <Python.h>\n#include <cairo.h>\n"})
    (layer / "recipes-devtools/python/python3-app_1.0.bb").write_text('LICENSE = "MIT"\nDEPENDS = "python3-cairotool-native"\n')
    build_dir = tmp_path / "build"
    code, lines, err = deps(layer, build_dir, "python3-app")
    assert code == 0, err
    assert lines[-1] == "Debian packages of build tools (build root or build machine): libcairo2-dev", lines
    record_path = generated(build_dir) / "native-tools.json"
    record = json.loads(record_path.read_text())
    assert record["cairotool"]["build_packages"] == ["libcairo2-dev"]
    del record["cairotool"]["build_packages"]  # as pyrecipe before this wrote it
    record_path.write_text(json.dumps(record))
    code, again, err = deps(layer, build_dir, "python3-app")
    assert code == 0 and again[-1] == lines[-1], err
    assert json.loads(record_path.read_text())["cairotool"]["build_packages"] == ["libcairo2-dev"]


def test_a_native_tool_sdist_is_built_with_the_venvs_programs_on_path(tmp_path: Path) -> None:
    """Without build isolation a backend finds its programs on PATH only: pycairo's meson-python
    runs ``meson`` from the venv's bin, which must be there as in an activated venv."""
    import base64
    import subprocess
    import sys

    from pyrecipe.toolchain.native import STAMP_NAME, ensure_native_extras

    venv = tmp_path / "native" / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # pip from the tests' own environment, seen by the venv through a .pth file
    import pip
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "outer-pip.pth").write_text(str(Path(pip.__file__).parents[1]) + "\n")
    (venv / STAMP_NAME).write_text("pins")
    tool = venv / "bin" / "venvtool"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    built = wheel("pathcheck", "1.0")
    backend = (
        "import base64, os, shutil\n"
        "def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):\n"
        "    if shutil.which('venvtool') is None:\n"
        "        raise SystemExit('venvtool is not on PATH')\n"
        f"    open(os.path.join(wheel_directory, {built.filename!r}), 'wb').write(base64.b64decode({base64.b64encode(built.data).decode()!r}))\n"
        f"    return {built.filename!r}\n"
    )
    published = sdist("pathcheck", "1.0", {
        "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n',
        "backend.py": backend,
    })
    archive = tmp_path / published.filename
    archive.write_bytes(published.data)
    assert ensure_native_extras(venv, [archive]) == {}
    subprocess.run([str(venv / "bin" / "python"), "-c", "import pathcheck"], check=True)
