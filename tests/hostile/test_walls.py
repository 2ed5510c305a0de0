"""Issue 25, classes 1 and 5: the walls of a task hold whoever runs pyrecipe and whatever the
task's code is (shell, a recipe's Python, a native recipe's, do_test's), and recipe Python that
ends pyrecipe's process at parse time is a parse error naming the recipe.

Run as root, a task used to keep every capability of root (so it could remount a read-only bind
writable) and could read ``/etc/shadow``; as an unprivileged user it had no capability already,
so there the capability tests pass on the old code too: they check the same walls hold.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyrecipe.config.configuration import DEFAULT_DISTRO
from pyrecipe.toolchain.buildroot import BuildRoot
from reliability_support import add_recipe, assert_clean_error, machine_dir, pyrecipe_build, workdir

#: mount(2) flags that remount a bind mount (read-write: MS_RDONLY is not among them).
MS_REMOUNT, MS_BIND = 0x20, 0x1000
#: A planted secret of the invoking user's (``~/.ssh``): readable by that user, root or not.
SECRET = b"-----BEGIN OPENSSH PRIVATE KEY----- planted by test_walls -----END OPENSSH PRIVATE KEY-----\n"


def files_holding(root: Path, secret: bytes) -> list[Path]:
    """The regular files under ``root`` whose bytes contain ``secret`` (an image, a log, an archive)."""
    return [path for path in root.rglob("*") if path.is_file() and not path.is_symlink() and secret in path.read_bytes()]


def host_shadow() -> bytes | None:
    """The build machine's /etc/shadow when the test may read it (root), else None."""
    try:
        shadow = Path("/etc/shadow").read_bytes()
    except OSError:
        return None
    return shadow or None


@pytest.fixture
def planted_home(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A HOME with a secret key in ``.ssh``, for the build: under /var/tmp, since a task's /tmp is
    its own (a HOME under the test's tmp_path would be hidden from it anyway)."""
    home = Path(tempfile.mkdtemp(prefix="walls-home-", dir="/var/tmp"))
    try:
        (home / ".ssh").mkdir()
        (home / ".ssh" / "id_ed25519").write_bytes(SECRET)
        monkeypatch.setenv("HOME", str(home))
        yield home
    finally:
        shutil.rmtree(home)


# ---------------------------------------------------------------- 1: no capability in a task


LAYER_ROOT = "${@os.path.dirname(os.path.dirname(os.path.dirname(d.getVar('FILE'))))}"


@pytest.mark.parametrize("target", ["${TOPDIR}", LAYER_ROOT], ids=["build-directory", "layer"])
def test_shell_task_cannot_remount_a_read_only_bind_writable(layer: Path, tmp_path: Path, target: str) -> None:
    """``mount -o remount,bind,rw`` of the build directory or the layer (read-only binds), then a
    write: as root the task kept CAP_SYS_ADMIN and wrote into the build machine's directory."""
    add_recipe(layer, "remounter", f"do_compile() {{\n\tmount -o remount,bind,rw {target}\n\ttouch {target}/remounted\n}}\n")
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "remounter")

    assert_clean_error(result, 1)
    assert "recipe remounter: task do_compile failed: shell exited with status" in result.stderr
    assert not (build_dir / "remounted").exists()
    assert not (layer / "remounted").exists()


def test_python_task_cannot_remount_a_read_only_bind_writable(layer: Path, tmp_path: Path) -> None:
    """The same through mount(2) called with ctypes from a recipe's Python task (walled)."""
    add_recipe(layer, "pyremounter", "python do_compile() {\n"
                                     "    import ctypes, os\n"
                                     "    libc = ctypes.CDLL(None, use_errno=True)\n"
                                     "    top = d.getVar('TOPDIR')\n"
                                     f"    if libc.mount(None, top.encode(), None, {MS_REMOUNT | MS_BIND}, None) != 0:\n"
                                     "        bb.fatal('mount: ' + os.strerror(ctypes.get_errno()))\n"
                                     "    open(os.path.join(top, 'remounted'), 'w').close()\n"
                                     "}\n")
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "pyremounter")

    assert_clean_error(result, 1)
    assert "recipe pyremounter: task do_compile failed: FatalRecipeError: mount: Operation not permitted" in result.stderr
    assert not (build_dir / "remounted").exists()


def test_tasks_run_with_no_capability_and_no_new_privileges(layer: Path, tmp_path: Path) -> None:
    """A shell task and a Python task read their own /proc/self/status: every capability set is
    empty and no_new_privs is on (as root they had CapEff 000001ffffffffff)."""
    add_recipe(layer, "capless", "do_compile() {\n"
                                 "\tgrep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs):' /proc/self/status > ${B}/shell-status\n"
                                 "}\n"
                                 "python do_install() {\n"
                                 "    import os, shutil\n"
                                 "    shutil.copy('/proc/self/status', os.path.join(d.getVar('B'), 'python-status'))\n"
                                 "}\n")
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "capless")

    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("shell-status", "python-status"):
        status = dict(line.split(":", 1) for line in (workdir(build_dir, "capless") / "build" / name).read_text().splitlines())
        for capability_set in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
            assert int(status[capability_set], 16) == 0, (name, capability_set, status[capability_set])
        assert status["NoNewPrivs"].strip() == "1", name


