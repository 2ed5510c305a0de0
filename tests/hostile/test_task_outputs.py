"""pyrecipe's own steps after a task ran treat what the task left as hostile data (issue 25, class 3),
and faults say what happened (class 10).

A task writes its work directory; pyrecipe then writes there too (the task's log, stamps, signature
records, package lists), reads from it (the log's last lines, the package lists) and removes what
a staging manifest names, with its own rights (root, as the README told users to run it). Every
path a task left must be data: no link followed out, no FIFO waited on, no line naming a host file.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import tempfile
import tracemalloc
from pathlib import Path

import pytest

from pyrecipe.config.paths import TOPDIR
from pyrecipe.engine.task_runner import TaskFailure
from pyrecipe.qa import run_qa
from pyrecipe.toolchain import provision_cache
from pyrecipe.toolchain.provision_cache import copy_tree
from reliability_support import (
    add_recipe,
    assert_clean_error,
    build_command,
    build_env,
    machine_dir,
    pyrecipe_build,
    start_build,
    workdir,
)

pytestmark = pytest.mark.hostile

ROOT = os.geteuid() == 0


def host_file(tmp_path: Path, text: str = "the host's own file\n") -> Path:
    """A file outside the build directory that a hostile recipe aims at (the test's stand-in for
    /etc/passwd)."""
    victim = tmp_path / "host" / "victim.txt"
    victim.parent.mkdir(parents=True, exist_ok=True)
    victim.write_text(text)
    return victim


def sysroot(build_dir: Path) -> Path:
    return machine_dir(build_dir) / "sysroot"


# ---------------------------------------------------------------- staging manifests


def test_a_staging_manifest_installed_by_the_recipe_deletes_no_host_file(layer: Path, tmp_path: Path) -> None:
    """A recipe installs ``${D}/.pyrecipe-staged/<pn>.files``: staged, it replaced pyrecipe's
    manifest of the recipe, whose lines the next staging removed (``../../../host/victim.txt``,
    or the absolute path): a host file deleted with pyrecipe's rights."""
    victim = host_file(tmp_path)
    build_dir = tmp_path / "build"
    lines = f"{os.path.relpath(victim, sysroot(build_dir))}\\n{victim}\\n"
    add_recipe(layer, "manifester", f"""do_install() {{
	install -d ${{D}}/.pyrecipe-staged ${{D}}/usr/share/manifester
	echo data > ${{D}}/usr/share/manifester/data
	printf '{lines}' > ${{D}}/.pyrecipe-staged/manifester.files
}}
""")

    first = pyrecipe_build(layer, build_dir, "manifester")
    again = pyrecipe_build(layer, build_dir, "manifester", "-f")

    assert victim.read_text() == "the host's own file\n", "a host file was deleted through a staging manifest"
    assert_clean_error(first, 1)
    assert "recipe manifester installs files the sysroot cannot take: .pyrecipe-staged/manifester.files" in first.stderr
    assert_clean_error(again, 1)


def test_a_manifest_line_outside_the_sysroot_is_refused_before_anything_goes(tmp_path: Path) -> None:
    """However a manifest came to name ``../host/victim.txt`` (an older pyrecipe staged one), unstaging
    removes nothing and says which manifest and line."""
    from pyrecipe.errors import BuildError
    from pyrecipe.tasks.sysroot import MANIFEST_DIR, stage, unstage

    victim = host_file(tmp_path)
    root = tmp_path / "sysroot"
    image = tmp_path / "image"
    (image / "usr/share").mkdir(parents=True)
    (image / "usr/share/ours").write_text("ours\n")
    stage(image, root, "evil")
    manifest = root / MANIFEST_DIR / "evil.files"
    manifest.write_text(f"usr/share/ours\n../host/victim.txt\n{victim}\n")

    with pytest.raises(BuildError) as refused:
        unstage(root, "evil")

    assert f"its staging manifest {manifest} names paths outside the sysroot {root}: '../host/victim.txt', " \
           f"'{victim}'" in str(refused.value)
    assert victim.exists() and (root / "usr/share/ours").exists(), "a manifest with a bad line removed something"


