"""Machines, cross toolchains and target sysroots.

:func:`~pyrecipe.toolchain.provision.provision` turns a :class:`Machine` (from ``toolchains/machine/<name>.conf``) into a
:class:`Toolchain`: Debian's cross compilers and qemu-user on the build machine, a target sysroot,
the pinned native tools venv, the target CPython's facts and the rendered cross files.

The names below are imported when first used (PEP 562): importing any module of this package
runs this file, and provisioning's modules (jinja2, packaging ...) cost a no-op build, or
``pyrecipe env`` on a machine without a cross toolchain, a tenth of a second it does not need.
:func:`provision` is not among them: once its module is imported, the package's attribute
``provision`` is that module, so it is imported from ``pyrecipe.toolchain.provision``.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pyrecipe.toolchain.machine import Machine, load_machine, machine_from_datastore
    from pyrecipe.toolchain.native import ensure_native_venv, native_tool_names
    from pyrecipe.toolchain.provision import Toolchain
    from pyrecipe.toolchain.sysroot import ensure_sysroot
    from pyrecipe.toolchain.target_python import TargetPython, read_target_python

#: Each public name's module.
_MODULES = {
    "Machine": "machine", "load_machine": "machine", "machine_from_datastore": "machine",
    "ensure_native_venv": "native", "native_tool_names": "native",
    "Toolchain": "provision",
    "ensure_sysroot": "sysroot",
    "TargetPython": "target_python", "read_target_python": "target_python",
}

__all__ = [
    "Machine", "TargetPython", "Toolchain", "ensure_native_venv", "ensure_sysroot", "load_machine",
    "machine_from_datastore", "native_tool_names", "read_target_python",
]


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_MODULES[name]}"), name)
