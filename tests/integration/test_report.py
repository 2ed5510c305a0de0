"""``pyrecipe report`` and the buildstats it reads: two recipes of the reliability layer's
runnerboard machine built cold, then in a fresh build directory from shared state; each build's
report is loaded by Debian's headless Chromium (``apt-get install chromium``, as .ci/run does),
which must log no console error, and its screenshot must show the timeline's bars."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from reliability_support import LAYER, TOPDIR, add_recipe, build_env, machine_dir, pyrecipe_build, write_local_conf

#: A recipe whose do_compile burns CPU and writes 4 MB through a grandchild (bash -> python3).
BUSY = """SUMMARY = "Works a little"
LICENSE = "MIT"
do_compile() {
	python3 -c 'import os, time
end = time.process_time() + 1.0
while time.process_time() < end: pass
with open("out.bin", "wb") as f:
    f.write(os.urandom(4 << 20)); os.fsync(f.fileno())'
}
do_install() {
	install -d ${D}${datadir}
	install -m 0644 out.bin ${D}${datadir}/%s.bin
}
"""
#: A Python task warning as QA does (bb.warn: kept on the task's context, shown on the console).
WARNS = """python do_configure() {
    bb.warn("QA: alpha's finding for the report")
}
"""
#: The fill of the bars of tasks that ran and of restores (pyrecipe.outputs.report.COLOURS).
RAN, RESTORED = (0x4E, 0x79, 0xA7), (0x59, 0xA1, 0x4F)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the cold build directory, the one restored from its shared state)."""
    root = tmp_path_factory.mktemp("report")
    layer = root / "layer"
    shutil.copytree(LAYER, layer)
    add_recipe(layer, "alpha", BUSY % "alpha" + WARNS)
    add_recipe(layer, "beta", BUSY % "beta")
    cold, restored = root / "cold", root / "restored"
    for build_dir in (cold, restored):
        write_local_conf(build_dir, SSTATE_DIR=str(root / "sstate"))
        result = pyrecipe_build(layer, build_dir, "alpha", "beta")
        assert result.returncode == 0, result.stdout + result.stderr
    # a no-op build after it writes no stats: the last build's report stays the cold build's
    again = pyrecipe_build(layer, cold, "alpha", "beta")
    assert again.returncode == 0 and "0 tasks run" in again.stdout + again.stderr, again.stdout + again.stderr
    return cold, restored


def stats(build_dir: Path) -> dict:
    [path] = (machine_dir(build_dir) / "buildstats").glob("*.json")
    return json.loads(path.read_text())


def test_buildstats_of_a_cold_build(builds: tuple[Path, Path]) -> None:
    """Per task: status, lane, times and the CPU and writes of its process tree (the grandchild's)."""
    tasks = stats(builds[0])["tasks"]
    compiles = {task["recipe"]: task for task in tasks if task["task"] == "do_compile"}
    assert set(compiles) == {"alpha", "beta"}
    for task in compiles.values():
        assert task["status"] == "ran" and task["end"] - task["start"] >= 1.0
        assert task["usage"]["user"] + task["usage"]["system"] >= 0.9
        assert task["usage"]["write_bytes"] >= 4 << 20 and task["usage"]["max_rss"] > 0
    [configure] = [task for task in tasks if task["recipe"] == "alpha" and task["task"] == "do_configure"]
    assert configure["warnings"] == ["QA: alpha's finding for the report"]
    # two recipes, two workers: two lanes, and no lane runs two tasks at once
    ran = sorted((task for task in tasks if task["start"] is not None), key=lambda task: task["start"])
    assert {task["lane"] for task in ran} == {0, 1}
    for lane in (0, 1):
        on_lane = [task for task in ran if task["lane"] == lane]
        assert all(a["end"] <= b["start"] for a, b in zip(on_lane, on_lane[1:]))


