"""``pyrecipe create``: recipes written from real PyPI sdists, built without edits, imported under qemu.

The unit tests feed the decision functions small inputs (index entries, markers, source trees);
the cross tests run the whole command against PyPI's simple index, then build the generated
recipes for a Raspberry Pi 4 and import them with the target's own CPython.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pyrecipe.config.paths import CLASSES_DIR
from pyrecipe.errors import InputError
from pyrecipe.recipetool.create import (
    GENERIC_CLASS,
    TargetFacts,
    choose_sdist,
    class_for_backend,
    import_names,
    license_of,
    locked_crates,
    meson_build_config_files,
    native_depends,
    parse_spec,
    runtime_depends,
    scan_native_code,
    sdist_parts,
)
from pyrecipe.sources.pypi import IndexFile
from pyrecipe.toolchain import load_machine

#: A Raspberry Pi on Debian bookworm: the markers below are written around its CPython X.Y.
BOOKWORM = TargetFacts(load_machine("raspberrypi4", distro="debian-bookworm").python_full_version)


def index_file(filename: str, *, yanked: bool = False, requires_python: str | None = None) -> IndexFile:
    return IndexFile(filename, f"https://files.example/{filename}", "0" * 64, requires_python, yanked)


def test_sdist_parts_keeps_the_spelling_of_the_file_name() -> None:
    assert sdist_parts("MarkupSafe-2.1.5.tar.gz") == ("MarkupSafe", "2.1.5", "tar.gz")
    assert sdist_parts("zope.interface-7.0.zip") == ("zope.interface", "7.0", "zip")
    assert sdist_parts("six-1.17.0-py2.py3-none-any.whl") is None


def test_newest_final_release_for_the_target_python_is_chosen() -> None:
    files = [
        index_file("foo-1.0.tar.gz"),
        index_file("foo-1.1.tar.gz"),
        index_file("foo-1.2-py3-none-any.whl"),
        index_file("foo-1.3.tar.gz", yanked=True),
        index_file("foo-1.4.tar.gz", requires_python=">=3.12"),
        index_file("foo-2.0rc1.tar.gz"),
    ]
    assert choose_sdist(files, "foo", None, BOOKWORM).version == "1.1"
    assert choose_sdist(files, "foo", "1.0", BOOKWORM).version == "1.0"
    assert choose_sdist(files, "foo", "1.4", TargetFacts("3.12.0")).version == "1.4"
    with pytest.raises(InputError, match="no sdist of version 9.9"):
        choose_sdist(files, "foo", "9.9", BOOKWORM)


def test_a_file_named_for_another_project_is_no_sdist_of_the_pinned_version() -> None:
    """cffi's index lists ``cffi-1.0.2-2.tar.gz`` beside ``cffi-2.0.0.tar.gz``: read as project
    "cffi-1.0.2", version "2", it equals 2.0.0, and the old code generated cffi 2.0.0's recipe
    from the 1.0.2 tarball (the lock's hash then refused it). Found by bench/yardsticks/old-new-pins.txt."""
    files = [index_file("cffi-1.0.2-2.tar.gz"), index_file("cffi-2.0.0.tar.gz"), index_file("CFFI-1.0.1.tar.gz")]
    assert choose_sdist(files, "cffi", "2.0.0", BOOKWORM).entry.filename == "cffi-2.0.0.tar.gz"
    assert choose_sdist(files, "cffi", "1.0.1", BOOKWORM).entry.filename == "CFFI-1.0.1.tar.gz"
    assert choose_sdist(files, "cffi", None, BOOKWORM).entry.filename == "cffi-2.0.0.tar.gz"


def test_parse_spec_refuses_what_is_not_a_project_name() -> None:
    assert parse_spec("PyYAML==6.0.2") == ("PyYAML", "6.0.2")
    for bad in ("", "foo==", "../etc", "foo bar"):
        with pytest.raises(InputError):
            parse_spec(bad)


def test_requires_dist_markers_are_evaluated_for_the_target() -> None:
    requires = [
        "attrs>=22",
        "typing-extensions; python_version < '3.11'",
        "exceptiongroup; python_version < '3.11'",
        "tomli>=1.1; python_version >= '3.11'",
        "pywin32; sys_platform == 'win32'",
        "Pillow; extra == 'images'",
        "cffi; platform_machine == 'aarch64'",
    ]
    assert runtime_depends(requires, BOOKWORM) == ["python3-attrs", "python3-tomli", "python3-cffi"]
    assert "python3-cffi" not in runtime_depends(requires, dataclasses.replace(BOOKWORM, machine="armv7l"))


def test_build_requires_become_native_depends() -> None:
    depends = native_depends(["setuptools>=61", "Cython>=3; python_version >= '3.8'", "oldthing; python_version < '3'"], BOOKWORM)
    assert depends == ["python3-setuptools-native", "python3-cython-native"]


def test_license_from_expression_field_or_classifier() -> None:
    assert license_of({"license_expression": "MIT OR Apache-2.0"}) == "MIT | Apache-2.0"
    assert license_of({"license": "BSD-3-Clause"}) == "BSD-3-Clause"
    long_text = {"license": "Copyright (c) 2020 someone\nPermission is hereby granted ...",
                 "classifiers": ["License :: OSI Approved :: MIT License"]}
    assert license_of(long_text) == "MIT"
    assert license_of({"classifiers": ["Programming Language :: Python"]}) is None


def test_backend_picks_its_class_or_the_generic_one_when_the_class_is_missing(tmp_path: Path) -> None:
    assert class_for_backend("setuptools.build_meta:__legacy__", [], [CLASSES_DIR]) == "setuptools3"
    assert class_for_backend("mesonpy", ["meson-python"], [CLASSES_DIR]) == "python_mesonpy"
    assert class_for_backend("setuptools.build_meta", ["setuptools", "setuptools-rust"], [CLASSES_DIR]) == "python_setuptools3_rust"
    assert class_for_backend("mesonpy", [], [tmp_path]) == GENERIC_CLASS
    assert class_for_backend("some.unknown.backend", [], [CLASSES_DIR]) == GENERIC_CLASS


def test_native_code_and_its_outside_headers_are_reported(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "ext.c").write_text(
        '#include <Python.h>\n#include <stdint.h>\n#include "local.h"\n#include <yaml.h>\n#include <weird/thing.h>\n'
    )
    (tmp_path / "src" / "local.h").write_text("#include <string.h>\n")
    (tmp_path / "src" / "fast.pyx").write_text("def f(): pass\n")
    native = scan_native_code(tmp_path)
    assert native.languages == {"C": 2, "Cython": 1}
    assert native.debian_packages() == {"weird/thing.h": None, "yaml.h": "libyaml-dev"}


def test_the_crates_cargo_lock_pins_become_crate_entries(tmp_path: Path) -> None:
    """As OpenEmbedded's -crates.inc: crates.io packages with their checksums; not the workspace's own
    crates, not git ones; nothing when the sdist vendors its crates."""
    (tmp_path / "Cargo.lock").write_text(
        'version = 4\n'
        '[[package]]\nname = "ahash"\nversion = "0.8.12"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n'
        f'checksum = "{"a" * 64}"\n'
        '[[package]]\nname = "jiter"\nversion = "0.19.0"\n'
        '[[package]]\nname = "gitdep"\nversion = "1.0.0"\nsource = "git+https://example.org/gitdep#abc"\n'
    )
    assert locked_crates(tmp_path) == [("ahash", "0.8.12", "a" * 64)]
    vendored = tmp_path / "vendor" / "ahash"
    vendored.mkdir(parents=True)
    (vendored / ".cargo-checksum.json").write_text("{}")
    assert locked_crates(tmp_path) == []


def test_meson_configured_modules_are_build_config_files(tmp_path: Path) -> None:
    """contourpy's lib/contourpy/util/_build_config.py.in, numpy's numpy/__config__.py.in; not a
    vendored tool's test template."""
    for template in ("lib/contourpy/util/_build_config.py.in", "vendored-meson/meson/test cases/x/test.py.in", "numpy/__config__.py.in"):
        (tmp_path / template).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / template).write_text("@BUILD_PATH@\n")
    assert meson_build_config_files(tmp_path, ["contourpy", "numpy"]) == ["contourpy/util/_build_config.py", "numpy/__config__.py"]


