"""The Python tasks of cargo_common.bbclass: provision Rust and crates in do_fetch, vendor in do_configure.

Only do_fetch reaches the network, so everything a Rust build downloads happens there: Debian's
rustc/cargo on the build machine (or already in the distro's build root), the target's std (:mod:`pyrecipe.toolchain.rust`) and the
Debian crate packages the recipe names (:mod:`pyrecipe.toolchain.rust_crates`). do_configure
then builds the recipe's offline cargo world from the caches alone.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from pyrecipe.engine.confine import sandboxed_command
from pyrecipe.engine.context import current_task
from pyrecipe.errors import BuildError
from pyrecipe.parse import DataSmart
from pyrecipe.toolchain.machine import machine_from_datastore
from pyrecipe.toolchain.rust import RustToolchain, ensure_rust_toolchain, rust_toolchain
from pyrecipe.toolchain.rust_crates import cached_crate_debs, fetch_crate_debs, vendor_crates, write_cargo_config


def recipe_rust(d: DataSmart) -> RustToolchain:
    """The recipe machine's Rust toolchain paths (provisioned or not)."""
    return rust_toolchain(machine_from_datastore(d), Path(d.getVar("TOPDIR")))


def target_rustflags(d: DataSmart) -> str:
    """rustc flags for target crates (the private sysroot with the target's std)."""
    return " ".join(recipe_rust(d).target_rustflags)


def _debian_crates(d: DataSmart) -> list[str]:
    return (d.getVar("CARGO_DEBIAN_CRATES") or "").split()


def fetch(d: DataSmart) -> None:
    """do_fetch's Rust part: the toolchain and the crate packages, into the shared caches."""
    rust = ensure_rust_toolchain(machine_from_datastore(d), Path(d.getVar("TOPDIR")))
    current_task().note(f"NOTE: Rust for {rust.target}: {rust.bin_dir}, target std in {rust.sysroot or 'the build machine'}")
    crates = _debian_crates(d)
    if crates:
        debs = fetch_crate_debs(crates, Path(d.getVar("DL_DIR")), d.getVar("CARGO_DEBIAN_SUITE"), current_task().note)
        current_task().note(f"NOTE: {len(debs)} Debian crate packages ({d.getVar('CARGO_DEBIAN_SUITE')}) for {' '.join(crates)}")


def fetched_crates(d: DataSmart) -> list[Path]:
    """The crates of the recipe's ``crate://`` entries, as do_unpack left them (NAME-VERSION/ each)."""
    from pyrecipe.tasks.base import CRATE_UNPACK_SUBDIR

    top = Path(d.getVar("UNPACKDIR")) / CRATE_UNPACK_SUBDIR
    return sorted(path for path in top.iterdir() if path.is_dir()) if top.is_dir() else []


def configure(d: DataSmart) -> None:
    """do_configure's Rust part: vendor directory, CARGO_HOME/config.toml, and an offline Cargo.lock."""
    crates = _debian_crates(d)
    fetched = fetched_crates(d)
    vendor_dir = None
    if crates or fetched:
        vendor_dir = Path(d.getVar("CARGO_VENDORING_DIRECTORY"))
        debs = cached_crate_debs(crates, Path(d.getVar("DL_DIR")), d.getVar("CARGO_DEBIAN_SUITE")) if crates else []
        count = vendor_crates(debs, vendor_dir, fetched)
        current_task().note(f"NOTE: {count} crates ({len(fetched)} from crate:// entries) vendored into {vendor_dir}")
    config = write_cargo_config(Path(d.getVar("CARGO_HOME")), vendor_dir)
    current_task().note(f"NOTE: wrote {config}")
    if d.getVar("CARGO_LOCK_REGENERATE") == "1":
        _regenerate_lock(d)


def _manifests_below(top: Path, most: int = 5) -> list[Path]:
    """Up to ``most`` Cargo.toml files under ``top``, shallowest first, outside cargo's target directories."""
    found = [path for path in top.rglob("Cargo.toml") if "target" not in path.relative_to(top).parts]
    return sorted(found, key=lambda path: (len(path.parts), path))[:most]


def crate_dir(d: DataSmart) -> Path:
    """The directory of the crate's Cargo.toml: CARGO_SRC_DIR is relative to ${S}, as in OpenEmbedded."""
    return Path(d.getVar("S")) / (d.getVar("CARGO_SRC_DIR") or "")


def _missing_manifest_message(d: DataSmart, source: Path) -> str:
    """Why the lock cannot be resolved when CARGO_SRC_DIR has no Cargo.toml, and which values would do.

    setuptools-rust projects often keep their crate below the top of the sdist (bcrypt's
    src/_bcrypt, named in [tool.setuptools-rust]); cargo's own error there ("could not find
    Cargo.toml") would otherwise be reported as crates Debian does not satisfy.
    """
    top = Path(d.getVar("S"))
    candidates = _manifests_below(top) if top.is_dir() else []
    # As CARGO_SRC_DIR would say them: empty for ${S} itself.
    values = ["" if path.parent == top else str(path.parent.relative_to(top)) for path in candidates]
    hint = "; the sources have one in " + ", ".join(f'"{value}"' for value in values) if values else ""
    return (f"recipe {d.getVar('PN')}: CARGO_SRC_DIR (\"{d.getVar('CARGO_SRC_DIR') or ''}\": {source}) has no "
            "Cargo.toml, so its Cargo.lock cannot be resolved against the Debian crates: set CARGO_SRC_DIR to the "
            f"crate's directory, relative to ${{S}}{hint}")


def _regenerate_lock(d: DataSmart) -> None:
    """Resolve Cargo.lock again against the vendored crates (Debian's versions, not upstream's pins)."""
    source = crate_dir(d)
    if not (source / "Cargo.toml").is_file():
        raise BuildError(_missing_manifest_message(d, source))
    lock = source / "Cargo.lock"
    if lock.is_file():
        os.replace(lock, source / "Cargo.lock.upstream")
    rust = recipe_rust(d)
    run_env = {**os.environ, **rust.env(), "CARGO_HOME": d.getVar("CARGO_HOME")}
    log = current_task().log
    argv = [str(rust.bin_dir / "cargo"), "generate-lockfile", "--offline"]
    # Walled in as the tasks are; in the distro's build root, where the cargo that compiles later is.
    argv = sandboxed_command(d, argv, source, network=False)
    result = subprocess.run(argv, cwd=source, env=run_env, stdout=log, stderr=subprocess.STDOUT, text=True, check=False)
    if result.returncode != 0:
        raise BuildError(
            f"recipe {d.getVar('PN')}: cargo cannot resolve {source / 'Cargo.toml'} against the Debian crates "
            f"({d.getVar('CARGO_DEBIAN_SUITE')}); see the log for the crate and version, then add its package "
            "to CARGO_DEBIAN_CRATES or relax the requirement with a patch"
        )