def test_staging_through_a_link_another_recipe_staged_writes_no_host_directory(layer: Path, tmp_path: Path) -> None:
    """Recipe ``linker`` stages ``usr/share/shared -> <host dir>``; ``writer``, built after it,
    installs ``usr/share/shared/planted``: staging followed the link and wrote into the host
    directory (and its next unstaging would remove a host file of that name)."""
    host_dir = host_file(tmp_path).parent
    add_recipe(layer, "linker", f"""do_install() {{
	install -d ${{D}}/usr/share
	ln -s {host_dir} ${{D}}/usr/share/shared
}}
""")
    add_recipe(layer, "writer", """DEPENDS = "linker"
do_install() {
	install -d ${D}/usr/share/shared
	echo planted > ${D}/usr/share/shared/planted
}
""")
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "writer")

    assert not (host_dir / "planted").exists(), "staging wrote through a link into a host directory"
    assert_clean_error(result, 1)
    assert "recipe writer installs files the sysroot cannot take: usr/share/shared/planted" in result.stderr


def test_a_rerun_after_a_kill_mid_staging_leaves_no_temporary_file_in_the_sysroot(layer: Path, tmp_path: Path) -> None:
    """SIGKILL while do_populate_sysroot copies: the manifest is written, one file is a
    ``.NAME.tmp-PID`` partial copy. The moment of a kill cannot be hit reliably, so the state it
    leaves is made exactly: the rerun of do_populate_sysroot must remove the partial copy, which
    no manifest names and nothing else ever removed."""
    add_recipe(layer, "staged", """do_install() {
	install -d ${D}/usr/share/staged
	echo one > ${D}/usr/share/staged/one
	echo two > ${D}/usr/share/staged/two
}
""")
    build_dir = tmp_path / "build"
    assert pyrecipe_build(layer, build_dir, "staged").returncode == 0
    staged = sysroot(build_dir) / "usr/share/staged"
    (staged / ".two.tmp-4242").write_text("half of tw")  # what the kill left: a partial copy
    (staged / "two").unlink()  # not renamed into place yet
    for stamp in (workdir(build_dir, "staged") / "stamps").glob("do_populate_sysroot.*"):
        stamp.unlink()  # the killed task did not finish

    result = pyrecipe_build(layer, build_dir, "staged")

    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in staged.iterdir()) == ["one", "two"]


# ---------------------------------------------------------------- links a task leaves where pyrecipe writes


def planting_recipe(layer: Path, name: str, plant: str) -> None:
    """A recipe whose do_compile plants links (``plant``, shell run in ${B}), then installs a file."""
    add_recipe(layer, name, f"""do_compile() {{
{plant}
}}
do_install() {{
	install -d ${{D}}/usr/share/{name}
	echo ok > ${{D}}/usr/share/{name}/ok
}}
""")


def test_a_link_planted_at_a_later_tasks_log_is_replaced_not_written_through(layer: Path, tmp_path: Path) -> None:
    """do_compile plants ``${T}/log.do_install -> host file``: pyrecipe opened the next task's log
    with open(..., "w"), truncating and writing the host file."""
    victim = host_file(tmp_path)
    planting_recipe(layer, "logplanter", f"\tln -sf {victim} ${{T}}/log.do_install\n\tln -sf {victim} ${{T}}/log.do_qa")
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "logplanter")

    assert victim.read_text() == "the host's own file\n", "pyrecipe wrote a task's log into a host file"
    assert result.returncode == 0, result.stderr
    log = workdir(build_dir, "logplanter") / "temp" / "log.do_install"
    assert not log.is_symlink() and log.is_file()


