"""Seeded faults through the real ``pyrecipe build`` command line, asserting what a user sees.

Each test plants one fault (a tampered download, a missing checksum, a path-traversal tarball,
a build killed by SIGKILL or SIGINT, a second build on the same directory, a task reaching for
the network, a broken recipe, an unknown machine, a failing task) into a build of the
``tests/fixtures/reliability_layer`` layer. Its machine ``runnerboard`` says
``SYSROOT_PROVIDER = "none"``: tasks run with the build machine's own tools, so no cross
toolchain is needed and every build is real (bash, tar, the task runner, stamps, the image).
"""

from __future__ import annotations

import fcntl
import http.server
import os
import re
import shlex
import shutil
import signal
import socketserver
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from http_support import send_trickle
from pyrecipe.config.configuration import DEFAULT_DISTRO
from pyrecipe.config.paths import TOPDIR
from reliability_support import (
    MACHINE,
    WAIT_SECONDS,
    add_recipe,
    assert_clean_error,
    build_command,
    build_env,
    machine_dir,
    make_payload,
    make_tarball,
    pyrecipe_build,
    reaped,
    sha256,
    start_build,
    stop,
    tree,
    wait_for,
    workdir,
    write_local_conf,
)

# ---------------------------------------------------------------- 1-2: downloads


def test_tampered_source_archive_stops_the_build(layer: Path, tmp_path: Path, http_dir) -> None:
    served, url = http_dir
    expected = sha256(make_payload(tmp_path / "good", "the real payload\n"))
    actual = sha256(make_payload(served, "a payload with a backdoor\n"))
    build_dir = tmp_path / "build"
    write_local_conf(build_dir, RELIABILITY_SERVER=url, RELIABILITY_PAYLOAD_SHA256=expected)

    result = pyrecipe_build(layer, build_dir, "payload")

    assert_clean_error(result, 1)
    assert "recipe payload: task do_fetch failed" in result.stderr
    assert "checksum mismatch for payload-1.0.tar.gz" in result.stderr
    assert f"expected sha256 {expected}, got {actual}" in result.stderr
    assert not (build_dir / "downloads" / "payload-1.0.tar.gz").exists(), "a tampered file was kept as a download"
    assert not (workdir(build_dir, "payload") / "src").exists(), "a tampered archive was unpacked"

    # The same build with the genuine archive served passes: the failure was the tampering.
    make_payload(served, "the real payload\n")
    result = pyrecipe_build(layer, build_dir, "payload")
    assert result.returncode == 0, result.stderr
    assert (machine_dir(build_dir) / "image/usr/share/payload/payload.txt").read_text() == "the real payload\n"


def test_missing_checksum_is_an_error_unless_allowed_then_printed(layer: Path, tmp_path: Path, http_dir) -> None:
    served, url = http_dir
    checksum = sha256(make_payload(served, "unpinned payload\n"))
    build_dir = tmp_path / "build"
    write_local_conf(build_dir, RELIABILITY_SERVER=url)

    refused = pyrecipe_build(layer, build_dir, "unpinned")
    assert_clean_error(refused, 1)
    assert f"no sha256 checksum for {url}/payload-1.0.tar.gz: add SRC_URI[sha256sum] to the recipe" in refused.stderr

    allowed = pyrecipe_build(layer, build_dir, "unpinned", "--allow-missing-checksum")
    assert allowed.returncode == 0, allowed.stderr
    paste = f'SRC_URI[sha256sum] = "{checksum}"'
    assert paste in (workdir(build_dir, "unpinned") / "temp" / "log.do_fetch").read_text()
    assert paste in allowed.stdout + allowed.stderr, "the line to paste is not shown on the terminal"
    assert (machine_dir(build_dir) / "image/usr/share/payload/payload.txt").read_text() == "unpinned payload\n"


# ---------------------------------------------------------------- 3: unpacking


#: From the unpack area (work/traversal/1.0/.src.new-*/.archive-0), seven '..' reach tmp_path.
CLIMB = "../" * 7


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink"])
def test_path_traversal_tarball_is_refused_and_writes_nothing_outside(layer: Path, tmp_path: Path, kind: str) -> None:
    if kind == "dotdot":
        bad = CLIMB + "escaped.txt"
        members: dict[str, bytes | str] = {bad: b"owned\n"}
        why = f"path {bad!r} contains '..'"
    elif kind == "absolute":
        bad = str(tmp_path / "escaped-absolute.txt")
        members, why = {bad: b"owned\n"}, f"absolute path {bad!r}"
    else:  # a link out of the tree, then a file written through it
        bad, target = "evil-1.0/link", "../" + CLIMB
        members = {bad: target, "evil-1.0/link/escaped-through-link.txt": b"owned\n"}
        why = f"symbolic link {target!r} points outside the tree"
    make_tarball(
        layer / "recipes-reliability" / "traversal" / "files" / "evil.tar.gz",
        {"evil-1.0/README": b"harmless\n", **members},
    )
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "traversal")

    assert_clean_error(result, 1)
    assert "recipe traversal: task do_unpack failed" in result.stderr
    assert f"evil.tar.gz: refusing to unpack member {bad!r}: {why}" in result.stderr
    assert not list(tmp_path.rglob("escaped*")), "a member was written outside the work directory"
    assert not (workdir(build_dir, "traversal") / "src").exists(), "a half-unpacked tree was left as the sources"


