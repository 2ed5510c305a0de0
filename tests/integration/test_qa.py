"""QA checks on staging trees holding real ELF files from the real host and cross compilers.

Each fault is seeded into an otherwise clean aarch64 staging tree and must come back as
exactly one problem with the message a user reads; the clean tree must pass with none.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import py_compile
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import cross_support
from pyrecipe.errors import BuildError, InputError
from pyrecipe.qa import CHECKS, QAContext, QAProblem, check_file_owners, run_qa
from pyrecipe.qa.elfchecks import optimisation_level
from pyrecipe.qa.hostpaths import HostPathFinder, _run_as_a_script, shebang_complaint
from pyrecipe.toolchain.host_tools import ensure_host_packages

SOURCE = Path(__file__).parents[1] / "fixtures" / "qa" / "objects.c"
CROSS_CC = "aarch64-linux-gnu-gcc"
CROSS_LIBC_DIR = Path("/usr/aarch64-linux-gnu/lib")  # libc6-arm64-cross: the target's libc.so.6
HOST_BUILD = "/work/main/build"  # the seeded build tree every leak points into
#: The target: a Raspberry Pi 4 on the tests' distro (its CPython X.Y and SOABI tag).
PY, TAG = cross_support.PYTHON_VERSION, cross_support.CPYTHON_TAG
TARGET_SUFFIX = cross_support.SUFFIX
HOST_SUFFIX = f".{TAG}-x86_64-linux-gnu.so"
SITE = str(cross_support.SITE)
SCHEME = (SITE, "usr/bin", "usr/include", "usr/share")
#: The target's .pyc magic (as QA is told it) and another Python's.
TARGET_MAGIC = (3495).to_bytes(2, "little") + b"\r\n"
OTHER_MAGIC = (3531).to_bytes(2, "little") + b"\r\n"
PYC_TAIL = bytes(12)  # flags, mtime, size: QA reads only the magic


@dataclasses.dataclass(frozen=True)
class Compiled:
    """A tree entry that is one of the session's compiled ELF files."""

    key: str


@dataclasses.dataclass(frozen=True)
class Symlink:
    target: str


@dataclasses.dataclass(frozen=True)
class Bytecode:
    """A real .pyc of this interpreter, compiled as if its source were at ``source_path``."""

    source_path: str


Content = Path | bytes | str | Compiled | Symlink | Bytecode


@pytest.fixture(scope="session")
def cross_gcc() -> str:
    """The aarch64 cross compiler (and the host's gcc, ar and libc for the x86_64 objects),
    installed from Debian when missing: CI runs as root; anyone else gets the command to run."""
    ensure_host_packages(["gcc", "binutils", "libc6-dev", "gcc-aarch64-linux-gnu", "libc6-dev-arm64-cross"])
    compiler = shutil.which(CROSS_CC)
    assert compiler, f"{CROSS_CC} is still not on PATH after installing gcc-aarch64-linux-gnu"
    return compiler


@pytest.fixture(scope="session")
def objects_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("qa-objects")


