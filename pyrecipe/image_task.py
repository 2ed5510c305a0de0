"""Assembling ``build/<machine>/image`` from the recipes of a build (after every task succeeded)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pyrecipe.graph import Graph
from pyrecipe.image import assemble_image
from pyrecipe.parse import DataSmart


def assemble(graph: Graph, config: DataSmart, *, tar: bool, say: Callable[[str], None]) -> Path:
    """The union of the staging trees (${D}) of the targets and their runtime closure."""
    keys = graph.runtime_closure(graph.targets)
    stagings = [(key, Path(graph.nodes[key].d.getVar("D"))) for key in keys]
    image_dir = Path(config.getVar("IMAGE_ROOTFS"))
    tar_path = image_dir.with_name("image.tar.gz") if tar else None
    assemble_image(stagings, image_dir, tar_path=tar_path)
    say(f"Image: {image_dir} ({', '.join(keys)})" + (f"; {tar_path}" if tar_path else ""))
    return image_dir