# ---------------------------------------------------------------- 4: interrupted builds


def holding(build_dir: Path, task: str) -> bool:
    """Whether slowpoke's ``do_<task>`` has written part of its output and holds."""
    log = workdir(build_dir, "slowpoke") / "temp" / f"log.do_{task}"
    return log.exists() and f"holding in {task}" in log.read_text()


def interrupt(
    layer: Path, build_dir: Path, task: str, sig: signal.Signals, whole_group: bool = True
) -> subprocess.Popen[str]:
    """Start a build of slowpoke and send ``sig`` while ``do_<task>`` holds.

    ``whole_group`` sends it as a terminal does (Ctrl-C) or as a CI runner kills a job's
    process group; otherwise to pyrecipe's own pid only, as ``kill <pid>`` does.
    """
    hold = build_dir / f"hold-{task}"
    hold.parent.mkdir(parents=True, exist_ok=True)
    hold.touch()
    process = start_build(layer, build_dir, "slowpoke")
    try:
        wait_for(lambda: holding(build_dir, task), f"do_{task} to hold")
        if whole_group:
            os.killpg(process.pid, sig)
        else:
            os.kill(process.pid, sig)
        process.wait(timeout=WAIT_SECONDS)
        # The kernel ends the processes of a task's PID namespace once its sandbox is gone: soon after.
        wait_for(lambda: not processes_using(build_dir), "every process of the interrupted task to end")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        hold.unlink()
    return process