@pytest.fixture(scope="session")
def elf(objects_dir: Path, cross_gcc: str) -> dict[str, Path]:
    """Every ELF file the tests stage, compiled once per session."""

    def compile_so(compiler: str, name: str, *flags: str) -> Path:
        output = objects_dir / name
        subprocess.run([compiler, "-shared", "-fPIC", "-O1", "-o", str(output), str(SOURCE), *flags],
                       check=True, cwd=objects_dir)
        return output

    def module(name: str, *flags: str, suffix: str = TARGET_SUFFIX, compiler: str = cross_gcc) -> Path:
        return compile_so(compiler, name + suffix, f"-DMODULE={name}", *flags)

    def archive(ar: str, compiler: str, name: str, *flags: str) -> Path:
        obj = objects_dir / (name + ".o")
        subprocess.run([compiler, "-c", "-fPIC", "-O1", "-o", str(obj), str(SOURCE), *flags], check=True)
        output = objects_dir / name
        subprocess.run([ar, "rcs", str(output), str(obj)], check=True)
        return output

    cross_ar = cross_gcc.replace("-gcc", "-ar")
    helper = compile_so(cross_gcc, "libhelper.so.1", "-DLIBRARY", "-Wl,-soname,libhelper.so.1")
    notthere = compile_so(cross_gcc, "libnotthere.so.1", "-DLIBRARY", "-Wl,-soname,libnotthere.so.1")
    nosoname = compile_so(cross_gcc, "libnosoname.so", "-DLIBRARY")
    return {
        "libhelper": helper,
        # -g: the DWARF names the compile directory, a host path QA must leave alone.
        "spam": module("spam", "-g"),
        "stable": module("stable", suffix=".abi3.so"),
        "bundled": module("bundled", "-DNEEDS_HELPER", str(helper), "-Wl,-rpath,$ORIGIN/../pkg.libs"),
        "needy": module("needy", "-DNEEDS_HELPER", str(notthere)),
        "rpathy": module("rpathy", f"-Wl,-rpath,{HOST_BUILD}/raspberrypi4/work/rpathy/1.0/build/lib"),
        "wrongsfx": module("wrongsfx", suffix=HOST_SUFFIX),
        "py312": module("py312", suffix=".cpython-312-aarch64-linux-gnu.so"),
        "bypath": module("bypath", "-DNEEDS_HELPER", str(nosoname)),
        "optrpath": module("optrpath", "-Wl,-rpath,/opt/vendor/lib"),
        # A build whose flags never reached the compiler: debug information, no optimisation.
        "slowmod": module("slowmod", "-g", "-O0"),
        "baresfx": module("baresfx", suffix=".so"),
        "leaky": module("leaky", f'-DLEAK_PATH="{HOST_BUILD}/raspberrypi4/sysroot/usr/share/leaky"'),
        "hostmod": module("hostmod", compiler="gcc"),
        "libnpymath.a": archive(cross_ar, cross_gcc, "libnpymath.a", "-DLIBRARY"),
        "libhostmath.a": archive("ar", "gcc", "libhostmath.a", "-DLIBRARY"),
        "libleakymath.a": archive(cross_ar, cross_gcc, "libleakymath.a", "-DLIBRARY",
                                  f'-DLEAK_PATH="{HOST_BUILD}/raspberrypi4/work/leaky/src/npymath.c"'),
    }


def clean_tree() -> dict[str, Content]:
    """A staging tree that a good recipe would produce: relative path -> content."""
    return {
        f"{SITE}/pkg/__init__.py": "from pkg import spam\n",
        f"{SITE}/pkg/__pycache__/__init__.{TAG}.pyc": TARGET_MAGIC + PYC_TAIL,
        f"{SITE}/pkg/spam{TARGET_SUFFIX}": Compiled("spam"),
        f"{SITE}/pkg/stable.abi3.so": Compiled("stable"),
        f"{SITE}/pkg/bundled{TARGET_SUFFIX}": Compiled("bundled"),
        f"{SITE}/pkg.libs/libhelper.so.1": Compiled("libhelper"),
        f"{SITE}/pkg/lib/libnpymath.a": Compiled("libnpymath.a"),
        f"{SITE}/pkg-1.0.dist-info/RECORD": f"pkg/__init__.py,sha256=x,21\npkg/spam{TARGET_SUFFIX},,\n",
        "usr/bin/pkg-tool": "#!/usr/bin/python3\nimport pkg\n",
        "usr/bin/pkg-env-tool": "#!/usr/bin/env python3\nimport pkg\n",
        "usr/share/pkg/table.bin": bytes(range(256)) * 4,
    }


