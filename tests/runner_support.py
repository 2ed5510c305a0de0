"""Builds of the runner layer's plain recipes, through the real engine with an environment that
needs no cross toolchain (the machine ``runnerboard`` is the build machine itself)."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

from pyrecipe.config.configuration import DEFAULT_DISTRO, Settings
from pyrecipe.engine.build import BuildRequest, Environment, run_build
from pyrecipe.engine.context import BuildContext
from pyrecipe.engine.progress import Progress
from pyrecipe.engine.scheduler import BuildOptions

RUNNER_LAYER = Path(__file__).parent / "fixtures" / "runner_layer"


def runner_layer_copy(tmp_path: Path) -> Path:
    """A copy of the runner layer that a test may edit."""
    copy = tmp_path / "layer"
    shutil.copytree(RUNNER_LAYER, copy)
    return copy


def plain_environment(request, graph, config, note) -> Environment:
    """The build machine's PATH and HOME for every task, target and native alike."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")}
    return Environment(
        envs={"target": env, "native": env},
        fingerprints={"target": "plain-target", "native": "plain-native"},
        context=BuildContext(toolchain=None),
    )


def build(layer: Path, build_dir: Path, *targets: str, **options):
    stream = io.StringIO()
    goal = options.pop("goal", "do_populate_sysroot")
    request = BuildRequest(
        settings=Settings(build_dir=build_dir, machine="runnerboard", layers=(layer,)),
        targets=targets,
        options=BuildOptions(goal=goal, jobs=2, **options),
    )
    result = run_build(request, Progress(stream, live=False), environment=plain_environment, native_tools=list)
    return result, stream.getvalue()


def workdir(build_dir: Path, pn: str, pv: str) -> Path:
    return build_dir / DEFAULT_DISTRO / "runnerboard" / "work" / pn / pv
