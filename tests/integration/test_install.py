"""install: real wheels (built here by pep517 from the fixtures) installed with the target scheme."""

from __future__ import annotations

import csv
import importlib.util
import marshal
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pyrecipe.errors import InputError
from pyrecipe.pep517.hooks import build_wheel
from pyrecipe.pep517.install import install_wheel

FIXTURES = Path(__file__).parents[1] / "fixtures"
RUNNING = f"{sys.version_info.major}.{sys.version_info.minor}"
#: The target here is the running interpreter's X.Y (some tests compile bytecode with it).
SITE = Path(f"usr/lib/python{RUNNING}/site-packages")


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("wheels")
    built = {}
    for name in ("cext", "legacy", "flit"):
        source = shutil.copytree(FIXTURES / f"pep517_{name}", root / name)
        built[name] = build_wheel(Path(source), root / "dist", python=Path(sys.executable), env=dict(os.environ), log=None)
    return built


def read_record(staging: Path, dist_info: str) -> dict[str, str]:
    with open(staging / SITE / dist_info / "RECORD", newline="") as stream:
        return {row[0]: row[1] for row in csv.reader(stream)}


def test_c_extension_wheel_lands_in_target_site_packages_and_runs(wheels: dict[str, Path], tmp_path: Path) -> None:
    staging = tmp_path / "image"
    files = install_wheel(wheels["cext"], staging, python_version=RUNNING)
    relative = {p.relative_to(staging).as_posix() for p in files}
    (extension,) = [f for f in relative if f.startswith(f"{SITE}/cext_demo/_speed.") and f.endswith(".so")]
    assert {f"{SITE}/cext_demo/__init__.py", "usr/bin/cext-demo", f"{SITE}/cext_demo-1.0.dist-info/RECORD"} <= relative
    assert (staging / "usr/bin/cext-demo").read_text().startswith("#!/usr/bin/python3\n")
    assert (staging / "usr/bin/cext-demo").stat().st_mode & 0o111
    assert (staging / SITE / "cext_demo-1.0.dist-info/INSTALLER").read_text() == "pyrecipe\n"
    run = subprocess.run([sys.executable, "-c", "import cext_demo; cext_demo.main()"], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": str(staging / SITE)})
    assert run.stdout == "42\n"


def test_record_lists_target_relative_paths_only(wheels: dict[str, Path], tmp_path: Path) -> None:
    staging = tmp_path / "image"
    install_wheel(wheels["cext"], staging, python_version=RUNNING)
    record = read_record(staging, "cext_demo-1.0.dist-info")
    assert "cext_demo/__init__.py" in record and "../../../bin/cext-demo" in record
    assert record["cext_demo-1.0.dist-info/RECORD"] == ""
    assert all(not path.startswith("/") and str(tmp_path) not in path for path in record)
    assert str(tmp_path) not in (staging / "usr/bin/cext-demo").read_text()


def test_legacy_scripts_headers_and_data_follow_the_scheme(wheels: dict[str, Path], tmp_path: Path) -> None:
    staging = tmp_path / "image"
    install_wheel(wheels["legacy"], staging, python_version="3.12")
    assert (staging / "usr/lib/python3.12/site-packages/legacy_demo/__init__.py").is_file()
    assert (staging / "usr/bin/legacy-tool").read_text().splitlines()[0] == "#!/usr/bin/python3"
    assert (staging / "usr/include/python3.12/legacy_demo/legacy_demo.h").read_text() == "#define LEGACY_DEMO 1\n"
    assert (staging / "usr/share/legacy-demo/readme.txt").read_text() == "data file\n"


def test_bytecode_compiled_for_the_target_path(wheels: dict[str, Path], tmp_path: Path) -> None:
    staging = tmp_path / "image"
    files = install_wheel(wheels["flit"], staging, python_version=RUNNING, compile_bytecode=True)
    site = staging / f"usr/lib/python{RUNNING}/site-packages"
    (pyc,) = [p for p in files if p.suffix == ".pyc"]
    assert pyc.parent == site / "flit_demo/__pycache__"
    data = pyc.read_bytes()
    assert data[:4] == importlib.util.MAGIC_NUMBER
    # PEP 552 flags 0b11: checked hash-based pyc, valid whatever the source's mtime becomes.
    assert int.from_bytes(data[4:8], "little") == 0b11
    assert data[8:16] == importlib.util.source_hash((site / "flit_demo/__init__.py").read_bytes())
    code = marshal.loads(data[16:])
    assert code.co_filename == f"/usr/lib/python{RUNNING}/site-packages/flit_demo/__init__.py"


def test_bytecode_for_another_python_is_refused(wheels: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot compile bytecode for Python 3.99 with Python"):
        install_wheel(wheels["flit"], tmp_path / "image", python_version="3.99", compile_bytecode=True)
    assert not (tmp_path / "image").exists()
    files = install_wheel(wheels["flit"], tmp_path / "image", python_version="3.99")
    assert not [p for p in files if p.suffix == ".pyc"]


def test_wrong_platform_tag_is_not_checked(wheels: dict[str, Path], tmp_path: Path) -> None:
    """A cross-built wheel may carry the build machine's tag (or any tag): install it anyway."""
    foreign = tmp_path / "flit_demo-2.0-cp311-cp311-linux_aarch64.whl"
    shutil.copy(wheels["flit"], foreign)
    files = install_wheel(foreign, tmp_path / "image", python_version=RUNNING)
    assert tmp_path / "image" / SITE / "flit_demo/__init__.py" in files


def test_reinstall_replaces_the_staging_tree(wheels: dict[str, Path], tmp_path: Path) -> None:
    staging = tmp_path / "image"
    install_wheel(wheels["flit"], staging, python_version=RUNNING)
    files = install_wheel(wheels["legacy"], staging, python_version=RUNNING)
    assert not (staging / SITE / "flit_demo").exists()
    assert files == sorted(p for p in staging.rglob("*") if p.is_file())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["image"]


def test_broken_wheels_are_input_errors_and_leave_staging_alone(wheels: dict[str, Path], tmp_path: Path) -> None:
    staging = tmp_path / "image"
    install_wheel(wheels["flit"], staging, python_version=RUNNING)
    before = sorted(staging.rglob("*"))
    not_a_zip = tmp_path / "junk-1.0-py3-none-any.whl"
    not_a_zip.write_text("not a zip")
    tampered = tmp_path / wheels["flit"].name
    with zipfile.ZipFile(wheels["flit"]) as good, zipfile.ZipFile(tampered, "w") as bad:
        for item in good.infolist():
            data = good.read(item)
            bad.writestr(item, data + b"# injected\n" if item.filename == "flit_demo/__init__.py" else data)
    for wheel, why in ((not_a_zip, "not a zip file"), (tampered, "flit_demo/__init__.py"),
                       (tmp_path / "absent-1.0-py3-none-any.whl", "No such file")):
        with pytest.raises(InputError, match=f"cannot install wheel .*{why}"):
            install_wheel(wheel, staging, python_version=RUNNING)
    assert sorted(staging.rglob("*")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["image", not_a_zip.name, tampered.name])
