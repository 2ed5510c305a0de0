"""do_configure of python_pyo3.bbclass: PyO3's config file, describing the target's CPython.

OpenEmbedded's python_pyo3 writes the file PYO3_CONFIG_FILE names; PyO3's build script
(pyo3-build-config) then takes the interpreter from it instead of looking for one. Its values come
from the target's sysconfig data, the build's copy in PYO3_CROSS_LIB_DIR (its LIBDIR points into
the sysroot), the same variables PyO3 reads from there when only PYO3_CROSS_LIB_DIR is set.
"""

from __future__ import annotations

from pathlib import Path

from pyrecipe.engine.context import current_task
from pyrecipe.fsutil import atomic_write_text
from pyrecipe.parse import DataSmart
from pyrecipe.toolchain.target_python import read_sysconfigdata

#: The sysconfig variables PyO3 knows as build flags: 1 in an interpreter built with them.
BUILD_FLAGS = ("Py_DEBUG", "Py_REF_DEBUG", "Py_TRACE_REFS", "COUNT_ALLOCS", "Py_GIL_DISABLED")


def config_text(config_vars: dict[str, object]) -> str:
    """PyO3's ``key=value`` config of the interpreter whose sysconfig variables these are."""
    version = str(config_vars["VERSION"])
    lines = [
        "implementation=CPython",
        f"version={version}",
        f"shared={str(config_vars.get('Py_ENABLE_SHARED') == 1).lower()}",
        # PyO3 sets it itself for a crate built with one of its abi3 features.
        "abi3=false",
        f"lib_name=python{config_vars.get('LDVERSION') or version}",
        f"lib_dir={config_vars['LIBDIR']}",
        f"pointer_width={int(str(config_vars['SIZEOF_VOID_P'])) * 8}",
        f"build_flags={','.join(flag for flag in BUILD_FLAGS if config_vars.get(flag) == 1)}",
        "suppress_build_script_link_lines=false",
    ]
    return "\n".join(lines) + "\n"


def write_config_file(d: DataSmart) -> None:
    """Write PYO3_CONFIG_FILE when the task exports it (a cross build), for the target's CPython."""
    if not d.getVarFlag("PYO3_CONFIG_FILE", "export") or d.getVarFlag("PYO3_CONFIG_FILE", "unexport"):
        return
    sysconfigdata = Path(d.getVar("PYO3_CROSS_LIB_DIR")) / f"{d.getVar('PYTHON_SYSCONFIGDATA_NAME')}.py"
    config = Path(d.getVar("PYO3_CONFIG_FILE"))
    atomic_write_text(config, config_text(read_sysconfigdata(sysconfigdata)))
    current_task().note(f"NOTE: wrote {config} from {sysconfigdata}")