@pytest.mark.parametrize(("directory", "replaced"), [("stamps/sigdata", "${STAMPS_DIR}/sigdata"), ("temp", "${T}")])
def test_a_link_planted_in_place_of_a_directory_pyrecipe_writes_sends_no_write_out(
    layer: Path, tmp_path: Path, directory: str, replaced: str,
) -> None:
    """do_compile replaces ``${STAMPS_DIR}/sigdata`` (or ``${T}``) with a link to a host directory:
    pyrecipe wrote its signature records (the next tasks' logs and scripts) there. The build now
    fails saying which link."""
    host_dir = host_file(tmp_path).parent
    planting_recipe(layer, "planter", f"\tcd /\n\trm -rf {replaced}\n\tln -s {host_dir} {replaced}")
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "planter")

    assert sorted(path.name for path in host_dir.iterdir()) == ["victim.txt"], "pyrecipe wrote into a host directory"
    assert_clean_error(result, 1)
    link = workdir(build_dir, "planter") / directory
    assert f"{link} is a symbolic link, left by a task of the recipe: pyrecipe neither writes nor reads through it" in result.stderr


def test_cleandirs_behind_a_link_a_task_left_empty_no_host_directory(layer: Path, tmp_path: Path) -> None:
    """do_compile makes ``${WORKDIR}/tree`` a link to a host directory; do_install's ``[cleandirs]``
    names ``${WORKDIR}/tree/sub`` (inside the work directory, as written): pyrecipe emptied the
    host's ``sub`` with its own rights before the task ran."""
    host_dir = host_file(tmp_path).parent
    (host_dir / "sub").mkdir()
    (host_dir / "sub" / "kept.txt").write_text("the host's\n")
    add_recipe(layer, "cleaner", f"""do_compile() {{
	ln -s {host_dir} ${{WORKDIR}}/tree
}}
do_install[cleandirs] += "${{WORKDIR}}/tree/sub"
""")
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "cleaner")

    assert (host_dir / "sub" / "kept.txt").is_file(), "a host directory was emptied through a link"
    assert_clean_error(result, 1)
    link = workdir(build_dir, "cleaner") / "tree"
    assert f"{link} is a symbolic link, left by a task of the recipe: pyrecipe neither writes nor reads through it" \
        in result.stderr


def test_a_package_list_rewritten_after_do_package_brings_no_host_file_into_the_image(layer: Path, tmp_path: Path) -> None:
    """A task after do_package appends ``../../../../host/victim.txt`` to its package's list: the
    image took the host file in (a secret of the build machine shipped on the board)."""
    victim = host_file(tmp_path, "secret of the build machine\n")
    build_dir = tmp_path / "build"
    escape = os.path.relpath(victim, workdir(build_dir, "lister") / "package")
    add_recipe(layer, "lister", f"""do_install() {{
	install -d ${{D}}/usr/share/lister
	echo ok > ${{D}}/usr/share/lister/ok
}}
do_relist() {{
	echo {escape} >> ${{PKGMANIFESTDIR}}/lister.list
}}
addtask relist after do_package before do_build
""")

    result = pyrecipe_build(layer, build_dir, "lister")

    image = machine_dir(build_dir) / "image"
    assert not [path for path in image.rglob("*") if path.is_file() and path.read_bytes() == victim.read_bytes()], \
        "a host file was copied into the image"
    assert_clean_error(result, 1)
    assert f"recipe lister: its package list {workdir(build_dir, 'lister') / 'package-lists' / 'lister.list'} " \
           f"names paths outside {workdir(build_dir, 'lister') / 'package'}: '{escape}'" in result.stderr


def test_a_package_list_linked_to_a_host_file_is_not_read(layer: Path, tmp_path: Path) -> None:
    """A task after do_package makes its package's list a link to a host file: its lines were read
    as the package's paths (and named in the error that followed)."""
    victim = host_file(tmp_path, "root:secret-hash:19000:0:99999:7:::\n")
    add_recipe(layer, "linklister", f"""do_install() {{
	install -d ${{D}}/usr/share/linklister
	echo ok > ${{D}}/usr/share/linklister/ok
}}
do_relist() {{
	ln -sf {victim} ${{PKGMANIFESTDIR}}/linklister.list
}}
addtask relist after do_package before do_build
""")
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "linklister")

    assert "secret-hash" not in result.stdout + result.stderr
    assert_clean_error(result, 1)
    assert "linklister.list cannot be read: a symbolic link, not a regular file: not followed" in result.stderr