def test_buildstats_say_what_shared_state_gave(builds: tuple[Path, Path]) -> None:
    tasks = stats(builds[1])["tasks"]
    restored = {task["recipe"]: task for task in tasks if task["status"] == "restored"}
    assert set(restored) == {"alpha", "beta"}
    assert restored["alpha"]["task"] == "do_package_setscene" and "do_compile" in restored["alpha"]["tasks"]
    assert not [task for task in tasks if task["task"] == "do_compile" and task["status"] == "ran"]


def report(build_dir: Path, output: Path) -> str:
    layer = build_dir.parent / "layer"
    result = subprocess.run([sys.executable, "-m", "pyrecipe", "report", "--machine", "runnerboard", "--build-dir", str(build_dir),
                             "--layer", str(layer), "-o", str(output)], capture_output=True, text=True, cwd=TOPDIR, env=build_env(), timeout=60)
    assert result.returncode == 0 and "Report: " in result.stdout, result.stdout + result.stderr
    return output.read_text()


@pytest.mark.parametrize("which", ["cold", "restored"])
def test_the_report_in_a_browser(builds: tuple[Path, Path], tmp_path: Path, which: str) -> None:
    """Self-contained (no URL but the SVG namespace), no console error in Chromium, and the
    screenshot's timeline holds bars of the tasks that ran (cold) or of the restores."""
    build_dir = builds[0] if which == "cold" else builds[1]
    html = report(build_dir, tmp_path / "report.html")
    assert "alpha" in html and "beta" in html and "MIT" in html
    assert (which == "cold") == ("alpha&#39;s finding for the report" in html)
    assert html.replace('xmlns="http://www.w3.org/2000/svg"', "").count("://") == 0
    assert (which == "restored") == ("do_package_setscene" in html or "nothing was restored" not in html)
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed for this test: apt-get install chromium (.ci/run installs it)"
    shot = tmp_path / "shot.png"
    browser = subprocess.run(
        [chromium, "--headless", "--disable-gpu", "--no-sandbox", "--enable-logging=stderr", "--v=0",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,900", f"--screenshot={shot}",
         (tmp_path / "report.html").as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert browser.returncode == 0, browser.stderr
    console = [line for line in browser.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]
    assert not console, console
    width, pixels = read_png(shot)
    colour = RAN if which == "cold" else RESTORED
    # the legend's square has a few hundred such pixels; the bars thousands
    assert sum(1 for pixel in pixels if pixel == colour) > 2000


def read_png(path: Path) -> tuple[int, list[tuple[int, int, int]]]:
    """(width, RGB pixels) of an 8-bit RGB or RGBA PNG: a screenshot's, without an image library."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, idat = 8, b""
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour_type = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour_type in (2, 6)
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    channels = 3 if colour_type == 2 else 4
    stride = width * channels
    raw = zlib.decompress(idat)
    previous = bytearray(stride)
    pixels = []
    for row in range(height):
        kind = raw[row * (stride + 1)]
        line = bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        pixels += [tuple(line[i:i + 3]) for i in range(0, stride, channels)]
        previous = line
    return width, pixels  # type: ignore[return-value]


@pytest.mark.parametrize("text", ['{"tasks": [1]}', '{"tasks": [{"recipe": "a", "task": "b", "status": "ran", "start": "x"}]}', "[]", "{"])
def test_a_stats_file_that_is_none_is_an_input_error(tmp_path: Path, text: str) -> None:
    """--stats is read as data: a file that is no buildstats is said, exit 2, no traceback."""
    (tmp_path / "stats.json").write_text(text)
    result = subprocess.run([sys.executable, "-m", "pyrecipe", "report", "--stats", str(tmp_path / "stats.json"),
                             "--build-dir", str(tmp_path)], capture_output=True, text=True, cwd=TOPDIR, env=build_env(), timeout=60)
    assert result.returncode == 2 and "not a" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert not (tmp_path / "stats.html").exists()