def processes_using(build_dir: Path) -> list[str]:
    """Command lines of the live processes that name ``build_dir`` (a task's script does)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(machine_dir(build_dir)) in text:
            found.append(text)
    return found


def outputs(build_dir: Path) -> dict[str, dict[str, bytes | str]]:
    """What a build leaves for users and for the recipes built after it."""
    return {
        "image": tree(machine_dir(build_dir) / "image"),
        "staging": tree(workdir(build_dir, "slowpoke") / "image"),
        "sysroot": tree(machine_dir(build_dir) / "sysroot"),
    }


@pytest.fixture
def reference_outputs(layer: Path, tmp_path: Path) -> dict[str, dict[str, bytes | str]]:
    """The outputs of an uninterrupted build of slowpoke in a fresh build directory."""
    build_dir = tmp_path / "reference"
    result = pyrecipe_build(layer, build_dir, "slowpoke")
    assert result.returncode == 0, result.stderr
    found = outputs(build_dir)
    assert found["image"]["usr/bin/slowpoke.bin"] == b"object one\nobject two\n"
    assert found["image"]["usr/bin/slowpoke"] == "-> slowpoke.bin"
    return found


@pytest.mark.parametrize("task", ["compile", "install"])
def test_sigkill_mid_task_then_rerun_gives_the_uninterrupted_result(
    layer: Path, tmp_path: Path, reference_outputs, task: str
) -> None:
    build_dir = tmp_path / "build"
    killed = interrupt(layer, build_dir, task, signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL
    assert not (machine_dir(build_dir) / "image").exists()

    rerun = pyrecipe_build(layer, build_dir, "slowpoke")

    assert rerun.returncode == 0, rerun.stderr
    assert "another pyrecipe build is running" not in rerun.stdout, "the killed build's lock was taken as held"
    assert f"(slowpoke:do_{task})" in rerun.stdout, f"do_{task} was not run again"
    assert outputs(build_dir) == reference_outputs


@pytest.mark.parametrize(("sig", "whole_group"), [(signal.SIGINT, True), (signal.SIGTERM, False)], ids=["ctrl-c", "kill"])
def test_interrupt_exits_130_with_a_message_stops_the_task_then_rerun_succeeds(
    layer: Path, tmp_path: Path, reference_outputs, sig: signal.Signals, whole_group: bool
) -> None:
    build_dir = tmp_path / "build"
    interrupted = interrupt(layer, build_dir, "compile", sig, whole_group)
    stderr = interrupted.stderr.read()
    assert interrupted.returncode == 130, stderr
    assert "pyrecipe: interrupted" in stderr
    assert not re.search(r"^Traceback", stderr, re.MULTILINE), stderr

    rerun = pyrecipe_build(layer, build_dir, "slowpoke")

    assert rerun.returncode == 0, rerun.stderr
    assert outputs(build_dir) == reference_outputs


# ---------------------------------------------------------------- 5: two builds at once


def test_second_build_on_the_same_dir_says_so_waits_and_succeeds(layer: Path, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    hold = build_dir / "hold-compile"
    hold.parent.mkdir(parents=True)
    hold.touch()
    first = start_build(layer, build_dir, "slowpoke")
    second: subprocess.Popen[str] | None = None
    try:
        wait_for(lambda: holding(build_dir, "compile"), "the first build's do_compile")
        second = start_build(layer, build_dir, "slowpoke")
        seen: list[str] = []
        reader = threading.Thread(target=lambda: seen.extend(second.stdout), daemon=True)
        reader.start()
        wait_for(lambda: any("another pyrecipe build is running" in line for line in seen), "the second build's note")
        [note] = [line for line in seen if "another pyrecipe build is running" in line]
        assert f"in {build_dir} (pid {first.pid}); waiting for it to finish" in note
        assert second.poll() is None, "the second build did not wait"
        hold.unlink()
        assert first.wait(timeout=WAIT_SECONDS) == 0, first.stderr.read()
        assert second.wait(timeout=WAIT_SECONDS) == 0, second.stderr.read()
        reader.join(timeout=WAIT_SECONDS)
        assert any(line.startswith("Build done") for line in seen), seen
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    assert (machine_dir(build_dir) / "image/usr/bin/slowpoke.bin").read_bytes() == b"object one\nobject two\n"


# ---------------------------------------------------------------- 6: network after do_fetch


@pytest.fixture
def tcp_server() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that greets whoever connects; yields its port."""

    class Greeter(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.sendall(b"hello from the test server\n")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Greeter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_network_after_fetch_fails_unless_the_task_is_allowed(layer: Path, tmp_path: Path, tcp_server: int) -> None:
    namespaces = subprocess.run(["unshare", "--net", "true"], capture_output=True, text=True)
    assert namespaces.returncode == 0, (
        f"network namespaces are not available here (unshare --net: {namespaces.stderr.strip()}); "
        "pyrecipe cannot keep tasks off the network on this machine"
    )
    build_dir = tmp_path / "build"
    write_local_conf(build_dir, RELIABILITY_NET_PORT=str(tcp_server))

    blocked = pyrecipe_build(layer, build_dir, "netprobe")

    assert_clean_error(blocked, 1)
    assert "recipe netprobe: task do_compile failed: shell exited with status 1" in blocked.stderr
    log = (workdir(build_dir, "netprobe") / "temp" / "log.do_compile").read_text()
    # The task's network namespace has its own loopback (bubblewrap brings it up), where nothing listens.
    assert re.search(rf"cannot connect to 127\.0\.0\.1:{tcp_server}: \[Errno (101|111)\] (Network is unreachable|Connection refused)", log), log
    assert f"    cannot connect to 127.0.0.1:{tcp_server}" in blocked.stderr, "the log's tail is not shown"
    assert "hello from the test server" not in log

    allowed = pyrecipe_build(layer, build_dir, "netallowed")
    assert allowed.returncode == 0, allowed.stderr
    reply = machine_dir(build_dir) / "image/usr/share/netallowed/reply.txt"
    assert reply.read_text() == "hello from the test server\n"


# ---------------------------------------------------------------- 7-8: bad input, failing task


def test_syntax_error_in_a_recipe_points_at_it(layer: Path, tmp_path: Path) -> None:
    recipe = layer / "recipes-reliability" / "typo" / "typo_1.0.bb"
    recipe.parent.mkdir()
    recipe.write_text('SUMMARY = "a typo"\nDEPENDS = "unclosed\n')

    result = pyrecipe_build(layer, tmp_path / "build", "typo")

    assert_clean_error(result, 2)
    assert re.search(rf"{re.escape(str(recipe))}:2:\d+", result.stderr), result.stderr
    assert "^" in result.stderr and 'DEPENDS = "unclosed' in result.stderr


def test_unknown_machine_lists_the_known_ones(layer: Path, tmp_path: Path) -> None:
    command = build_command(layer, tmp_path / "build", "slowpoke")
    command[command.index(MACHINE)] = "nosuchboard"

    result = subprocess.run(command, capture_output=True, text=True, cwd=TOPDIR, env=build_env(), timeout=60)

    assert_clean_error(result, 2)
    assert "unknown machine 'nosuchboard'; known machines:" in result.stderr
    assert "runnerboard" in result.stderr and "raspberrypi4" in result.stderr


def test_failing_task_names_recipe_task_log_and_its_last_lines(layer: Path, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "failing")

    assert_clean_error(result, 1)
    log = workdir(build_dir, "failing") / "temp" / "log.do_compile"
    assert "pyrecipe: error: recipe failing: task do_compile failed: shell exited with status 3" in result.stderr
    assert f"  log: {log}" in result.stderr
    assert "    compiling failing.c\n    failing.c:3:1: error: expected ';' before '}' token" in result.stderr
    assert "Build failed" in result.stdout


# ---------------------------------------------------------------- 9: no silent success




@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("sys.exit(0)", "its Python called exit(0)"),
        ("sys.exit(3)", "its Python called exit(3)"),
        ("raise SystemExit", "its Python called exit(None)"),
        ("raise KeyboardInterrupt", "KeyboardInterrupt"),
        ("raise GeneratorExit", "GeneratorExit"),
        ("raise asyncio.CancelledError()", "CancelledError"),
    ],
)
def test_python_task_that_exits_or_is_interrupted_is_a_failed_task(
    layer: Path, tmp_path: Path, statement: str, reason: str
) -> None:
    add_recipe(layer, "quitter", f"python do_compile() {{\n    import asyncio, sys\n    {statement}\n}}\n")
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "quitter")

    assert_clean_error(result, 1)
    assert f"pyrecipe: error: recipe quitter: task do_compile failed: {reason}" in result.stderr
    assert result.stdout.splitlines()[-1].startswith("Build failed"), result.stdout
    assert not (machine_dir(build_dir) / "image").exists()


