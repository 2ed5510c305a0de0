"""What every sandbox that runs recipe code gives up, whoever runs pyrecipe: capabilities and
the build machine's secrets. Shared by the sandbox on the build machine
(:mod:`pyrecipe.engine.confine`) and the distro's build root (:mod:`pyrecipe.toolchain.buildroot`).

Why: bubblewrap started by root keeps every capability of root inside the sandbox, so a task
could ``mount -o remount,bind,rw`` any read-only bind (the build directory, the layers, the
sysroot) and write into it. In a user namespace of its own with every capability dropped (and
no_new_privs, which bubblewrap always sets) ``mount(2)`` fails, and no setuid program gives one
back; ``--disable-userns`` keeps the task from making a new user namespace to get them there.

Without capabilities root's uid still owns ``/etc/shadow``: a read-only view of the build
machine would still let a task read it and copy it into ``${D}`` (an image, a log, a shared
state archive). :data:`HOST_SECRETS` are hidden: an empty file or directory in their place.
"""

from __future__ import annotations

import glob
import os
import pwd
from pathlib import Path

#: bubblewrap's options that leave a task no capability and no way to get one.
NO_CAPABILITIES = ("--unshare-user", "--disable-userns", "--cap-drop", "ALL")

#: The build machine's secrets no task sees (globs; ``~`` is the invoking user's home, and
#: root's). Only these: the user's ``~/.cache/pyrecipe`` holds the provisioning cache that
#: build directories link to, and must stay visible.
HOST_SECRETS = (
    "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers", "/etc/sudoers.d",
    "/etc/ssh/ssh_host_*_key", "/etc/ssl/private",
    "~/.ssh", "~/.gnupg", "~/.netrc", "~/.pypirc", "~/.docker", "~/.aws", "~/.git-credentials",
    "~/.config/gh", "~/.kube", "~/.config/gcloud",
)


def _homes() -> list[str]:
    """The invoking user's home (HOME), and the home of the user sudo ran pyrecipe for."""
    homes = [str(Path.home())]
    sudo_user = os.environ.get("SUDO_USER")
    if sudo_user:
        try:
            homes.append(pwd.getpwnam(sudo_user).pw_dir)
        except KeyError:
            pass
    return list(dict.fromkeys(homes))


def host_secrets() -> list[Path]:
    """The paths of :data:`HOST_SECRETS` that exist on this machine."""
    found: list[Path] = []
    for pattern in HOST_SECRETS:
        heads = [home + pattern[1:] for home in _homes()] if pattern.startswith("~") else [pattern]
        for head in heads:
            found += (Path(path) for path in sorted(glob.glob(head)) if os.path.exists(path))
    return list(dict.fromkeys(found))


def hide_secrets() -> list[str]:
    """bubblewrap's options that put an empty, read-only stand-in over each host secret: given
    after every bind of the task, so that no bind shows one again."""
    options: list[str] = []
    for path in host_secrets():
        if path.is_dir():
            options += ["--tmpfs", str(path), "--remount-ro", str(path)]
        else:
            options += ["--ro-bind", "/dev/null", str(path)]
    return options
