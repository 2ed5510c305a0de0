"""Reading a PEP 751 lock for one board: which packages apply, and what cannot be followed."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pyrecipe.errors import InputError
from pyrecipe.recipetool.create import TargetFacts
from pyrecipe.requirements.lockfile import merge, preferred_versions, read_lock
from pyrecipe.requirements.resolve import is_lock

PI_TRIXIE = TargetFacts("3.13.5", "aarch64").marker_environment()
BEAGLEBONE_BOOKWORM = TargetFacts("3.11.2", "armv7l").marker_environment()

A = "a" * 64
B = "b" * 64
C = "c" * 64

LOCK = f"""\
lock-version = "1.0"
requires-python = ">=3.11"
created-by = "uv"

[[packages]]
name = "Requests"
version = "2.34.2"
sdist = {{ url = "https://files.example/requests-2.34.2.tar.gz", hashes = {{ sha256 = "{A}" }} }}
wheels = [{{ url = "https://files.example/requests-2.34.2-py3-none-any.whl", hashes = {{ sha256 = "{B}" }} }}]

[[packages]]
name = "attrs"
version = "26.1.0"
marker = "python_full_version >= '3.12'"
wheels = [{{ url = "https://files.example/attrs-26.1.0-py3-none-any.whl", hashes = {{ sha256 = "{C}" }} }}]

[[packages]]
name = "colorama"
version = "0.4.6"
marker = "sys_platform == 'win32'"
wheels = [{{ url = "https://files.example/colorama-0.4.6-py2.py3-none-any.whl", hashes = {{ sha256 = "{C}" }} }}]

[[packages]]
name = "armonly"
version = "1.0"
marker = "platform_machine == 'armv7l'"
sdist = {{ url = "https://files.example/armonly-1.0.tar.gz", hashes = {{ sha256 = "{A}" }} }}
"""


def write(tmp_path: Path, text: str, name: str = "pylock.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_markers_choose_the_boards_packages(tmp_path: Path) -> None:
    lock = write(tmp_path, LOCK)
    pi = {p.name: p for p in read_lock(lock, PI_TRIXIE)}
    assert sorted(pi) == ["attrs", "requests"]  # names normalised; no colorama, no armonly
    assert pi["requests"].version == "2.34.2" and pi["requests"].sha256 == {A, B}
    assert pi["requests"].target == "python3-requests"
    beaglebone = {p.name for p in read_lock(lock, BEAGLEBONE_BOOKWORM)}
    assert beaglebone == {"requests", "armonly"}  # attrs needs 3.12
    assert preferred_versions(read_lock(lock, PI_TRIXIE)) == {
        "PREFERRED_VERSION_python3-requests": "2.34.2", "PREFERRED_VERSION_python3-attrs": "26.1.0",
    }


@pytest.mark.parametrize(("text", "message"), [
    ('lock-version = "2.0"\n', "lock-version 2.0"),
    ('lock-version = "1.0"\nrequires-python = ">=3.14"\n', "excludes the board's Python 3.13"),
    ('lock-version = "1.0"\nenvironments = ["sys_platform == \'darwin\'"]\n', "none of its environments"),
    ('lock-version = "1.0"\n[[packages]]\nname = "x"\nversion = "1"\nmarker = "python_version >>> \'3\'"\n',
     "the marker \"python_version >>> '3'\" cannot be evaluated"),
    ('lock-version = "1.0"\n[[packages]]\nname = "x"\nvcs = { type = "git", url = "https://g/x", commit-id = "ab" }\n',
     "x is locked to a vcs source"),
    ('lock-version = "1.0"\n[[packages]]\nname = "x"\nversion = "1"\nsdist = { url = "https://f/x-1.tar.gz" }\n',
     "x 1 names no sdist or wheel with a sha256"),
    (f'lock-version = "1.0"\n[[packages]]\nname = "x"\nversion = "1"\nwheels = [{{ url = "u", hashes = {{ sha256 = "{A}" }} }}]\n'
     f'[[packages]]\nname = "X"\nversion = "2"\nwheels = [{{ url = "v", hashes = {{ sha256 = "{B}" }} }}]\n',
     "x is locked at 1 and at 2 for the same board"),
    ('lock-version = "1.0"\n[[packages]]\nname = "x"\nversion = "1"\nmarker = "sys_platform == \'win32\'"\n',
     "no package of the lock applies to the board"),
    ("lock-version = \n", "is not TOML"),
])
def test_what_cannot_be_followed_is_an_input_error(tmp_path: Path, text: str, message: str) -> None:
    lock = write(tmp_path, text)
    with pytest.raises(InputError) as raised:
        read_lock(lock, PI_TRIXIE)
    assert message in str(raised.value) and str(lock) in str(raised.value)


def test_two_locks_disagreeing_on_a_version(tmp_path: Path) -> None:
    first = read_lock(write(tmp_path, LOCK), PI_TRIXIE)
    second = read_lock(write(tmp_path, LOCK.replace('"2.34.2"', '"2.33.0"'), "pylock.other.toml"), PI_TRIXIE)
    assert merge([first, first]) == first
    with pytest.raises(InputError, match="requests is locked at 2.34.2 and at 2.33.0 by two of the -r files"):
        merge([first, second])


def test_lock_file_names() -> None:
    assert is_lock(Path("pylock.toml")) and is_lock(Path("dir/pylock.fleet.toml"))
    assert not is_lock(Path("requirements.txt")) and not is_lock(Path("pyproject.toml"))