def fake_build_root(path: Path) -> BuildRoot:
    """A root of an empty /usr (the task gets the build machine's bound over it), the merged-/usr
    links beside it and an empty /etc: enough to run sh, mount and touch in it as in a distro's build root, which this suite
    does not provision (mmdebstrap takes minutes)."""
    (path / "usr").mkdir(parents=True)
    (path / "etc").mkdir()
    for name in ("bin", "sbin", "lib", "lib64"):
        if Path("/usr", name).exists():
            (path / name).symlink_to(f"usr/{name}")
    return BuildRoot(path)


def test_build_root_task_cannot_remount_and_still_writes_its_work_directory(tmp_path: Path) -> None:
    """A task in the distro's build root (where the default distro's target tasks run) with the
    same mount: as root it kept every capability. Its work directory stays writable, the root
    and the read-only directories readable."""
    root = fake_build_root(tmp_path / "root")
    work, readonly = tmp_path / "work", tmp_path / "layer"
    work.mkdir()
    readonly.mkdir()
    (readonly / "recipe.bb").write_text("SUMMARY = 'x'\n")
    script = (f"grep '^CapEff:' /proc/self/status > {work}/status; cat {readonly}/recipe.bb > {work}/read; "
              f"ls /usr/bin > /dev/null && touch {work}/written; "
              f"mount -o remount,bind,rw {readonly} && touch {readonly}/remounted")
    # The host's /usr over the fake root's empty one: a read-only directory at its own path.
    command = root.command(["sh", "-c", script], work, writable=[work], readonly=[Path("/usr"), readonly])

    result = subprocess.run(command, capture_output=True, text=True, timeout=60)

    assert result.returncode != 0, "mount succeeded in the build root"
    assert not (readonly / "remounted").exists()
    assert (work / "written").exists() and (work / "read").read_text() == "SUMMARY = 'x'\n"
    assert int((work / "status").read_text().split(":")[1], 16) == 0


# ---------------------------------------------------------------- 5a: a Python task succeeds only by returning


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("os._exit(0)", "its Python ended the process with status 0 before the task returned"),
        ("os.execvp('true', ['true'])", "its Python ended the process with status 0 before the task returned"),
        ("os.kill(os.getpid(), signal.SIGKILL)", "its process was killed by signal 9 before the task returned"),
    ],
    ids=["os._exit", "exec", "sigkill"],
)
def test_python_task_that_ends_its_process_is_a_failed_task(
    layer: Path, tmp_path: Path, statement: str, reason: str
) -> None:
    """A walled Python task that ends its own process instead of returning: os._exit(0) and an
    exec of ``true`` were a successful task (the image was made)."""
    add_recipe(layer, "vanisher", f"python do_compile() {{\n    import os, signal\n    {statement}\n}}\n")
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "vanisher")

    assert_clean_error(result, 1)
    assert f"pyrecipe: error: recipe vanisher: task do_compile failed: {reason}" in result.stderr
    assert not (machine_dir(build_dir) / "image").exists()


# ---------------------------------------------------------------- 5b: no host secret in a task


THIEF_SHELL = """do_install() {
\tinstall -d ${D}/stolen
\tcat /etc/shadow || true
\tcp /etc/shadow ${D}/stolen/shadow || true
\tcp HOME/.ssh/id_ed25519 ${D}/stolen/key || true
}
"""
THIEF_PYTHON = """python do_install() {
    import os, shutil
    stolen = os.path.join(d.getVar('D'), 'stolen')
    os.makedirs(stolen, exist_ok=True)
    for source, name in (('/etc/shadow', 'shadow'), ('HOME/.ssh/id_ed25519', 'key')):
        try:
            shutil.copy(source, os.path.join(stolen, name))
        except OSError as exc:
            bb.note(f'{source}: {exc}')
}
"""
THIEF_TEST = """PYTHON = "python3"
PYTHON_TEST_CODE = "import os; os.system('cat /etc/shadow; cp /etc/shadow ${WORKDIR}/shadow; cp HOME/.ssh/id_ed25519 ${WORKDIR}/key')"
"""


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("thief", THIEF_SHELL),
        ("pythief", THIEF_PYTHON),
        ("nativethief", "inherit native\n" + THIEF_SHELL),
        ("testthief", "inherit native\n" + THIEF_TEST),
    ],
    ids=["shell", "python", "native", "do_test"],
)
def test_no_host_secret_reaches_the_build(layer: Path, tmp_path: Path, planted_home: Path, name: str, text: str) -> None:
    """A task copies /etc/shadow and the invoking user's ~/.ssh key into ${D} (do_test, with the
    build machine's python3 for the native recipe: into its work directory) and prints them into its log: a read-only view of the build machine
    showed both, and root's uid reads /etc/shadow without any capability. Neither may appear in
    any file of the build directory (image, logs, shared state). The key is planted in a HOME of
    the test's, so this fails on the old code as a user too; /etc/shadow is checked as root."""
    add_recipe(layer, name, text.replace("HOME/", f"{planted_home}/"))
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, name)

    assert result.returncode in (0, 1), result.stdout + result.stderr
    task = "do_test" if "PYTHON_TEST_CODE" in text else "do_install"
    work = build_dir / DEFAULT_DISTRO / "native" / "work" / name / "1.0" if "native" in text else workdir(build_dir, name)
    assert (work / "temp" / f"log.{task}").exists(), f"{task} did not run"
    assert not files_holding(build_dir, SECRET)
    assert SECRET.decode() not in result.stdout + result.stderr
    shadow = host_shadow()
    if shadow is not None:  # root: the test reads what the task must not
        assert not files_holding(build_dir, shadow)
        assert shadow.decode(errors="replace") not in result.stdout + result.stderr


