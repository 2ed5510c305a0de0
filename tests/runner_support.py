"""A build environment without a cross toolchain, for builds of the runner layer's plain recipes."""

from __future__ import annotations

import os

from pyrecipe.engine.build import Environment
from pyrecipe.engine.context import BuildContext


def plain_environment(request, graph, config, note) -> Environment:
    """The build machine's PATH and HOME for every task, target and native alike."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")}
    return Environment(
        envs={"target": env, "native": env},
        fingerprints={"target": "plain-target", "native": "plain-native"},
        context=BuildContext(toolchain=None),
    )
