"""The kept module facts of code signatures (build/cache/codesig.json) through the real
``pyrecipe build``: a no-op reads them and writes nothing, and signatures computed without
them, or past a damaged file, are the same (nothing runs again)."""

from __future__ import annotations

import json
from pathlib import Path

from reliability_support import LAYER, pyrecipe_build


def noop(build_dir: Path) -> str:
    done = pyrecipe_build(LAYER, build_dir, "slowpoke")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_noop_build_reads_the_kept_facts_and_signatures_do_not_depend_on_them(tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    facts = build_dir / "cache" / "codesig.json"
    assert "11 tasks run" in noop(build_dir)
    modules = json.loads(facts.read_text())["modules"]
    assert any(path.endswith("pyrecipe/tasks/base.py") for path in modules)
    kept = facts.stat().st_mtime_ns
    assert "0 tasks run" in noop(build_dir)
    assert facts.stat().st_mtime_ns == kept, "a no-op parsed a module again"
    facts.unlink()
    assert "0 tasks run" in noop(build_dir)
    assert json.loads(facts.read_text())["modules"].keys() == modules.keys()
    facts.write_text('{"key": "damaged')
    assert "0 tasks run" in noop(build_dir)
    assert json.loads(facts.read_text())["modules"].keys() == modules.keys()
