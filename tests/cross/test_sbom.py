"""License manifest and SPDX 2.3 document of a full build (plain environment, no cross toolchain).

The SPDX output is checked by spdx-tools, the SPDX project's own parser and validator.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from cross_support import SITE, SUFFIX, machine_dir
from pyrecipe.config.configuration import DEFAULT_DISTRO, Settings, load_configuration
from pyrecipe.config.layers import LayerIndex
from pyrecipe.engine.build import BuildRequest, run_build
from pyrecipe.engine.progress import Progress
from pyrecipe.engine.scheduler import BuildOptions
from pyrecipe.errors import BuildError
from pyrecipe.outputs.image import manifest_path
from pyrecipe.outputs.sbom import spdx_license_expression
from runner_support import plain_environment

RUNNER_LAYER = Path(__file__).parents[1] / "fixtures" / "runner_layer"
LICENSE_TEXT = b"Permission is hereby granted, free of charge...\nTHE SOFTWARE IS PROVIDED AS IS.\n"
MD5 = hashlib.md5(LICENSE_TEXT).hexdigest()

#: greet comes from a local tarball with a license file; it runs with helper, built against liba.
RECIPES = {
    "recipes-demo/greet/greet_1.0.bb": f"""\
SUMMARY = "Prints a greeting"
LICENSE = "MIT & (BSD-3-Clause | Apache-2.0)"
LIC_FILES_CHKSUM = "file://COPYING;md5={MD5} file://COPYING;beginline=2;endline=2;md5={hashlib.md5(LICENSE_TEXT.splitlines(True)[1]).hexdigest()}"
SRC_URI = "file://greet-1.0.tar.gz"
DEPENDS = "liba"
RDEPENDS:${{PN}} = "helper"
do_install() {{
	install -d ${{D}}${{bindir}}
	install -m 0755 ${{S}}/greet.sh ${{D}}${{bindir}}/greet
}}
""",
    "recipes-demo/helper/helper_0.2.bb": """\
