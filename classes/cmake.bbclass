# Packages built with CMake (OpenEmbedded's variables). The machine's rendered CMake toolchain
# file names the cross compilers, the sysroot as the only place to find headers and libraries,
# and the target's CPython for FindPython. Plain CMake projects configure into ${B} and install
# with DESTDIR=${D}; python_scikit_build_core reuses OECMAKE_ARGS for its own CMake run.

DEPENDS:append = " cmake-native ${@'ninja-native' if d.getVar('OECMAKE_GENERATOR') == 'Ninja' else ''}"

OECMAKE_SOURCEPATH ?= "${S}"
OECMAKE_GENERATOR ?= "Ninja"
OECMAKE_TOOLCHAIN_FILE ?= "${PYRECIPE_CMAKE_TOOLCHAIN_FILE}"
EXTRA_OECMAKE ?= ""
OECMAKE_ARGS = "-DCMAKE_TOOLCHAIN_FILE=${OECMAKE_TOOLCHAIN_FILE} -DCMAKE_INSTALL_PREFIX=${prefix} \
    -DCMAKE_BUILD_TYPE=Release ${EXTRA_OECMAKE}"
OECMAKE_ARGS:class-native = "-DCMAKE_INSTALL_PREFIX=${prefix} -DCMAKE_BUILD_TYPE=Release ${EXTRA_OECMAKE}"

cmake_do_configure () {
	export_target_flags
	cmake -S ${OECMAKE_SOURCEPATH} -B ${B} -G "${OECMAKE_GENERATOR}" ${OECMAKE_ARGS}
}
do_configure[cleandirs] += "${B}"

cmake_do_compile () {
	cmake --build ${B} ${PARALLEL_MAKE}
}

cmake_do_install () {
	DESTDIR=${D} cmake --install ${B}
}
do_install[cleandirs] += "${D}"

# How far the compile is, from ninja's [n/N] lines in the log (bitbake's progress handler syntax).
do_compile[progress] = "outof:^\[(\d+)/(\d+)\]"

EXPORT_FUNCTIONS do_configure do_compile do_install
