SUMMARY = "Fast, correct JSON library for Python (Rust, PyO3 FFI)"
HOMEPAGE = "https://github.com/ijl/orjson"
LICENSE = "(Apache-2.0 | MIT) & MPL-2.0"
LIC_FILES_CHKSUM = "file://LICENSE-APACHE;md5=1836efb2eb779966696f473ee8540542 \
                    file://LICENSE-MIT;md5=b377b220f43d747efdec40d69fcaa69d \
                    file://LICENSE-MPL-2.0;md5=48a3fe23ed1353e0995dadfda05ffdb6"

# The sdist vendors every crate it needs (include/cargo, with its own .cargo/config.toml):
# no Debian crate packages, only Debian's Rust (rust-version 1.95; bookworm-security has 1.96).
inherit pypi python_maturin

SRC_URI[sha256sum] = "d1de5eb04485110c5da4c657e49168995d55e076b1ce60f1a042e254f4186c4f"
# Its build script chose the x86 AVX-512 code by the build machine's architecture.
SRC_URI += "file://0001-build.rs-avx512-by-target-arch.patch"

PROVIDES = "python3-orjson"

RDEPENDS:${PN} = "python3-datetime python3-json"

PYTHON_TEST_CODE = "import orjson, datetime, uuid; doc = {'id': uuid.UUID(int=7), 'at': datetime.datetime(2026, 11, 22, 1, 2, 3), 'xs': [1, 2.5, None, True], 'u': 'h\u00e9llo'}; raw = orjson.dumps(doc, option=orjson.OPT_SORT_KEYS); back = orjson.loads(raw); assert back == {'at': '2026-11-22T01:02:03', 'id': '00000000-0000-0000-0000-000000000007', 'u': 'h\u00e9llo', 'xs': [1, 2.5, None, True]}, back; print('orjson', orjson.__version__, raw)"
