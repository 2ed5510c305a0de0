"""Images made of packages: a recipe RDEPENDing on a package split off another gets that package's
files and not the rest of its recipe (split_layer's recipes, built with the runner's plain machine)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from pyrecipe.config.configuration import DEFAULT_DISTRO, Settings
from pyrecipe.engine.build import BuildRequest, run_build
from pyrecipe.engine.progress import Progress
from pyrecipe.engine.scheduler import BuildOptions, BuildResult
from runner_support import plain_environment

FIXTURES = Path(__file__).parents[1] / "fixtures"
LAYERS = (FIXTURES / "runner_layer", FIXTURES / "split_layer")


def build_image(build_dir: Path, *targets: str) -> tuple[BuildResult, str, Path]:
    stream = io.StringIO()
    request = BuildRequest(settings=Settings(build_dir=build_dir, machine="runnerboard", layers=LAYERS),
                           targets=targets, options=BuildOptions(goal="do_build", jobs=2))
    result = run_build(request, Progress(stream, live=False), environment=plain_environment, native_tools=list)
    return result, stream.getvalue(), build_dir / DEFAULT_DISTRO / "runnerboard"


def image_files(machine_dir: Path) -> list[str]:
    image = machine_dir / "image"
    return sorted(p.relative_to(image).as_posix() for p in image.rglob("*") if not p.is_dir())


def test_rdepends_on_a_split_package_installs_its_files_only(tmp_path: Path) -> None:
    result, output, machine_dir = build_image(tmp_path / "build", "extra-user")
    assert result.ok, output
    assert image_files(machine_dir) == ["usr/bin/extra-user", "usr/share/splitlib/extra/extra.txt"]
    assert "(splitlib: splitlib-extra, extra-user)" in output
    manifest = (machine_dir / "image-manifest.tsv").read_text()
    assert "usr/share/splitlib/extra/extra.txt\tfile\t0644\t" in manifest and "core.txt" not in manifest
    licensed = [line.split("\t")[0] for line in (machine_dir / "license-manifest").read_text().splitlines()[1:]]
    assert licensed == ["splitlib", "extra-user"]  # a recipe of which one package ships is in the image


def test_rdepends_on_the_recipe_installs_its_pn_without_the_split_package(tmp_path: Path) -> None:
    result, output, machine_dir = build_image(tmp_path / "build", "core-user")
    assert result.ok, output
    assert image_files(machine_dir) == ["usr/bin/core-user", "usr/share/splitlib/core.txt"]


def test_both_packages_of_a_recipe_and_a_split_package_as_a_target(tmp_path: Path) -> None:
    result, output, machine_dir = build_image(tmp_path / "build", "splitlib-extra", "core-user")
    assert result.ok, output
    assert image_files(machine_dir) == ["usr/bin/core-user", "usr/share/splitlib/core.txt",
                                        "usr/share/splitlib/extra/extra.txt"]


@pytest.mark.parametrize("waived", [False, True])
def test_a_file_no_package_takes_fails_do_package_unless_waived(tmp_path: Path, waived: bool) -> None:
    layer = tmp_path / "layer"
    (layer / "conf").mkdir(parents=True)
    (layer / "conf" / "layer.conf").write_text('BBPATH .= ":${LAYERDIR}"\nBBFILES += "${LAYERDIR}/*.bbappend"\n')
    if waived:
        (layer / "unshipped_%.bbappend").write_text('INSANE_SKIP:${PN} += "installed-vs-shipped"\n')
    stream = io.StringIO()
    request = BuildRequest(settings=Settings(build_dir=tmp_path / "build", machine="runnerboard", layers=(*LAYERS, layer)),
                           targets=("unshipped",), options=BuildOptions(goal="do_build", jobs=2))
    result = run_build(request, Progress(stream, live=False), environment=plain_environment, native_tools=list)
    output = stream.getvalue() + "".join(str(f) for f in result.failures)
    assert result.ok == waived, output
    assert "/etc/lost.conf" in output
    if waived:
        image = tmp_path / "build" / DEFAULT_DISTRO / "runnerboard" / "image"
        assert (image / "usr/share/shipped.txt").is_file() and not (image / "etc").exists()
    else:
        assert "installed file(s) are in no package of PACKAGES" in output
