"""``pyrecipe build``: configuration -> graph -> provisioning -> tasks -> image.

This module joins the pieces (as pypa/installer's ``install()`` joins a source and a
destination): it holds no build logic of its own beyond deciding what runs where.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pyrecipe.config.configuration import Settings, load_configuration
from pyrecipe.config.layers import LayerIndex
from pyrecipe.engine import buildstats
from pyrecipe.engine.buildlock import build_lock
from pyrecipe.engine.codesig import remembered
from pyrecipe.engine.context import BuildContext
from pyrecipe.engine.leftovers import remove_leftovers
from pyrecipe.engine.notes import Note, silent
from pyrecipe.engine.progress import Progress
from pyrecipe.engine.scheduler import Builder, BuildOptions, BuildResult, plan_build
from pyrecipe.errors import InputError
from pyrecipe.graph.build_graph import Graph, GraphBuilder
from pyrecipe.parse import DataSmart
from pyrecipe.requirements.options import NO_OPTIONS, CommandLine
from pyrecipe.toolchain.sysroot import NO_SYSROOT_PROVIDER

if TYPE_CHECKING:
    from pyrecipe.requirements.targets import RequirementRow
    from pyrecipe.toolchain import Toolchain

#: Host environment variables passed to tasks; everything else comes from the recipe and toolchain.
PASSED_ENV = (
    "HOME", "LANG", "LC_ALL", "TERM", "USER", "LOGNAME", "TMPDIR", "SSL_CERT_FILE", "http_proxy", "https_proxy", "no_proxy",
    "CCACHE_DISABLE",
)


@dataclass(frozen=True)
class BuildRequest:
    settings: Settings
    targets: tuple[str, ...]
    options: BuildOptions
    tar: bool = False
    allow_missing_checksum: bool = False
    build_all: bool = False
    #: ``-r`` files: requirements.txt, pyproject.toml, pylock.toml.
    requirements: tuple[Path, ...] = ()
    #: --only-binary / --prefer-binary: PYPI_BINARY for this build ("only", "prefer"; None: the configuration's).
    binary: str | None = None
    #: ``--constraint``, ``--index-url``, ``--extra-index-url`` for the ``-r`` files.
    requirement_options: CommandLine = NO_OPTIONS
    #: Where the image goes instead of IMAGE_ROOTFS (``pyrecipe test``'s image of a suite).
    image_rootfs: Path | None = None


def _base_env() -> dict[str, str]:
    env = {key: os.environ[key] for key in PASSED_ENV if key in os.environ}
    env["PATH"] = os.environ.get("PATH", "/usr/bin:/bin")
    return env


def _task_envs(toolchain: Toolchain) -> dict[str, dict[str, str]]:
    """What target and native tasks start from besides the recipe's exported variables (the
    distro's cross environment among them): the passed host variables and PATH, the native
    venv's tools first (and for target tasks the pkg-config wrapper)."""
    target, native = _base_env(), _base_env()
    target["PATH"] = toolchain.path(target["PATH"])
    native["PATH"] = f"{toolchain.native_venv / 'bin'}:{native['PATH']}"
    return {"target": target, "native": native}


def _fingerprint(env: dict[str, str], extra: str) -> str:
    digest = hashlib.sha256(extra.encode())
    for key in sorted(env):
        if key not in PASSED_ENV and key != "PATH":
            digest.update(f"{key}={env[key]}\0".encode())
    return digest.hexdigest()


def pinned_native_tools() -> list[str]:
    """The tools of the native environment, from its pin file (``toolchains/native-tools.txt``)."""
    from pyrecipe.toolchain import native_tool_names

    return native_tool_names()


def resolve(request: BuildRequest, native_tools: Iterable[str]) -> tuple[LayerIndex, Graph, list[RequirementRow]]:
    """The layers, the graph of what the request builds, and the rows of its requirement set."""
    config = load_configuration(request.settings)
    index = LayerIndex(config, Path(config.getVar("PARSE_CACHE_DIR")))
    if request.requirements:
        # Imported only for a requirement set: packaging and the recipe generator cost a build of
        # recipes alone (a no-op among them) 60 ms.
        from pyrecipe.requirements import targets as requirement_targets

        layer = index.python_recipes()
        locked = requirement_targets.requirement_set(request.requirements, config, layer, request.binary,
                                                     request.requirement_options)
        requirement_targets.pin(config, locked, index, layer)
    else:
        locked = []
        if request.binary:
            config.setVar("PYPI_BINARY", request.binary)
    targets = list(request.targets)
    if request.build_all:
        targets += [info.pn for info in index.infos if info.variant == "" and not info.skipped]
    targets += [package.target for package in locked]
    if not targets:
        raise InputError("nothing to build: name a recipe, or use --all")
    if not request.options.dry_run:
        _sysroot_for_wheels(config, request.settings.build_dir)
    graph = GraphBuilder(index, native_tools).build(targets)
    rows = (requirement_targets.check_recipes(graph, graph.targets[len(targets) - len(locked):], locked, index, layer,
                                              request.requirements) if request.requirements else [])
    return index, graph, rows