# ---------------------------------------------------------------- 10: paths stay inside the work directory


@pytest.mark.parametrize("where", ["climbing", "absolute"])
def test_unpack_subdir_outside_the_work_directory_is_refused_before_writing(
    layer: Path, tmp_path: Path, where: str
) -> None:
    subdir = CLIMB + "escaped" if where == "climbing" else str(tmp_path / "escaped")
    make_payload(layer / "recipes-reliability" / "subdir" / "files", "payload\n")
    add_recipe(layer, "subdir", f'SRC_URI = "file://payload-1.0.tar.gz;subdir={subdir}"\nS = "${{UNPACKDIR}}"\n')
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "subdir")

    assert_clean_error(result, 1)
    assert "recipe subdir: task do_unpack failed: SRC_URI entry file://payload-1.0.tar.gz: " \
           f"subdir {subdir!r} is outside {workdir(build_dir, 'subdir') / 'src'}" in result.stderr
    assert not list(tmp_path.rglob("escaped*")), "an archive was unpacked outside the work directory"


def test_downloadfilename_outside_dl_dir_is_refused(layer: Path, tmp_path: Path) -> None:
    add_recipe(layer, "dlname", 'SRC_URI = "http://127.0.0.1:9/payload-1.0.tar.gz;downloadfilename=../escaped.tar.gz"\n'
               f'SRC_URI[sha256sum] = "{"0" * 64}"\n')

    result = pyrecipe_build(layer, tmp_path / "build", "dlname")

    # An input error, found when the build is planned, before any task runs.
    assert_clean_error(result, 2)
    assert "downloadfilename='../escaped.tar.gz' must be a plain file name in DL_DIR" in result.stderr
    assert not list(tmp_path.rglob("*escaped*"))


@pytest.mark.parametrize(("setting", "task"), [
    ('D = "{outside}"', "do_fetch"), ('S = "{outside}"', "do_fetch"), ('B = "{outside}"', "do_fetch"),
    ('PKGD = "{outside}"', "do_fetch"),
    ('do_compile[cleandirs] = "{outside}"', "do_compile"),
])
def test_recipe_directory_outside_its_work_directory_refuses_to_run(
    layer: Path, tmp_path: Path, setting: str, task: str
) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "keep.txt").write_text("the build machine's file\n")
    add_recipe(layer, "escaper", setting.format(outside=precious) + "\ndo_install() {\n\ttouch ${D}/installed\n}\n")
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "escaper")

    assert_clean_error(result, 1)
    name = setting.split(" = ")[0]
    assert f"recipe escaper: task {task} failed: {name}={precious} is outside the recipe's " \
           f"work directory {workdir(build_dir, 'escaper')}; {task} refuses to run" in result.stderr, result.stderr
    assert sorted(p.name for p in precious.iterdir()) == ["keep.txt"], "a directory outside the build was changed"


# ---------------------------------------------------------------- 11: the image is the board's


def test_image_modes_are_the_boards_whatever_the_umask_and_tarballs_are_identical(layer: Path, tmp_path: Path) -> None:
    tarballs = []
    for umask in (0o022, 0o077):
        build_dir = tmp_path / f"build-{umask:03o}"
        result = subprocess.run(
            build_command(layer, build_dir, "slowpoke", "--tar"), capture_output=True, text=True, cwd=TOPDIR,
            env=build_env(), timeout=120, umask=umask,
        )
        assert result.returncode == 0, result.stderr
        image = machine_dir(build_dir) / "image"
        modes = {p.relative_to(image).as_posix(): p.lstat().st_mode & 0o7777 for p in image.rglob("*") if not p.is_symlink()}
        assert modes == {"usr": 0o755, "usr/bin": 0o755, "usr/include": 0o755, "usr/bin/slowpoke.bin": 0o755,
                         "usr/include/slowpoke.h": 0o644}, f"umask {umask:03o}"
        tarball = machine_dir(build_dir) / "image.tar.gz"
        with tarfile.open(tarball) as tar:
            assert {(m.name, m.mode, m.uid, m.gid, m.uname, m.mtime) for m in tar.getmembers() if not m.issym()} == {
                (name, mode, 0, 0, "root", 0) for name, mode in modes.items()
            }
        tarballs.append(tarball.read_bytes())
    assert tarballs[0] == tarballs[1], "the tarball depends on the builder's umask"


