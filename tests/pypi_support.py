"""A small PyPI of our own for offline tests: wheels and sdists made here, published under a
PEP 691 JSON simple index that :func:`http_support.serve_directory` serves."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import io
import json
import shutil
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

LICENSE_TEXT = "Permission is hereby granted, free of charge, to any person obtaining a copy.\n"


@dataclass(frozen=True)
class Published:
    filename: str
    data: bytes
    requires_python: str | None = None
    yanked: bool = False


def _metadata(name: str, version: str, requires: list[str], header: str = "Metadata-Version: 2.1") -> str:
    lines = [header, f"Name: {name}", f"Version: {version}", f"Summary: {name} for tests", "License: MIT"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    return "\n".join(lines) + "\n\n"


def _record_hash(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def wheel(name: str, version: str, requires: list[str] = [], modules: dict[str, str] | None = None,  # noqa: B006 - never mutated
          tag: str = "py3-none-any", requires_python: str | None = None) -> Published:
    """A wheel of ``name`` holding ``modules`` (path -> text; default: one package of the name)."""
    dist = name.replace("-", "_")
    dist_info = f"{dist}-{version}.dist-info"
    modules = modules if modules is not None else {f"{dist}/__init__.py": f"VERSION = {version!r}\n"}
    members = {
        **modules,
        f"{dist_info}/METADATA": _metadata(name, version, requires),
        f"{dist_info}/LICENSE": LICENSE_TEXT,
        f"{dist_info}/WHEEL": f"Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: {tag}\n",
    }
    record = [f"{path},sha256={_record_hash(text.encode())},{len(text.encode())}" for path, text in members.items()]
    members[f"{dist_info}/RECORD"] = "\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, text in members.items():
            archive.writestr(path, text)
    return Published(f"{dist}-{version}-{tag}.whl", buffer.getvalue(), requires_python)


#: What an installer adds to a dist-info directory: not part of the wheel.
INSTALLER_FILES = ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json")


def installed_wheel(name: str) -> Published:
    """The installed pure-Python distribution ``name`` (pytest ...) packed again as its wheel, so
    that a real project is on the offline index without a download: from the tests' own venv."""
    dist = importlib.metadata.distribution(name)
    members: dict[str, bytes] = {}
    for file in dist.files or []:
        path = file.as_posix()
        if path.startswith("..") or "__pycache__" in path or (".dist-info/" in path and file.name in INSTALLER_FILES):
            continue
        members[path] = Path(str(dist.locate_file(file))).read_bytes()
    [dist_info] = {path.split("/")[0] for path in members if path.split("/")[0].endswith(".dist-info")}
    record = [f"{path},sha256={_record_hash(data)},{len(data)}" for path, data in members.items()]
    members[f"{dist_info}/RECORD"] = ("\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n").encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in members.items():
            archive.writestr(path, data)
    return Published(f"{dist_info.removesuffix('.dist-info')}-py3-none-any.whl", buffer.getvalue())


def sdist(name: str, version: str, files: dict[str, str], requires: list[str] = [],  # noqa: B006 - never mutated
          requires_python: str | None = None) -> Published:
    """An sdist ``name-version.tar.gz`` with PKG-INFO, a LICENSE and ``files`` (pyproject.toml ...)."""
    top = f"{name.replace('-', '_')}-{version}"
    contents = {"PKG-INFO": _metadata(name, version, requires), "LICENSE": LICENSE_TEXT, **files}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for path, text in contents.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{path}")
            info.size = len(data)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return Published(f"{top}.tar.gz", buffer.getvalue(), requires_python)


def publish(root: Path, base_url: str, project: str, files: list[Published]) -> None:
    """Write ``files`` and the project's JSON index page under ``root`` (served at ``base_url``)."""
    entries = []
    for published in files:
        path = root / "files" / project / published.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(published.data)
        entries.append({
            "filename": published.filename, "url": f"{base_url}/files/{project}/{published.filename}",
            "hashes": {"sha256": hashlib.sha256(published.data).hexdigest()},
            "requires-python": published.requires_python, "yanked": published.yanked,
        })
    page = root / "simple" / project / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(json.dumps({"meta": {"api-version": "1.1"}, "name": project, "files": entries}))


def runner_layer(copy: Path, index_url: str) -> Path:
    """A copy at ``copy`` of the runner test layer (the build machine's own tools, no cross
    toolchain) that resolves and fetches from ``index_url`` (a simple index)."""
    shutil.copytree(Path(__file__).parent / "fixtures" / "runner_layer", copy)
    with (copy / "conf" / "layer.conf").open("a") as conf:
        conf.write(f'PYPI_INDEX_URL = "{index_url}"\n')
    with (copy / "conf" / "machine" / "runnerboard.conf").open("a") as conf:
        conf.write('SYSROOT_PROVIDER = "none"\n')
    return copy


def runner_cli(command: str, layer: Path, build_dir: Path, *args: object) -> tuple[int, str, str]:
    """``pyrecipe COMMAND`` for the runner board with ``layer``: exit code, stdout, stderr."""
    from parse_support import pyrecipe_cli

    result = pyrecipe_cli(command, "--machine", "runnerboard", "--layer", layer, "--build-dir", build_dir, *args)
    return result.returncode, result.stdout, result.stderr


def write_requirements(directory: Path, text: str, name: str = "requirements.txt") -> Path:
    path = directory / name
    path.write_text(text)
    return path
