# OpenEmbedded's setuptools3_legacy is for projects that cannot build a wheel: it runs their
# `setup.py build ${SETUPTOOLS_BUILD_ARGS}` and `setup.py install ${SETUPTOOLS_INSTALL_ARGS}` in
# ${SETUPTOOLS_SETUP_PATH}. pyrecipe builds them as setuptools3 does (`setup.py bdist_wheel`,
# through setuptools' legacy PEP 517 backend), then installs the wheel: the files in the image are
# the same, and SETUPTOOLS_INSTALL_ARGS, which name that install's directories, are not read.
# SETUPTOOLS_BUILD_ARGS stay options of the build command: after `bdist_wheel --dist-dir DIR`
# they follow `build`, whose options setuptools applies to the build bdist_wheel runs (it then
# skips the command, already run).
inherit setuptools3

SETUPTOOLS_BDIST_WHEEL_ARGS = "${@'build ' + d.getVar('SETUPTOOLS_BUILD_ARGS') if d.getVar('SETUPTOOLS_BUILD_ARGS').strip() else ''}"