def write_tree(root: Path, tree: dict[str, Content], elf: dict[str, Path] | None = None) -> Path:
    for rel, content in tree.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Compiled):
            assert elf is not None
            shutil.copyfile(elf[content.key], path)
        elif isinstance(content, Symlink):
            os.symlink(content.target, path)
        elif isinstance(content, Bytecode):
            source = path.with_suffix(".src.py")
            source.write_text("VALUE = 1\n")
            py_compile.compile(str(source), cfile=str(path), dfile=content.source_path, doraise=True)
            source.unlink()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        if rel.startswith("usr/bin/"):
            path.chmod(0o755)
    return root


def context(staging: Path, objects_dir: Path) -> QAContext:
    return QAContext(
        staging_dir=staging,
        elf_machine="EM_AARCH64",
        elf_class=64,
        elf_endian="little",
        ext_suffix=TARGET_SUFFIX,
        host_ext_suffix=HOST_SUFFIX,
        pyc_magic=TARGET_MAGIC,
        library_dirs=[CROSS_LIBC_DIR],
        # "/usr" is the build machine's Python prefix here: QA must not confuse it with the target's.
        host_paths=[HOST_BUILD, f"{HOST_BUILD}/native/venv", str(objects_dir), "/usr", "/root"],
        allowed_prefixes=SCHEME,
    )


@pytest.fixture
def qa(tmp_path: Path, elf: dict[str, Path], objects_dir: Path):
    """Run QA on the clean tree plus ``extra`` entries; returns the QAResult."""

    def run(extra: dict[str, Content] | None = None, skip: tuple[str, ...] = ()):
        staging = write_tree(tmp_path / "image", {**clean_tree(), **(extra or {})}, elf)
        return run_qa(context(staging, objects_dir), skip)

    return run


def test_clean_staging_has_no_problems(qa, elf: dict[str, Path], objects_dir: Path) -> None:
    # The debug info really does hold a host path, so passing proves DWARF is not scanned.
    assert str(objects_dir).encode() in elf["spam"].read_bytes()
    result = qa()
    assert result.problems == []
    assert result.waived == []
    assert result.ok
    assert result.format() == "QA: no problems"