def _sysroot_for_wheels(config: DataSmart, build_dir: Path) -> None:
    """The machine's sysroot, provisioned before the graph when PyPI's wheels are allowed: a
    wheel is taken only after its ELF files are checked against the sysroot's libraries (glibc's
    and libstdc++'s symbol versions, NEEDED), and a first build in a new build directory refused
    every platform wheel as unchecked. The sysroot the build provisions next only adds what
    the recipes need to this one; a dry run provisions nothing."""
    if (config.getVar("PYPI_BINARY") or "no").strip() == "no" or config.getVar("SYSROOT_PROVIDER") == NO_SYSROOT_PROVIDER:
        return
    from pyrecipe.toolchain.machine import machine_from_datastore
    from pyrecipe.toolchain.sysroot import ensure_sysroot

    ensure_sysroot(machine_from_datastore(config), build_dir, note=print)


@dataclass(frozen=True)
class Environment:
    """What tasks run with: environments and fingerprints per kind ("target", "native"), the context."""

    envs: dict[str, dict[str, str]]
    fingerprints: dict[str, str]
    context: BuildContext
    #: With -k: native tools from PyPI that did not install (name -> why); their users fail alone.
    unusable_tools: dict[str, str] = field(default_factory=dict)
    #: The sysroot's Debian packages and their versions: in the signatures of the recipes using them.
    package_versions: dict[str, str] = field(default_factory=dict)


def host_environment(request: BuildRequest) -> Environment:
    """Tasks run with the build machine's own tools: nothing is provisioned, do_qa/do_test are skipped.

    Why: a machine conf that says ``SYSROOT_PROVIDER = "none"`` (the test machine ``runnerboard``)
    has no cross toolchain to provision, yet ``pyrecipe build`` must still run its recipes through
    the real command line, so that reliability tests see what a user sees.
    """
    env = _base_env()
    return Environment(
        envs={"target": env, "native": env},
        fingerprints={"target": _fingerprint(env, "host-target"), "native": _fingerprint(env, "host-native")},
        context=BuildContext(toolchain=None, allow_missing_checksum=request.allow_missing_checksum),
    )


def _toolchain_record(config: DataSmart) -> Path:
    """Where a build keeps the fingerprints and facts of the toolchain it provisioned, for dry runs."""
    return Path(config.getVar("PYRECIPE_TOOLCHAIN_DIR")) / "record.json"


def _apply_facts(graph: Graph, facts: dict[str, str]) -> None:
    """Set the provisioned toolchain's facts on every recipe, before signatures are computed."""
    for node in graph.nodes.values():
        for name, value in facts.items():
            node.d.setVar(name, value)


def dry_run_environment(request: BuildRequest, graph: Graph, config: DataSmart, note: Note = silent) -> Environment:
    """What a dry run plans with: the fingerprints of the toolchain as last provisioned.

    A dry run provisions nothing (no package installed, downloaded or unpacked), so it cannot
    compute them; before the first provisioning every task would run anyway.
    """
    record = _toolchain_record(config)
    if record.is_file():
        recorded = json.loads(record.read_text())
        fingerprints = recorded["fingerprints"]
        versions = recorded.get("package_versions", {})
        _apply_facts(graph, recorded["facts"])
    else:
        note(f"Dry run: no toolchain provisioned yet in {request.settings.build_dir}; every task would run")
        fingerprints, versions = {"target": "unprovisioned", "native": "unprovisioned"}, {}
    return Environment(envs={"target": {}, "native": {}}, fingerprints=fingerprints,
                       context=BuildContext(toolchain=None, allow_missing_checksum=request.allow_missing_checksum),
                       package_versions=versions)


def provisioned_environment(request: BuildRequest, graph: Graph, config: DataSmart, note: Note = silent) -> Environment:
    """Provision the machine's toolchain and sysroot (cached) and derive the task environments;
    a dry run provisions nothing (:func:`dry_run_environment`)."""
    if config.getVar("SYSROOT_PROVIDER") == NO_SYSROOT_PROVIDER:
        return host_environment(request)
    if request.options.dry_run:
        return dry_run_environment(request, graph, config, note)
    from pyrecipe.fsutil import atomic_write_text
    from pyrecipe.toolchain.machine import machine_from_datastore
    from pyrecipe.toolchain.provision import provision

    machine = machine_from_datastore(config)
    native_files: list[Path] = []
    if graph.pypi_native_tools:
        # The resolver's module (packaging's metadata, QA's ELF checks, recipetool) took a no-op
        # build of numpy, which has no such tool, longer to import than all the rest of it.
        from pyrecipe.recipetool.pypi_resolve import native_tool_files

        native_files = native_tool_files(graph.pypi_native_tools, Path(config.getVar("DL_DIR")))
    toolchain = provision(machine, request.settings.build_dir, graph.sysroot_packages, note, native_files,
                          graph.build_tool_packages, keep_going=request.options.keep_going)
    envs = _task_envs(toolchain)
    facts = toolchain.facts()
    _apply_facts(graph, facts)
    fingerprints = {
        "target": _fingerprint(envs["target"], toolchain.fingerprint()),
        "native": _fingerprint(envs["native"], toolchain.native_fingerprint()),
    }
    versions = toolchain.package_versions()
    record = {"fingerprints": fingerprints, "facts": facts, "package_versions": versions}
    atomic_write_text(_toolchain_record(config), json.dumps(record, sort_keys=True) + "\n")
    unusable = dict(toolchain.unusable_native_files)
    return Environment(
        envs=envs,
        fingerprints=fingerprints,
        context=BuildContext(toolchain=toolchain, allow_missing_checksum=request.allow_missing_checksum),
        unusable_tools={tool.name: unusable[tool.filename] for tool in graph.pypi_native_tools if tool.filename in unusable},
        package_versions=versions,
    )


