"""An SPDX 2.3 (JSON) software bill of materials of the assembled image.

The document describes one package, the image, which contains every regular file of the image
(path, SHA1 and SHA256; SPDX 2.3 requires SHA1 for files) and is built from the recipes of the
build, each a package of its own: version, declared license, where its source comes from and
the source archive's sha256 as pinned in ``SRC_URI``. Relationships record which recipe each
file came from (``GENERATED_FROM``) and how the recipes depend on one another
(``BUILD_DEPENDENCY_OF`` for ``DEPENDS``, ``RUNTIME_DEPENDENCY_OF`` for ``RDEPENDS``), so an
auditor can go from a file on the board to the upstream tarball and its license.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pyrecipe.errors import BuildError
from pyrecipe.graph.build_graph import Graph
from pyrecipe.outputs.licenses import RecipeLicense
from pyrecipe.sources.fetch import SrcUriEntry
from pyrecipe.tasks.base import src_uri_entries

DOCUMENT_ID = "SPDXRef-DOCUMENT"
IMAGE_ID = "SPDXRef-Image"
NOASSERTION = "NOASSERTION"
#: bitbake's license operators and their SPDX spelling.
LICENSE_OPERATORS = {"&": "AND", "|": "OR"}
_LICENSE_TOKEN = re.compile(r"[()&|]|[^\s()&|]+")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9.-]")


@dataclass(frozen=True)
class ImageFile:
    """A regular file of the image as the image manifest records it."""

    path: str
    sha256: str
    recipes: tuple[str, ...]


def read_image_manifest(manifest: Path) -> list[ImageFile]:
    """The regular files of ``image-manifest.tsv`` (symlinks have no content of their own to list)."""
    files = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        path, kind, _mode, content, recipes = line.split("\t")
        if kind == "file":
            files.append(ImageFile(path, content, tuple(recipes.split(","))))
    return files


def spdx_license_expression(license_: str) -> str:
    """``MIT & (BSD-3-Clause | Apache-2.0)`` -> ``MIT AND (BSD-3-Clause OR Apache-2.0)``.

    Recipes name licenses by SPDX identifier; ``CLOSED`` (no license granted) has no SPDX
    expression, so it is NOASSERTION.
    """
    tokens = _LICENSE_TOKEN.findall(license_)
    if not tokens or "CLOSED" in tokens:
        return NOASSERTION
    return " ".join(LICENSE_OPERATORS.get(token, token) for token in tokens).replace("( ", "(").replace(" )", ")")


def recipe_id(key: str) -> str:
    return "SPDXRef-Recipe-" + _ID_UNSAFE.sub("-", key)


def _sha1(path: Path) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha1").hexdigest()


def _created(epoch: int) -> str:
    """Creation time: the image's SOURCE_DATE_EPOCH, so that the same image gets the same document."""
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _tool_version() -> str:
    try:
        return metadata.version("pyrecipe")
    except metadata.PackageNotFoundError:
        return "unknown"


def _recipe_package(key: str, graph: Graph, license_: RecipeLicense | None) -> dict:
    node = graph.nodes[key]
    d = node.d
    remote: list[SrcUriEntry] = [entry for entry in src_uri_entries(d) if entry.is_remote]
    package: dict = {
        "SPDXID": recipe_id(key),
        "name": key,
        "versionInfo": d.getVar("PV") or NOASSERTION,
        "downloadLocation": remote[0].url if remote else NOASSERTION,
        "filesAnalyzed": False,
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": spdx_license_expression(license_.license if license_ else d.getVar("LICENSE") or ""),
        "copyrightText": NOASSERTION,
        "primaryPackagePurpose": "APPLICATION" if node.native else "LIBRARY",
    }
    if remote and remote[0].sha256:
        package["checksums"] = [{"algorithm": "SHA256", "checksumValue": remote[0].sha256}]
    for field, variable in (("summary", "SUMMARY"), ("homepage", "HOMEPAGE")):
        value = d.getVar(variable)
        if value:
            package[field] = value
    if license_ and license_.files:
        package["licenseComments"] = "license text in: " + ", ".join(
            f"{f.path} (md5 {f.md5}, sha256 {f.sha256})" for f in license_.files)
    pypi_name = d.getVar("PYPI_PACKAGE")
    if pypi_name:
        package["externalRefs"] = [{
            "referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
            "referenceLocator": f"pkg:pypi/{pypi_name.lower()}@{d.getVar('PV')}",
        }]
    return package