SEEDED_FAULTS = {
    "x86_64 object in an aarch64 tree": (
        {f"{SITE}/pkg/hostmod{TARGET_SUFFIX}": Compiled("hostmod")},
        QAProblem("arch", f"{SITE}/pkg/hostmod{TARGET_SUFFIX}",
                  "built for x64, EM_X86_64 64-bit little-endian, but the target is EM_AARCH64 64-bit "
                  "little-endian; the recipe compiled it with a compiler for the wrong machine "
                  "(check CC/CXX and the cross file)"),
    ),
    "x86_64 static archive in an aarch64 tree": (
        {f"{SITE}/pkg/lib/libhostmath.a": Compiled("libhostmath.a")},
        QAProblem("arch", f"{SITE}/pkg/lib/libhostmath.a",
                  "built for x64, EM_X86_64 64-bit little-endian, but the target is EM_AARCH64 64-bit "
                  "little-endian; the recipe compiled it with a compiler for the wrong machine "
                  "(check CC/CXX and the cross file)"),
    ),
    "missing library": (
        {f"{SITE}/pkg/needy{TARGET_SUFFIX}": Compiled("needy")},
        QAProblem("needed", f"{SITE}/pkg/needy{TARGET_SUFFIX}",
                  "needs libnotthere.so.1 (DT_NEEDED), which is not in the target sysroot, the image or "
                  "this recipe's own libraries; add what provides it to DEPENDS, or link without it"),
    ),
    "build-tree RPATH": (
        {f"{SITE}/pkg/rpathy{TARGET_SUFFIX}": Compiled("rpathy")},
        QAProblem("rpath", f"{SITE}/pkg/rpathy{TARGET_SUFFIX}",
                  f"RPATH/RUNPATH entry '{HOST_BUILD}/raspberrypi4/work/rpathy/1.0/build/lib' points into "
                  f"the build machine ({HOST_BUILD}); use $ORIGIN-relative entries (e.g. $ORIGIN/../lib) "
                  "or none"),
    ),
    "RPATH outside the target's directories": (
        {f"{SITE}/pkg/optrpath{TARGET_SUFFIX}": Compiled("optrpath")},
        QAProblem("rpath", f"{SITE}/pkg/optrpath{TARGET_SUFFIX}",
                  "RPATH/RUNPATH entry '/opt/vendor/lib' is outside the target's directories (/usr); "
                  "use $ORIGIN-relative entries or none"),
    ),
    "library linked by its build path": (
        {f"{SITE}/pkg/bypath{TARGET_SUFFIX}": Compiled("bypath")},
        QAProblem("needed", f"{SITE}/pkg/bypath{TARGET_SUFFIX}",
                  "needs the library by path {objects}/libnosoname.so (DT_NEEDED): it was linked against a "
                  "library without a soname; link it with -l or give it one"),
    ),
    "module for another Python": (
        {f"{SITE}/pkg/py312.cpython-312-aarch64-linux-gnu.so": Compiled("py312")},
        QAProblem("ext-suffix", f"{SITE}/pkg/py312.cpython-312-aarch64-linux-gnu.so",
                  "extension module suffix .cpython-312-aarch64-linux-gnu.so is not the target's: the "
                  f"target's Python imports only *{TARGET_SUFFIX} or *.abi3.so"),
    ),
    "native-venv shebang": (
        {"usr/bin/bad-tool": f"#!{HOST_BUILD}/native/venv/bin/python\nimport pkg\n"},
        QAProblem("host-paths", "usr/bin/bad-tool",
                  f"#! line '#!{HOST_BUILD}/native/venv/bin/python': the interpreter is on the build "
                  f"machine (under {HOST_BUILD}/native/venv); install scripts for the target's "
                  "/usr/bin/python3"),
    ),
    "build machine's module suffix": (
        {f"{SITE}/pkg/wrongsfx{HOST_SUFFIX}": Compiled("wrongsfx")},
        QAProblem("ext-suffix", f"{SITE}/pkg/wrongsfx{HOST_SUFFIX}",
                  f"extension module named with the build machine's suffix {HOST_SUFFIX}: the target's "
                  f"Python imports only *{TARGET_SUFFIX} or *.abi3.so; the build read the build machine's "
                  "sysconfig (check _PYTHON_SYSCONFIGDATA_NAME)"),
    ),
    "bare .so module": (
        {f"{SITE}/pkg/baresfx.so": Compiled("baresfx")},
        QAProblem("ext-suffix", f"{SITE}/pkg/baresfx.so",
                  "extension module named with a bare .so, which says nothing about the Python it was "
                  f"built for; name it *{TARGET_SUFFIX} (or waive with INSANE_SKIP)"),
    ),
    "host path in a text file": (
        {f"{SITE}/pkg/__config__.py": f'"""Build facts."""\nCC = "{HOST_BUILD}/raspberrypi4/sysroot/usr/bin/cc"\n'},
        QAProblem("host-paths", f"{SITE}/pkg/__config__.py",
                  f"line 2 contains the build machine's path {HOST_BUILD}; on the target it points nowhere: "
                  "make the recipe write the target's path (or a relative one), or do not install the file"),
    ),
    "host path in .rodata": (
        {f"{SITE}/pkg/leaky{TARGET_SUFFIX}": Compiled("leaky")},
        QAProblem("host-paths", f"{SITE}/pkg/leaky{TARGET_SUFFIX}",
                  f"section .rodata contains the build machine's path {HOST_BUILD} (often __FILE__ or a "
                  f"configure-time path); build with -ffile-prefix-map={HOST_BUILD}=. or remove the path "
                  "from the sources"),
    ),
    "host path in a static archive member": (
        {f"{SITE}/pkg/lib/libleakymath.a": Compiled("libleakymath.a")},
        QAProblem("host-paths", f"{SITE}/pkg/lib/libleakymath.a",
                  f"section .rodata.str1.8 of libleakymath.a.o contains the build machine's path {HOST_BUILD} "
                  f"(often __FILE__ or a configure-time path); build with -ffile-prefix-map={HOST_BUILD}=. "
                  "or remove the path from the sources"),
    ),
    "symlink into the build tree": (
        {f"{SITE}/pkg/data": Symlink(f"{HOST_BUILD}/raspberrypi4/work/pkg/1.0/src/data")},
        QAProblem("host-paths", f"{SITE}/pkg/data",
                  f"symlink points to {HOST_BUILD}/raspberrypi4/work/pkg/1.0/src/data, inside the build "
                  f"machine's {HOST_BUILD}; make it relative or point it at the target's path"),
    ),
    "pyc of another Python": (
        {f"{SITE}/pkg/__pycache__/extra.cpython-99.pyc": OTHER_MAGIC + PYC_TAIL},
        QAProblem("pyc", f"{SITE}/pkg/__pycache__/extra.cpython-99.pyc",
                  f"bytecode magic {OTHER_MAGIC.hex()} is not the target's {TARGET_MAGIC.hex()}; compile .pyc "
                  "files with the target's Python version, or do not ship them"),
    ),
    "file outside the scheme": (
        {"etc/pkg.conf": "verbose = 1\n"},
        QAProblem("files", "etc",
                  f"holds 1 file outside the scheme's directories ({SITE}, usr/bin, "
                  "usr/include, usr/share); install into those, or delete it in do_install"),
    ),
    "truncated ELF": (
        {f"{SITE}/pkg/broken{TARGET_SUFFIX}": b"\x7fELF\x02\x01\x01" + bytes(9)},
        QAProblem("arch", f"{SITE}/pkg/broken{TARGET_SUFFIX}", "starts like an ELF file or a static archive "
                  "but cannot be read as one (truncated or corrupt); rebuild it, or do not install it"),
    ),
}