@pytest.mark.parametrize(("tree", "after"), [("image", "do_install"), ("package", "do_package")])
def test_an_installed_tree_replaced_by_a_link_brings_no_host_file_into_the_image(
    layer: Path, tmp_path: Path, tree: str, after: str,
) -> None:
    """A task replaces ``${D}`` (at the end of do_install) or ``${PKGD}`` (after do_package, its
    package list rewritten to match) with a link to a host directory: do_package, the sysroot
    and the image read the host directory as the recipe's files, and shipped its secret."""
    victim = host_file(tmp_path, "secret of the build machine\n")
    variable = {"image": "D", "package": "PKGD"}[tree]
    relist = "\techo victim.txt > ${PKGMANIFESTDIR}/swapper.list\n" if tree == "package" else ""
    add_recipe(layer, "swapper", f"""do_install() {{
	install -d ${{D}}/usr/share/swapper
	echo ok > ${{D}}/usr/share/swapper/ok
}}
do_swap() {{
	cd /
	rm -rf ${{{variable}}}
	ln -s {victim.parent} ${{{variable}}}
{relist}}}
addtask swap after {after} before {"do_qa" if after == "do_install" else "do_build"}
""")
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "swapper")

    shipped = [path for path in build_dir.rglob("*") if path.is_file() and not path.is_symlink()
               and path.stat().st_size < 1000 and b"secret of the build machine" in path.read_bytes()]
    assert not shipped, f"the host file reached {shipped}"
    assert_clean_error(result, 1)
    link = workdir(build_dir, "swapper") / tree
    assert f"{link} is a symbolic link, left by a task of the recipe: pyrecipe neither writes nor reads through it" \
        in result.stderr


def test_a_record_rewritten_by_do_qa_goes_through_no_link_and_hashes_no_host_file(layer: Path, tmp_path: Path) -> None:
    """do_qa refreshes the dist-info RECORDs of ${D} in pyrecipe's process. A recipe installs a
    RECORD naming ``../../../../host/victim.txt`` and plants ``RECORD.tmp -> host file``: pyrecipe
    hashed the host file into the RECORD that ships, and wrote the new RECORD through the link."""
    victim = host_file(tmp_path, "secret of the build machine\n")
    build_dir = tmp_path / "build"
    add_recipe(layer, "recorder", f"""do_install() {{
	site=${{D}}${{PYTHON_SITEPACKAGES_DIR}}
	install -d $site/evil-1.0.dist-info
	echo 'A = 1' > $site/evil.py
	escape=$(realpath -m --relative-to=$site {victim})
	printf 'evil.py,sha256=AAAA,1\\n%s,sha256=AAAA,1\\n' "$escape" > $site/evil-1.0.dist-info/RECORD
	ln -s {victim} $site/evil-1.0.dist-info/RECORD.tmp
}}
""")

    result = pyrecipe_build(layer, build_dir, "recorder", "-c", "qa")  # do_test would import evil.py: no board here

    assert victim.read_text() == "secret of the build machine\n", "pyrecipe wrote a RECORD into a host file"
    assert result.returncode == 0, result.stderr
    [record] = workdir(build_dir, "recorder").glob("image/**/evil-1.0.dist-info/RECORD")
    lines = record.read_text().splitlines()
    assert lines[0].startswith("evil.py,sha256=") and lines[0] != "evil.py,sha256=AAAA,1"  # refreshed
    assert lines[1].endswith("host/victim.txt,sha256=AAAA,1"), "the host file's digest went into the RECORD"


def test_a_huge_installed_file_is_hashed_for_its_record_without_reading_it_whole(tmp_path: Path) -> None:
    """do_qa hashes each changed file a RECORD names, in pyrecipe's process: a file of gigabytes
    (sparse: it costs a task nothing) was read whole into memory. Measured on a 64 MB one."""
    from pyrecipe.pep517.record import refresh_records

    site = tmp_path / "image/usr/lib/python3/site-packages"
    (site / "big-1.0.dist-info").mkdir(parents=True)
    with open(site / "big.bin", "wb") as stream:
        stream.truncate(64 << 20)
    (site / "big-1.0.dist-info/RECORD").write_text("big.bin,sha256=AAAA,1\n")

    tracemalloc.start()
    try:
        updated = refresh_records(site, tmp_path / "image")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert updated == ["big.bin"]
    assert (site / "big-1.0.dist-info/RECORD").read_text().endswith(f",{64 << 20}\n")
    assert peak < 4 << 20, f"{peak} bytes of memory to hash a file for its RECORD"


