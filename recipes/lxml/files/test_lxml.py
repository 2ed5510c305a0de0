"""do_test of lxml on the board: XPath and XSLT through the cross-built libxml2/libxslt bindings."""
from lxml import etree

assert etree.__file__.endswith(".so"), etree.__file__
doc = etree.fromstring("<shelf><book year='1999'>b</book><book year='2003'>c</book><book year='1987'>a</book></shelf>")
assert doc.xpath("sum(//book/@year)") == 5989.0
assert doc.xpath("//book[@year > 1990]/text()") == ["b", "c"]
xslt = etree.XSLT(etree.XML(
    "<xsl:stylesheet version='1.0' xmlns:xsl='http://www.w3.org/1999/XSL/Transform'><xsl:template match='/shelf'>"
    "<list><xsl:for-each select='book'><xsl:sort select='@year' data-type='number'/>"
    "<item n='{position()}'><xsl:value-of select='.'/></item></xsl:for-each></list></xsl:template></xsl:stylesheet>"
))
res = xslt(doc).getroot()
got = [(i.tag, i.get("n"), i.text) for i in res]
assert res.tag == "list" and got == [("item", "1", "a"), ("item", "2", "b"), ("item", "3", "c")], etree.tostring(res)


def version(parts):
    return ".".join(map(str, parts))


print("lxml", etree.__version__, "libxml2", version(etree.LIBXML_VERSION), "libxslt", version(etree.LIBXSLT_VERSION),
      etree.__file__.rsplit("/", 1)[1])