def _in(objects_dir: Path, problem: QAProblem) -> QAProblem:
    """The expected problem with ``{objects}`` (where this session compiled) filled in."""
    return dataclasses.replace(problem, message=problem.message.replace("{objects}", str(objects_dir)))


@pytest.mark.parametrize("fault", SEEDED_FAULTS, ids=list(SEEDED_FAULTS))
def test_seeded_fault_is_caught_alone(qa, objects_dir: Path, fault: str) -> None:
    extra, expected = SEEDED_FAULTS[fault]
    expected = _in(objects_dir, expected)
    result = qa(extra)
    assert result.problems == [expected]
    assert f"  {expected}" in result.format().splitlines()


def test_all_seeded_faults_at_once_are_each_caught(qa, objects_dir: Path) -> None:
    extra: dict[str, Content] = {}
    for files, _ in SEEDED_FAULTS.values():
        extra.update(files)
    result = qa(extra)
    assert sorted(result.problems) == sorted(_in(objects_dir, expected) for _, expected in SEEDED_FAULTS.values())
    assert result.format().splitlines()[0] == f"QA: {len(SEEDED_FAULTS)} problems"


def test_insane_skip_waives_one_check(qa) -> None:
    rpath_files, rpath_problem = SEEDED_FAULTS["build-tree RPATH"]
    arch_files, arch_problem = SEEDED_FAULTS["x86_64 object in an aarch64 tree"]
    result = qa({**rpath_files, **arch_files}, skip=("rpath",))
    assert result.problems == [arch_problem]
    assert result.waived == [rpath_problem]
    assert result.format().splitlines() == [
        "QA: 1 problem", f"  {arch_problem}", "QA: 1 finding waived by INSANE_SKIP", f"  {rpath_problem}",
    ]


def test_unknown_insane_skip_name_is_an_input_error(qa) -> None:
    with pytest.raises(InputError, match="INSANE_SKIP names unknown QA check.* archh; the checks are: arch, "):
        qa(skip=("archh",))


def test_missing_staging_dir_is_a_build_error(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="staging directory .* does not exist"):
        run_qa(context(tmp_path / "nothing", tmp_path))