# ---------------------------------------------------------------- reading a failed task's log


def failing_recipe(layer: Path, name: str, body: str) -> None:
    add_recipe(layer, name, f"do_compile() {{\n{body}\n\texit 1\n}}\n")


def test_a_log_linked_to_a_host_file_is_not_shown_as_the_log(layer: Path, tmp_path: Path) -> None:
    """A failing task replaces its own log with a link to a host file: the failure printed the
    host file as "the last lines of the log"."""
    victim = host_file(tmp_path, "root:secret-hash:19000:0:99999:7:::\n")
    failing_recipe(layer, "loglinker", f"\trm -f ${{T}}/log.do_compile\n\tln -s {victim} ${{T}}/log.do_compile")

    result = pyrecipe_build(layer, tmp_path / "build", "loglinker")

    assert_clean_error(result, 1)
    assert "secret-hash" not in result.stdout + result.stderr
    assert "recipe loglinker: task do_compile failed: shell exited with status 1" in result.stderr
    assert "the log is not shown: a symbolic link, not a regular file: not followed" in result.stderr


def test_a_fifo_in_place_of_the_log_does_not_hang_the_build(layer: Path, tmp_path: Path) -> None:
    """A failing task replaces its log with a FIFO: pyrecipe, reading the log's last lines, waited
    for a writer forever."""
    failing_recipe(layer, "fifologger", "\trm -f ${T}/log.do_compile\n\tmkfifo ${T}/log.do_compile")
    build_dir = tmp_path / "build"
    process = start_build(layer, build_dir, "fifologger")
    try:
        _, stderr = process.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("the build hung on a FIFO left in place of the task's log")

    assert process.returncode == 1
    assert "recipe fifologger: task do_compile failed" in stderr
    assert "the log is not shown: not a regular file (a FIFO)" in stderr