# ---------------------------------------------------------------- 5c: parse-time Python that ends pyrecipe


@pytest.mark.parametrize(
    "expression",
    ["os._exit(0)", "__import__('os')._exit(0)", "__import__('os').execvp('true', ['true'])",
     "__import__('os').kill(__import__('os').getpid(), 9)"],
    ids=["os._exit", "__import__", "exec", "sigkill"],
)
def test_inline_python_that_ends_pyrecipe_is_a_parse_error_naming_the_recipe(
    layer: Path, tmp_path: Path, expression: str
) -> None:
    """``${@os._exit(0)}`` in a recipe's variable ended pyrecipe with status 0 and no output (an
    exec of ``true`` too; a SIGKILL of itself with 137 and no word): in any recipe of a layer,
    every command that read the variable."""
    recipe = add_recipe(layer, "exiter", f'SUMMARY = "${{@{expression}}}"\n')

    result = pyrecipe_build(layer, tmp_path / "build", "exiter")

    assert_clean_error(result, 2)
    assert f"failure expanding variable SUMMARY (set in {recipe})" in result.stderr
    assert "is refused: recipe Python read with the recipes cannot end, replace or signal pyrecipe's process" in result.stderr


@pytest.mark.parametrize("exception", ["KeyboardInterrupt", "GeneratorExit"])
def test_anonymous_python_that_raises_an_interrupt_is_a_parse_error_naming_the_recipe(
    layer: Path, tmp_path: Path, exception: str
) -> None:
    """``raise KeyboardInterrupt`` in anonymous Python was reported as "pyrecipe: interrupted"
    (exit 130), as if the user had pressed Ctrl-C, naming no recipe; GeneratorExit as an
    internal error."""
    recipe = add_recipe(layer, "interrupter", f"python __anonymous() {{\n    raise {exception}\n}}\n")

    result = pyrecipe_build(layer, tmp_path / "build", "interrupter")

    assert_clean_error(result, 2)
    assert "interrupted" not in result.stderr
    assert f"{recipe}:1:1: error running Python function" in result.stderr
    assert exception in result.stderr


def test_a_parse_worker_killed_by_its_recipe_is_named(layer: Path, tmp_path: Path) -> None:
    """With enough recipes to parse in worker processes, one whose anonymous Python has a
    program kill the process parsing it (a signal the walls of recipe Python cannot refuse):
    every build of the layer failed with "internal error: BrokenProcessPool", naming nothing.
    Now that recipe does not parse (named), and the others build. (Parsed alone, in pyrecipe's
    own process, such a recipe ends pyrecipe with the signal's status: not 0, but not named.)"""
    for number in range(40):
        add_recipe(layer, f"filler{number}", f'SUMMARY = "filler {number}"\n')
    recipe = add_recipe(layer, "killer", "python __anonymous() {\n"
                                         "    import os, subprocess\n"
                                         "    subprocess.run(['kill', '-9', str(os.getpid())])\n"
                                         "}\n")

    result = pyrecipe_build(layer, tmp_path / "build", "filler1")

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"WARNING: {recipe}: the process parsing this recipe ended abruptly" in result.stderr


def test_inline_python_cannot_read_a_host_secret_into_the_build(layer: Path, tmp_path: Path, planted_home: Path) -> None:
    """``SUMMARY = "${@open('~/.ssh/id_ed25519').read()}"``: inline Python runs in pyrecipe's own
    process, outside any sandbox, and the key went into the package's metadata and the image's
    manifest. Opening a host secret from recipe Python fails: a parse error naming the recipe."""
    key = planted_home / ".ssh" / "id_ed25519"
    recipe = add_recipe(layer, "reader", f"SUMMARY = \"${{@open('{key}').read().strip()}}\"\n")
    build_dir = tmp_path / "build"

    result = pyrecipe_build(layer, build_dir, "reader")

    assert_clean_error(result, 2)
    assert f"failure expanding variable SUMMARY (set in {recipe})" in result.stderr
    assert f"PermissionError: {key} is one of the build machine's secrets" in result.stderr
    assert not files_holding(build_dir, SECRET.strip())
    assert SECRET.decode().strip() not in result.stdout + result.stderr