def _remove_leftovers(graph: Graph, config: DataSmart, image_dir: Path, note: Note) -> None:
    """What an interrupted run left in the places a build writes: the image's directory (image,
    tarball), DL_DIR (downloads), the deployed wheels and their index, and the work directories
    of the recipes about to be built."""
    wheels = Path(config.getVar("DEPLOY_DIR_WHEELS"))
    places = [image_dir.parent, Path(config.getVar("DL_DIR")), wheels, wheels.parent]
    places += [Path(node.d.getVar("WORKDIR")) for node in graph.nodes.values()]
    removed = remove_leftovers(places)
    if removed:
        note(f"Removed {len(removed)} leftover(s) of an interrupted run: " + ", ".join(str(p) for p in removed))


def run_build(
    request: BuildRequest,
    progress: Progress | None = None,
    environment: Callable[[BuildRequest, Graph, DataSmart, Note], Environment] = provisioned_environment,
    native_tools: Callable[[], Iterable[str]] = pinned_native_tools,
) -> BuildResult:
    """Build ``request.targets``; assemble the image when the goal is a full build."""
    progress = progress or Progress()
    with build_lock(request.settings.build_dir, progress.note):
        return _locked_build(request, progress, environment, native_tools)


def _locked_build(
    request: BuildRequest,
    progress: Progress,
    environment: Callable[[BuildRequest, Graph, DataSmart, Note], Environment],
    native_tools: Callable[[], Iterable[str]],
) -> BuildResult:
    index, graph, requirements = resolve(request, native_tools())
    config = index.config
    image_dir = request.image_rootfs or Path(config.getVar("IMAGE_ROOTFS"))
    if not request.options.dry_run:
        _remove_leftovers(graph, config, image_dir, progress.note)
    env = environment(request, graph, config, progress.note)
    with remembered(request.settings.build_dir / "cache" / "codesig.json"):
        plan = plan_build(graph, request.options, env.fingerprints, env.unusable_tools, env.package_versions)
    result = Builder(graph, plan, env.envs, request.options, progress, env.context).run()
    result.requirements = requirements
    if not request.options.dry_run and (result.executed or result.restored or result.failures):
        # A build that ran nothing (a no-op) leaves the last one's stats the last: its report.
        try:
            buildstats.write(Path(config.getVar("MACHINE_BUILD_DIR")), result.stats, _build_facts(request, graph, result, config))
        except OSError as error:
            # The stats describe the build; they must not replace what it says (a task that filled
            # the disk failed for that, and the stats could then not be written either).
            progress.note(f"WARNING: the build's stats were not written: {error.strerror or error}")
    if result.ok and request.options.goal == "do_build" and not request.options.dry_run:
        from pyrecipe.outputs.assemble import assemble

        assemble(graph, config, image_dir, tar=request.tar, say=progress.note, results=plan.results,
                 tasks_ran=result.executed > 0)
    return result


def _build_facts(request: BuildRequest, graph: Graph, result: BuildResult, config: DataSmart) -> dict[str, object]:
    """What a build's stats file keeps besides its tasks, for ``pyrecipe report``: the targets,
    the outcome and each recipe's package facts (its ${D}, whose size the report measures: a
    walk of every recipe's tree would slow a no-op build)."""
    from pyrecipe.recipetool import LAYER_RECIPE, origin_how

    said = {row.recipe: row.why for row in result.requirements}
    binary = config.getVar("PYPI_BINARY") or "no"
    packages = []
    for key, node in sorted(graph.nodes.items()):
        d = node.d
        origin = d.getVar("PYRECIPE_GENERATED") or LAYER_RECIPE
        why = said.get(key) or ("a layer provides it" if origin == LAYER_RECIPE else "; ".join(
            part for part in ("no layer recipe provides it", origin_how(origin, d.getVar("PYPI_WHEEL_TAG") or "", binary)) if part))
        packages.append({"recipe": key, "pn": d.getVar("PN"), "version": d.getVar("PV"), "license": d.getVar("LICENSE"),
                         "origin": origin, "why": why, "native": node.native, "image": d.getVar("D")})
    return {"targets": graph.targets, "goal": request.options.goal, "ok": result.ok,
            "failures": [str(failure).splitlines()[0] for failure in result.failures], "packages": packages}