LICENSE = "Apache-2.0"
do_install() {
	install -d ${D}${datadir}/helper
	echo help > ${D}${datadir}/helper/data.txt
	ln -s data.txt ${D}${datadir}/helper/link.txt
}
""",
}


def greet_tarball(path: Path) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in (("greet-1.0/COPYING", LICENSE_TEXT), ("greet-1.0/greet.sh", b"#!/bin/sh\necho hi\n")):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o755
            tar.addfile(info, io.BytesIO(data))


@pytest.fixture
def layer(tmp_path: Path) -> Path:
    copy = tmp_path / "layer"
    shutil.copytree(RUNNER_LAYER, copy)
    for relative, text in RECIPES.items():
        (copy / relative).parent.mkdir(parents=True)
        (copy / relative).write_text(text)
    (copy / "recipes-demo/greet/files").mkdir()
    greet_tarball(copy / "recipes-demo/greet/files/greet-1.0.tar.gz")
    return copy


def full_build(layer: Path, build_dir: Path, *targets: str):
    stream = io.StringIO()
    request = BuildRequest(settings=Settings(build_dir=build_dir, machine="runnerboard", layers=(layer,)),
                           targets=targets, options=BuildOptions(goal="do_build", jobs=2))
    result = run_build(request, Progress(stream, live=False), environment=plain_environment, native_tools=list)
    assert result.ok, stream.getvalue() + "\n".join(map(str, result.failures))
    return build_dir / DEFAULT_DISTRO / "runnerboard"


def test_license_manifest_lists_each_recipe_and_license_file(layer: Path, tmp_path: Path) -> None:
    out = full_build(layer, tmp_path / "build", "greet")
    lines = (out / "license-manifest").read_text().splitlines()
    assert lines[0].startswith("# recipe\tversion\tLICENSE")
    assert sorted(lines[1:]) == sorted([
        f"greet\t1.0\tMIT & (BSD-3-Clause | Apache-2.0)\tCOPYING\t{MD5}",
        f"greet\t1.0\tMIT & (BSD-3-Clause | Apache-2.0)\tCOPYING\t{hashlib.md5(LICENSE_TEXT.splitlines(True)[1]).hexdigest()}",
        "helper\t0.2\tApache-2.0\t-\t-",
        "liba\t1.0\tCLOSED\t-\t-",
    ])


def test_spdx_document_is_valid_and_complete(layer: Path, tmp_path: Path) -> None:
    out = full_build(layer, tmp_path / "build", "greet")
    spdx_path = out / "image.spdx.json"
    document = parse_file(str(spdx_path))
    assert validate_full_spdx_document(document) == []

    data = json.loads(spdx_path.read_text())
    packages = {p["SPDXID"]: p for p in data["packages"]}
    greet = packages["SPDXRef-Recipe-greet"]
    assert greet["versionInfo"] == "1.0"
    assert greet["licenseDeclared"] == "MIT AND (BSD-3-Clause OR Apache-2.0)"
    assert packages["SPDXRef-Recipe-liba"]["licenseDeclared"] == "NOASSERTION"  # CLOSED
    # Every regular file of the image manifest, with the manifest's sha256 and a SHA1 of the real file.
    manifest = [line.split("\t") for line in manifest_path(out / "image").read_text().splitlines()[1:]]
    regular = {path: sha256 for path, kind, _, sha256, _ in manifest if kind == "file"}
    files = {f["fileName"].removeprefix("./"): f for f in data["files"]}
    assert set(files) == set(regular) == {"usr/bin/greet", "usr/include/liba.txt", "usr/share/helper/data.txt"}
    for path, entry in files.items():
        checksums = {c["algorithm"]: c["checksumValue"] for c in entry["checksums"]}
        assert checksums["SHA256"] == regular[path]
        assert checksums["SHA1"] == hashlib.sha1((out / "image" / path).read_bytes()).hexdigest()
    relations = {(r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"]) for r in data["relationships"]}
    greet_file = files["usr/bin/greet"]["SPDXID"]
    assert ("SPDXRef-DOCUMENT", "DESCRIBES", "SPDXRef-Image") in relations
    assert ("SPDXRef-Image", "CONTAINS", greet_file) in relations
    assert (greet_file, "GENERATED_FROM", "SPDXRef-Recipe-greet") in relations
    assert ("SPDXRef-Recipe-liba", "BUILD_DEPENDENCY_OF", "SPDXRef-Recipe-greet") in relations
    assert ("SPDXRef-Recipe-helper", "RUNTIME_DEPENDENCY_OF", "SPDXRef-Recipe-greet") in relations


def test_changed_license_text_stops_the_build_and_keeps_the_old_image(layer: Path, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    out = full_build(layer, build_dir, "greet")
    before = (out / "image.spdx.json").read_text()
    recipe = layer / "recipes-demo/greet/greet_1.0.bb"
    recipe.write_text(recipe.read_text().replace(f"md5={MD5}", "md5=" + "0" * 32))
    with pytest.raises(BuildError, match=r"greet .*COPYING has md5 [0-9a-f]{32}, LIC_FILES_CHKSUM says 0{32}"):
        full_build(layer, build_dir, "greet")
    assert (out / "image.spdx.json").read_text() == before


@pytest.mark.parametrize(("bitbake", "spdx"), [
    ("MIT", "MIT"),
    ("GPL-2.0-only & LGPL-2.1-or-later", "GPL-2.0-only AND LGPL-2.1-or-later"),
    ("(Apache-2.0 | MIT) & MPL-2.0", "(Apache-2.0 OR MIT) AND MPL-2.0"),
    ("CLOSED", "NOASSERTION"),
    ("", "NOASSERTION"),
])
def test_license_expressions_in_spdx_syntax(bitbake: str, spdx: str) -> None:
    assert spdx_license_expression(bitbake) == spdx


def test_cross_build_writes_a_valid_sbom_of_aarch64_files(cross_build_dir: Path) -> None:
    """The cross layer's image (as tests/test_cross_build.py builds it; a no-op when that ran first)."""
    result = subprocess.run(
        [sys.executable, "-m", "pyrecipe", "build", "python3-hello-cext", "hello-meson", "--machine", "raspberrypi4",
         "--layer", str(Path(__file__).parents[1] / "fixtures" / "cross_layer"), "--build-dir", str(cross_build_dir)],
        capture_output=True, text=True, timeout=3000,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    spdx_path = machine_dir(cross_build_dir) / "image.spdx.json"
    assert validate_full_spdx_document(parse_file(str(spdx_path))) == []
    names = {f["fileName"] for f in json.loads(spdx_path.read_text())["files"]}
    assert f"./{SITE}/hello_cext{SUFFIX}" in names
    assert "python3-hello-cext\t1.0\tMIT\t-\t-" in (machine_dir(cross_build_dir) / "license-manifest").read_text()


def test_every_shipped_recipe_declares_a_valid_spdx_license(tmp_path: Path) -> None:
    """Non-SPDX names (``BSD``, ``GPLv2``) would make every image's SPDX document invalid."""
    from license_expression import get_spdx_licensing  # spdx-tools' own dependency

    config = load_configuration(Settings(build_dir=tmp_path / "build", machine="raspberrypi4"))
    index = LayerIndex(config, None)
    licensing = get_spdx_licensing()
    checked = {}
    for info in index.infos:
        if info.variant == "" and not info.skipped:
            expression = spdx_license_expression(index.datastore(info).getVar("LICENSE") or "")
            checked[info.pn] = licensing.validate(expression).errors
    assert "numpy" in checked
    assert {pn: errors for pn, errors in checked.items() if errors} == {}
