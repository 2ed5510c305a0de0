"""``python -m bench``: the aggregator runs a benchmark and prints its figures in one table."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", *args], cwd=ROOT, capture_output=True, text=True, check=False,
    )


def test_parse_benchmark_prints_cold_and_warm_rates() -> None:
    result = run_bench("parse", "--recipes", "40", "--machine", "qemuarm64")
    assert result.returncode == 0, result.stderr
    rates = {
        label: int(rate.replace(",", ""))
        for label, rate in re.findall(r"parse: (.+?)\s+│\s+([\d,]+) recipes/s", result.stdout)
    }
    assert set(rates) == {"cold (empty cache)", "warm (cache)", "full datastores, warm cache", "full datastores, no cache"}
    assert all(rate > 0 for rate in rates.values())
    assert rates["warm (cache)"] > rates["cold (empty cache)"]  # the parse cache is what makes warm fast


def test_unknown_benchmark_is_a_usage_error() -> None:
    result = run_bench("nonesuch")
    assert result.returncode == 2
    assert "unknown benchmark nonesuch; known: parse" in result.stderr
    assert "Traceback" not in result.stderr


def test_parse_benchmark_measures_a_real_layer_given_by_path() -> None:
    layer = ROOT / "tests" / "fixtures" / "meta_oe_style"
    result = run_bench("parse", "--recipes", "10", "--machine", "qemuarm64", "--layer", str(layer), "--repeat", "1")
    assert result.returncode == 0, result.stderr
    for row in (
        "parse meta_oe_style: pyrecipe cold, no cache", "parse meta_oe_style: index cold (empty cache)",
        "parse meta_oe_style: index warm (nothing changed)", "parse meta_oe_style --bare: pyrecipe cold, no cache",
    ):
        assert row in result.stdout
    assert re.search(r"3 recipes \(0 failed\), finalised, every variable read", result.stdout)


def test_bitbake_comparison_needs_a_layer() -> None:
    result = run_bench("parse", "--bitbake", "/nonexistent")
    assert result.returncode == 2
    assert "--bitbake compares the parse of a real layer: give --layer too" in result.stderr


def test_board_speed_compares_with_the_pypi_wheel_under_qemu(cross_build_dir: Path) -> None:
    """One package, one round: built by pyrecipe, its PyPI wheel downloaded, both timed on the board."""
    result = run_bench("board-speed", "--packages", "msgpack", "--rounds", "1", "--build-dir", str(cross_build_dir))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    [(ratio, ours, theirs)] = re.findall(
        r"board-speed: msgpack [\d.]+\s+│\s+([\d.]+)x\s+│ ours ([\d.]+) ms, PyPI wheel ([\d.]+) ms", result.stdout)
    assert float(ours) > 0 and float(theirs) > 0
    assert abs(float(ratio) - float(ours) / float(theirs)) < 0.01
    [wheel] = (cross_build_dir / "bench" / "pypi-wheels").glob("msgpack-*/*.whl")
    assert "manylinux" in wheel.name and "aarch64" in wheel.name


def test_board_speed_refuses_a_package_without_a_workload() -> None:
    result = run_bench("board-speed", "--packages", "nosuchpackage")
    assert result.returncode != 0
    assert "board-speed: no workload for nosuchpackage; known: msgpack" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
