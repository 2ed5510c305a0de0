"""The hostile suite: recipes, sdists, mirror archives, requirements files and command lines
written by a stranger, each trying one way out of the walls (issue 25). Every test here failed
on the code before the escape it names was closed.

The tests build the fault-seeding layer ``tests/fixtures/reliability_layer`` (machine
``runnerboard``: the build machine's own tools, no cross toolchain) through the real
``pyrecipe build``; they run as root and, in CI, again as an unprivileged user.
"""

from __future__ import annotations

# The suite's fixtures, shared with tests/cross/test_reliability.py.
from reliability_fixtures import http_dir, layer  # noqa: F401
