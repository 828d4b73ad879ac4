"""Log-format parsers (imported as ``seclake.parsers``): one module per format, plus sniffing.

``formats()`` maps a format id to its module; each module follows ``parsers.contract``. Format
modules are found by discovery: every module in this package that defines ``NAME`` and ``parse``
is a format (helper modules such as ``envelope`` or ``kv`` define neither). ``SNIFF_PRIORITY``
(default 100, lower first) orders formats for sniffing tie-breaks, then the module name.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType

DEFAULT_SNIFF_PRIORITY = 100


@cache
def formats() -> dict[str, ModuleType]:
    """Every format module by its ``NAME``, in sniffing tie-break order."""
    modules = [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name)
        if not info.ispkg
    ]
    found = [m for m in modules if hasattr(m, "NAME") and hasattr(m, "parse")]
    found.sort(key=lambda m: (getattr(m, "SNIFF_PRIORITY", DEFAULT_SNIFF_PRIORITY), m.__name__))
    by_name: dict[str, ModuleType] = {}
    for module in found:
        if module.NAME in by_name:
            raise ValueError(f"two parser modules declare format {module.NAME!r}")
        by_name[module.NAME] = module
    return by_name
