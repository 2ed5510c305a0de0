# Sources from PyPI, with OpenEmbedded's variable names: PYPI_PACKAGE (the project, by default
# the recipe name without its python3- prefix), PYPI_PACKAGE_EXT, PYPI_SRC_URI. The fetcher
# resolves the /packages/source/ address through PyPI's simple index when it is not served.

def pypi_default_package(d):
    bpn = d.getVar("BPN")
    for prefix in ("python3-", "python-"):
        if bpn.startswith(prefix):
            return bpn[len(prefix):]
    return bpn

def pypi_source_uri(d):
    package = d.getVar("PYPI_PACKAGE")
    archive = d.getVar("PYPI_ARCHIVE_NAME")
    download = (d.getVar("PYPI_ARCHIVE_NAME_PREFIX") or "") + archive
    return "https://files.pythonhosted.org/packages/source/%s/%s/%s;downloadfilename=%s" % (package[0], package, archive, download)

PYPI_PACKAGE ?= "${@pypi_default_package(d)}"
PYPI_PACKAGE_EXT ?= "tar.gz"
PYPI_ARCHIVE_NAME ?= "${PYPI_PACKAGE}-${PV}.${PYPI_PACKAGE_EXT}"
PYPI_ARCHIVE_NAME_PREFIX ?= ""
PYPI_SRC_URI ?= "${@pypi_source_uri(d)}"

HOMEPAGE ?= "https://pypi.org/project/${PYPI_PACKAGE}/"
SECTION = "devel/python"
SRC_URI:prepend = "${PYPI_SRC_URI} "
S = "${UNPACKDIR}/${PYPI_PACKAGE}-${PV}"
