"""Assembling the image of a build (``build/<distro>/<machine>/image``, IMAGE_ROOTFS) from its
recipes' packages, after every task succeeded."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path

from pyrecipe.fsutil import atomic_write_text
from pyrecipe.graph.build_graph import Graph
from pyrecipe.outputs.image import manifest_path
from pyrecipe.parse import DataSmart


def assemble(
    graph: Graph, config: DataSmart, image_dir: Path, *, tar: bool, say: Callable[[str], None],
    results: Mapping[str, str], tasks_ran: bool,
) -> Path | None:
    """The union of the packages the targets install (:meth:`Graph.installed_packages`): the paths
    of the recipes' packaged trees (${PKGD}: ${D} stripped) that do_package gave to those packages.

    A build of native recipes only has nothing for the board: the image is left as it is
    rather than replaced by an empty one. A build that ran no task, for the same recipes with
    the same ``results`` (their signatures) as the image was made from, leaves it as it is:
    hashing every file again made a no-op build of the whole layer take seconds.
    """
    packages = graph.installed_packages(graph.target_packages)
    keys = list(packages)
    if not keys:
        say(f"Image: {image_dir} left as it is (no target recipe in this build)")
        return None
    tar_path = image_dir.with_name("image.tar.gz") if tar else None
    license_path, spdx_path = image_dir.with_name("license-manifest"), image_dir.with_name("image.spdx.json")
    stamp = image_dir.with_name("image.stamp")
    identity = hashlib.sha256(json.dumps({"recipes": {key: results[key] for key in keys}, "packages": packages,
                                          "tar": tar}).encode()).hexdigest()
    outputs = [image_dir, manifest_path(image_dir), license_path, spdx_path, *([tar_path] if tar_path else [])]
    summary = f"Image: {image_dir} ({', '.join(_describe(key, names) for key, names in packages.items())})"
    summary += f"; {tar_path}" if tar_path else ""
    if not tasks_ran and stamp.is_file() and stamp.read_text() == identity and all(p.exists() for p in outputs):
        say(summary + ", up to date")
        return image_dir
    # What makes an image, imported only when one is made: a no-op build stops above.
    from pyrecipe.outputs.image import assemble_image
    from pyrecipe.outputs.licenses import license_manifest, recipe_license
    from pyrecipe.outputs.sbom import spdx_document, spdx_json
    from pyrecipe.tasks.package_split import read_package_list

    stamp.unlink(missing_ok=True)  # written last: an interrupted assembly is done again
    stagings = [(key, Path(graph.nodes[key].d.getVar("PKGD")),
                 [path for name in names for path in read_package_list(graph.nodes[key].d, name)])
                for key, names in packages.items()]
    licenses = [recipe_license(graph.nodes[key]) for key in keys]  # checked before the image is replaced
    assemble_image(stagings, image_dir, tar_path=tar_path)
    atomic_write_text(license_path, license_manifest(licenses))
    document = spdx_document(graph, keys, image_dir, manifest_path(image_dir), config.getVar("MACHINE"), licenses)
    atomic_write_text(spdx_path, spdx_json(document))
    atomic_write_text(stamp, identity)
    say(summary)
    return image_dir


def _describe(key: str, packages: list[str]) -> str:
    """A recipe of the image as the summary names it: alone when only its ${PN} is installed."""
    return key if packages == [key] else f"{key}: {' '.join(packages)}"
