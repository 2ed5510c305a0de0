"""``pyrecipe sstate``: the build directory's shared state (SSTATE_DIR) as a store for others.

``push URL`` copies the archives a WebDAV server lacks to it with HTTP PUT (nginx with
``dav_methods PUT; create_full_put_path on;``, Apache's mod_dav); the same server then serves
them read-only to every build that names it in SSTATE_MIRRORS. ``prune`` removes the archives no
build used in ``--keep-days`` days and, with ``--max-size``, the least recently used until the
rest fit. See :mod:`pyrecipe.engine.sstate`. ``prune --provisioning --keep-days N`` prunes the
user's provisioning cache instead (build roots, sysroots, venvs: :mod:`pyrecipe.toolchain.provision_cache`).
"""

from __future__ import annotations

import argparse
import time
import urllib.parse
from pathlib import Path

from pyrecipe.commands.common import add_build_options, non_negative, settings_from
from pyrecipe.config.configuration import load_configuration
from pyrecipe.engine import sstate
from pyrecipe.engine.limits import parse_size
from pyrecipe.errors import InputError, PyrecipeError
from pyrecipe.sources.fetch import mask_credentials
from pyrecipe.toolchain.provision_cache import ProvisionCache, configured_cache_dir


def register(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    push = actions.add_parser("push", help="PUT the archives a WebDAV server lacks to it")
    push.add_argument("url", type=server_url, metavar="URL", help="the server's directory for them (http(s)://host/sstate)")
    add_build_options(push)
    prune = actions.add_parser("prune", help="remove archives no build used lately")
    prune.add_argument("--keep-days", type=non_negative, metavar="N", help="remove those not used in N days")
    prune.add_argument("--max-size", metavar="SIZE", help="then the least recently used until the rest take SIZE (500M, 20G)")
    prune.add_argument("--provisioning", action="store_true",
                       help="prune the provisioning cache (PROVISION_CACHE_DIR: build roots, sysroots, venvs) instead")
    add_build_options(prune)
    parser.set_defaults(func=run)


def server_url(text: str) -> str:
    """argparse type of push's URL: an http(s) URL with a host; anything else (a word, a path,
    ``file:``) would be taken by urllib for a request of another kind, or none at all."""
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(char.isspace() for char in text):
        raise argparse.ArgumentTypeError(f"{mask_credentials(text, text)!r} is not an http(s)://host/... URL of a WebDAV directory")
    return text


def size_in_bytes(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError:
        raise InputError(f"--max-size {text!r}: give a size such as 500M or 20G") from None


def _prune_provisioning(cache_dir: Path | None, args: argparse.Namespace) -> int:
    if args.keep_days is None or args.max_size is not None:
        raise InputError("sstate prune --provisioning: give --keep-days N (entries are whole roots, not sized)")
    if cache_dir is None:
        raise InputError("sstate prune --provisioning: there is no provisioning cache (PROVISION_CACHE_DIR is empty)")
    cache = ProvisionCache(cache_dir)
    removed = cache.prune(args.keep_days, time.time())
    for entry in removed:
        print(f"Removed {entry}")
    print(f"Removed {len(removed)} entr{'y' if len(removed) == 1 else 'ies'} from the provisioning cache {cache_dir}")
    return 0


def run(args: argparse.Namespace) -> int:
    config = load_configuration(settings_from(args))
    directory = Path(config.getVar("SSTATE_DIR"))
    if args.action == "prune" and args.provisioning:
        return _prune_provisioning(configured_cache_dir(config.getVar("PROVISION_CACHE_DIR")), args)
    if args.action == "prune":
        if args.keep_days is None and args.max_size is None:
            raise InputError("sstate prune: give --keep-days N, --max-size SIZE or both")
        removed = sstate.prune(directory, args.keep_days, size_in_bytes(args.max_size) if args.max_size else None, time.time())
        print(f"Removed {len(removed)} archive(s) from {directory}; {len(sstate.archives(directory))} kept")
        return 0
    try:
        pushed, present = sstate.push(directory, args.url)
    except PyrecipeError as error:
        raise type(error)(mask_credentials(str(error), args.url)) from None
    print(f"Pushed {len(pushed)} archive(s) to {mask_credentials(args.url, args.url)}; {len(present)} were there already")
    return 0
