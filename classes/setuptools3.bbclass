# OpenEmbedded's setuptools3: a setuptools project (one with only a setup.py as well) built into a
# wheel by `setup.py bdist_wheel --dist-dir ${PEP517_WHEEL_PATH} ${SETUPTOOLS_BUILD_ARGS}`, run in
# ${SETUPTOOLS_SETUP_PATH}, then installed as python_pep517 installs. pyrecipe runs that same
# command through setuptools' PEP 517 backend with its frontend (the legacy backend when
# pyproject.toml names none): the build gets the native venv's interpreter and the cross
# environment, and SETUPTOOLS_BUILD_ARGS reach setup.py's command line after bdist_wheel's own
# options through setuptools' `--build-option` config setting (meta-python's python3-rapidjson:
# `SETUPTOOLS_BUILD_ARGS += " --rj-include-dir=${RECIPE_SYSROOT}${includedir}"`).
inherit python_setuptools_build_meta

SETUPTOOLS_BUILD_ARGS ?= ""
SETUPTOOLS_SETUP_PATH ?= "${S}"
# The words after `bdist_wheel --dist-dir DIR`: setuptools3_legacy makes them `build`'s options.
SETUPTOOLS_BDIST_WHEEL_ARGS = "${SETUPTOOLS_BUILD_ARGS}"

def setuptools3_build_options(d):
    import shlex
    args = (d.getVar("SETUPTOOLS_BDIST_WHEEL_ARGS") or "").strip()
    # One setting holding the whole string: setuptools splits it with shlex, as OE's shell splits
    # ${SETUPTOOLS_BUILD_ARGS}; quoted once more for the task's shell.
    return "-C" + shlex.quote("--build-option=" + args) if args else ""

PEP517_SOURCE_PATH = "${SETUPTOOLS_SETUP_PATH}"
PEP517_BUILD_OPTS = "${@setuptools3_build_options(d)}"

# What OE's do_compile gives setup.py besides its command line: setup.py scripts patched for OE
# read the sysroot's directories from STAGING_INCDIR and STAGING_LIBDIR.
setuptools3_do_compile () {
	export NO_FETCH_BUILD=1 STAGING_INCDIR=${STAGING_INCDIR} STAGING_LIBDIR=${STAGING_LIBDIR}
	python_pep517_do_compile
}

setuptools3_do_install () {
	python_pep517_do_install
}

EXPORT_FUNCTIONS do_compile do_install
