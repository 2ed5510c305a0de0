"""One side of the real-layer parse benchmark, run in a process of its own.

``python -m bench.parse_sides SIDE SPEC.json`` prints ``{"cpu": s, "wall": s, "recipes": n,
"failed": [recipe ...], "variables": n, "raised": n}`` (variables read, and of those, how many
raised on expansion) for one of

* ``pyrecipe-cold``: the configuration and every recipe of the layers parsed with no cache of
  any kind (no statement cache, no datastore cache), each variant finalised and every variable
  read, one after the other in this process; with ``"bare"`` in SPEC, on the core variables
  alone (``pyrecipe env --bare``), the layers and stub classes on the search path;
* ``pyrecipe-index``: the layer index (what every command builds first) over the cache
  directory in SPEC, from whatever that directory holds: cold when it is empty, warm after;
* ``bitbake``: the same configuration files and recipes through bitbake's own parser
  (``bb.parse``, from the checkout in SPEC, in this process), every variable read; ``"bare"``
  alike.

A process of its own, so that "cold" is cold (no module-level memo of an earlier run) and the
CPU time is this side's alone (workers that a side starts are counted: children's time too).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _cpu() -> float:
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _read_everything(datastores: dict[str, Any]) -> tuple[int, int]:
    """Read (expand) every variable of every variant: how many were read, and how many of them
    raised. A variable no build would expand may raise (bitbake's ``SRCPV`` in a recipe fetched
    by no SCM: "SRCREV was used yet no valid SCM"): it is counted, not taken as the recipe failing."""
    count = raised = 0
    for d in datastores.values():
        for name in list(d.keys()):
            count += 1
            try:
                d.getVar(name)
            except Exception:  # noqa: BLE001 - either parser's expansion errors, counted alike
                raised += 1
    return count, raised


def _settings(spec: dict[str, Any]) -> Any:
    from pyrecipe.config.configuration import Settings

    return Settings(
        build_dir=Path(spec["build_dir"]), machine=spec["machine"], layers=tuple(Path(p) for p in spec["layers"])
    )


def pyrecipe_cold(spec: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    from pyrecipe.config.configuration import load_configuration
    from pyrecipe.errors import PyrecipeError
    from pyrecipe.parse import parse_recipe

    def run() -> dict[str, Any]:
        config = None if spec["bare"] else load_configuration(_settings(spec))
        bbpath = [Path(p) for p in spec["preset"]["BBPATH"].split(":")] if spec["bare"] else []
        failed, variables, raised = [], 0, 0
        for recipe in spec["recipes"]:
            try:
                appends = spec["appends"].get(recipe, [])
                read = _read_everything(parse_recipe(Path(recipe), config, appends, bbpath))
            except PyrecipeError:
                failed.append(recipe)
            else:
                variables, raised = variables + read[0], raised + read[1]
        return {"recipes": len(spec["recipes"]), "failed": failed, "variables": variables, "raised": raised}

    return run


def pyrecipe_index(spec: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    """The index of the recipes in SPEC (BBFILES replaced by their list: the layer's recipes that
    pyrecipe parses; one that does not stops an index)."""
    from pyrecipe.config.configuration import load_configuration
    from pyrecipe.config.layers import LayerIndex

    def run() -> dict[str, Any]:
        config = load_configuration(_settings(spec))
        config.setVar("BBFILES", " ".join(spec["index_recipes"]))
        index = LayerIndex(config, Path(spec["cache_dir"]))
        return {"recipes": len(index.recipes), "failed": [], "variables": len(index.infos)}

    return run


def bitbake(spec: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    """bitbake's parser on the configuration files pyrecipe reads, then on each recipe.

    Inline Python sees pyrecipe's ``oe`` helpers, as recipes do under pyrecipe (OpenEmbedded's
    ``oe`` package is not part of bitbake)."""
    sys.path.insert(0, str(Path(spec["bitbake"]) / "lib"))
    import bb.data
    import bb.parse
    import bb.utils

    from pyrecipe.parse.pyapi import oe

    bb.utils._context["oe"] = oe
    return lambda: _bitbake_parse(spec)


def _bitbake_parse(spec: dict[str, Any]) -> dict[str, Any]:
    import bb.data
    import bb.parse

    d = bb.data.init()
    for name, value in spec["preset"].items():
        d.setVar(name, value)
    bb.parse.init_parser(d)
    d.setVar("__bbclasstype", "global")
    for layer in [] if spec["bare"] else spec["layers"]:
        conf = Path(layer) / "conf" / "layer.conf"
        if conf.is_file():
            d.setVar("LAYERDIR", layer)
            bb.parse.handle(str(conf), d, True, baseconfig=True)
            d.expandVarref("LAYERDIR")
            d.delVar("LAYERDIR")
        else:
            d.appendVar("BBPATH", ":" + layer)
    for conf in spec["confs"]:
        bb.parse.handle(conf, d, True, baseconfig=True)
    d.setVar("__bbclasstype", "recipe")
    for name in [] if spec["bare"] else ["base", *(d.getVar("INHERIT") or "").split()]:
        bb.parse.BBHandler.inherit(name, "configuration INHERIT", 0, d)
    failed, variables, raised = [], 0, 0
    for recipe in spec["recipes"]:
        recipe_data = d.createCopy()
        appends = spec["appends"].get(recipe, [])
        if appends:
            recipe_data.setVar("__BBAPPEND", " ".join(appends))
        try:
            datastores = bb.parse.handle(recipe, recipe_data)
        except Exception:  # noqa: BLE001 - any failure of bitbake on a recipe counts as one failed recipe
            failed.append(recipe)
        else:
            read = _read_everything(datastores)
            variables, raised = variables + read[0], raised + read[1]
    return {"recipes": len(spec["recipes"]), "failed": failed, "variables": variables, "raised": raised}


#: Each side prepares (imports) untimed and returns what is timed.
SIDES: dict[str, Callable[[dict[str, Any]], Callable[[], dict[str, Any]]]] = {
    "pyrecipe-cold": pyrecipe_cold,
    "pyrecipe-index": pyrecipe_index,
    "bitbake": bitbake,
}


def main() -> int:
    side, spec_file = sys.argv[1:3]
    spec = json.loads(Path(spec_file).read_text())
    run = SIDES[side](spec)
    cpu, wall = _cpu(), time.perf_counter()
    result = run()
    result.update(cpu=_cpu() - cpu, wall=time.perf_counter() - wall)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
