# Packages built with scikit-build-core: its PEP 517 backend runs CMake with the machine's
# toolchain file and EXTRA_OECMAKE (from the cmake class's OECMAKE_ARGS), in ${B}, which is
# emptied before each compile so that a build never resumes from a half-configured tree.

inherit cmake python_pep517

DEPENDS += "python3-scikit-build-core-native"

def scikit_build_cmake_args(d):
    return " ".join("-Ccmake.args=" + word for word in (d.getVar("OECMAKE_ARGS") or "").split())

# install.strip=false: scikit-build-core strips by default, which would lose the debug information
# do_package keeps (deploy/<machine>/debug) before it strips the shipped copy itself.
PEP517_BUILD_OPTS = "-Cbuild-dir=${B} -Cinstall.strip=false ${@scikit_build_cmake_args(d)}"
do_compile[cleandirs] += "${B}"

python_scikit_build_core_do_configure () {
	python_pep517_do_configure
}

python_scikit_build_core_do_compile () {
	python_pep517_do_compile
}

python_scikit_build_core_do_install () {
	python_pep517_do_install
}

# How far the compile is, from ninja's [n/N] lines in the log (bitbake's progress handler syntax).
do_compile[progress] = "outof:^\[(\d+)/(\d+)\]"

EXPORT_FUNCTIONS do_configure do_compile do_install
