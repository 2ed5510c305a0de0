SUMMARY = "YAML parser and emitter for Python, with the LibYAML C binding"
HOMEPAGE = "https://pyyaml.org/"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://LICENSE;md5=6d8242660a8371add5fe547adf083079"

inherit pypi setuptools3 cython

PYPI_PACKAGE = "pyyaml"
SRC_URI[sha256sum] = "d76623373421df22fb4cf8817020cbb7ef15c725b9d5e45f17e189bfc384190f"

DEPENDS += "libyaml"

# setup.py quietly falls back to pure Python when the _yaml extension does not build; these make
# a failed C build an error instead of a slower package.
export PYYAML_FORCE_CYTHON = "1"
export PYYAML_FORCE_LIBYAML = "1"

RDEPENDS:${PN} = "python3-datetime python3-netclient"

PYTHON_TEST_CODE = "import yaml; assert yaml.__with_libyaml__; doc = yaml.load('a: [1, 2.5, x]\nb: {c: true}\n', Loader=yaml.CLoader); assert doc == {'a': [1, 2.5, 'x'], 'b': {'c': True}}, doc; out = yaml.dump(doc, Dumper=yaml.CDumper, sort_keys=True); assert yaml.load(out, Loader=yaml.CSafeLoader) == doc, out; print('yaml', yaml.__version__, 'libyaml', yaml._yaml.get_version_string())"