def test_file_owned_by_two_recipes(tmp_path: Path) -> None:
    shared = f"{SITE}/common/__init__.py"
    stagings = {
        "python3-alpha": write_tree(tmp_path / "alpha", {shared: "", f"{SITE}/alpha.py": ""}),
        "python3-beta": write_tree(tmp_path / "beta", {shared: "", f"{SITE}/beta.py": ""}),
        "python3-gamma": write_tree(tmp_path / "gamma", {f"{SITE}/common/extra.py": ""}),
    }
    assert check_file_owners(stagings) == [
        QAProblem("files", shared, "installed by more than one recipe (python3-alpha, python3-beta); "
                  "only one recipe may own a file: remove it from all but one"),
    ]


def test_files_outside_the_scheme_are_grouped_by_directory(qa) -> None:
    result = qa({"usr/local/lib/a.py": "", "usr/local/lib/b.py": "", f"usr/lib/python{PY}/README": "x"})
    assert [(p.path, p.message.split(" outside")[0]) for p in result.problems] == [
        (f"usr/lib/python{PY}/README", "installed"),
        ("usr/local", "holds 2 files"),
    ]


@pytest.mark.parametrize(("line", "complaint"), [
    ("/usr/bin/python3", None),
    (f"/usr/bin/python{PY} -E", None),
    ("/bin/sh -e", None),
    ("/usr/bin/env -S python3 -u", None),
    ("/usr/bin/env python", "runs 'python', which the target's Python is not called; use python3"),
    ("/usr/bin/python2.7", "python2.7 is not the target's Python; use /usr/bin/python3"),
    ("python", "the interpreter is not an absolute path; the kernel cannot run it"),
    ("/usr/local/bin/python3", "/usr/local/bin is not a directory of target interpreters "
                               "(/bin, /usr/bin, /sbin, /usr/sbin)"),
    ("/usr/bin/env /root/venv/bin/python3", "the interpreter is on the build machine (under /root); "
                                            "install scripts for the target's /usr/bin/python3"),
])
def test_shebang_rules(line: str, complaint: str | None) -> None:
    finder = HostPathFinder(["/root", "/usr"], ["/usr"])
    assert shebang_complaint(line, finder) == (f"#! line '#!{line}': {complaint}" if complaint else None)


def test_host_path_in_bytecode_is_reported_at_its_offset(qa, tmp_path: Path) -> None:
    rel = f"{SITE}/pkg/__pycache__/cfg.{TAG}.pyc"
    source_path = f"{HOST_BUILD}/raspberrypi4/work/pkg/src/cfg.py"
    result = qa({rel: Bytecode(source_path)})
    offset = (tmp_path / "image" / rel).read_bytes().index(HOST_BUILD.encode())  # co_filename, marshalled
    # (On a Python other than the target's the magic differs too: that is the pyc check's business.)
    assert [problem for problem in result.problems if problem.check == "host-paths"] == [
        QAProblem("host-paths", rel, f"byte {offset} contains the build machine's path {HOST_BUILD}; on the "
                  "target it points nowhere: make the recipe write the target's path (or a relative one), "
                  "or do not install the file"),
    ]


def test_crlf_shebang_is_reported(qa) -> None:
    assert qa({"usr/bin/dos-tool": b"#!/usr/bin/python3\r\nimport pkg\r\n"}).problems == [
        QAProblem("host-paths", "usr/bin/dos-tool", "#! line '#!/usr/bin/python3' ends in a carriage return "
                  "(CRLF line endings): the kernel would look for '/usr/bin/python3\\r'; convert the script "
                  "to LF line endings"),
    ]


def test_shebang_of_a_non_executable_file_is_not_judged(qa) -> None:
    # The kernel never reads it; many modules carry "#!/usr/bin/env python" from history.
    assert qa({f"{SITE}/pkg/old.py": "#!/usr/bin/env python\n"}).problems == []


