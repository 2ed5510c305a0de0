"""Machines, cross toolchains and target sysroots.

:func:`provision` turns a :class:`Machine` (from ``toolchains/machine/<name>.conf``) into a
:class:`Toolchain`: Debian's cross compilers and qemu-user on the build machine, a target sysroot,
the pinned native tools venv, the target CPython's facts and the rendered cross files.
"""

from pyrecipe.toolchain.machine import Machine, load_machine, machine_from_datastore
from pyrecipe.toolchain.native import ensure_native_venv, native_tool_names
from pyrecipe.toolchain.provision import Toolchain, provision
from pyrecipe.toolchain.sysroot import ensure_sysroot
from pyrecipe.toolchain.target_python import TargetPython, read_target_python

__all__ = [
    "Machine", "TargetPython", "Toolchain", "ensure_native_venv", "ensure_sysroot", "load_machine",
    "machine_from_datastore", "native_tool_names", "provision", "read_target_python",
]