def test_unpack_size_limit_is_a_variable_of_local_conf_per_recipe_with_a_clear_error(layer: Path, tmp_path: Path) -> None:
    files = layer / "recipes-reliability" / "bomb" / "files"
    make_tarball(files / "bomb-1.0.tar.gz", {"bomb-1.0/zeros": bytes(2 << 20)})
    add_recipe(layer, "bomb", 'SRC_URI = "file://bomb-1.0.tar.gz"\n')
    build_dir = tmp_path / "build"
    write_local_conf(build_dir, **{"UNPACK_MAX_SIZE:pn-bomb": "1M"})

    result = pyrecipe_build(layer, build_dir, "bomb")

    assert_clean_error(result, 1)
    assert f"recipe bomb: task do_unpack failed: {files / 'bomb-1.0.tar.gz'}: refusing to unpack: it expands to " \
           "more than 1048576 bytes (UNPACK_MAX_SIZE" in result.stderr, result.stderr
    assert not (workdir(build_dir, "bomb") / "src").exists()


# ---------------------------------------------------------------- 12: sources


def test_local_file_with_a_wrong_checksum_is_refused(layer: Path, tmp_path: Path) -> None:
    archive = make_payload(layer / "recipes-reliability" / "pinned" / "files", "payload\n")
    add_recipe(layer, "pinned", f'SRC_URI = "file://payload-1.0.tar.gz"\nSRC_URI[sha256sum] = "{"0" * 64}"\n'
                                'S = "${UNPACKDIR}/payload-1.0"\n')
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "pinned")

    assert_clean_error(result, 1)
    assert f"recipe pinned: task do_fetch failed: checksum mismatch for {archive} (file://payload-1.0.tar.gz): " \
           f"expected sha256 {'0' * 64}, got {sha256(archive)}" in result.stderr, result.stderr
    assert not (workdir(build_dir, "pinned") / "src").exists()


@pytest.mark.parametrize("scheme", ["svn", "ftp"])
def test_unsupported_url_scheme_is_named(layer: Path, tmp_path: Path, scheme: str) -> None:
    add_recipe(layer, "vcs", f'SRC_URI = "{scheme}://example.com/project.git"\n')

    result = pyrecipe_build(layer, tmp_path / "build", "vcs")

    # An input error, found when the build is planned, before any task runs.
    assert_clean_error(result, 2)
    assert f"unsupported URL scheme {scheme!r} in SRC_URI entry {scheme}://example.com/project.git: " \
           "pyrecipe fetches https, http, file, git, gitsm, crate" in result.stderr, result.stderr
    assert "recipe vcs (" in result.stderr and "Running task" not in result.stdout


class _TrickleHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        send_trickle(self)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def test_fetch_deadline_is_a_variable_of_local_conf(layer: Path, tmp_path: Path) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TrickleHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        build_dir = tmp_path / "build"
        write_local_conf(build_dir, RELIABILITY_SERVER=f"http://127.0.0.1:{server.server_address[1]}", FETCH_DEADLINE="1")
        started = time.monotonic()
        result = pyrecipe_build(layer, build_dir, "payload")
    finally:
        server.shutdown()
        server.server_close()
    assert_clean_error(result, 1)
    assert "not finished after 1 s (FETCH_DEADLINE)" in result.stderr, result.stderr
    assert time.monotonic() - started < 15


# ---------------------------------------------------------------- 13: bounded in time


@pytest.mark.parametrize(("sig", "whole_group"), [(signal.SIGTERM, False), (signal.SIGINT, True)], ids=["kill", "ctrl-c"])
def test_interrupt_ends_the_build_in_seconds_even_with_a_python_task_blocked(
    layer: Path, tmp_path: Path, sig: signal.Signals, whole_group: bool
) -> None:
    add_recipe(layer, "stuck", "python do_compile() {\n"
                               "    import os\n"
                               "    fifo = os.path.join(d.getVar('T'), 'pipe')\n"
                               "    os.mkfifo(fifo)\n"
                               "    open(os.path.join(d.getVar('T'), 'stuck-started'), 'w').close()\n"
                               "    open(fifo).read()  # no writer ever comes: blocks\n"
                               "}\n")
    build_dir = tmp_path / "build"
    with reaped(start_build(layer, build_dir, "stuck")) as process:
        wait_for(lambda: (workdir(build_dir, "stuck") / "temp" / "stuck-started").exists(), "do_compile to block")
        returncode, seconds = stop(process, sig, whole_group)
    stderr = process.stderr.read()
    assert seconds < 10
    assert returncode == 130, stderr
    assert "pyrecipe: interrupted" in stderr
    with open(build_dir / ".pyrecipe.lock") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises BlockingIOError if still held