def test_a_huge_log_is_not_read_whole_to_show_its_tail(tmp_path: Path) -> None:
    """A 400 MB log was read whole (1.2 GB of memory) to print its last 30 lines: only its end is
    read now. Measured by the memory Python allocates, on a sparse 64 MB log with a tail of its own."""
    log = tmp_path / "log.do_compile"
    with open(log, "wb") as stream:
        stream.truncate(64 << 20)
        stream.seek(0, os.SEEK_END)
        stream.write(b"".join(b"line %d\n" % number for number in range(100)))

    tracemalloc.start()
    try:
        shown = str(TaskFailure("big", "do_compile", log, "shell exited with status 1"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert "last 30 lines of the log:\n    line 70\n" in shown and shown.endswith("    line 99")
    assert peak < 4 << 20, f"{peak} bytes of memory to show the tail of a log"


def test_the_tail_of_a_log_drops_the_line_it_cut(tmp_path: Path) -> None:
    """The first line of the bytes read from the end is cut: not shown as if whole."""
    from pyrecipe.fsutil import tail_lines

    log = tmp_path / "log"
    log.write_text("x" * 100 + "\nlast\n")
    assert tail_lines(log, 30, limit=20) == ["last"]


# ---------------------------------------------------------------- faults


def test_a_full_disk_in_a_shell_task_is_said_with_its_path(layer: Path, tmp_path: Path) -> None:
    """A shell task fills the disk of the build directory: the failure showed "last 0 lines of the
    log" (the log is on that disk) and never said the disk was full. As root, on an 8 MiB tmpfs in
    a mount namespace of the test's own; as a user, in a user namespace (unshare -Ur) where one
    may mount a tmpfs too."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    add_recipe(layer, "filler", "do_compile() {\n\tdd if=/dev/zero of=${B}/filling bs=64k count=100000 2>/dev/null\n}\n")
    command = " ".join(map(shlex.quote, build_command(layer, mount_point / "build", "filler")))
    namespace = ["unshare", "--mount"] if ROOT else ["unshare", "--user", "--map-root-user", "--mount"]
    script = f"mount -t tmpfs -o size=8m tmpfs {shlex.quote(str(mount_point))} && {command}"
    result = subprocess.run([*namespace, "--", "sh", "-c", script], capture_output=True, text=True, cwd=TOPDIR,
                            env=build_env(), timeout=180)
    assert "mount:" not in result.stderr and "unshare:" not in result.stderr, f"no small tmpfs here: {result.stderr}"

    assert_clean_error(result, 1)
    assert "recipe filler: task do_compile failed: shell exited with status 1" in result.stderr
    assert "the disk is full: " in result.stderr and f"bytes free on the file system of {mount_point}/build" in result.stderr


def test_a_cache_on_another_file_system_is_copied_not_linked(tmp_path: Path) -> None:
    """The provisioning cache and a build directory on different file systems: ``cp -l`` failed
    with "Invalid cross-device link", once per file. A copy is made instead: for real when /dev/shm
    is another file system than the test's directory, and always with hard links made to fail as
    they fail across file systems (a bind mount of one file system fails alike)."""
    cache = tmp_path / "cache"
    (cache / "usr/include").mkdir(parents=True)
    (cache / "usr/include/zlib.h").write_text("header\n")
    (cache / "usr/lib").mkdir()
    (cache / "usr/lib/libz.so").symlink_to("libz.so.1")

    def copied_to(target: Path) -> None:
        target.mkdir()
        copy_tree(cache, target, hard_links=True)
        assert (target / "usr/include/zlib.h").read_text() == "header\n"
        assert os.readlink(target / "usr/lib/libz.so") == "libz.so.1"

    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK) and os.stat(shm).st_dev != os.stat(tmp_path).st_dev:
        with tempfile.TemporaryDirectory(dir=shm) as other:
            copied_to(Path(other) / "sysroot")
    real_run = subprocess.run

    def cross_device(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        if "-l" in argv:
            return subprocess.CompletedProcess(argv, 1, "", "cp: cannot create hard link: Invalid cross-device link\n" * 6235)
        return real_run(argv, **kwargs)  # type: ignore[call-overload, no-any-return]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(provision_cache.subprocess, "run", cross_device)
        copied_to(tmp_path / "linked-fails")
    assert (tmp_path / "linked-fails/usr/include/zlib.h").stat().st_ino != (cache / "usr/include/zlib.h").stat().st_ino


# ---------------------------------------------------------------- QA: file capabilities


def test_qa_refuses_file_capabilities_unless_waived(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file with a ``security.capability`` attribute (``setcap cap_net_raw+ep``) passed QA and
    shipped. Setting the attribute needs CAP_SETFCAP: as root it is set with setcap, as a user the
    attribute is reported by a stand-in for os.getxattr (the check reads it with that call)."""
    from pyrecipe.qa.model import QAContext

    staging = tmp_path / "image"
    tool = staging / "usr/bin/pinger"
    tool.parent.mkdir(parents=True)
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    if ROOT and subprocess.run(["setcap", "cap_net_raw+ep", str(tool)], capture_output=True).returncode == 0:
        assert os.getxattr(tool, "security.capability")
    else:
        real_getxattr = os.getxattr

        def getxattr(path: Path, attribute: str, *, follow_symlinks: bool = True) -> bytes:
            if Path(path) == tool and attribute == "security.capability":
                return b"\x01\x00\x00\x02\x00\x20\x00\x00"
            return real_getxattr(path, attribute, follow_symlinks=follow_symlinks)

        monkeypatch.setattr(os, "getxattr", getxattr)
    context = QAContext(staging_dir=staging, elf_machine="EM_X86_64", elf_class=64, elf_endian="little",
                        ext_suffix=".so", host_ext_suffix=".host.so", pyc_magic=b"", library_dirs=[], host_paths=[],
                        allowed_prefixes=["usr"])

    found = run_qa(context)
    waived = run_qa(context, skip=("perms",))

    assert [(problem.check, problem.path) for problem in found.problems] == [("perms", "usr/bin/pinger")]
    assert "has file capabilities (security.capability" in found.problems[0].message
    assert waived.problems == [] and waived.waived == found.problems
