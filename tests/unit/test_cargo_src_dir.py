"""CARGO_SRC_DIR with OpenEmbedded's meaning: the crate's directory relative to ${S}, empty by default
(meta-python's cbor2 and ruff recipes set it to "rust"), read where the offline Cargo.lock is resolved.
The class's default is checked with the Rust classes in tests/integration/test_oe_classes.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from parse_support import parse, write_files
from pyrecipe.errors import BuildError
from pyrecipe.parse import DataSmart
from pyrecipe.tasks.cargo import _regenerate_lock, crate_dir


def recipe(tmp_path: Path, setting: str) -> DataSmart:
    source = tmp_path / "python3-cbor2-5.6.5"
    write_files(source, {"rust/Cargo.toml": "[package]\nname = 'x'\n", "pyproject.toml": ""})
    return parse(tmp_path, f'S = "{source}"\n{setting}\n')


@pytest.mark.parametrize(("setting", "relative"), [('CARGO_SRC_DIR = "rust"', "rust"), ('CARGO_SRC_DIR = ""', "")])
def test_cargo_src_dir_is_relative_to_s(tmp_path: Path, setting: str, relative: str) -> None:
    d = recipe(tmp_path, setting)
    assert crate_dir(d) == tmp_path / "python3-cbor2-5.6.5" / relative


def test_a_directory_without_cargo_toml_names_the_relative_values_that_have_one(tmp_path: Path) -> None:
    d = recipe(tmp_path, 'CARGO_SRC_DIR = ""\nPN = "python3-cbor2"')
    with pytest.raises(BuildError) as raised:
        _regenerate_lock(d)
    message = str(raised.value)
    assert 'CARGO_SRC_DIR ("": ' in message and "relative to ${S}" in message
    assert message.endswith('the sources have one in "rust"')
