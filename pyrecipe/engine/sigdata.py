"""What each task's signature was made of, kept beside its stamps, and what changed between two.

When a task runs (or shared state gives its output), the items its signature hashed are written
to ``${STAMPS_DIR}/sigdata/<task>.<signature>.json``: its functions, the pyrecipe code they reach,
its flags, and the signature before it (the previous task's, or for the first task the recipe's,
whose items, every variable and each dependency's signature, are in ``recipe.<signature>.json``,
written once). ``pyrecipe diffsigs RECIPE:TASK`` compares the last two records of a task, as
``bitbake-diffsigs`` does, following the chain back to the first difference.
"""

from __future__ import annotations

import json
from pathlib import Path

from pyrecipe.errors import InputError
from pyrecipe.fsutil import atomic_write_text, real_directory

#: The folder of records in STAMPS_DIR.
SIGDATA_DIR = "sigdata"
#: How much of a changed value is shown.
_SHOWN = 160


def record(stamps: Path, task: str, signature: str, previous: str,
           task_items: list[tuple[str, str]], recipe_signature: str, recipe_items: list[tuple[str, str]]) -> None:
    """Keep what ``task``'s ``signature`` hashed (and the recipe's items, once per recipe signature).

    The folder is in the recipe's work directory, which its tasks write: a link a task left in its
    place is refused (:func:`real_directory`), a link at a record's name replaced."""
    folder = real_directory(stamps / SIGDATA_DIR, stamps)
    recipe_file = folder / f"recipe.{recipe_signature[:32]}.json"
    if not recipe_file.exists():
        atomic_write_text(recipe_file, json.dumps({"signature": recipe_signature, "items": recipe_items}))
    atomic_write_text(folder / f"{task}.{signature[:32]}.json", json.dumps(
        {"task": task, "signature": signature, "previous": previous, "items": task_items}))


def explain(stamps: Path, task: str) -> list[str]:
    """What changed between the last two recorded signatures of ``task``, from the task back to
    the first difference (a variable, a function, pyrecipe's code, a dependency)."""
    folder = stamps / SIGDATA_DIR
    records = sorted(folder.glob(f"{task}.*.json"), key=lambda path: path.stat().st_mtime_ns)
    if len(records) < 2:
        raise InputError(f"{task}: {len(records)} signature(s) recorded in {folder}; diffsigs compares the last "
                         "two (build, change something, build again)")
    return _diff_task(folder, _load(records[-2]), _load(records[-1]))


def _load(path: Path) -> dict:
    return json.loads(path.read_text())


def _find(folder: Path, signature: str) -> dict | None:
    found = [path for path in folder.glob(f"*.{signature[:32]}.json")]
    return _load(found[0]) if found else None


def _diff_task(folder: Path, old: dict, new: dict) -> list[str]:
    if old["signature"] == new["signature"]:
        return [f"{new['task']}: the last two signatures are the same ({new['signature'][:16]})"]
    lines = [f"{new['task']}: signature {old['signature'][:16]} -> {new['signature'][:16]}"]
    lines += ["  " + line for line in _diff_items(dict(old["items"]), dict(new["items"]))]
    if old["previous"] == new["previous"]:
        return lines
    before, after = _find(folder, old["previous"]), _find(folder, new["previous"])
    if before is None or after is None:
        return [*lines, f"  the signature before it changed ({old['previous'][:16]} -> {new['previous'][:16]}), not recorded"]
    if "task" in before:
        return [*lines, *_diff_task(folder, before, after)]
    return [*lines, "recipe variables and inputs:", *("  " + line for line in _diff_recipe(before, after))]


def _diff_recipe(old: dict, new: dict) -> list[str]:
    inputs_old = {value for name, value in old["items"] if name == "input"}
    inputs_new = {value for name, value in new["items"] if name == "input"}
    lines = _diff_items({n: v for n, v in old["items"] if n != "input"}, {n: v for n, v in new["items"] if n != "input"})
    gone, came = sorted(inputs_old - inputs_new), sorted(inputs_new - inputs_old)
    # A dependency's signature (name=signature): the same name on both sides is that recipe changing.
    changed = {value.split("=", 1)[0] for value in gone} & {value.split("=", 1)[0] for value in came}
    lines += [f"dependency {name} changed (pyrecipe diffsigs {name}:do_populate_sysroot says why)" for name in sorted(changed)]
    lines += [f"input no longer there: {_short(value)}" for value in gone if value.split("=", 1)[0] not in changed]
    lines += [f"input new: {_short(value)}" for value in came if value.split("=", 1)[0] not in changed]
    return lines


def _diff_items(old: dict[str, str], new: dict[str, str]) -> list[str]:
    lines = []
    for name in sorted(old.keys() | new.keys()):
        if name not in new:
            lines.append(f"{name} removed (was {_short(old[name])})")
        elif name not in old:
            lines.append(f"{name} added: {_short(new[name])}")
        elif old[name] != new[name]:
            lines.append(f"{name} changed: {_short(old[name])} -> {_short(new[name])}")
    return lines


def _short(value: str) -> str:
    return value if len(value) <= _SHOWN else value[:_SHOWN] + f"... ({len(value)} characters)"
