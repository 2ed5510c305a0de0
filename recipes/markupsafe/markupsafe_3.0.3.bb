SUMMARY = "Safely add untrusted strings to HTML/XML markup"
HOMEPAGE = "https://palletsprojects.com/p/markupsafe/"
LICENSE = "BSD-3-Clause"
LIC_FILES_CHKSUM = "file://LICENSE.txt;md5=ffeffa59c90c9c4a033c7574f8f3fb75"

inherit pypi python_setuptools_build_meta

SRC_URI[sha256sum] = "722695808f4b6457b320fdc131280796bdceb04ab50fe1795cd540799ebe1698"

# setup.py falls back to pure Python when the _speedups extension does not build, unless it runs
# under cibuildwheel: a failed C build is then an error, not a slower package.
export CIBUILDWHEEL = "1"

RDEPENDS:${PN} = "python3-html python3-stringold"

PYTHON_TEST_CODE = "import markupsafe, markupsafe._speedups as s; assert s.__file__.endswith('.so'), s.__file__; m = markupsafe.escape('<a href=\"x\">&</a>') + markupsafe.Markup('<b>ok</b>'); assert str(m) == '&lt;a href=&#34;x&#34;&gt;&amp;&lt;/a&gt;<b>ok</b>', m; assert m.striptags() == '<a href=\"x\">&</a>ok', m.striptags(); print('markupsafe', s.__file__.rsplit('/', 1)[1], m)"