def _relationship(element: str, kind: str, related: str) -> dict:
    return {"spdxElementId": element, "relationshipType": kind, "relatedSpdxElement": related}


def spdx_document(
    graph: Graph, image_keys: Iterable[str], image_dir: Path, manifest: Path, machine: str,
    licenses: Iterable[RecipeLicense],
) -> dict:
    """The SPDX 2.3 document (as JSON-ready data) of the image at ``image_dir``.

    ``image_keys`` are the recipes whose files make up the image; every node of ``graph`` (native
    ones included, they built it) becomes a package. Its time is the newest SOURCE_DATE_EPOCH of
    those recipes: the image is as old as its newest sources.
    """
    by_recipe = {item.recipe: item for item in licenses}
    image_keys = list(image_keys)
    files = read_image_manifest(manifest)
    packages = [_recipe_package(key, graph, by_recipe.get(key)) for key in graph.order()]
    spdx_files, relationships, sha1s = [], [_relationship(DOCUMENT_ID, "DESCRIBES", IMAGE_ID)], []
    for number, item in enumerate(files, start=1):
        path = image_dir / item.path
        if not path.is_file():
            raise BuildError(f"{path} is in {manifest} but not in the image: assemble the image again")
        sha1 = _sha1(path)
        sha1s.append(sha1)
        file_id = f"SPDXRef-File-{number}"
        spdx_files.append({
            "SPDXID": file_id,
            "fileName": f"./{item.path}",
            "checksums": [{"algorithm": "SHA1", "checksumValue": sha1},
                          {"algorithm": "SHA256", "checksumValue": item.sha256}],
        })
        relationships.append(_relationship(IMAGE_ID, "CONTAINS", file_id))
        relationships += [_relationship(file_id, "GENERATED_FROM", recipe_id(recipe)) for recipe in item.recipes]
    relationships += [_relationship(IMAGE_ID, "CONTAINS", recipe_id(key)) for key in image_keys]
    for key in graph.order():
        node = graph.nodes[key]
        relationships += [_relationship(recipe_id(dep), "BUILD_DEPENDENCY_OF", recipe_id(key)) for dep in node.depends]
        relationships += [_relationship(recipe_id(dep), "RUNTIME_DEPENDENCY_OF", recipe_id(key)) for dep in node.rdepends]
    image_package = {
        "SPDXID": IMAGE_ID,
        "name": f"pyrecipe-image-{machine}",
        "downloadLocation": NOASSERTION,
        "filesAnalyzed": True,
        # SPDX 2.3 section 7.9: SHA1 of the sorted, concatenated SHA1s of the package's files.
        "packageVerificationCode": {
            "packageVerificationCodeValue": hashlib.sha1("".join(sorted(sha1s)).encode(), usedforsecurity=False).hexdigest(),
        },
        "licenseConcluded": NOASSERTION,
        "licenseDeclared": NOASSERTION,
        "copyrightText": NOASSERTION,
        "primaryPackagePurpose": "OPERATING-SYSTEM",
        "comment": f"The files of the image of {machine} assembled from the recipes {', '.join(image_keys)}",
    }
    # Named by its content: the same image from the same recipes gets the same namespace, any change a new one.
    content = [image_package, packages, spdx_files, relationships]
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    return {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": DOCUMENT_ID,
        "name": f"pyrecipe image {machine}",
        "documentNamespace": f"https://pyrecipe.invalid/spdx/{machine}/image-{digest}",
        "creationInfo": {"created": _created(max(int(graph.nodes[key].d.getVar("SOURCE_DATE_EPOCH") or 0) for key in image_keys)), "creators": [f"Tool: pyrecipe-{_tool_version()}"]},
        "packages": [image_package, *packages],
        "files": spdx_files,
        "relationships": relationships,
    }


def spdx_json(document: dict) -> str:
    return json.dumps(document, indent=1, sort_keys=False) + "\n"