@pytest.mark.parametrize(("rel", "judged"), [
    ("usr/bin/pip3.13", True),
    (f"{SITE}/pkg/tool.py", True),
    (f"{SITE}/pkg/run", True),
    # Django ships its project template executable; it becomes a script only once copied
    (f"{SITE}/django/conf/project_template/manage.py-tpl", False),
])
def test_which_executables_have_their_shebang_judged(rel: str, judged: bool) -> None:
    assert _run_as_a_script(rel) is judged


@pytest.mark.parametrize(("text", "found"), [
    (b"x=/work/main/build/lib", "/work/main/build"),
    (b"x=/work/main/build", "/work/main/build"),
    (b"x=/work/main/buildroot/lib", None),  # a longer name, not the build dir
    (b"x=/srv/work/main/build/lib", None),  # the tail of another path
    (b"HOME=/root:", "/root"),
    (b"/rootfs/etc", None),
    (b"/usr/lib/python3", None),  # "/" and "/usr" cannot be told from target paths: ignored
])
def test_host_path_boundaries(text: bytes, found: str | None) -> None:
    finder = HostPathFinder(["/work/main/build/", "/root", "/usr", "/"], ["/usr"])
    match = finder.find(text)
    assert (match[1] if match else None) == found


def test_in_binary_data_the_byte_before_a_host_path_is_not_judged() -> None:
    finder = HostPathFinder(["/work/main/build"], ["/usr"])
    marshalled = b"\xfa-/work/main/build/x.py"  # a marshal short string: type, length ('-' is 45)
    assert finder.find(marshalled) is None
    assert finder.find(marshalled, binary=True) == (2, "/work/main/build")


def test_check_names_are_the_documented_ones() -> None:
    assert list(CHECKS) == ["arch", "ext-suffix", "needed", "rpath", "optimization", "host-paths", "pyc", "files",
                            "perms", "special-files"]


def test_unoptimised_module_is_caught_with_its_command_line(qa, elf: dict[str, Path]) -> None:
    rel = f"{SITE}/pkg/slowmod{TARGET_SUFFIX}"
    result = qa({rel: Compiled("slowmod")})
    [problem] = result.problems
    assert (problem.check, problem.path) == ("optimization", rel)
    assert problem.message.startswith("1 of its 1 compiler command lines have no optimisation (-O0), e.g. 'GNU C")
    assert " -g " in problem.message and problem.message.split("'")[1].split()[-1] != "-O1"
    assert "did not reach that compiler" in problem.message


@pytest.mark.parametrize(("producer", "level"), [
    ("GNU C17 12.2.0 -mcpu=cortex-a72 -g -O2 -fwrapv", "2"),
    ("GNU C17 12.2.0 -g -O2 -O0", "0"),
    ("GNU C++17 12.2.0 -g", "0"),
    ("GNU Fortran2008 12.2.0 -g -O", "1"),
    ("GNU C17 12.2.0 -Os -g", "s"),
])
def test_optimisation_level_is_the_last_o_option(producer: str, level: str) -> None:
    assert optimisation_level(producer) == level


def test_build_machine_pyc_magic_is_named(tmp_path: Path) -> None:
    running = importlib.util.MAGIC_NUMBER
    staging = write_tree(tmp_path / "image", {f"{SITE}/pkg/__pycache__/m.pyc": running + PYC_TAIL})
    target_magic = OTHER_MAGIC if running != OTHER_MAGIC else TARGET_MAGIC
    result = run_qa(dataclasses.replace(context(staging, tmp_path), pyc_magic=target_magic))
    assert [problem.message for problem in result.problems] == [
        f"bytecode magic {running.hex()} (the build machine's Python {sys.version_info.major}."
        f"{sys.version_info.minor}) is not the target's {target_magic.hex()}; compile .pyc files "
        "with the target's Python version, or do not ship them",
    ]


