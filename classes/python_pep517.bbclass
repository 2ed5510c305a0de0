# Packages built by their PEP 517 backend (OpenEmbedded's variables): do_compile builds a wheel
# with pyrecipe's frontend (no isolation, the build interpreter of the native environment, the
# machine's cross environment), do_install installs it with pypa/installer into ${D} with the
# target's layout. PEP517_BUILD_OPTS takes `-Ckey=value` / `--config-setting=key=value`.

PEP517_SOURCE_PATH ?= "${S}"
PEP517_WHEEL_PATH ?= "${WORKDIR}/dist"
PEP517_BUILD_OPTS ?= ""
# Build requirements ([build-system] requires + get_requires_for_build_wheel) against the native
# venv: "warn" names the unsatisfied ones in log.do_compile, "error" fails do_compile, "none".
PEP517_CHECK_REQUIREMENTS ?= "warn"
PEP517_INSTALL_PYTHON = "python3"
INSTALL_WHEEL_COMPILE_BYTECODE ?= "--compile-bytecode=0"
# The frontend's interpreter: the one running pyrecipe, or the build root's (debian-buildroot.inc).
PYRECIPE_FRONTEND_PYTHON ?= "${PYRECIPE_HOST_PYTHON}"
# The frontend is the running pyrecipe's own code (PYRECIPE_CODEDIR, its checkout or the
# site-packages it is installed in, first on its path), not whichever pyrecipe the interpreter has
# installed: a second checkout must build with its own code.
PYRECIPE_FRONTEND = "${PYRECIPE_FRONTEND_PYTHON} -c 'import sys; sys.path.insert(0, sys.argv.pop(1)); from pyrecipe.pep517.frontend import main; sys.exit(main())' ${PYRECIPE_CODEDIR}"

python_pep517_do_configure () {
	:
}

# The build's flags (TARGET_CFLAGS ...) after the machine's, for backends that read the environment
# (setuptools, CMake, cc-rs); meson takes them from the recipe's cross file instead.
python_pep517_do_compile () {
	export_target_flags
	${PYRECIPE_FRONTEND} build-wheel --python ${PYTHON} --wheel-dir ${PEP517_WHEEL_PATH} \
		--check-requirements ${PEP517_CHECK_REQUIREMENTS} ${PEP517_BUILD_OPTS} ${PEP517_SOURCE_PATH}
}
do_compile[cleandirs] += "${PEP517_WHEEL_PATH}"

# Installed files (relative to site-packages) in which a project records how it was built, such as
# numpy's and scipy's __config__.py (show_config()): paths into the build sysroot become the
# board's own paths, the cross flags say <sysroot> (and the machine's cross file <toolchain>)
# instead of naming the build machine, the build interpreter becomes the board's Python, and the
# other build paths are mapped as DEBUG_PREFIX_MAP maps them for the compiler (the recorded
# flags name them too).
PYTHON_BUILD_CONFIG_FILES ?= ""

def python_build_config_sed_args(d):
    import shlex
    maps = [word.split("=", 1)[1] for word in (d.getVar("DEBUG_PREFIX_MAP") or "").split()
            if word.startswith("-ffile-prefix-map=") and "=" in word.split("=", 1)[1]]
    # The compiler takes the last matching map: the same order here, as the first sed that matches.
    return " ".join("-e " + shlex.quote("s#%s#%s#g" % tuple(m.rsplit("=", 1))) for m in reversed(maps))

python_pep517_do_install () {
	${PYRECIPE_FRONTEND} install-wheel --destdir ${D} --prefix ${prefix} --python-version ${PYTHON_BASEVERSION} \
		--interpreter ${PYTHON_INTERPRETER} ${INSTALL_WHEEL_COMPILE_BYTECODE} --sysroot ${RECIPE_SYSROOT} \
		${PEP517_WHEEL_PATH}
	for config in ${PYTHON_BUILD_CONFIG_FILES}; do
		sed -i -e 's#${RECIPE_SYSROOT}/#/#g' -e 's#${RECIPE_SYSROOT}#<sysroot>#g' -e 's#${PYRECIPE_TOOLCHAIN_DIR}#<toolchain>#g' \
			-e 's#${STAGING_BINDIR_NATIVE}/python[0-9.]*#${PYTHON_INTERPRETER}#g' \
			${@python_build_config_sed_args(d)} ${D}${PYTHON_SITEPACKAGES_DIR}/$config
	done
}
do_install[cleandirs] += "${D}"

# The wheel for boards that install with pip (OpenEmbedded's do_deploy, for wheels): do_compile's
# wheel with the files do_package ships (stripped), retagged for what its ELF files need
# (manylinux_2_N_<arch> or linux_<arch>, the target CPython's ABI), into DEPLOY_DIR_WHEELS.
# Before do_populate_sysroot, as do_package_write_deb: a recipe built as a dependency leaves its
# wheel too, so the index has what pip on the board will ask for.
addtask deploy_wheel after do_package before do_populate_sysroot

python do_deploy_wheel() {
    import pyrecipe.outputs.wheel
    pyrecipe.outputs.wheel.deploy_wheel(d)
}

EXPORT_FUNCTIONS do_configure do_compile do_install