def test_import_names_from_top_level_txt_layouts_or_single_module(tmp_path: Path) -> None:
    egg = tmp_path / "egg" / "lib" / "PyYAML.egg-info"
    egg.mkdir(parents=True)
    (egg / "top_level.txt").write_text("_yaml\nyaml\n")
    assert import_names(tmp_path / "egg", "PyYAML") == ["yaml"]
    package = tmp_path / "srclayout" / "src" / "foo_bar"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (tmp_path / "srclayout" / "tests").mkdir()
    (tmp_path / "srclayout" / "tests" / "__init__.py").write_text("")
    assert import_names(tmp_path / "srclayout", "foo-bar") == ["foo_bar"]
    (tmp_path / "single").mkdir()
    for name in ("setup.py", "six.py", "test_six.py"):
        (tmp_path / "single" / name).write_text("")
    assert import_names(tmp_path / "single", "six") == ["six"]


# ---- Whole command against PyPI, then a real cross build of the generated recipes -----------------

def pyrecipe(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pyrecipe", *args], capture_output=True, text=True, timeout=3000, cwd=cwd)


@pytest.fixture(scope="module")
def generated_layer(tmp_path_factory: pytest.TempPathFactory, cross_build_dir: Path) -> Path:
    layer = tmp_path_factory.mktemp("created-layer")
    for spec in ("six==1.17.0", "markupsafe==3.0.2"):
        result = pyrecipe("create", spec, "--layer-dir", str(layer), "--build-dir", str(cross_build_dir))
        assert result.returncode == 0, result.stderr
    return layer


def test_pure_python_recipe_content(generated_layer: Path) -> None:
    text = (generated_layer / "recipes" / "six" / "six_1.17.0.bb").read_text()
    assert "inherit pypi setuptools3\n" in text
    assert 'LICENSE = "MIT"' in text
    assert re.search(r'LIC_FILES_CHKSUM = "file://LICENSE;md5=[0-9a-f]{32}"', text)
    assert 'SRC_URI[sha256sum] = "ff70335d468e7eb6ec65b95b99d3a2836546063f63acc5171de367e834932a81"' in text
    assert 'RDEPENDS:${PN} = "python3-core"' in text
    assert "native code" not in text


def test_c_extension_recipe_content(generated_layer: Path) -> None:
    text = (generated_layer / "recipes" / "markupsafe" / "markupsafe_3.0.2.bb").read_text()
    assert "inherit pypi python_setuptools_build_meta\n" in text
    assert 'PYPI_PACKAGE = "MarkupSafe"' not in text  # 3.0.2's sdist is markupsafe-3.0.2.tar.gz
    assert 'LICENSE = "BSD-3-Clause"' in text
    assert re.search(r'LIC_FILES_CHKSUM = "file://LICENSE.txt;md5=[0-9a-f]{32}"', text)
    assert "python3-setuptools-native" in text
    assert "# pyrecipe create saw native code: C (1 files)." in text


def test_existing_recipe_is_not_overwritten_without_force(generated_layer: Path, cross_build_dir: Path) -> None:
    result = pyrecipe("create", "six==1.17.0", "--layer-dir", str(generated_layer), "--build-dir", str(cross_build_dir))
    assert result.returncode == 2 and "already exists" in result.stderr and "Traceback" not in result.stderr


def test_unknown_project_is_a_clear_error(tmp_path: Path) -> None:
    result = pyrecipe("create", "no-such-project-pyrecipe-xyzzy", "--layer-dir", str(tmp_path), "--build-dir", str(tmp_path))
    assert result.returncode == 1 and "PyPI has no project" in result.stderr and "Traceback" not in result.stderr


def test_generated_recipes_build_without_edits_and_import_under_qemu(generated_layer: Path, cross_build_dir: Path) -> None:
    build = pyrecipe(
        "build", "six", "markupsafe", "--machine", "raspberrypi4", "--layer", str(generated_layer),
        "--build-dir", str(cross_build_dir),
    )
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    code = "import platform, six, markupsafe, markupsafe._speedups as s; print(platform.machine(), six.__version__, markupsafe.escape('<a>'), s.__file__.rsplit('/', 1)[1])"
    run = pyrecipe("run", "--machine", "raspberrypi4", "--build-dir", str(cross_build_dir), "--", "python3", "-c", code)
    assert run.returncode == 0, run.stderr
    # Built for the default distro: its CPython's X.Y names the extension.
    tag = load_machine("raspberrypi4").python_version.replace(".", "")
    assert run.stdout.split() == ["aarch64", "1.17.0", "&lt;a&gt;", f"_speedups.cpython-{tag}-aarch64-linux-gnu.so"]


def test_native_scan_flags_only_linux_libraries_it_cannot_place(tmp_path: Path) -> None:
    """Headers behind #ifdefs for other platforms, and CPython's own, are not flagged as needs."""
    (tmp_path / "ext.c").write_text(
        "#include <Python.h>\n#include <frameobject.h>\n#include <cpython/code.h>\n"
        "#ifdef _WIN32\n#include <Windows.h>\n#include <io.h>\n#elif defined(__APPLE__)\n#include <mach/mach.h>\n#endif\n"
        "#include <zlib.h>\n#include <libfoo/foo.h>\n#include \"local.h\"\n"
    )
    (tmp_path / "local.h").write_text("")
    native = scan_native_code(tmp_path)
    assert native.debian_packages() == {"libfoo/foo.h": None, "zlib.h": "zlib1g-dev"}


def test_without_a_layer_the_recipe_goes_to_the_build_dirs_workspace(tmp_path: Path) -> None:
    """Found from the project directory (no --build-dir), written into its workspace layer, which
    conf/bblayers.conf then names, so `pyrecipe build` sees it with no --layer."""
    made = pyrecipe("init", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    result = pyrecipe("create", "six==1.16.0", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    build = tmp_path / "build"
    assert (build / "workspace" / "recipes" / "six" / "six_1.16.0.bb").is_file()
    assert "added the workspace layer" not in result.stdout  # `init` listed it already
    shown = pyrecipe("env", "six", "--machine", "raspberrypi4", "--distro", "debian-bookworm", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert f'\nBBLAYERS="{build / "workspace"}"\n' in shown.stdout


def test_a_failed_create_leaves_the_build_dir_as_it_was(tmp_path: Path) -> None:
    result = pyrecipe("create", "no-such-project-pyrecipe-xyzzy", "--build-dir", str(tmp_path / "build"))
    assert result.returncode == 1 and "PyPI has no project" in result.stderr
    assert not (tmp_path / "build" / "workspace").exists() and not (tmp_path / "build" / "conf").exists()