def test_stopping_pyrecipe_ends_every_process_a_task_started(layer: Path, tmp_path: Path) -> None:
    """SIGTERM to pyrecipe alone (not its group): the task's sandbox goes, and with it the
    grandchild it started (a compiler under ninja under a backend, here a sleep in the background)."""
    add_recipe(layer, "spawner", "do_compile() {\n"
                                 "\tsleep 300 &\n"
                                 "\techo $! > ${T}/spawned-pid-in-namespace\n"
                                 "\ttouch ${B}/started\n"
                                 "\twait\n"
                                 "}\n")
    build_dir = tmp_path / "build"
    with reaped(start_build(layer, build_dir, "spawner")) as process:
        wait_for(lambda: (workdir(build_dir, "spawner") / "build" / "started").exists(), "do_compile to start its child")
        sleepers = {int(pid) for pid in subprocess.run(["pgrep", "-f", "^sleep 300$"], capture_output=True, text=True).stdout.split()}
        assert sleepers, "the task's background sleep is not running"
        returncode, _ = stop(process, signal.SIGTERM)
    assert returncode == 130
    wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in sleepers), "the task's grandchild to end")


# ---------------------------------------------------------------- 14: dry runs, options


def test_dry_run_of_a_cross_build_provisions_nothing(tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    command = [sys.executable, "-m", "pyrecipe", "build", "--all", "-n", "--machine", "raspberrypi4",
               "--build-dir", str(build_dir)]

    result = subprocess.run(command, capture_output=True, text=True, cwd=TOPDIR, env=build_env(), timeout=120)

    assert result.returncode == 0, result.stderr
    assert "no toolchain provisioned yet" in result.stdout
    assert "numpy: do_compile" in result.stdout
    assert re.search(r"^Dry run: \d+ tasks would run; nothing was run$", result.stdout.splitlines()[-1])
    # A list, not a run: no count of tasks run ("Tasks: 0 of 2113 run") before the summary.
    assert not [line for line in result.stdout.splitlines() if line.startswith("Tasks:")], result.stdout[-500:]
    # Resolving names may read PyPI (recipes/unittest-automake-output RDEPENDS on python3-pytest:
    # a recipe generated, its wheel's metadata read); nothing is provisioned or built.
    assert {p.name for p in build_dir.iterdir()} <= {".pyrecipe.lock", "cache", DEFAULT_DISTRO, "downloads"}
    # The caches of what was read: parsed recipes, and the facts of pyrecipe's code for signatures.
    assert sorted(p.name for p in (build_dir / "cache").iterdir()) == ["codesig.json", "parse"]
    distro_dirs = [p.name for p in (build_dir / DEFAULT_DISTRO).iterdir()] if (build_dir / DEFAULT_DISTRO).exists() else []
    assert distro_dirs in ([], ["generated"]), f"a dry run provisioned or built: {distro_dirs}"


@pytest.mark.parametrize("jobs", ["0", "-3"])
def test_jobs_below_one_is_a_usage_error(layer: Path, tmp_path: Path, jobs: str) -> None:
    result = pyrecipe_build(layer, tmp_path / "build", "slowpoke", "-j", jobs)

    assert_clean_error(result, 2)
    assert f"-j/--jobs {jobs}: at least one recipe must be built at a time" in result.stderr


# ---------------------------------------------------------------- 15: clear errors


def test_shell_syntax_error_is_reported_as_the_error_of_its_own_task(layer: Path, tmp_path: Path) -> None:
    add_recipe(layer, "typo-shell", "do_configure() {\n\techo configured > configured.txt\n}\n"
                                    "do_compile() {\n\tif [ -e configured.txt ]; then\n\t\techo compiling\n}\n")
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "typo-shell")

    assert_clean_error(result, 1)
    assert "recipe typo-shell: task do_compile failed: shell exited with status 2" in result.stderr, result.stderr
    assert "syntax error" in (workdir(build_dir, "typo-shell") / "temp" / "log.do_compile").read_text()
    assert (workdir(build_dir, "typo-shell") / "build" / "configured.txt").is_file(), "do_configure did not run"


@pytest.mark.parametrize("command", ["build", "env", "deps"])
def test_build_dir_that_is_a_file_is_a_usage_error(layer: Path, tmp_path: Path, command: str) -> None:
    not_a_dir = tmp_path / "build"
    not_a_dir.write_text("a file\n")
    args = build_command(layer, not_a_dir, "slowpoke")
    args[args.index("build")] = command

    result = subprocess.run(args, capture_output=True, text=True, cwd=TOPDIR, env=build_env(), timeout=60)

    assert_clean_error(result, 2)
    assert f"the build directory {not_a_dir} is a file, not a directory" in result.stderr
    assert not_a_dir.read_text() == "a file\n"


