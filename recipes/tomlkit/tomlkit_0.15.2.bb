SUMMARY = "Style-preserving TOML library for Python"
HOMEPAGE = "https://github.com/python-poetry/tomlkit"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://LICENSE;md5=31aac0dbc1babd278d5386dadb7f8e82"

inherit pypi python_poetry_core

SRC_URI[sha256sum] = "83e32755ba1d20d9340bd069ee97e9f6232ba2346b63ffcba425de01f7e327a6"

RDEPENDS:${PN} = "python3-datetime python3-core"

PYTHON_TEST_CODE = "import tomlkit; doc = tomlkit.parse('# board\nname = \"rpi\"  # keep\n[net]\nport = 8080\n'); doc['net']['port'] += 1; out = tomlkit.dumps(doc); assert out == '# board\nname = \"rpi\"  # keep\n[net]\nport = 8081\n', out; print('tomlkit', tomlkit.__version__, doc['net']['port'])"
