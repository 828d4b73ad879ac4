"""Log-format parsers (imported as ``seclake.parsers``): one module per format, plus sniffing.

``formats()`` maps a format id to its module; each module follows ``parsers.contract``.
"""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType

FORMAT_MODULES: tuple[str, ...] = ("cisco_asa", "clamav")
"""Module names under parsers/ that implement a format, in sniffing tie-break order."""


@cache
def formats() -> dict[str, ModuleType]:
    """Every format module by its ``NAME``."""
    modules = [importlib.import_module(f"{__name__}.{name}") for name in FORMAT_MODULES]
    return {module.NAME: module for module in modules}
