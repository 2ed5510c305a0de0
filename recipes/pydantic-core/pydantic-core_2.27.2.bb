SUMMARY = "Core validation and serialization of pydantic (Rust, PyO3)"
HOMEPAGE = "https://github.com/pydantic/pydantic-core"
LICENSE = "MIT"
LIC_FILES_CHKSUM = "file://LICENSE;md5=ab599c188b4a314d2856b3a55030c75c"

inherit pypi python_maturin

PYPI_PACKAGE = "pydantic_core"
SRC_URI += "file://0001-Cargo.toml-accept-uuid-1.10.patch"
SRC_URI[sha256sum] = "eb026e5a4c1fee05726072337ff51d1efb6f59090b7da90d30ea58625b1ffb39"

PROVIDES = "python3-pydantic-core"

# build.rs runs generate_self_schema.py (core_schema.py -> self_schema.py) with the build
# interpreter, and it imports typing_extensions (pinned in the native venv).
DEPENDS += "python3-typing-extensions-native"

# The sdist does not vendor its crates: they come from Debian trixie's librust-*-dev packages,
# the ones Debian built python3-pydantic-core 2.27.2 with (PyO3 0.22.6, jiter 0.7.1, speedate
# 0.15.0, strum 0.26). Newer pydantic-core needs jiter >= 0.13 and strum 0.27, which neither
# trixie nor sid has; trixie's uuid is 1.10 (the patch accepts it). jiter's bitvec needs radium,
# whose trixie version 1.1.0 no longer compiles with rustc 1.96 (E0404: `Atomic` became a
# struct in core); sid's 1.1.1 does, so that one package comes from sid.
CARGO_DEBIAN_CRATES = "librust-radium-dev/sid librust-pyo3-dev librust-pyo3-build-config-dev librust-jiter-dev librust-speedate-dev \
    librust-regex-dev librust-strum-dev librust-strum-macros-dev librust-serde-dev librust-serde-json-dev \
    librust-enum-dispatch-dev librust-smallvec-dev librust-ahash-dev librust-url-dev librust-idna-dev \
    librust-base64-dev librust-num-bigint-dev librust-python3-dll-a-dev librust-uuid-dev librust-hex-dev \
    librust-version-check-dev"

RDEPENDS:${PN} = "typing-extensions python3-datetime python3-json"

PYTHON_TEST_CODE = "import os, sysconfig, pydantic_core; from pydantic_core import SchemaValidator, ValidationError, core_schema as cs; so = os.path.basename(pydantic_core._pydantic_core.__file__); assert so == '_pydantic_core' + sysconfig.get_config_var('EXT_SUFFIX'), so; f = cs.typed_dict_field; v = SchemaValidator(cs.typed_dict_schema({'id': f(cs.int_schema(gt=0)), 'name': f(cs.str_schema(max_length=8)), 'tags': f(cs.list_schema(cs.str_schema())), 'owner': f(cs.typed_dict_schema({'uid': f(cs.int_schema()), 'login': f(cs.str_schema())}))})); r = v.validate_python({'id': '42', 'name': 'pi4', 'tags': ['arm', 'rust'], 'owner': {'uid': 7, 'login': 'root'}}); assert r == {'id': 42, 'name': 'pi4', 'tags': ['arm', 'rust'], 'owner': {'uid': 7, 'login': 'root'}}, r; bad = {'id': 0, 'name': 'far too long', 'tags': ['ok', 3], 'owner': {'uid': 'x'}}; ns = {}; exec('try:\n    v.validate_python(bad)\nexcept ValidationError as e:\n    err = e', {'v': v, 'bad': bad, 'ValidationError': ValidationError}, ns); err = ns['err']; types = sorted(e['type'] for e in err.errors()); assert err.error_count() == 5 and types == ['greater_than', 'int_parsing', 'missing', 'string_too_long', 'string_type'], err; print('pydantic_core', pydantic_core.__version__, so, 'valid', r['id'], r['name'], r['tags'], r['owner']['uid'], 'errors', err.error_count(), ' '.join(types))"
