# Rust crates built by cargo without crates.io (OpenEmbedded's class name and CARGO_HOME,
# CARGO_SRC_DIR, CARGO_VENDORING_DIRECTORY). Rust comes from Debian (rustc-web/cargo-web of the
# distro's release: on the build machine, or in the distro's build root; the target's
# libstd-rust-web-dev of the same version in a private Rust sysroot), provisioned by
# do_fetch, which also downloads the crates: from the sources themselves when the sdist vendors
# them (orjson's include/cargo), from crates.io for SRC_URI's crate:// entries (OpenEmbedded's
# -crates.inc files; do_unpack puts them in ${UNPACKDIR}/cargo_home/bitbake), or from Debian's
# librust-*-dev packages named in CARGO_DEBIAN_CRATES (their dependency closure, from
# CARGO_DEBIAN_SUITE). do_configure vendors them into CARGO_VENDORING_DIRECTORY. Every later task
# is offline; pyrecipe.tasks.cargo does the work.

CARGO_HOME = "${WORKDIR}/cargo_home"
export CARGO_HOME
# The crate's directory relative to ${S} (OE's meaning: meta-python's cbor2 and ruff set "rust").
CARGO_SRC_DIR ?= ""
CARGO_VENDORING_DIRECTORY = "${WORKDIR}/cargo-vendor"
CARGO_DEBIAN_CRATES ?= ""
# Crate sources are architecture-free, so a newer suite than the target's serves (bookworm's PyO3
# is 0.17; trixie has 0.22, sid newer). A recipe picks the suite whose crate versions its
# upstream Cargo.toml accepts (cryptography 47 needs sid's pyo3 0.28).
CARGO_DEBIAN_SUITE ?= "trixie"
# Debian's crate versions differ from an upstream Cargo.lock's pins: resolve again, offline.
CARGO_LOCK_REGENERATE ?= "${@'1' if (d.getVar('CARGO_DEBIAN_CRATES') or '').split() else '0'}"
export CARGO_NET_OFFLINE = "true"
# cargo's progress bar in the log as well (a log is no terminal): its count of crates built is how
# far do_compile is. How cargo reports, not what it builds: left out of task signatures.
export CARGO_TERM_PROGRESS_WHEN = "always"
export CARGO_TERM_PROGRESS_WIDTH = "100"
do_compile[progress] = "outof:^\s*Building \[[ =>]*\] (\d+)/(\d+)"
# The target's linker, link flags and runner from the distro's cross environment (their names hold
# the target triple, so they are exported here, once the names are expanded).
python () {
    triple = d.getVar("RUST_TARGET_ENV")
    for setting in ("LINKER", "RUSTFLAGS", "RUNNER"):
        if d.getVar(f"CARGO_TARGET_{triple}_{setting}") is not None:
            d.setVarFlag(f"CARGO_TARGET_{triple}_{setting}", "export", "1")
}

def cargo_rust_toolchain_var(d, what):
    import pyrecipe.tasks.cargo
    rust = pyrecipe.tasks.cargo.recipe_rust(d)
    return str(rust.bin_dir) if what == "bin" else " ".join(rust.target_rustflags)

RUST_BIN_DIR = "${@cargo_rust_toolchain_var(d, 'bin')}"
export RUSTC = "${RUST_BIN_DIR}/rustc"
export CARGO = "${RUST_BIN_DIR}/cargo"
RUST_TARGET_SYS = "${RUST_TARGET}"
# For target crates only: cargo passes target.<triple>.rustflags to neither build scripts nor
# proc macros, which keep the build machine's std.
# Panic messages carry source paths: the board sees them under TARGET_DBGSRC_DIR, not the build
# tree (the vendored crates under CARGO_HOME and the vendoring directory likewise).
RUST_DEBUG_PREFIX_MAP ?= "--remap-path-prefix=${WORKDIR}=${TARGET_DBGSRC_DIR}"
# The optimisation is the project's release profile (the one its PyPI wheels are built with:
# maturin and setuptools-rust build --release); DEBUG_BUILD = "1" builds at opt-level 1 with
# debug assertions. Line tables only: enough for a backtrace, split off by do_package.
RUST_SELECTED_OPTIMIZATION ?= "${@oe.utils.vartrue('DEBUG_BUILD', '-C opt-level=1 -C debug-assertions=on', '', d)}"
RUST_DEBUG_FLAGS ?= "-C debuginfo=line-tables-only"
RUST_TARGET_RUSTFLAGS = "${@cargo_rust_toolchain_var(d, 'rustflags')} ${RUST_SELECTED_OPTIMIZATION} ${RUST_DEBUG_FLAGS} ${RUST_DEBUG_PREFIX_MAP}"

# Debian's cargo first on PATH (not rustup's), and the target std added to the target rustflags
# the cross environment gives (linker arguments) unless it already names a sysroot.
cargo_common_setup_env () {
	export PATH="${RUST_BIN_DIR}:$PATH"
	flags_var=CARGO_TARGET_${RUST_TARGET_ENV}_RUSTFLAGS
	case " ${!flags_var} " in
	*" --sysroot="*) ;;
	*) export "$flags_var=${RUST_TARGET_RUSTFLAGS} ${!flags_var}" ;;
	esac
}

python cargo_common_do_fetch() {
    import pyrecipe.tasks.base, pyrecipe.tasks.cargo
    pyrecipe.tasks.base.fetch(d)
    pyrecipe.tasks.cargo.fetch(d)
}

python cargo_common_do_configure() {
    import pyrecipe.tasks.cargo
    pyrecipe.tasks.cargo.configure(d)
}

EXPORT_FUNCTIONS do_fetch do_configure
