"""Assembling ``build/<machine>/image`` from the recipes of a build (after every task succeeded)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pyrecipe.graph import Graph
from pyrecipe.image import _write_text_atomically, assemble_image, manifest_path
from pyrecipe.licenses import license_manifest, recipe_license
from pyrecipe.parse import DataSmart
from pyrecipe.sbom import spdx_document, spdx_json


def assemble(graph: Graph, config: DataSmart, *, tar: bool, say: Callable[[str], None]) -> Path | None:
    """The union of the staging trees (${D}) of the targets and their runtime closure.

    A build of native recipes only has nothing for the board: the image is left as it is
    rather than replaced by an empty one.
    """
    keys = graph.runtime_closure(graph.targets)
    image_dir = Path(config.getVar("IMAGE_ROOTFS"))
    if not keys:
        say(f"Image: {image_dir} left as it is (no target recipe in this build)")
        return None
    stagings = [(key, Path(graph.nodes[key].d.getVar("D"))) for key in keys]
    tar_path = image_dir.with_name("image.tar.gz") if tar else None
    licenses = [recipe_license(graph.nodes[key]) for key in keys]  # checked before the image is replaced
    assemble_image(stagings, image_dir, tar_path=tar_path)
    _write_text_atomically(image_dir.with_name("license-manifest"), license_manifest(licenses))
    document = spdx_document(graph, keys, image_dir, manifest_path(image_dir), config.getVar("MACHINE"), licenses)
    _write_text_atomically(image_dir.with_name("image.spdx.json"), spdx_json(document))
    say(f"Image: {image_dir} ({', '.join(keys)})" + (f"; {tar_path}" if tar_path else ""))
    return image_dir