def test_impossible_machine_facts_are_an_input_error(tmp_path: Path) -> None:
    ctx = dataclasses.replace(context(tmp_path, tmp_path), elf_endian="middle")
    with pytest.raises(InputError, match="endianness little or big, not 64 and 'middle'"):
        run_qa(ctx)


def test_every_elf_file_is_judged_against_the_target(tmp_path: Path, elf: dict[str, Path], objects_dir: Path) -> None:
    """The clean aarch64 tree, checked as if the board were 32-bit ARM: each ELF file is wrong."""
    staging = write_tree(tmp_path / "image", clean_tree(), elf)
    armhf = dataclasses.replace(context(staging, objects_dir), elf_machine="EM_ARM", elf_class=32)
    result = run_qa(armhf)
    elf_files = sorted(rel for rel, content in clean_tree().items() if isinstance(content, Compiled))
    assert [(p.check, p.path) for p in result.problems] == [("arch", rel) for rel in elf_files]
    assert all(p.message.startswith("built for AArch64, EM_AARCH64 64-bit little-endian, but the target is "
                                    "EM_ARM 32-bit little-endian;") for p in result.problems)


def test_numpy_sized_tree_is_checked_well_under_two_seconds(tmp_path: Path, elf: dict[str, Path],
                                                           objects_dir: Path) -> None:
    """1,500 files and 40 extension modules, numpy's shape: QA reads headers, not whole files."""
    tree: dict[str, Content] = {f"{SITE}/big/sub{i % 40}/mod{i}.py": f"X = {i}\n" * 400 for i in range(1460)}
    tree |= {f"{SITE}/big/sub{i}/spam{TARGET_SUFFIX}": Compiled("spam") for i in range(40)}
    staging = write_tree(tmp_path / "image", tree, elf)
    started = time.perf_counter()
    result = run_qa(context(staging, objects_dir))
    elapsed = time.perf_counter() - started
    assert result.problems == []
    assert elapsed < 2.0, f"QA took {elapsed:.2f} s on {len(tree)} files"


@pytest.mark.parametrize(("rel", "mode", "what"), [
    ("usr/bin/pkg-tool", 0o4755, "setuid (mode 4755)"),
    ("usr/bin/pkg-env-tool", 0o2755, "setgid (mode 2755)"),
    ("usr/share/pkg/table.bin", 0o666, "world-writable (mode 0666)"),
    ("usr/share/pkg", 0o777, "world-writable (mode 0777)"),
])
def test_setuid_setgid_and_world_writable_are_refused_unless_waived(
    tmp_path: Path, elf: dict[str, Path], objects_dir: Path, rel: str, mode: int, what: str
) -> None:
    staging = write_tree(tmp_path / "image", clean_tree(), elf)
    (staging / rel).chmod(mode)

    result = run_qa(context(staging, objects_dir))
    waived = run_qa(context(staging, objects_dir), skip=("perms",))

    expected = QAProblem("perms", rel, f"is {what}; install it with a plain mode (0644, 0755), or waive with "
                         "INSANE_SKIP if the board needs it so")
    assert result.problems == [expected]
    assert waived.problems == [] and waived.waived == [expected]


def test_fifo_in_the_staging_tree_is_reported_never_opened(tmp_path: Path, elf: dict[str, Path], objects_dir: Path) -> None:
    staging = write_tree(tmp_path / "image", clean_tree(), elf)
    fifo = staging / "usr/share/pkg/pipe.pyc"  # a name the pyc check would read, in a place host-paths reads
    os.mkfifo(fifo)
    results = []
    worker = threading.Thread(target=lambda: results.append(run_qa(context(staging, objects_dir))), daemon=True)
    worker.start()
    worker.join(timeout=30)
    if worker.is_alive():  # a reader blocks on the FIFO: give it an end of file, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(timeout=30)
        pytest.fail("QA opened a FIFO and blocked on it")
    assert [(p.check, p.path) for p in results[0].problems] == [("special-files", "usr/share/pkg/pipe.pyc")]
