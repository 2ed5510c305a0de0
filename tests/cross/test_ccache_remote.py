"""ccache's remote storage: the compilers of a cross build write their results to an HTTP server
(Debian's nginx with WebDAV, as a team would run one), which other build machines then read."""

from __future__ import annotations

from pathlib import Path

from cross_support import MACHINE, pyrecipe
from http_support import webdav_server

LAYER = Path(__file__).parents[1] / "fixtures" / "cross_layer"


def test_compiles_reach_the_remote_storage(cross_build_dir: Path, tmp_path: Path) -> None:
    local_conf = cross_build_dir / "conf" / "local.conf"
    before = local_conf.read_text() if local_conf.exists() else None
    with webdav_server(tmp_path / "nginx") as (url, root):
        local_conf.parent.mkdir(parents=True, exist_ok=True)
        # An empty local cache, so that the compile cannot be answered without the remote one.
        local_conf.write_text((before or "") + f'CCACHE_REMOTE_STORAGE = "{url}/ccache"\nCCACHE_DIR = "{tmp_path}/ccache"\n')
        try:
            result = pyrecipe("build", "python3-hello-cext", "-f", "--layer", str(LAYER), "--machine", MACHINE,
                              build_dir=cross_build_dir)
        finally:
            if before is None:
                local_conf.unlink()
            else:
                local_conf.write_text(before)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        stored = [path for path in (root / "ccache").rglob("*") if path.is_file()]
        assert stored, "no compile result reached the remote storage"