@pytest.mark.parametrize("language", ["shell", "python"])
@pytest.mark.parametrize("where", ["build-machine", "sysroot", "other-recipe"])
def test_a_task_writes_only_inside_its_own_work_directory(layer: Path, tmp_path: Path, where: str, language: str) -> None:
    """The sandbox: the build machine, the shared sysroot and another recipe's work directory are
    read-only to a recipe's task, shell or Python, which fails naming itself; nothing appears there."""
    build_dir = tmp_path / "build"
    outside = Path(tempfile.mkdtemp(dir="/var/tmp", prefix="pyrecipe-wall-"))  # not under the task's fresh /tmp
    target = {
        "build-machine": outside / "planted.txt",
        "sysroot": machine_dir(build_dir) / "sysroot" / "usr" / "include" / "planted.h",
        "other-recipe": workdir(build_dir, "victim") / "planted.txt",
    }[where]
    target.parent.mkdir(parents=True, exist_ok=True)
    if language == "shell":
        add_recipe(layer, "planter", f'do_install() {{\n\techo planted > {target}\n}}\n')
    else:
        add_recipe(layer, "planter", f'python do_install() {{\n    with open("{target}", "w") as f:\n        f.write("planted")\n}}\n')

    try:
        result = pyrecipe_build(layer, build_dir, "planter")
        assert_clean_error(result, 1)
        assert "recipe planter: task do_install failed" in result.stderr, result.stderr
        if language == "python":
            assert "OSError: [Errno 30] Read-only file system" in result.stderr, result.stderr
        assert "Read-only file system" in (workdir(build_dir, "planter") / "temp" / "log.do_install").read_text()
        assert not target.exists()
    finally:
        shutil.rmtree(outside)


def test_a_recipes_python_task_runs_walled_with_its_datastore_and_warnings(layer: Path, tmp_path: Path) -> None:
    """A recipe's Python task runs in the sandbox, in a process of its own, and still does its work:
    it reads ``d``, runs the recipe's shell functions (bb.build.exec_func), writes into ``${D}``,
    and its bb.warn reaches the console. pyrecipe's own Python tasks stay in its process."""
    add_recipe(layer, "pywalled", """\
write_marker() {
\techo from-shell > ${D}/shell.txt
}
python do_install() {
    import os
    os.makedirs(d.getVar("D"), exist_ok=True)
    with open(os.path.join(d.getVar("D"), "python.txt"), "w") as f:
        # The sandbox's PID namespace: the task's process is among its first.
        f.write(d.getVar("PN") + " " + str(os.getpid() < 10))
    bb.build.exec_func("write_marker", d)
    bb.warn("walled and well")
}
""")
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "pywalled")

    assert result.returncode == 0, result.stderr
    destination = workdir(build_dir, "pywalled") / "image"
    assert (destination / "python.txt").read_text() == "pywalled True"
    assert (destination / "shell.txt").read_text() == "from-shell\n"
    assert "walled and well" in result.stdout + result.stderr
    log = (workdir(build_dir, "pywalled") / "temp" / "log.do_install").read_text()
    assert "it runs in the task sandbox, in a process of its own" in log
    assert "in a process of its own" not in (workdir(build_dir, "pywalled") / "temp" / "log.do_fetch").read_text()


def test_build_dir_with_a_space_is_refused_before_anything_is_written(layer: Path, tmp_path: Path) -> None:
    spaced = tmp_path / "my builds" / "build"

    result = subprocess.run(build_command(layer, spaced, "slowpoke"), capture_output=True, text=True, cwd=TOPDIR,
                            env=build_env(), timeout=60)

    assert_clean_error(result, 2)
    assert "has white space in its path, which builds cannot handle" in result.stderr
    assert not spaced.exists()


