"""What several benchmarks share: running the ``pyrecipe`` CLI and reading a recipe's variables."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pyrecipe.config.configuration import Settings
from pyrecipe.config.layers import LayerIndex
from pyrecipe.engine.build import BuildRequest, pinned_native_tools, resolve
from pyrecipe.engine.scheduler import BuildOptions
from pyrecipe.graph.build_graph import Graph
from pyrecipe.parse import DataSmart


@dataclass(frozen=True)
class Timing:
    """A command's wall time and the user CPU time of its processes, in seconds."""

    wall: float
    user: float


def pyrecipe_timed(*args: str, build_dir: Path, machine: str, env: Mapping[str, str] | None = None) -> Timing:
    """Run ``pyrecipe ARGS --machine M --build-dir B`` (output discarded) and time it.

    A separate process, as a user runs it: interpreter start-up and parsing count. User CPU
    as well as wall time: on a shared machine the wall time carries the other users' load.
    """
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "pyrecipe", *args, "--machine", machine, "--build-dir", str(build_dir)],
        check=True, stdout=subprocess.DEVNULL, env=env,
    )
    return Timing(time.monotonic() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - cpu)


def pyrecipe(*args: str, build_dir: Path, machine: str, env: Mapping[str, str] | None = None) -> float:
    """:func:`pyrecipe_timed`'s wall time."""
    return pyrecipe_timed(*args, build_dir=build_dir, machine=machine, env=env).wall


@dataclass(frozen=True)
class ResolvedRecipe:
    """A target recipe resolved as ``pyrecipe build NAME`` resolves it, and its datastore."""

    request: BuildRequest
    index: LayerIndex
    graph: Graph
    d: DataSmart


def resolve_recipe(name: str, build_dir: Path, machine: str) -> ResolvedRecipe:
    request = BuildRequest(Settings(build_dir=build_dir, machine=machine), (name,), BuildOptions())
    index, graph, _ = resolve(request, pinned_native_tools())
    return ResolvedRecipe(request, index, graph, graph.nodes[graph.targets[0]].d)
