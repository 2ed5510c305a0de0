"""Two clean builds of the same recipes give the same bytes: the image (every file), its tarball,
its SBOM and license manifest, the .deb packages and the wheels.

The second build runs in a build directory whose path is longer, with another umask, nothing
shared with the first but the downloads and the provisioning cache (neither is an output).
C (markupsafe), pure Python (six) and Rust (rpds-py) recipes (Cython's output is C, built as
markupsafe's is: msgpack was left out to keep CI within its time). On a difference,
diffoscope (Debian's diffoscope-minimal, installed by .ci/run) says what differs.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from cross_support import build_for_raspberrypi4, machine_dir

RECIPES = ("markupsafe", "six", "rpds-py")


def outputs(build_dir: Path) -> dict[str, Path]:
    """The files a board or a fleet receives from a build, by their place in the build directory."""
    machine = machine_dir(build_dir)
    found = [machine / name for name in ("image.tar.gz", "image.spdx.json", "license-manifest", "image-manifest.tsv")]
    found += sorted((machine / "image").rglob("*")) + sorted((machine / "deploy").rglob("*.deb"))
    found += sorted((build_dir / "deploy").rglob("*.whl"))
    return {path.relative_to(build_dir).as_posix(): path for path in found if path.is_file() and not path.is_symlink()}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def explain(first: Path, second: Path) -> str:
    """diffoscope's report of two files that differ (its first 6000 characters)."""
    if shutil.which("diffoscope") is None:
        return "(diffoscope is not installed: apt-get install diffoscope-minimal)"
    report = subprocess.run(["diffoscope", "--text", "-", str(first), str(second)], capture_output=True, text=True, timeout=600)
    return report.stdout[:6000]


def test_two_clean_builds_in_other_places_give_the_same_bytes(tmp_path: Path) -> None:
    downloads = tmp_path / "downloads"
    places = [tmp_path / "a", tmp_path / "a-build-directory-with-a-much-longer-path" / "and" / "deeper" / "b"]
    for place, umask in zip(places, (0o022, 0o027)):
        (place / "conf").mkdir(parents=True)
        (place / "conf" / "local.conf").write_text(f'DL_DIR = "{downloads}"\nPACKAGE_FORMAT = "deb"\n')
        previous = os.umask(umask)
        try:
            build_for_raspberrypi4(place, "--tar", *RECIPES)
        finally:
            os.umask(previous)
    first, second = outputs(places[0]), outputs(places[1])
    assert first.keys() == second.keys(), sorted(set(first) ^ set(second))
    assert any(name.endswith(".deb") for name in first) and any(name.endswith(".whl") for name in first)
    assert any(name.endswith(".so") for name in first), "no compiled module compared"
    differing = [name for name in first if digest(first[name]) != digest(second[name])]
    assert not differing, f"{len(differing)} of {len(first)} files differ: {differing[:20]}\n" + explain(
        first[differing[0]], second[differing[0]])
