"""A recipe's cargo sees only the recipe's configuration: cargo merges every ``.cargo/config.toml``
in the directories above the one it runs in, so a build directory under HOME (or below any
directory with a ``.cargo/``) built with the build machine's cargo settings. Measured with cargo
1.9x: a ``[target.<triple>] rustflags`` there joined the target rustflags pyrecipe's cross
environment gives (issue 26 asked whether build-machine Rust settings reach the target build).
The runner test board (tasks sandboxed on the build machine); the task reads the file as cargo would."""

from __future__ import annotations

import shutil
from pathlib import Path

from reliability_support import LAYER, add_recipe, pyrecipe_build, workdir


def test_cargo_configuration_above_the_build_directory_is_empty_for_tasks(tmp_path: Path) -> None:
    layer = tmp_path / "layer"
    shutil.copytree(LAYER, layer)
    above = tmp_path / ".cargo" / "config.toml"
    above.parent.mkdir()
    above.write_text('[target.aarch64-unknown-linux-gnu]\nrustflags = ["-C", "target-cpu=native"]\n')
    (tmp_path / ".cargo" / "config").write_text('[env]\nLEAKED = "1"\n')
    (tmp_path / ".cargo" / "bin").mkdir()  # rustup's tools beside them stay visible
    (tmp_path / ".cargo" / "bin" / "tool").write_text("tool\n")
    # The recipe's own .cargo inside the build directory stays as it is (an sdist's vendored config).
    add_recipe(layer, "cargoconf", "do_compile() {\n"
                                   "\tmkdir -p ${WORKDIR}/own/.cargo && echo '[net]' > ${WORKDIR}/own/.cargo/config.toml\n"
                                   f"\tls -A {above.parent} > ${{WORKDIR}}/seen.txt\n"
                                   f"\tcat {above.parent / 'bin' / 'tool'} ${{WORKDIR}}/own/.cargo/config.toml >> ${{WORKDIR}}/seen.txt\n"
                                   "}\n")
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "-c", "compile", "cargoconf")

    assert result.returncode == 0, result.stderr[-2000:]
    assert (workdir(build_dir, "cargoconf") / "seen.txt").read_text() == "bin\ntool\n[net]\n"
    assert "target-cpu=native" in above.read_text()  # the build machine's file itself is untouched