def test_sysroot_waits_for_the_build_lock(tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    build_dir.mkdir()
    with open(build_dir / ".pyrecipe.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a running build holds it
        process = subprocess.Popen(
            [sys.executable, "-m", "pyrecipe", "sysroot", "--machine", "raspberrypi4", "--build-dir", str(build_dir)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=TOPDIR, env=build_env(),
            start_new_session=True,
        )
        try:
            seen: list[str] = []
            reader = threading.Thread(target=lambda: seen.extend(process.stderr), daemon=True)
            reader.start()
            wait_for(lambda: any("another pyrecipe build is running" in line for line in seen), "sysroot to wait")
            assert process.poll() is None, "pyrecipe sysroot did not wait for the build"
            assert not (build_dir / DEFAULT_DISTRO / "raspberrypi4").exists(), "pyrecipe sysroot provisioned during a build"
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_leftovers_of_an_interrupted_run_are_removed_by_the_next_build(layer: Path, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    machine, work = machine_dir(build_dir), workdir(build_dir, "slowpoke")
    # deploy/<distro>/<machine>: the wheels and their index
    deploy = machine.parent.parent / "deploy" / machine.parent.name / machine.name
    trees = [machine / ".image.new-k3j4", machine / ".image.old-x9", work / ".src.new-q1", work / ".image.new-z2",
             deploy / ".simple.new-c3"]
    files = [machine / ".image.tar.gz.tmp-a1b2", build_dir / "downloads" / ".payload-1.0.tar.gz.part-77",
             deploy / "wheels" / ".payload-1.0-py3-none-any.whl.tmp-d4"]
    for directory in trees:
        (directory / "half-written").mkdir(parents=True)
    for file in files:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(b"half written")
    kept = machine / ".notes-of-the-user"
    kept.write_text("mine\n")

    result = pyrecipe_build(layer, build_dir, "slowpoke")

    assert result.returncode == 0, result.stderr
    assert "Removed 8 leftover(s) of an interrupted run" in result.stdout
    assert not [path for path in trees + files if path.exists()]
    assert kept.read_text() == "mine\n"


# ---------------------------------------------------------------- 16: the shared sysroot


def header_recipe(name: str) -> str:
    return f'do_install() {{\n\tinstall -d ${{D}}${{includedir}}\n\techo "{name}\'s" > ${{D}}${{includedir}}/zlib.h\n}}\n'


def test_staging_refuses_a_file_the_sysroot_has_from_debian_or_another_recipe(layer: Path, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    debian_header = machine_dir(build_dir) / "sysroot" / "usr" / "include" / "zlib.h"
    debian_header.parent.mkdir(parents=True)
    debian_header.write_text("Debian's zlib.h\n")  # as provisioning unpacks zlib1g-dev
    add_recipe(layer, "clobber", header_recipe("clobber"))

    refused = pyrecipe_build(layer, build_dir, "clobber")

    assert_clean_error(refused, 1)
    assert "recipe clobber: task do_populate_sysroot failed: recipe clobber installs files the sysroot already has: " \
           "usr/include/zlib.h (from the target's Debian packages)" in refused.stderr, refused.stderr
    assert debian_header.read_text() == "Debian's zlib.h\n"

    debian_header.unlink()  # now a recipe owns it, and a second one may not take it over
    add_recipe(layer, "owner", header_recipe("owner"))
    assert pyrecipe_build(layer, build_dir, "owner").returncode == 0
    second = pyrecipe_build(layer, build_dir, "clobber")
    assert_clean_error(second, 1)
    assert "usr/include/zlib.h (from recipe owner)" in second.stderr
    assert debian_header.read_text() == "owner's\n"


def test_full_disk_is_said_plainly_not_called_a_bug(layer: Path, tmp_path: Path) -> None:
    """The build dir on a 64 KiB tmpfs (in a mount namespace of the test's own, as root)."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    command = " ".join(map(shlex.quote, build_command(layer, mount_point / "build", "slowpoke")))
    result = subprocess.run(
        ["unshare", "--mount", "--", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {mount_point} && {command}"],
        capture_output=True, text=True, cwd=TOPDIR, env=build_env(), timeout=120,
    )
    assert "mount:" not in result.stderr, f"cannot mount a small tmpfs here: {result.stderr}"

    assert_clean_error(result, 1)
    assert "No space left on device" in result.stderr and "the disk is full: free some space" in result.stderr


def test_interrupt_during_provisioning_ends_mmdebstrap_and_its_children(tmp_path: Path) -> None:
    """SIGTERM while the trixie build root is being made: pyrecipe ends in seconds with exit 130 and
    its lock released, and mmdebstrap's apt and dpkg stop writing into the half-made root."""
    build_dir = tmp_path / "build"
    command = [sys.executable, "-m", "pyrecipe", "sysroot", "--machine", "raspberrypi4", "--distro", "debian-trixie",
               "--build-dir", str(build_dir)]
    # A cache of its own, inside the build directory, so that the root is made here, not found in the session's cache.
    env = dict(build_env(), PYRECIPE_CACHE_DIR=str(build_dir / "provision-cache"))
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=TOPDIR,
                               env=env, start_new_session=True)

    def writers() -> list[str]:
        listing = subprocess.run(["pgrep", "-a", "-f", str(build_dir)], capture_output=True, text=True).stdout
        return [line for line in listing.splitlines() if line.split(maxsplit=1)[0] != str(process.pid)]

    with reaped(process):
        wait_for(lambda: any("mmdebstrap" in line for line in writers()), "mmdebstrap to start")
        time.sleep(2)  # apt at work under it
        returncode, seconds = stop(process, signal.SIGTERM)
    stderr = process.stderr.read()
    assert seconds < 10
    assert returncode == 130, stderr
    assert "pyrecipe: interrupted" in stderr and "Traceback" not in stderr
    wait_for(lambda: not writers(), "mmdebstrap and its children to end")
    with open(build_dir / ".pyrecipe.lock") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises BlockingIOError if still held
